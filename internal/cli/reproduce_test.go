package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/experiments"
)

func TestReproduceUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		cmd    string
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{"reproduce", []string{"--help"}, 0, "", "--resume"},
		{"reproduce", []string{"--shard", "3/3"}, 2, "--shard", ""},
		{"reproduce", []string{"--shard", "x"}, 2, "want i/N", ""},
		{"reproduce", []string{"--only", "nonsense"}, 2, `unknown experiment "nonsense"`, ""},
		{"reproduce", []string{"--scale", "huge"}, 2, `unknown scale "huge"`, ""},
		{"reproduce", []string{"--full", "--scale", "tiny"}, 2, "contradicts", ""},
		{"reproduce", []string{"--jobs", "-1"}, 2, "--jobs", ""},
		{"reproduce", []string{"extra"}, 2, "unexpected argument", ""},
		{"merge", []string{"--help"}, 0, "", "SHARD_DIR"},
		{"merge", []string{"somedir"}, 2, "--out is required", ""},
		{"merge", []string{"--out", t.TempDir()}, 2, "name the shard directories", ""},
		{"merge", []string{"--out", t.TempDir(), filepath.Join(t.TempDir(), "missing")}, 1, "is not a run directory", ""},
	} {
		code, out, errOut := callCmd(tc.cmd, tc.args...)
		assert.Equal(t, tc.code, code, "%s %q: stderr %s", tc.cmd, tc.args, errOut)
		assert.Contains(t, errOut, tc.stderr, "%s %q", tc.cmd, tc.args)
		assert.Contains(t, out, tc.stdout, "%s %q", tc.cmd, tc.args)
	}
}

// TestReproduceTinyShardsAndResume runs two cheap experiments at the tiny
// scale whole and in two shards, merges, and checks the files a reader
// gets and that the merged CSVs equal the whole run's.
func TestReproduceTinyShardsAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs experiments")
	}
	only := "mu-vs-n,escape"
	if _, err := experiments.Select(only); err != nil {
		t.Skipf("experiments not registered: %v", err)
	}
	root := t.TempDir()
	whole := filepath.Join(root, "whole")
	code, out, errOut := callCmd("reproduce", "--scale", "tiny", "--only", only, "--out", whole)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "report: ")
	for _, f := range []string{"report.md", "report.html", "run.json", "manifest.json"} {
		_, err := os.Stat(filepath.Join(whole, f))
		require.NoError(t, err, f)
	}
	var run struct {
		Provenance struct {
			Facts []experiments.Fact `json:"facts"`
		} `json:"provenance"`
		Experiments []experiments.ExperimentOutcome `json:"experiments"`
	}
	b, err := os.ReadFile(filepath.Join(whole, "run.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &run))
	keys := map[string]bool{}
	for _, f := range run.Provenance.Facts {
		keys[f.Key] = true
	}
	for _, k := range []string{"noisegeom", "commit", "Go", "CPU", "kernel table"} {
		assert.True(t, keys[k], "run.json lacks %s", k)
	}
	require.Len(t, run.Experiments, 2)
	for _, e := range run.Experiments {
		assert.Equal(t, experiments.StatusDone, e.Status, e.Name)
		assert.Greater(t, e.UnitSeconds, 0.0, e.Name)
	}

	// Again without --resume: refused, nothing lost.
	code, _, errOut = callCmd("reproduce", "--scale", "tiny", "--only", only, "--out", whole)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--resume")
	// With --resume: nothing left to run.
	code, out, errOut = callCmd("reproduce", "--scale", "tiny", "--only", only, "--out", whole, "--resume", "--json")
	require.Equal(t, 0, code, errOut)
	var res struct {
		Experiments []experiments.ExperimentOutcome `json:"experiments"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	for _, e := range res.Experiments {
		assert.Equal(t, 0, e.Ran, e.Name)
	}

	var shards []string
	for _, s := range []string{"0/2", "1/2"} {
		dir := filepath.Join(root, "shard-"+s[:1])
		code, out, errOut := callCmd("reproduce", "--scale", "tiny", "--only", only, "--out", dir, "--shard", s)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "noisegeom merge")
		shards = append(shards, dir)
	}
	merged := filepath.Join(root, "merged")
	code, _, errOut = callCmd("merge", append([]string{"--out", merged}, shards...)...)
	require.Equal(t, 0, code, errOut)
	csvs, _ := filepath.Glob(filepath.Join(whole, "data", "*.csv"))
	require.NotEmpty(t, csvs)
	for _, f := range csvs {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join(merged, "data", filepath.Base(f)))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), filepath.Base(f))
	}
	md, _ := os.ReadFile(filepath.Join(merged, "report.md"))
	assert.True(t, strings.Contains(string(md), "shard 0/2"), "the merged report names its shards")
}
