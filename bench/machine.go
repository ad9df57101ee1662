package bench

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/noisegeom/noisegeom/linalg"
)

// DevelVersion is the version reported when the build carries none (a
// binary built from a work tree rather than installed at a version).
const DevelVersion = "(devel)"

// Machine describes the build, the CPU and linalg's view of it: what a
// reader needs to interpret a benchmark run taken somewhere else. It is
// also what `noisegeom version` prints.
type Machine struct {
	Module      string   `json:"module"`                 // main module path, empty if unknown
	Version     string   `json:"version"`                // module version, "(devel)" when unknown
	Revision    string   `json:"vcs_revision,omitempty"` // VCS commit the binary was built from
	RevisionAt  string   `json:"vcs_time,omitempty"`     // commit time, RFC 3339
	Modified    bool     `json:"vcs_modified,omitempty"` // built from a work tree with changes
	GoVersion   string   `json:"go_version"`
	GOOS        string   `json:"goos"`
	GOARCH      string   `json:"goarch"`
	ArchLevel   string   `json:"goarch_level,omitempty"` // GOAMD64 / GOARM64 / ... build setting
	BuildTags   string   `json:"build_tags,omitempty"`   // -tags build setting, e.g. "purego"
	NumCPU      int      `json:"num_cpu"`                // runtime.NumCPU at start
	CPU         string   `json:"cpu"`                    // brand string, empty when unknown
	CPUFeatures []string `json:"cpu_features"`           // SIMD features linalg looks at
	// Impl is the kernel table linalg chose at start-up (or that
	// NOISEGEOM_KERNELS forced); Impls the tables available, best first.
	Impl       string   `json:"impl_default"`
	Impls      []string `json:"impls_available"`
	KernelsEnv string   `json:"noisegeom_kernels,omitempty"` // NOISEGEOM_KERNELS if set
	// Cache sizes in bytes used for Gemm blocking and the default sizes;
	// CachesDefaulted names those the CPU did not report (L1D, L2, L3).
	L1D             int      `json:"l1d_bytes"`
	L2              int      `json:"l2_bytes"`
	L3              int      `json:"l3_bytes"`
	CachesDefaulted []string `json:"caches_defaulted"`
}

// CurrentMachine collects the facts about this binary and CPU. Impl is the
// table active at the time of the call.
func CurrentMachine() *Machine {
	cpu := linalg.CPU()
	m := &Machine{
		Version:         DevelVersion,
		GoVersion:       runtime.Version(),
		GOOS:            runtime.GOOS,
		GOARCH:          runtime.GOARCH,
		NumCPU:          runtime.NumCPU(),
		CPU:             strings.TrimSpace(cpu.Brand),
		CPUFeatures:     append([]string{}, cpu.Features...),
		Impl:            linalg.Implementation(),
		Impls:           linalg.Implementations(),
		KernelsEnv:      os.Getenv(linalg.EnvKernels),
		L1D:             cpu.L1D,
		L2:              cpu.L2,
		L3:              cpu.L3,
		CachesDefaulted: append([]string{}, cpu.Defaulted...),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		m.Module = bi.Main.Path
		if v := bi.Main.Version; v != "" {
			m.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				m.Revision = s.Value
			case "vcs.time":
				m.RevisionAt = s.Value
			case "vcs.modified":
				m.Modified = s.Value == "true"
			case "-tags":
				m.BuildTags = s.Value
			case "GO" + strings.ToUpper(runtime.GOARCH):
				m.ArchLevel = s.Key + "=" + s.Value
			}
		}
	}
	return m
}

// Caches returns the cache sizes the machine reports.
func (m *Machine) Caches() Caches { return Caches{m.L1D, m.L2, m.L3} }
