package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/internal/report"
)

// fakeExperiment is a deterministic sweep whose unit i returns rows that
// depend only on the seed and i, counting how often each unit runs. A unit
// listed in fail returns an error until fail is cleared.
type fakeExperiment struct {
	name  string
	units int
	mu    sync.Mutex
	runs  map[string]int
	fail  map[string]bool
	// onRun, when set, is called at the start of every unit.
	onRun func(id string)
}

// fakeRow is one of the two rows a fake unit returns.
type fakeRow struct {
	Kind    string
	X, Y, Z float64
}

func (f *fakeExperiment) experiment() *Experiment {
	return &Experiment{
		Name:   f.name,
		Title:  "fake " + f.name,
		Claim:  "a deterministic sweep",
		Result: func() any { return new([]fakeRow) },
		Plan: func(cfg Config) ([]Unit, error) {
			var units []Unit
			for i := 0; i < f.units; i++ {
				id := fmt.Sprintf("u%02d", i)
				units = append(units, Unit{ID: id, Run: func(ctx context.Context) (Record, error) {
					if f.onRun != nil {
						f.onRun(id)
					}
					f.mu.Lock()
					if f.runs == nil {
						f.runs = map[string]int{}
					}
					f.runs[id]++
					failing := f.fail[id]
					f.mu.Unlock()
					if failing {
						return Record{}, errors.New("deliberate failure")
					}
					if err := ctx.Err(); err != nil {
						return Record{}, err
					}
					x := float64(i)
					y := math.Sin(float64(cfg.Seed)+x) / 3 // not exactly representable in decimal
					return newRecord([]fakeRow{{Kind: "a", X: x, Y: y}, {Kind: "b", X: x, Y: math.NaN(), Z: math.Inf(-1)}})
				}})
			}
			return units, nil
		},
		Summarize: func(cfg Config, recs []Record) (report.Section, error) {
			s := report.Series{Label: "a"}
			sum := 0.0
			for _, r := range recs {
				var rows []fakeRow
				if err := decodeResult(r, &rows); err != nil {
					return report.Section{}, err
				}
				if len(rows) != 2 {
					return report.Section{}, fmt.Errorf("unit %s: %d rows", r.Unit, len(rows))
				}
				s.X = append(s.X, rows[0].X)
				s.Y = append(s.Y, rows[0].Y)
				sum += rows[0].Y + r.Seconds
			}
			return report.Section{
				Figures:  []report.Figure{{Name: "y", XLabel: "index i (units)", YLabel: "y (dimensionless)", Series: []report.Series{s}}},
				Verdicts: []report.Verdict{{Statement: "sum", Measured: fmt.Sprintf("%.17g", sum), Expected: "anything", Held: true}},
			}, nil
		},
	}
}

// captureReports replaces writeReport for the test and returns the
// documents written, by directory.
func captureReports(t *testing.T) map[string]report.Document {
	t.Helper()
	docs := map[string]report.Document{}
	var mu sync.Mutex
	old := writeReport
	writeReport = func(dir string, doc report.Document) error {
		mu.Lock()
		defer mu.Unlock()
		docs[dir] = doc
		return nil
	}
	t.Cleanup(func() { writeReport = old })
	return docs
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Shard
		wantErr string
	}{
		{in: "0/1", want: Shard{0, 1}},
		{in: "3/4", want: Shard{3, 4}},
		{in: " 2/10 ", want: Shard{2, 10}},
		{in: "4/4", wantErr: "must be in [0, 4)"},
		{in: "-1/4", wantErr: "must be in"},
		{in: "1/0", wantErr: "at least 1"},
		{in: "1", wantErr: "want i/N"},
		{in: "a/b", wantErr: "integers"},
	} {
		got, err := ParseShard(tc.in)
		if tc.wantErr != "" {
			require.ErrorContains(t, err, tc.wantErr, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestShardsPartitionUnits(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7} {
		for k := 0; k < 50; k++ {
			owners := 0
			for i := 0; i < n; i++ {
				if (Shard{i, n}).owns(k) {
					owners++
				}
			}
			require.Equal(t, 1, owners, "unit %d with %d shards", k, n)
		}
	}
}

func TestShardedRunsMergeToTheWholeRun(t *testing.T) {
	docs := captureReports(t)
	exps := func() []*Experiment {
		return []*Experiment{(&fakeExperiment{name: "first", units: 7}).experiment(),
			(&fakeExperiment{name: "second", units: 5}).experiment()}
	}
	cfg := Config{Scale: Tiny, Seed: 42}
	root := t.TempDir()
	whole := filepath.Join(root, "whole")
	_, err := Run(context.Background(), Options{Out: whole, Experiments: exps(), Config: cfg, Jobs: 3})
	require.NoError(t, err)
	for _, n := range []int{1, 2, 3, 5, 12, 13} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var dirs []string
			lookup := map[string]*Experiment{}
			for i := 0; i < n; i++ {
				dir := filepath.Join(root, fmt.Sprintf("n%d-s%d", n, i))
				es := exps()
				for _, e := range es {
					lookup[e.Name] = e
				}
				out, err := Run(context.Background(), Options{Out: dir, Experiments: es, Config: cfg, Shard: Shard{i, n}, Jobs: 2})
				require.NoError(t, err)
				assert.Equal(t, n == 1, out.Report, "only a whole run writes a report")
				dirs = append(dirs, dir)
			}
			merged := filepath.Join(root, fmt.Sprintf("merged-%d", n))
			out, err := Merge(context.Background(), MergeOptions{Out: merged, Dirs: dirs,
				Lookup: func(name string) (*Experiment, error) { return lookup[name], nil }})
			require.NoError(t, err)
			assert.True(t, out.Report)
			require.Equal(t, sectionsWithoutTimes(t, docs[whole].Sections), sectionsWithoutTimes(t, docs[merged].Sections))
			// Merging into one of the shard directories gives the same report.
			if n > 1 {
				_, err := Merge(context.Background(), MergeOptions{Out: dirs[0], Dirs: dirs,
					Lookup: func(name string) (*Experiment, error) { return lookup[name], nil }})
				require.NoError(t, err)
				require.Equal(t, sectionsWithoutTimes(t, docs[whole].Sections), sectionsWithoutTimes(t, docs[dirs[0]].Sections))
			}
			// The merged directory is itself a complete run: resuming it runs nothing.
			res, err := Run(context.Background(), Options{Out: merged, Experiments: exps(), Config: cfg, Resume: true})
			require.NoError(t, err)
			for _, e := range res.Experiments {
				assert.Equal(t, 0, e.Ran, e.Name)
				assert.Equal(t, StatusDone, e.Status)
			}
		})
	}
}

func TestMergeNamesMissingShard(t *testing.T) {
	captureReports(t)
	f := &fakeExperiment{name: "only", units: 6}
	cfg := Config{Scale: Tiny, Seed: 1}
	root := t.TempDir()
	var dirs []string
	for i := 0; i < 3; i++ {
		if i == 1 {
			continue // shard 1/3 never ran
		}
		dir := filepath.Join(root, fmt.Sprint(i))
		_, err := Run(context.Background(), Options{Out: dir, Experiments: []*Experiment{f.experiment()}, Config: cfg, Shard: Shard{i, 3}})
		require.NoError(t, err)
		dirs = append(dirs, dir)
	}
	_, err := Merge(context.Background(), MergeOptions{Out: filepath.Join(root, "m"), Dirs: dirs,
		Lookup: func(string) (*Experiment, error) { return f.experiment(), nil }})
	require.ErrorContains(t, err, "no record for only/u01 (shard 1/3)")
	_, statErr := os.Stat(filepath.Join(root, "m"))
	assert.True(t, errors.Is(statErr, os.ErrNotExist), "a failed merge creates nothing")

	// Shards of different runs do not mix.
	other := filepath.Join(root, "other")
	_, err = Run(context.Background(), Options{Out: other, Experiments: []*Experiment{f.experiment()}, Config: Config{Scale: Tiny, Seed: 2}, Shard: Shard{1, 3}})
	require.NoError(t, err)
	_, err = Merge(context.Background(), MergeOptions{Out: filepath.Join(root, "m2"), Dirs: append(dirs, other),
		Lookup: func(string) (*Experiment, error) { return f.experiment(), nil }})
	require.ErrorContains(t, err, "seed 1 vs 2")
	_, err = Merge(context.Background(), MergeOptions{Out: filepath.Join(root, "m3"), Dirs: []string{dirs[0], dirs[0]},
		Lookup: func(string) (*Experiment, error) { return f.experiment(), nil }})
	require.ErrorContains(t, err, "appears twice")
}

func TestFailedUnitIsReportedAndResumeRunsOnlyTheRest(t *testing.T) {
	docs := captureReports(t)
	f := &fakeExperiment{name: "flaky", units: 5, fail: map[string]bool{"u03": true}}
	g := &fakeExperiment{name: "steady", units: 3}
	dir := t.TempDir()
	opts := Options{Out: dir, Experiments: []*Experiment{f.experiment(), g.experiment()}, Config: Config{Seed: 7}, Jobs: 1}
	out, err := Run(context.Background(), opts)
	require.NoError(t, err)
	require.True(t, out.Failed())
	assert.Equal(t, StatusFailed, out.Experiments[0].Status)
	assert.Contains(t, out.Experiments[0].Error, "unit u03: deliberate failure")
	assert.Equal(t, StatusDone, out.Experiments[1].Status, "a failure does not stop other experiments")
	sec := docs[dir].Sections[0]
	require.Len(t, sec.Verdicts, 1)
	assert.False(t, sec.Verdicts[0].Held)
	assert.Contains(t, sec.Notes[0], "Not completed")

	// Without --resume the directory is protected.
	_, err = Run(context.Background(), opts)
	require.ErrorContains(t, err, "pass --resume")
	// A resume with other flags is refused, naming the difference.
	bad := opts
	bad.Resume, bad.Config.Seed = true, 8
	_, err = Run(context.Background(), bad)
	require.ErrorContains(t, err, "seed 7 vs 8")

	before := map[string]int{}
	for k, v := range f.runs {
		before[k] = v
	}
	f.fail = nil
	opts.Resume = true
	out, err = Run(context.Background(), opts)
	require.NoError(t, err)
	require.False(t, out.Failed())
	for id, n := range f.runs {
		if before[id] > 0 && id != "u03" {
			assert.Equal(t, before[id], n, "unit %s ran again", id)
		}
	}
	assert.Equal(t, 0, out.Experiments[1].Ran)
	assert.Equal(t, 3, out.Experiments[1].Reused)
	assert.True(t, docs[dir].Sections[0].Verdicts[0].Held)
}

func TestInterruptKeepsFinishedUnits(t *testing.T) {
	captureReports(t)
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int32
	f := &fakeExperiment{name: "long", units: 8}
	f.onRun = func(string) {
		if started.Add(1) == 3 {
			cancel() // Ctrl-C while the third unit runs
		}
	}
	dir := t.TempDir()
	opts := Options{Out: dir, Experiments: []*Experiment{f.experiment()}, Config: Config{Seed: 3}, Jobs: 1}
	out, err := Run(ctx, opts)
	require.ErrorIs(t, err, ErrInterrupted)
	assert.False(t, out.Report)
	kept, _ := filepath.Glob(filepath.Join(dir, "units", "long", "*.json"))
	require.Len(t, kept, 2, "the two finished units are kept")
	entries, _ := os.ReadDir(filepath.Join(dir, "units", "long"))
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), "leftover temporary file %s", e.Name())
	}

	f.onRun = nil
	opts.Resume = true
	out, err = Run(context.Background(), opts)
	require.NoError(t, err)
	assert.True(t, out.Report)
	assert.Equal(t, 6, out.Experiments[0].Ran)
	assert.Equal(t, 2, out.Experiments[0].Reused)
}

func TestPlanErrorSkipsTheExperiment(t *testing.T) {
	docs := captureReports(t)
	missing := &Experiment{Name: "needs-data", Title: "needs data", Claim: "c",
		Plan: func(Config) ([]Unit, error) {
			return nil, errors.New("dataset fashion-mnist not found in /nowhere")
		},
		Summarize: func(Config, []Record) (report.Section, error) { panic("not reached") },
	}
	ok := (&fakeExperiment{name: "fine", units: 2}).experiment()
	dir := t.TempDir()
	out, err := Run(context.Background(), Options{Out: dir, Experiments: []*Experiment{missing, ok}, Config: Config{}})
	require.NoError(t, err)
	assert.False(t, out.Failed())
	assert.Equal(t, StatusSkipped, out.Experiments[0].Status)
	assert.Contains(t, docs[dir].Sections[0].Notes[0], "not found in /nowhere")
	assert.Empty(t, docs[dir].Sections[0].Verdicts)
}

func TestOutMustBeEmptyOrARun(t *testing.T) {
	captureReports(t)
	f := &fakeExperiment{name: "x", units: 2}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
	_, err := Run(context.Background(), Options{Out: dir, Experiments: []*Experiment{f.experiment()}})
	require.ErrorContains(t, err, "is not empty (it holds notes.txt)")
	_, err = Run(context.Background(), Options{Out: dir, Experiments: []*Experiment{f.experiment()}, Resume: true})
	require.ErrorContains(t, err, "holds no run")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "nothing was written")

	shard := filepath.Join(t.TempDir(), "s")
	_, err = Run(context.Background(), Options{Out: shard, Experiments: []*Experiment{f.experiment()}})
	require.NoError(t, err)
	_, err = Merge(context.Background(), MergeOptions{Out: dir, Dirs: []string{shard},
		Lookup: func(string) (*Experiment, error) { return f.experiment(), nil }})
	require.ErrorContains(t, err, "is not empty")
}

func TestBadUnitIDsAreRejected(t *testing.T) {
	for _, id := range []string{"", "A", "a/b", ".hidden", "x y", "dup"} {
		e := &Experiment{Name: "bad", Plan: func(Config) ([]Unit, error) {
			units := []Unit{{ID: id}}
			if id == "dup" {
				units = append(units, Unit{ID: "dup"})
			}
			return units, nil
		}}
		_, err := Run(context.Background(), Options{Out: t.TempDir(), Experiments: []*Experiment{e}})
		require.ErrorContains(t, err, "not unique or not a safe file name", "%q", id)
	}
}

func TestSummarizeSeesNoTimings(t *testing.T) {
	docs := captureReports(t)
	dir := t.TempDir()
	// The fake's verdict adds Seconds into its sum: with timings hidden the
	// sum equals that of the y values alone.
	f := &fakeExperiment{name: "t", units: 4}
	_, err := Run(context.Background(), Options{Out: dir, Experiments: []*Experiment{f.experiment()}, Config: Config{Seed: 5}})
	require.NoError(t, err)
	want := 0.0
	for i := 0; i < 4; i++ {
		want += math.Sin(5+float64(i)) / 3
	}
	assert.Equal(t, fmt.Sprintf("%.17g", want), docs[dir].Sections[0].Verdicts[0].Measured)
}

// sectionsWithoutTimes drops the unit wall-time note the runner appends to
// each section: the only part of a report that differs between two runs.
func sectionsWithoutTimes(t *testing.T, secs []report.Section) []report.Section {
	t.Helper()
	out := make([]report.Section, len(secs))
	for i, s := range secs {
		var notes []string
		for _, n := range s.Notes {
			if !strings.HasPrefix(n, "Unit wall times") {
				notes = append(notes, n)
			}
		}
		s.Notes = notes
		out[i] = s
	}
	return out
}

func TestCorruptRecordIsRedoneOnResume(t *testing.T) {
	good := `{"experiment": "c", "unit": "u02", "seconds": 0.5, "result": [{"Kind": "a", "X": 2, "Y": 1, "Z": 0}, {"Kind": "b", "X": 2, "Y": "NaN", "Z": "-Inf"}]}`
	for _, tc := range []struct {
		name   string
		write  func(path string) error
		reason string
	}{
		{"truncated", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, b[:len(b)/2], 0o644)
		}, "unexpected end of JSON input"},
		{"empty", func(p string) error { return os.WriteFile(p, nil, 0o644) }, "unexpected end of JSON input"},
		{"garbage", func(p string) error { return os.WriteFile(p, []byte("\x00\xff garbage"), 0o644) }, "invalid character"},
		{"zeros of a crashed file system", func(p string) error { return os.WriteFile(p, make([]byte, 4096), 0o644) }, "invalid character"},
		{"trailing garbage", func(p string) error { return os.WriteFile(p, []byte(good+"}"), 0o644) }, "invalid character"},
		{"another unit's record", func(p string) error {
			return os.WriteFile(p, []byte(strings.Replace(good, "u02", "u03", 1)), 0o644)
		}, "holds c/u03, not c/u02"},
		{"no names", func(p string) error { return os.WriteFile(p, []byte(`{"rows": []}`), 0o644) }, "no experiment or unit name"},
		{"bad value", func(p string) error {
			return os.WriteFile(p, []byte(strings.Replace(good, `"X": 2`, `"X": "two"`, 1)), 0o644)
		}, `two is not a number`},
		{"no result", func(p string) error {
			return os.WriteFile(p, []byte(`{"experiment": "c", "unit": "u02", "seconds": 0.5}`), 0o644)
		}, "no result"},
		{"result of another version", func(p string) error {
			return os.WriteFile(p, []byte(strings.Replace(good, `"Z": 0`, `"Z": 0, "W": 1`, 1)), 0o644)
		}, "unknown fields"},
		{"too large", func(p string) error { return os.Truncate(p, maxRecordBytes+1) }, "larger than the limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs := captureReports(t)
			cfg := Config{Seed: 9}
			want := filepath.Join(t.TempDir(), "want")
			_, err := Run(context.Background(), Options{Out: want, Experiments: []*Experiment{(&fakeExperiment{name: "c", units: 5}).experiment()}, Config: cfg})
			require.NoError(t, err)

			f := &fakeExperiment{name: "c", units: 5}
			dir := filepath.Join(t.TempDir(), "got")
			opts := Options{Out: dir, Experiments: []*Experiment{f.experiment()}, Config: cfg}
			_, err = Run(context.Background(), opts)
			require.NoError(t, err)
			path := unitPath(dir, "c", "u02")
			require.NoError(t, tc.write(path))

			var warnings []string
			opts.Resume, opts.Warn = true, func(msg string) { warnings = append(warnings, msg) }
			out, err := Run(context.Background(), opts)
			require.NoError(t, err)
			require.Len(t, warnings, 1)
			assert.Contains(t, warnings[0], path)
			assert.Contains(t, warnings[0], tc.reason)
			assert.Contains(t, warnings[0], "running the unit again")
			assert.Equal(t, StatusDone, out.Experiments[0].Status)
			assert.Equal(t, 1, out.Experiments[0].Ran)
			assert.Equal(t, 4, out.Experiments[0].Reused)
			for id, n := range f.runs {
				assert.Equal(t, 1+btoi(id == "u02"), n, "runs of %s", id)
			}
			rec, ok, err := readRecord(dir, f.experiment(), "u02")
			require.NoError(t, err, "the corrupt file is replaced")
			assert.True(t, ok)
			var rows []fakeRow
			require.NoError(t, decodeResult(rec, &rows))
			assert.Len(t, rows, 2)
			assert.Equal(t, sectionsWithoutTimes(t, docs[want].Sections), sectionsWithoutTimes(t, docs[dir].Sections))
			left, _ := filepath.Glob(filepath.Join(dir, "units", "c", ".*"))
			assert.Empty(t, left, "no temporary files are left")

			// Merge names the corrupt file rather than merging it.
			require.NoError(t, tc.write(path))
			_, err = Merge(context.Background(), MergeOptions{Out: filepath.Join(t.TempDir(), "m"), Dirs: []string{dir},
				Lookup: func(string) (*Experiment, error) { return f.experiment(), nil }})
			require.ErrorContains(t, err, path)
			require.ErrorContains(t, err, "--resume")
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestCorruptRecordOfAnotherShardIsIgnored: a shard directory can hold the
// records of other shards (a merge into it); a corrupt one it does not own
// is reported and left alone, and the shard's own units are unaffected.
func TestCorruptRecordOfAnotherShardIsIgnored(t *testing.T) {
	captureReports(t)
	f := &fakeExperiment{name: "c", units: 4}
	dir := t.TempDir()
	opts := Options{Out: dir, Experiments: []*Experiment{f.experiment()}, Shard: Shard{0, 2}}
	_, err := Run(context.Background(), opts)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(unitPath(dir, "c", "u01"), []byte("{"), 0o644)) // u01 is shard 1's
	var warnings []string
	opts.Resume, opts.Warn = true, func(msg string) { warnings = append(warnings, msg) }
	out, err := Run(context.Background(), opts)
	require.NoError(t, err)
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "u01.json")
	assert.Contains(t, warnings[0], "shard 0/2 does not run this unit")
	assert.Equal(t, 0, out.Experiments[0].Ran)
	assert.Equal(t, StatusPartial, out.Experiments[0].Status)
}

func TestUnreadableRecordIsAnError(t *testing.T) {
	captureReports(t)
	f := &fakeExperiment{name: "c", units: 2}
	dir := t.TempDir()
	opts := Options{Out: dir, Experiments: []*Experiment{f.experiment()}}
	_, err := Run(context.Background(), opts)
	require.NoError(t, err)
	path := unitPath(dir, "c", "u00")
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Mkdir(path, 0o755)) // not a file: an I/O error, not corruption to overwrite
	opts.Resume = true
	_, err = Run(context.Background(), opts)
	require.ErrorContains(t, err, path)
	var bad *CorruptRecordError
	assert.False(t, errors.As(err, &bad))
}

func TestFormatSeconds(t *testing.T) {
	for _, tc := range []struct {
		s    float64
		want string
	}{
		{0, "0s"}, {-1, "0s"}, {math.NaN(), "0s"},
		{850e-9, "850ns"}, {0.000_850_4, "850µs"}, {0.012_345, "12.3ms"}, {0.999_4, "999ms"},
		{4.5612, "4.56s"}, {123.456, "2m3s"}, {7200.4, "2h0m0s"}, {2e9, "2e+09s"},
	} {
		assert.Equal(t, tc.want, FormatSeconds(tc.s), "%g", tc.s)
	}
}

// TestReportShowsUnitTimes: the unit wall times appear in the report as
// measured (Summarize sees none, so the runner adds them).
func TestReportShowsUnitTimes(t *testing.T) {
	docs := captureReports(t)
	f := &fakeExperiment{name: "t", units: 3}
	f.onRun = func(string) { time.Sleep(3 * time.Millisecond) }
	dir := t.TempDir()
	_, err := Run(context.Background(), Options{Out: dir, Experiments: []*Experiment{f.experiment()}})
	require.NoError(t, err)
	notes := docs[dir].Sections[0].Notes
	require.NotEmpty(t, notes)
	note := notes[len(notes)-1]
	for i := 0; i < 3; i++ {
		rec, ok, err := readRecord(dir, f.experiment(), fmt.Sprintf("u%02d", i))
		require.NoError(t, err)
		require.True(t, ok)
		assert.GreaterOrEqual(t, rec.Seconds, 0.003)
		assert.Contains(t, note, rec.Unit+" "+FormatSeconds(rec.Seconds))
	}
	assert.Contains(t, note, "ms")
}
