package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/internal/experiments"
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

// tinyRun runs reproduce at the tiny scale and returns its stdout and
// stderr, failing the test unless it exits 0.
func tinyRun(t *testing.T, only, dir string, more ...string) (string, string) {
	t.Helper()
	code, out, errOut := callCmd("reproduce", append([]string{"--scale", "tiny", "--only", only, "--out", dir}, more...)...)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	return out, errOut
}

// requireSameCSVs checks that every CSV of the run in want is in got with
// the same bytes.
func requireSameCSVs(t *testing.T, want, got string) {
	t.Helper()
	csvs, err := filepath.Glob(filepath.Join(want, "data", "*.csv"))
	require.NoError(t, err)
	require.NotEmpty(t, csvs)
	for _, f := range csvs {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(got, "data", filepath.Base(f)))
		require.NoError(t, err)
		assert.Equal(t, string(a), string(b), filepath.Base(f))
	}
}

// TestReproduceResumeRedoesCorruptRecords corrupts two records of a
// finished run (one truncated, one garbage) and resumes: the two units are
// redone with a warning naming each file and why, their files are valid
// records again, and the CSVs equal an uninterrupted run's.
func TestReproduceResumeRedoesCorruptRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("runs experiments")
	}
	const only = "mu-vs-n,escape"
	root := t.TempDir()
	want := filepath.Join(root, "want")
	tinyRun(t, only, want)
	dir := filepath.Join(root, "got")
	tinyRun(t, only, dir)
	recs, err := filepath.Glob(filepath.Join(dir, "units", "*", "*.json"))
	require.NoError(t, err)
	require.Greater(t, len(recs), 3)
	truncated, garbage := recs[1], recs[len(recs)-2]
	b, err := os.ReadFile(truncated)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(truncated, b[:len(b)/3], 0o644))
	require.NoError(t, os.WriteFile(garbage, []byte("\x00\x13garbage\xff"), 0o644))

	out, errOut := tinyRun(t, only, dir, "--resume", "--json")
	assert.Contains(t, errOut, "warning: "+truncated+": corrupt unit record: unexpected end of JSON input")
	assert.Contains(t, errOut, "warning: "+garbage+": corrupt unit record: invalid character")
	var res struct {
		Experiments []experiments.ExperimentOutcome `json:"experiments"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	ran := 0
	for _, e := range res.Experiments {
		assert.Equal(t, experiments.StatusDone, e.Status, e.Name)
		ran += e.Ran
	}
	assert.Equal(t, 2, ran, "exactly the two corrupt units run again")
	for _, f := range []string{truncated, garbage} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.True(t, json.Valid(b), "%s is a record again", f)
	}
	requireSameCSVs(t, want, dir)
}

// TestReproduceSummaryTable: the status column holds one word (the reason
// follows the table), so the table stays narrow however long the reason;
// the time columns show real times with units that suit them.
func TestReproduceSummaryTable(t *testing.T) {
	long := "data: dataset not found: fashion-mnist; looked in: " + strings.Repeat("/a/very/long/path ", 30)
	exps := []experiments.ExperimentOutcome{
		{Name: "mu-vs-n", Status: experiments.StatusDone, Units: 9, Ran: 9, Recorded: 9, UnitSeconds: 0.0225, WallSeconds: 0.0161},
		{Name: "fashion-mnist", Status: experiments.StatusSkipped, Error: long},
		{Name: "escape", Status: experiments.StatusFailed, Units: 8, Ran: 3, Recorded: 3, UnitSeconds: 7.5, WallSeconds: 3.1,
			Error: "unit linear-gd-f0.9: " + strings.Repeat("overflow ", 40)},
		{Name: "cyclical", Status: experiments.StatusStopped, Units: 6, Error: "stopped"},
	}
	var b strings.Builder
	writeSummary(&b, exps)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, 1+len(exps)+2, b.String())
	for _, l := range lines[:1+len(exps)] {
		assert.LessOrEqual(t, len([]rune(l)), 80, "table line too wide: %q", l)
	}
	for _, tc := range []struct{ line, want string }{
		{lines[0], "PER UNIT"},
		{lines[1], "16.1ms  2.5ms"},
		{lines[2], "skipped [1]"},
		{lines[2], "0s      -"},
		{lines[3], "failed [2]"},
		{lines[3], "3.1s    2.5s"},
		{lines[4], "stopped "},
		{lines[5], "[1] fashion-mnist: " + long},
		{lines[6], "[2] escape: unit linear-gd-f0.9: overflow"},
	} {
		assert.Contains(t, tc.line, tc.want)
	}
}

// TestReproduceShowsRealUnitTimes: neither the summary nor the report
// shows a unit time of zero for units that ran (they take milliseconds at
// the tiny scale).
func TestReproduceShowsRealUnitTimes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs experiments")
	}
	dir := filepath.Join(t.TempDir(), "run")
	out, _ := tinyRun(t, "escape,cyclical", dir)
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) == 7 && f[1] == experiments.StatusDone {
			rows++
			assert.NotEqual(t, "0s", f[5], "TIME of %s", f[0])
			assert.NotEqual(t, "0s", f[6], "PER UNIT of %s", f[0])
			assert.Regexp(t, `^[0-9.]+(ns|µs|ms|s)$`, f[6])
		}
	}
	assert.Equal(t, 2, rows, out)
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	assert.NotContains(t, string(md), "0.00 s")
	assert.NotContains(t, string(md), "unit time 0s")
	notes := regexp.MustCompile(`(?m)^- Unit wall times \(shared machine, noisy\): (.*)\.$`).FindAllStringSubmatch(string(md), -1)
	require.Len(t, notes, 2, "one note per experiment")
	for _, n := range notes {
		for _, item := range strings.Split(n[1], ", ") {
			f := strings.Fields(item)
			require.Len(t, f, 2, item)
			assert.NotEqual(t, "0s", f[1], item)
		}
	}
}

// TestReproduceWithoutDataset: without Fashion-MNIST (an empty --data-dir
// is the only place searched) reproduce completes, and the section says
// where it looked and how to install the dataset.
func TestReproduceWithoutDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("runs experiments")
	}
	empty := t.TempDir()
	dir := filepath.Join(t.TempDir(), "run")
	out, errOut := tinyRun(t, "fashion-mnist,degeneracy", dir, "--data-dir", empty)
	assert.Contains(t, out, "skipped [1]")
	assert.Contains(t, out, "[1] fashion-mnist: data: dataset not found")
	assert.Contains(t, errOut, "fashion-mnist not run")
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	note := regexp.MustCompile(`(?m)^- \*\*Not run:\*\* (.*)$`).FindStringSubmatch(string(md))
	require.NotNil(t, note, "the fashion-mnist section says it did not run")
	assert.Contains(t, note[1], "looked in: "+empty)
	assert.Contains(t, note[1], "apt-get install dataset-fashion-mnist")
	assert.Contains(t, note[1], "--data-dir")

	// With nothing else selected there is nothing to report: exit 1.
	code, _, errOut := callCmd("reproduce", "--scale", "tiny", "--only", "fashion-mnist", "--data-dir", empty,
		"--out", filepath.Join(t.TempDir(), "none"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no experiment could run")
}
