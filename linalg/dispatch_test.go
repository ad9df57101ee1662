package linalg

import (
	"github.com/noisegeom/noisegeom/internal/testexec"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fake tables named like the real ones: selectKernels only looks at names.
var (
	vtFakeGeneric = genericKernels
	vtFakeAVX2    = &kernels{name: "avx2"}
	vtFakeAVX512  = &kernels{name: "avx512"}
	vtFakeNEON    = &kernels{name: "neon"}
	vtAMD64Tables = []*kernels{vtFakeGeneric, vtFakeAVX2, vtFakeAVX512}
	vtARM64Tables = []*kernels{vtFakeGeneric, vtFakeNEON}
)

func TestSelectKernelsBest(t *testing.T) {
	for _, tc := range []struct {
		name     string
		compiled []*kernels
		f        cpuFeatures
		want     string
	}{
		{"amd64 no features", vtAMD64Tables, cpuFeatures{}, "generic"},
		{"AVX2 without FMA", vtAMD64Tables, cpuFeatures{AVX2: true}, "generic"},
		{"FMA without AVX2", vtAMD64Tables, cpuFeatures{FMA3: true}, "generic"},
		{"AVX2+FMA", vtAMD64Tables, cpuFeatures{AVX2: true, FMA3: true}, "avx2"},
		{"AVX-512F alone", vtAMD64Tables, cpuFeatures{AVX512F: true}, "generic"},
		{"AVX-512F+FMA without AVX2", vtAMD64Tables, cpuFeatures{AVX512F: true, FMA3: true}, "generic"},
		{"AVX-512F+AVX2 without FMA", vtAMD64Tables, cpuFeatures{AVX512F: true, AVX2: true}, "generic"},
		{"AVX-512F+AVX2+FMA", vtAMD64Tables, cpuFeatures{AVX512F: true, AVX2: true, FMA3: true}, "avx512"},
		{"ASIMD on amd64 tables", vtAMD64Tables, cpuFeatures{ASIMD: true}, "generic"},
		{"everything, amd64 tables", vtAMD64Tables, cpuFeatures{true, true, true, true}, "avx512"},
		{"avx2 only compiled", []*kernels{vtFakeGeneric, vtFakeAVX2}, cpuFeatures{true, true, true, false}, "avx2"},
		{"arm64 ASIMD", vtARM64Tables, cpuFeatures{ASIMD: true}, "neon"},
		{"arm64 no ASIMD", vtARM64Tables, cpuFeatures{}, "generic"},
		{"everything, arm64 tables", vtARM64Tables, cpuFeatures{true, true, true, true}, "neon"},
		{"purego", []*kernels{vtFakeGeneric}, cpuFeatures{true, true, true, true}, "generic"},
		{"nothing compiled", nil, cpuFeatures{true, true, true, true}, "generic"},
	} {
		for _, forced := range []string{"", " ", "\t"} {
			k, err := selectKernels(tc.compiled, tc.f, forced)
			if err != nil || k == nil || k.name != tc.want {
				t.Errorf("%s (forced %q): got %v, %v; want %s", tc.name, forced, k, err, tc.want)
			}
		}
	}
}

func TestSelectKernelsForced(t *testing.T) {
	all := cpuFeatures{true, true, true, true}
	for _, tc := range []struct {
		name     string
		compiled []*kernels
		f        cpuFeatures
		forced   string
		want     string // table name, or "" for an error
		errHas   []string
	}{
		{"generic over avx512", vtAMD64Tables, all, "generic", "generic", nil},
		{"avx2 over avx512", vtAMD64Tables, all, "avx2", "avx2", nil},
		{"upper case", vtAMD64Tables, all, "AVX2", "avx2", nil},
		{"mixed case and spaces", vtAMD64Tables, all, "  AvX512\n", "avx512", nil},
		{"neon", vtARM64Tables, all, "Neon", "neon", nil},
		{"unknown", vtAMD64Tables, all, "sse4", "", []string{`"sse4"`, "unknown", "avx512, avx2, neon, generic", "available: avx512, avx2, generic)"}},
		{"unknown with case", vtAMD64Tables, all, "AVX", "", []string{`"AVX"`, "unknown"}},
		{"unknown suffix", vtAMD64Tables, cpuFeatures{AVX2: true, FMA3: true}, "avx512xx", "", []string{`"avx512xx"`, "unknown", "available: avx2, generic)"}},
		{"not compiled", vtAMD64Tables, all, "neon", "", []string{`"neon"`, "not compiled", "available: avx512, avx2, generic)"}},
		{"not compiled under purego", []*kernels{vtFakeGeneric}, all, "avx2", "", []string{`"avx2"`, "not compiled", "available: generic)"}},
		{"unsupported avx512", vtAMD64Tables, cpuFeatures{AVX2: true, FMA3: true}, "avx512", "", []string{`"avx512": not available on this CPU, which lacks AVX-512F (available: avx2, generic)`}},
		{"unsupported avx512, spaces kept in the quote", vtAMD64Tables, cpuFeatures{AVX2: true, FMA3: true}, " avx512 ", "", []string{`" avx512 "`, "lacks AVX-512F"}},
		{"unsupported avx2", vtAMD64Tables, cpuFeatures{AVX2: true}, "avx2", "", []string{`"avx2"`, "lacks FMA3 (available: generic)"}},
		{"unsupported avx512, no AVX at all", vtAMD64Tables, cpuFeatures{}, "avx512", "", []string{"lacks AVX2 and FMA3 and AVX-512F (available: generic)"}},
		{"unsupported neon", vtARM64Tables, cpuFeatures{}, "neon", "", []string{`"neon"`, "lacks ASIMD"}},
	} {
		k, err := selectKernels(tc.compiled, tc.f, tc.forced)
		if tc.want != "" {
			if err != nil || k == nil || k.name != tc.want {
				t.Errorf("%s: got %v, %v; want %s", tc.name, k, err, tc.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: got table %s, want an error", tc.name, k.name)
			continue
		}
		if k != nil {
			t.Errorf("%s: got table %s with the error", tc.name, k.name)
		}
		for _, s := range tc.errHas {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, s)
			}
		}
	}
}

// TestKernelsFromEnv checks the start-up choice: it always yields a table
// (the best one when the request cannot be honoured, never a panic) and
// an error naming the variable, its value and the available tables.
func TestKernelsFromEnv(t *testing.T) {
	noAVX512 := cpuFeatures{AVX2: true, FMA3: true}
	all := cpuFeatures{true, true, true, true}
	for _, tc := range []struct {
		name     string
		compiled []*kernels
		f        cpuFeatures
		env      string
		want     string
		wantErr  string // "" for none
	}{
		{"unset", vtAMD64Tables, noAVX512, "", "avx2", ""},
		{"blank", vtAMD64Tables, all, " \t", "avx512", ""},
		{"known and available", vtAMD64Tables, noAVX512, "avx2", "avx2", ""},
		{"case and whitespace", vtAMD64Tables, all, " Generic\n", "generic", ""},
		{"known, unavailable", vtAMD64Tables, noAVX512, "avx512", "avx2",
			`NOISEGEOM_KERNELS="avx512": not available on this CPU, which lacks AVX-512F (available: avx2, generic)`},
		{"known, not compiled", vtAMD64Tables, all, "NEON", "avx512",
			`NOISEGEOM_KERNELS="NEON": not compiled into this binary (GOARCH or purego tag; available: avx512, avx2, generic)`},
		{"unknown", vtAMD64Tables, noAVX512, "avx512xx", "avx2",
			`NOISEGEOM_KERNELS="avx512xx": unknown kernel table (known: avx512, avx2, neon, generic; available: avx2, generic)`},
		{"unknown, nothing but generic", []*kernels{vtFakeGeneric}, all, "x", "generic",
			`NOISEGEOM_KERNELS="x": unknown kernel table (known: avx512, avx2, neon, generic; available: generic)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var k *kernels
			var err error
			require.NotPanics(t, func() { k, err = kernelsFromEnv(tc.compiled, tc.f, tc.env) })
			require.NotNil(t, k)
			assert.Equal(t, tc.want, k.name)
			if tc.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tc.wantErr)
			}
		})
	}
}

func TestFeatureRequirements(t *testing.T) {
	all := cpuFeatures{true, true, true, true}
	for _, name := range preference {
		if !all.supports(name) {
			t.Errorf("%s not supported with every feature", name)
		}
		if name != "generic" && (cpuFeatures{}).supports(name) {
			t.Errorf("%s supported with no features", name)
		}
	}
	if (cpuFeatures{}).supports("bogus") || all.supports("") {
		t.Error("unknown names must not be supported")
	}
}

func TestImplementation(t *testing.T) {
	impls := Implementations()
	if !slices.Contains(impls, Implementation()) {
		t.Errorf("Implementation() = %q, not in Implementations() = %v", Implementation(), impls)
	}
	if !slices.Contains(impls, "generic") || impls[len(impls)-1] != "generic" {
		t.Errorf("Implementations() = %v: generic must be there, last", impls)
	}
	// Best first: the order follows preference.
	idx := func(s string) int { return slices.Index(preference, s) }
	for i := 1; i < len(impls); i++ {
		if idx(impls[i-1]) >= idx(impls[i]) {
			t.Errorf("Implementations() = %v not best first", impls)
		}
	}
	if os.Getenv(EnvKernels) == "" && Implementation() != impls[0] {
		t.Errorf("without %s, Implementation() = %q, want the best, %q", EnvKernels, Implementation(), impls[0])
	}
	// SetImplementation switches and restores; unknown names fail.
	orig := Implementation()
	defer SetImplementation(orig)
	for _, name := range impls {
		if err := SetImplementation(strings.ToUpper(name)); err != nil || Implementation() != name {
			t.Errorf("SetImplementation(%q): %v, now %q", name, err, Implementation())
		}
	}
	if err := SetImplementation("bogus"); err == nil {
		t.Error("SetImplementation(bogus) succeeded")
	}
	if Implementation() != impls[len(impls)-1] {
		t.Errorf("a failed SetImplementation changed the table to %q", Implementation())
	}
	switch runtime.GOARCH {
	case "amd64", "arm64":
	default:
		if len(impls) != 1 {
			t.Errorf("GOARCH %s: Implementations() = %v, want only generic", runtime.GOARCH, impls)
		}
	}
}

// vtEnvChild is set in the environment of the re-executed test binary.
const vtEnvChild = "LINALG_DISPATCH_TEST_CHILD"

// TestEnvChild is the body run in the child process: it prints the chosen
// table and KernelsEnvError. It does nothing in a normal run.
func TestEnvChild(t *testing.T) {
	if os.Getenv(vtEnvChild) != "1" {
		t.Skip("only run as a subprocess of TestEnvKernels")
	}
	os.Stdout.WriteString("implementation=" + Implementation() + "\n")
	if err := KernelsEnvError(); err != nil {
		os.Stdout.WriteString("error=" + err.Error() + "\n")
	}
}

// TestEnvKernels re-executes the test binary with NOISEGEOM_KERNELS set:
// a usable table is honoured (whatever its case); a table the binary or
// CPU cannot run does not panic at start-up but runs the best table and
// reports the request, naming the available tables, in KernelsEnvError.
func TestEnvKernels(t *testing.T) {
	if os.Getenv(vtEnvChild) == "1" {
		t.Skip("child")
	}
	impls := Implementations()
	for _, name := range impls {
		out, err := vtRunChild(t, " "+strings.ToUpper(name)+" ")
		if err != nil {
			t.Errorf("%s=%s: child failed: %v\n%s", EnvKernels, name, err, out)
			continue
		}
		if !strings.Contains(out, "implementation="+name+"\n") || strings.Contains(out, "error=") {
			t.Errorf("%s=%s: child output %q does not report %s without an error", EnvKernels, name, out, name)
		}
	}
	var bad []string
	for _, name := range append(slices.Clone(preference), "bogus", "avx512xx") {
		if !slices.Contains(impls, name) {
			bad = append(bad, name)
		}
	}
	for _, name := range bad {
		out, err := vtRunChild(t, name)
		if err != nil {
			t.Errorf("%s=%s: child failed (%v):\n%s", EnvKernels, name, err, out)
			continue
		}
		if !strings.Contains(out, "implementation="+impls[0]+"\n") {
			t.Errorf("%s=%s: child did not fall back to the best table %s:\n%s", EnvKernels, name, impls[0], out)
		}
		want := "error=" + EnvKernels + `="` + name + `": `
		avail := "available: " + strings.Join(impls, ", ") + ")\n"
		if !strings.Contains(out, want) || !strings.Contains(out, avail) {
			t.Errorf("%s=%s: child's KernelsEnvError does not name the value and %q:\n%s", EnvKernels, name, avail, out)
		}
		t.Logf("%s=%s: %s", EnvKernels, name, out)
	}
}

// vtRunChild runs this test binary's TestEnvChild with NOISEGEOM_KERNELS
// set to forced and returns its combined output (through qemu-user where
// the binary cannot be executed directly; see testexec).
func vtRunChild(t *testing.T, forced string) (string, error) {
	t.Helper()
	cmd := testexec.Command(t, "-test.run=^TestEnvChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), vtEnvChild+"=1", EnvKernels+"="+forced)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
