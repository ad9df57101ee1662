package cli

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Memory budgets. Before it allocates anything large, a command estimates
// from its flags alone (before any I/O) how many bytes it will need and
// refuses with a usage error (exit 2) when that exceeds its budget, naming
// the estimate, its largest part and the limit with where the limit comes
// from. The budget is --memory when the command has the flag and it is
// set, otherwise what the machine has available (machineMemory).

// memBudget is the number of bytes a command may allocate and what set it.
type memBudget struct {
	Bytes  float64
	Source string
}

// fallbackMemory is the budget where the machine's available memory
// cannot be read (no /proc/meminfo).
const fallbackMemory = 4 << 30

// memoryBudget returns the budget of a --memory flag given in MB (10⁶
// bytes): mb > 0 is the budget, 0 means the machine's (machineMemory).
// NaN, ±Inf and negative values are usage errors.
func memoryBudget(mb float64) (memBudget, error) {
	if !(mb >= 0) || math.IsInf(mb, 0) {
		return memBudget{}, alignUsagef("--memory must be a finite number of MB ≥ 0 (0: the machine's available memory), got %g", mb)
	}
	if mb > 0 {
		return memBudget{Bytes: mb * 1e6, Source: "--memory"}, nil
	}
	return machineMemory("/proc/meminfo", "/sys/fs/cgroup"), nil
}

// machineMemory returns the memory available to this process: the smaller
// of MemAvailable in the meminfo file and, where the cgroup (v2) directory
// has a numeric memory.max, that limit less memory.current; fallbackMemory
// when neither can be read.
func machineMemory(meminfo, cgroup string) memBudget {
	b := memBudget{Bytes: fallbackMemory, Source: "fallback; /proc/meminfo unreadable"}
	if v, ok := meminfoAvailable(meminfo); ok {
		b = memBudget{Bytes: v, Source: "MemAvailable in " + meminfo}
	}
	limit, err1 := readNumber(filepath.Join(cgroup, "memory.max"))
	used, err2 := readNumber(filepath.Join(cgroup, "memory.current"))
	if err1 == nil && err2 == nil && limit-used < b.Bytes {
		b = memBudget{Bytes: math.Max(limit-used, 0), Source: "cgroup memory.max less memory.current in " + cgroup}
	}
	return b
}

// meminfoAvailable returns MemAvailable (bytes) from a /proc/meminfo file.
func meminfoAvailable(path string) (float64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err != nil || kb < 0 {
				return 0, false
			}
			return kb * 1024, true
		}
	}
	return 0, false
}

// readNumber reads a file holding one non-negative number ("max" and
// anything else are errors).
func readNumber(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil || v < 0 || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s: not a byte count", path)
	}
	return v, nil
}

// memPart is one part of a memory estimate: what it is for (naming the
// flags that drive it) and its bytes.
type memPart struct {
	What  string
	Bytes float64
}

// check returns a usage error when the parts add up to more than the
// budget, e.g. "needs about 120 GiB, 119 GiB of it for the Monte Carlo
// trajectories (--repeats 1000000000); limit 16 GiB (MemAvailable in
// /proc/meminfo; set --memory to change it)".
func (b memBudget) check(parts ...memPart) error {
	total, big := 0.0, memPart{}
	for _, p := range parts {
		total += p.Bytes
		if p.Bytes > big.Bytes {
			big = p
		}
	}
	if total <= b.Bytes {
		return nil
	}
	return alignUsagef("needs about %s, %s of it for %s; limit %s (%s; set --memory in MB to change it)",
		formatBytes(total), formatBytes(big.Bytes), big.What, formatBytes(b.Bytes), b.Source)
}

// formatBytes prints a byte count with three significant digits in B,
// KiB, MiB, GiB, TiB, PiB or EiB (larger counts stay in EiB).
func formatBytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + " " + units[i]
}

// problemSize returns, from the flags alone, upper bounds on the samples
// n, the inputs d, the outputs K and the parameters p of the problem the
// shared problem flags describe (Fashion-MNIST: at most 60000 images of
// 784 pixels), in float64 so that huge flags cannot overflow. Unknown
// models and data count as linear and synthetic (they are usage errors
// caught elsewhere).
func problemSize(f *alignFlags) (n, d, k, p float64) {
	n, d, k = float64(f.n), float64(f.d), 1
	if f.data == "fashion-mnist" {
		n, d = math.Min(n, 60000), 784
		if f.targets != "sign" {
			k = 10
			if cl, err := parseInts(f.classes); err == nil && len(cl) > 0 {
				k = float64(len(cl))
			}
		}
	}
	w := float64(f.width)
	switch f.model {
	case "twolayer":
		p = d * w
		if f.bias {
			p += w
		}
	case "randomfeatures":
		p = w
	case "diagonal":
		p = 2 * d
	case "mlp":
		p = d*w + w + w*k + k
	default:
		p = d * k
	}
	return n, d, k, p
}
