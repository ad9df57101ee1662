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

// tableRequirement says which features a named table needs.
func (f cpuFeatures) supports(name string) bool {
	switch name {
	case "generic":
		return true
	case "avx2":
		return f.AVX2 && f.FMA3
	case "avx512":
		return f.AVX512F && f.AVX2 && f.FMA3
	case "neon":
		return f.ASIMD
	}
	return false
}

// preference lists tables from most to least preferred.
var preference = []string{"avx512", "avx2", "neon", "generic"}

// selectKernels picks the table to use from the compiled-in tables, the
// CPU's features and the value of NOISEGEOM_KERNELS (empty: choose the best).
// It is a pure function so that tests can feed it fake feature sets.
func selectKernels(compiled []*kernels, f cpuFeatures, forced string) (*kernels, error) {
	byName := map[string]*kernels{}
	for _, k := range compiled {
		byName[k.name] = k
	}
	forced = strings.ToLower(strings.TrimSpace(forced))
	if forced != "" {
		k, ok := byName[forced]
		switch {
		case !ok && !isKnownTable(forced):
			return nil, fmt.Errorf("linalg: %s=%q: unknown kernel table (known: %s)",
				EnvKernels, forced, strings.Join(preference, ", "))
		case !ok:
			return nil, fmt.Errorf("linalg: %s=%q: table not compiled into this binary (GOARCH or purego tag); available: %s",
				EnvKernels, forced, strings.Join(usableNames(compiled, f), ", "))
		case !f.supports(forced):
			return nil, fmt.Errorf("linalg: %s=%q: this CPU lacks the features it needs; available: %s",
				EnvKernels, forced, strings.Join(usableNames(compiled, f), ", "))
		}
		return k, nil
	}
	for _, name := range preference {
		if k, ok := byName[name]; ok && f.supports(name) {
			return k, nil
		}
	}
	return genericKernels, nil
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

func init() {
	k, err := selectKernels(compiledKernels(), detectFeatures(), os.Getenv(EnvKernels))
	if err != nil {
		// An explicit request that cannot be honoured stops the program:
		// silently running other kernels would falsify benchmarks and
		// cross-CPU comparisons.
		panic(err)
	}
	active.Store(k)
}

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

// SetImplementation switches every routine to the named table. It exists
// for benchmarks and tests that compare tables in one process; it must not
// be called while other goroutines use linalg.
func SetImplementation(name string) error {
	k, err := selectKernels(compiledKernels(), detectFeatures(), name)
	if err != nil {
		return err
	}
	active.Store(k)
	return nil
}
