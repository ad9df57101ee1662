package bench

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/noisegeom/noisegeom/linalg"
)

// Config selects what the suite runs and how it times it. The zero value
// of a field means its default (see DefaultConfig).
type Config struct {
	Kernels []string // kernel or group names; none: the default suite
	Sizes   []int    // sizes for every selected kernel; none: DefaultSizes per kernel
	Threads []int    // GOMAXPROCS values; none: DefaultThreads
	Impls   []string // kernel tables; none: linalg.Implementations()

	MinTime  time.Duration // least duration of one timed sample
	Repeats  int           // samples per measurement; the best counts
	PeakTime time.Duration // least duration of one FMA peak sample
	// MaxOpTime skips a size whose time per call, predicted from the
	// previous size of the same kernel, table and thread count, exceeds
	// it; negative: never skip.
	MaxOpTime time.Duration

	// MaxOperandBytes bounds the operands of one kernel at one size, so
	// that a mistyped --n fails validation instead of exhausting memory.
	MaxOperandBytes float64

	// Progress, if set, is called before each measurement with the count
	// done so far, the total planned and a label for the next one.
	Progress func(done, total int, label string)
	// Seed seeds the operands' random values.
	Seed uint64
}

// Defaults.
const (
	DefaultMinTime         = 20 * time.Millisecond
	DefaultRepeats         = 3
	DefaultPeakTime        = 50 * time.Millisecond
	DefaultMaxOpTime       = time.Second
	DefaultMaxOperandBytes = 4 << 30
	maxThreads             = 1 << 12
)

// DefaultThreads is 1, plus runtime.NumCPU() if it is larger.
func DefaultThreads() []int {
	if n := runtime.NumCPU(); n > 1 {
		return []int{1, n}
	}
	return []int{1}
}

// DefaultConfig returns a Config with every default filled in.
func DefaultConfig() Config {
	return Config{
		Kernels:         DefaultKernels(),
		Threads:         DefaultThreads(),
		Impls:           linalg.Implementations(),
		MinTime:         DefaultMinTime,
		Repeats:         DefaultRepeats,
		PeakTime:        DefaultPeakTime,
		MaxOpTime:       DefaultMaxOpTime,
		MaxOperandBytes: DefaultMaxOperandBytes,
		Seed:            1,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if len(c.Kernels) == 0 {
		c.Kernels = d.Kernels
	}
	if len(c.Threads) == 0 {
		c.Threads = d.Threads
	}
	if len(c.Impls) == 0 {
		c.Impls = d.Impls
	}
	if c.MinTime == 0 {
		c.MinTime = d.MinTime
	}
	if c.Repeats == 0 {
		c.Repeats = d.Repeats
	}
	if c.PeakTime == 0 {
		c.PeakTime = d.PeakTime
	}
	if c.MaxOpTime == 0 {
		c.MaxOpTime = d.MaxOpTime
	}
	if c.MaxOperandBytes == 0 {
		c.MaxOperandBytes = d.MaxOperandBytes
	}
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	return c
}

// Validate reports the first bad value of c, naming it. Zero fields are
// valid (they take defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	ks, err := SelectKernels(c.Kernels)
	if err != nil {
		return err
	}
	for _, n := range c.Sizes {
		if err := checkSize(n); err != nil {
			return err
		}
	}
	for _, t := range c.Threads {
		if err := checkThreads(t); err != nil {
			return err
		}
	}
	for _, name := range c.Impls {
		if err := CheckImpl(name); err != nil {
			return err
		}
	}
	switch {
	case c.MinTime < 0:
		return fmt.Errorf("min-time %v must be positive", c.MinTime)
	case c.PeakTime < 0:
		return fmt.Errorf("peak time %v must be positive", c.PeakTime)
	case c.Repeats < 0:
		return fmt.Errorf("repeats %d must be at least 1", c.Repeats)
	case c.MaxOperandBytes < 0:
		return fmt.Errorf("operand limit %v bytes must be positive", c.MaxOperandBytes)
	}
	if len(c.Sizes) > 0 {
		for _, k := range ks {
			for _, n := range c.Sizes {
				if fp := k.Footprint(n); fp > c.MaxOperandBytes {
					return fmt.Errorf("%s at n=%d needs %s of operands, more than the limit of %s",
						k.Name, n, formatBytes(fp), formatBytes(c.MaxOperandBytes))
				}
			}
		}
	}
	return nil
}

func checkSize(n int) error {
	if n < 1 {
		return fmt.Errorf("size %d must be a positive integer", n)
	}
	return nil
}

func checkThreads(t int) error {
	if t < 1 || t > maxThreads {
		return fmt.Errorf("thread count %d must be between 1 and %d", t, maxThreads)
	}
	return nil
}

// knownTables are every kernel table name linalg knows, on any platform.
var knownTables = []string{"avx512", "avx2", "neon", "generic"}

// CheckImpl reports whether name is a kernel table this binary can run on
// this CPU; the error says whether it is unknown or unavailable and lists
// the available ones.
func CheckImpl(name string) error {
	avail := linalg.Implementations()
	if slices.Contains(avail, name) {
		return nil
	}
	if slices.Contains(knownTables, name) {
		return fmt.Errorf("kernel table %q is not available in this binary on this CPU (available: %s)",
			name, strings.Join(avail, ", "))
	}
	return fmt.Errorf("unknown kernel table %q (available: %s)", name, strings.Join(avail, ", "))
}

// Flag values. Each validates what it is given, so that the flag package
// reports a bad value together with the flag's name.

// listFlag is a comma-separated list, parsed element by element.
type listFlag[T any] struct {
	dst   *[]T
	parse func(string) (T, error)
	show  func(T) string
}

func (l *listFlag[T]) String() string {
	if l == nil || l.dst == nil {
		return ""
	}
	parts := make([]string, len(*l.dst))
	for i, v := range *l.dst {
		parts[i] = l.show(v)
	}
	return strings.Join(parts, ",")
}

func (l *listFlag[T]) Set(s string) error {
	var out []T
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return errors.New("empty element in list")
		}
		v, err := l.parse(part)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	*l.dst = out
	return nil
}

func parseInt(check func(int) error) func(string) (int, error) {
	return func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not an integer", s)
		}
		return n, check(n)
	}
}

func parseKernel(s string) (string, error) {
	_, err := SelectKernels([]string{s})
	return strings.ToLower(s), err
}

func parseImpl(s string) (string, error) {
	s = strings.ToLower(s)
	return s, CheckImpl(s)
}

// positiveDuration is a time.Duration flag that must be > 0.
type positiveDuration struct{ dst *time.Duration }

func (d positiveDuration) String() string {
	if d.dst == nil {
		return ""
	}
	return d.dst.String()
}

func (d positiveDuration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. 20ms, 1s)", s)
	}
	if v <= 0 {
		return fmt.Errorf("duration %v must be positive", v)
	}
	*d.dst = v
	return nil
}

// limitDuration is a time.Duration flag for a limit: 0 or less stores -1
// (no limit), as Config reads 0 as "the default".
type limitDuration struct{ dst *time.Duration }

func (d limitDuration) String() string {
	if d.dst == nil {
		return ""
	}
	if *d.dst < 0 {
		return "0"
	}
	return d.dst.String()
}

func (d limitDuration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. 500ms, 2s; 0 for no limit)", s)
	}
	if v <= 0 {
		v = -1
	}
	*d.dst = v
	return nil
}

// positiveInt is an int flag that must be ≥ 1.
type positiveInt struct{ dst *int }

func (p positiveInt) String() string {
	if p.dst == nil {
		return ""
	}
	return strconv.Itoa(*p.dst)
}

func (p positiveInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("%q must be a positive integer", s)
	}
	*p.dst = n
	return nil
}

// RegisterFlags defines the suite's flags on fs, writing into c; values
// already in c are the defaults shown by -help.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	show := func(s string) string { return s }
	fs.Var(&listFlag[string]{&c.Kernels, parseKernel, show}, "kernel",
		"comma-separated `kernels` or groups ("+strings.Join(KernelNames(), ", ")+
			"; groups: "+strings.Join(GroupNames(), ", ")+")")
	fs.Var(&listFlag[int]{&c.Sizes, parseInt(checkSize), strconv.Itoa}, "n",
		"comma-separated `sizes` for every kernel: vector length (level 1) or matrix order (levels 2, 3)\n"+
			"(default: per kernel, spanning L1/L2/L3/memory for levels 1-2; "+formatInts(Level3Sizes)+" for level 3)")
	fs.Var(&listFlag[int]{&c.Threads, parseInt(checkThreads), strconv.Itoa}, "threads",
		"comma-separated GOMAXPROCS `counts`")
	fs.Var(&listFlag[string]{&c.Impls, parseImpl, show}, "impl",
		"comma-separated kernel `tables` (available here: "+strings.Join(linalg.Implementations(), ", ")+")")
	fs.Var(positiveDuration{&c.MinTime}, "min-time", "least `duration` of one timed sample")
	fs.Var(positiveInt{&c.Repeats}, "repeats", "timed samples per measurement; the best `count`s")
	fs.Var(limitDuration{&c.MaxOpTime}, "max-op-time",
		"skip a size whose time per call, predicted from the previous size, exceeds this `duration` (0: never skip)")
}

func formatInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ", ")
}

func formatBytes(b float64) string {
	const unit = 1024
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= unit && i < len(units)-1 {
		b /= unit
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}
