package cli

import (
	"bytes"
	"fmt"
	"github.com/noisegeom/noisegeom/internal/testexec"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kernelsEnvChild marks the re-executed test binary of TestKernelsEnv.
const kernelsEnvChild = "NOISEGEOM_CLI_KERNELS_ENV_CHILD"

// TestKernelsEnvChild runs Main with the arguments in the child's
// environment and prints its exit code and output. It does nothing in a
// normal run.
func TestKernelsEnvChild(t *testing.T) {
	if os.Getenv(kernelsEnvChild) == "" {
		t.Skip("only run as a subprocess of TestKernelsEnv")
	}
	var out, errOut bytes.Buffer
	code := Main("noisegeom", strings.Fields(os.Getenv(kernelsEnvChild)), &out, &errOut)
	fmt.Printf("exit=%d\nstdout=%q\nstderr=%q\n", code, out.String(), errOut.String())
}

// TestKernelsEnv runs the program in a fresh process (linalg reads
// NOISEGEOM_KERNELS once, at start-up) with tables it cannot use: each is a
// usage error, exit 2, with one line naming the value and the tables
// available, and no command runs. A usable table runs normally.
func TestKernelsEnv(t *testing.T) {
	if os.Getenv(kernelsEnvChild) != "" {
		t.Skip("child")
	}
	avail := linalg.Implementations()
	notCompiled := "neon"
	if runtime.GOARCH == "arm64" {
		notCompiled = "avx2"
	}
	bad := []string{"avx512xx", "AVX9", notCompiled}
	for _, name := range []string{"avx512", "avx2", "neon"} {
		if !slices.Contains(avail, name) && !slices.Contains(bad, name) {
			bad = append(bad, name) // e.g. avx512 on a CPU without AVX-512
		}
	}
	for _, name := range bad {
		for _, args := range []string{"version", "help", ""} {
			t.Run(name+"/"+args, func(t *testing.T) {
				got := runKernelsEnvChild(t, name, args)
				assert.Contains(t, got, "exit=2\n")
				assert.Contains(t, got, `stdout=""`)
				want := fmt.Sprintf(`stderr="noisegeom: NOISEGEOM_KERNELS=\"%s\": `, name)
				assert.Contains(t, got, want)
				assert.Contains(t, got, "available: "+strings.Join(avail, ", ")+`)\n"`)
			})
		}
	}
	got := runKernelsEnvChild(t, " Generic ", "version")
	assert.Contains(t, got, "exit=0\n")
	assert.Contains(t, got, "generic")
}

// runKernelsEnvChild runs TestKernelsEnvChild with NOISEGEOM_KERNELS=value
// and the space-separated args, and returns its output.
func runKernelsEnvChild(t *testing.T, value, args string) string {
	t.Helper()
	cmd := testexec.Command(t, "-test.run=^TestKernelsEnvChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), kernelsEnvChild+"="+args+" ", linalg.EnvKernels+"="+value)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}
