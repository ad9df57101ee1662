package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// built is the command, built once for the tests that run it.
var built struct {
	once sync.Once
	dir  string
	bin  string
	skip string
}

// TestMain removes the built command.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildCommand returns the path of the command built from this package,
// or skips when it cannot be built or run here.
func buildCommand(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "noisegeom-test")
		if err != nil {
			built.skip = err.Error()
			return
		}
		built.dir = dir
		bin := filepath.Join(dir, "noisegeom")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			built.skip = "cannot build the command here: " + err.Error() + "\n" + string(out)
			return
		}
		if err := exec.Command(bin, "version").Run(); err != nil {
			built.skip = "the built command does not run on this host: " + err.Error()
			return
		}
		built.bin = bin
	})
	if built.bin == "" {
		t.Skip(built.skip)
	}
	return built.bin
}

// TestSignalStopsCommand sends SIGINT and SIGTERM to real runs: a long
// data export (which watches the context and removes its temporaries) and
// a benchmark (which does not: the handler ends it after the grace
// period). Each exits 130 or 143 within two seconds and leaves nothing in
// its output directory.
func TestSignalStopsCommand(t *testing.T) {
	bin := buildCommand(t)
	export := func(dir string) []string {
		return []string{"data", "--synthetic", "--n", "2000000", "--d", "50", "--teacher", "linear",
			"--no-spectrum", "--export", filepath.Join(dir, "x.npy")}
	}
	// A file loaded into memory: loading and summarising do not watch the
	// context, the export from memory does.
	src := filepath.Join(t.TempDir(), "src.npy")
	out, err := exec.Command(bin, "data", "--synthetic", "--n", "300000", "--d", "50", "--no-spectrum", "--export", src).CombinedOutput()
	require.NoError(t, err, "%s", out)
	file := func(dir string) []string {
		return []string{"data", "--file", src, "--scale", "standard", "--export", filepath.Join(dir, "e.npy")}
	}
	bench := func(string) []string {
		return []string{"bench", "--kernel", "gemm", "--n", "256", "--threads", "1", "--min-time", "5s", "--repeats", "5"}
	}
	cases := []struct {
		name    string
		args    func(dir string) []string
		started func(dir string) bool // the command is under way
		sig     syscall.Signal
		code    int
	}{
		{"data export, SIGINT", export, tempFileGrown, syscall.SIGINT, 130},
		{"data export, SIGTERM", export, tempFileGrown, syscall.SIGTERM, 143},
		{"data --file, SIGINT", file, afterMillis(200), syscall.SIGINT, 130},
		{"data --file, SIGTERM", file, afterMillis(200), syscall.SIGTERM, 143},
		{"bench, SIGINT", bench, afterMillis(300), syscall.SIGINT, 130},
		{"bench, SIGTERM", bench, afterMillis(300), syscall.SIGTERM, 143},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var stderr bytes.Buffer
			cmd := exec.Command(bin, c.args(dir)...)
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			t.Cleanup(func() { cmd.Process.Kill() })
			deadline := time.Now().Add(30 * time.Second)
			for !c.started(dir) {
				select {
				case err := <-done:
					t.Skipf("the command ended before it could be stopped: %v\n%s", err, stderr.String())
				default:
				}
				require.True(t, time.Now().Before(deadline), "the command did not get under way")
				time.Sleep(5 * time.Millisecond)
			}
			sent := time.Now()
			require.NoError(t, cmd.Process.Signal(c.sig))
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("no exit 10 s after %v", c.sig)
			}
			took := time.Since(sent)
			assert.Less(t, took, 2*time.Second, "exit %v after %v", took, c.sig)
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "stderr: %s", stderr.String())
			assert.Equal(t, c.code, ee.ExitCode(), "stderr: %s", stderr.String())
			ents, _ := os.ReadDir(dir)
			assert.Empty(t, ents, "left in the output directory")
		})
	}
}

// tempFileGrown reports whether a temporary file of at least 1 MB is in dir.
func tempFileGrown(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	for _, p := range m {
		if fi, err := os.Stat(p); err == nil && fi.Size() > 1<<20 {
			return true
		}
	}
	return false
}

// afterMillis reports true from ms milliseconds after its first call.
func afterMillis(ms int) func(string) bool {
	var start time.Time
	return func(string) bool {
		if start.IsZero() {
			start = time.Now()
		}
		return time.Since(start) > time.Duration(ms)*time.Millisecond
	}
}
