package linalg

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// EnvKernels is the environment variable that forces a kernel table.
const EnvKernels = "NOISEGEOM_KERNELS"

// cpuFeatures are the CPU capabilities the kernel tables depend on.
type cpuFeatures struct {
	AVX2, FMA3, AVX512F bool // amd64
	ASIMD               bool // arm64
}

// supports reports whether f has every feature the named table needs;
// unknown names are not supported.
func (f cpuFeatures) supports(name string) bool {
	return isKnownTable(name) && len(f.missing(name)) == 0
}

// preference lists tables from most to least preferred.
var preference = []string{"avx512", "avx2", "neon", "generic"}

// selectKernels picks the table to use from the compiled-in tables, the
// CPU's features and a requested table name (empty: choose the best). The
// name is trimmed and case-insensitive. A name that is unknown, not
// compiled in or not supported by f gives an error of the form
// `"avx512": not available on this CPU, which lacks AVX-512F (available:
// avx2, generic)`, quoting the name as given. It is a pure function so that
// tests can feed it fake feature sets.
func selectKernels(compiled []*kernels, f cpuFeatures, forced string) (*kernels, error) {
	byName := map[string]*kernels{}
	for _, k := range compiled {
		byName[k.name] = k
	}
	name := strings.ToLower(strings.TrimSpace(forced))
	if name == "" {
		for _, name := range preference {
			if k, ok := byName[name]; ok && f.supports(name) {
				return k, nil
			}
		}
		return genericKernels, nil
	}
	k, ok := byName[name]
	var why string
	switch {
	case !ok && !isKnownTable(name):
		why = "unknown kernel table (known: " + strings.Join(preference, ", ") + "; "
	case !ok:
		why = "not compiled into this binary (GOARCH or purego tag; "
	case !f.supports(name):
		why = "not available on this CPU, which lacks " + strings.Join(f.missing(name), " and ") + " ("
	default:
		return k, nil
	}
	return nil, fmt.Errorf("%q: %savailable: %s)", forced, why, strings.Join(usableNames(compiled, f), ", "))
}

// missing lists the features the named table needs that f lacks: the one
// place that states each table's requirements.
func (f cpuFeatures) missing(name string) []string {
	var out []string
	for _, x := range []struct {
		feature string
		have    bool
		needed  bool
	}{
		{"AVX2", f.AVX2, name == "avx2" || name == "avx512"},
		{"FMA3", f.FMA3, name == "avx2" || name == "avx512"},
		{"AVX-512F", f.AVX512F, name == "avx512"},
		{"ASIMD", f.ASIMD, name == "neon"},
	} {
		if x.needed && !x.have {
			out = append(out, x.feature)
		}
	}
	return out
}

func isKnownTable(name string) bool {
	for _, p := range preference {
		if p == name {
			return true
		}
	}
	return false
}

// usableNames lists the compiled tables the CPU can run, best first.
func usableNames(compiled []*kernels, f cpuFeatures) []string {
	var names []string
	for _, name := range preference {
		for _, k := range compiled {
			if k.name == name && f.supports(name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// compiledKernels lists every table in this binary: generic plus the
// platform's assembly tables.
func compiledKernels() []*kernels {
	return append([]*kernels{genericKernels}, platformKernels()...)
}

// active is the table every routine uses; set once at init (and by
// SetImplementation for benchmarks).
var active atomic.Pointer[kernels]

// envErr is why NOISEGEOM_KERNELS could not be honoured at start-up.
var envErr error

func init() {
	k, err := kernelsFromEnv(compiledKernels(), detectFeatures(), os.Getenv(EnvKernels))
	active.Store(k)
	envErr = err
}

// kernelsFromEnv chooses the start-up table for the value env of
// NOISEGEOM_KERNELS: the requested table, or the best one with an error
// saying why the request cannot be honoured. It never fails to return a
// table: a library must not panic at init.
func kernelsFromEnv(compiled []*kernels, f cpuFeatures, env string) (*kernels, error) {
	k, err := selectKernels(compiled, f, env)
	if err != nil {
		best, _ := selectKernels(compiled, f, "")
		return best, fmt.Errorf("%s=%w", EnvKernels, err)
	}
	return k, nil
}

// KernelsEnvError reports why the table NOISEGEOM_KERNELS names could not
// be used (unknown, not in this binary, or not supported by this CPU), or
// nil when the variable is unset, empty or honoured. The message names the
// tables available, e.g. `NOISEGEOM_KERNELS="avx512": not available on
// this CPU, which lacks AVX-512F (available: avx2, generic)`.
//
// linalg then runs the best available table. Programs should check this
// before computing and stop when it is not nil, since results or
// benchmarks from other kernels than the user asked for are misleading;
// the noisegeom command exits 2 with the message.
func KernelsEnvError() error { return envErr }

// impl returns the active kernel table.
func impl() *kernels { return active.Load() }

// Implementation names the kernel table in use: "generic", "avx2",
// "avx512" or "neon".
func Implementation() string { return impl().name }

// Implementations lists the tables this binary can run on this CPU, best
// first. "generic" is always among them.
func Implementations() []string {
	return usableNames(compiledKernels(), detectFeatures())
}

// SetImplementation switches every routine to the named table (trimmed,
// case-insensitive). It exists for benchmarks and tests that compare
// tables in one process; it must not be called while other goroutines use
// linalg. A table this binary or CPU cannot run is an error naming the
// available ones, and leaves the active table unchanged.
func SetImplementation(name string) error {
	k, err := selectKernels(compiledKernels(), detectFeatures(), name)
	if err != nil {
		return fmt.Errorf("linalg: SetImplementation: %w", err)
	}
	active.Store(k)
	return nil
}
