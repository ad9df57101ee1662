package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/noisegeom/noisegeom/bench"
)

func init() {
	register(&Command{
		Name:    "version",
		Summary: "print the module and Go versions, GOOS/GOARCH, CPU features, kernel tables and cache sizes",
		Run:     runVersion,
	})
}

func runVersion(env *Env, args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the facts as a JSON object")
	tables := fs.Bool("tables", false, "print only the available kernel tables, one per line, best first")
	about := "Prints what the binary was built from and what it found on this CPU: the module\n" +
		"version and VCS revision, the Go version, GOOS/GOARCH, the CPU's brand and SIMD\n" +
		"features, the kernel table in use and those available, and the cache sizes used\n" +
		"for blocking (and which of them were defaulted because the CPU reports none)."
	if code, done := parseFlags(env, fs, about, args); done {
		return code
	}
	m := bench.CurrentMachine()
	var err error
	switch {
	case *tables:
		_, err = fmt.Fprintln(env.Stdout, strings.Join(m.Impls, "\n"))
	case *asJSON:
		var b []byte
		if b, err = json.MarshalIndent(m, "", "  "); err == nil {
			_, err = env.Stdout.Write(append(b, '\n'))
		}
	default:
		err = writeMachine(env.Stdout, env.Prog, m)
	}
	if err != nil {
		return failure(env, "version", err)
	}
	return ExitOK
}

// writeMachine prints the machine facts as aligned "key  value" lines.
func writeMachine(w io.Writer, prog string, m *bench.Machine) error {
	var b strings.Builder
	line := func(key, format string, args ...any) {
		fmt.Fprintf(&b, "%-13s %s\n", key, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(&b, "%s %s\n", prog, m.Version)
	if m.Module != "" {
		line("module", "%s", m.Module)
	}
	if m.Revision != "" {
		rev := m.Revision
		if m.RevisionAt != "" {
			rev += " " + m.RevisionAt
		}
		if m.Modified {
			rev += " (modified)"
		}
		line("revision", "%s", rev)
	}
	build := m.GoVersion + " " + m.GOOS + "/" + m.GOARCH
	if m.ArchLevel != "" {
		build += " " + m.ArchLevel
	}
	if m.BuildTags != "" {
		build += " -tags " + m.BuildTags
	}
	line("go", "%s", build)
	cpu := m.CPU
	if cpu == "" {
		cpu = "(brand unknown)"
	}
	line("cpu", "%s, %d logical CPUs", cpu, m.NumCPU)
	line("features", "%s", orNone(strings.Join(m.CPUFeatures, " ")))
	impl := m.Impl
	if m.KernelsEnv != "" {
		impl += " (forced by NOISEGEOM_KERNELS)"
	}
	line("kernels", "%s", impl)
	line("available", "%s", strings.Join(m.Impls, ", "))
	line("caches", "L1D %s, L2 %s, L3 %s (defaulted: %s)",
		kib(m.L1D), kib(m.L2), kib(m.L3), orNone(strings.Join(m.CachesDefaulted, ", ")))
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// kib prints a byte count in KiB or MiB when exact, else in bytes.
func kib(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
