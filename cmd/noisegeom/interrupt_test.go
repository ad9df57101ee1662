package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReproduceSurvivesInterruptAndKill runs the real binary: Ctrl-C
// (SIGINT) stops it with exit 130 and the hint to resume, SIGKILL leaves no
// partial record behind, and --resume finishes with a report whose CSVs
// equal those of an uninterrupted run.
func TestReproduceSurvivesInterruptAndKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs experiments at the quick scale")
	}
	bin := buildCommand(t)
	args := []string{"reproduce", "--only", "mu-vs-n", "--jobs", "1"}
	root := t.TempDir()
	whole := filepath.Join(root, "whole")
	out, err := exec.Command(bin, append(args, "--out", whole)...).CombinedOutput()
	require.NoError(t, err, "%s", out)

	dir := filepath.Join(root, "stopped")
	units := filepath.Join(dir, "units", "mu-vs-n")
	// startAndStop starts the command and sends sig once at least k units
	// are on disk; it returns the exit code and stderr.
	startAndStop := func(sig os.Signal, k int, extra ...string) (int, string) {
		var stderr bytes.Buffer
		cmd := exec.Command(bin, append(append(args, "--out", dir), extra...)...)
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		deadline := time.Now().Add(60 * time.Second)
		for {
			m, _ := filepath.Glob(filepath.Join(units, "*.json"))
			if len(m) >= k || time.Now().After(deadline) {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		require.NoError(t, cmd.Process.Signal(sig))
		err := cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return code, stderr.String()
	}
	code, stderr := startAndStop(os.Interrupt, 3)
	if code == 0 {
		t.Skip("the run finished before the interrupt arrived")
	}
	assert.Equal(t, 130, code)
	assert.Contains(t, stderr, "interrupted")
	assert.Contains(t, stderr, "--resume")
	afterInt, _ := filepath.Glob(filepath.Join(units, "*.json"))
	require.NotEmpty(t, afterInt)

	startAndStop(syscall.SIGKILL, len(afterInt)+3, "--resume")
	entries, err := os.ReadDir(units)
	require.NoError(t, err)
	for _, e := range entries {
		// Temporary files may remain after SIGKILL, but never under a
		// record's name, and the next run removes them.
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(units, e.Name()))
		require.NoError(t, err)
		require.True(t, bytes.HasSuffix(b, []byte("}\n")), "record %s is incomplete", e.Name())
	}

	out, err = exec.Command(bin, append(args, "--out", dir, "--resume")...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	entries, _ = os.ReadDir(units)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), "leftover temporary file %s", e.Name())
	}
	csvs, _ := filepath.Glob(filepath.Join(whole, "data", "*.csv"))
	require.NotEmpty(t, csvs)
	for _, f := range csvs {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join(dir, "data", filepath.Base(f)))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), filepath.Base(f))
	}
}
