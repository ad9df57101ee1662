package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/internal/parallel"
)

// Options says what Run runs and where it writes.
type Options struct {
	// Out is the run directory. It holds manifest.json, one record file per
	// finished unit (units/<experiment>/<unit>.json), run.json and, for a
	// whole (unsharded) run, the report.
	Out         string
	Experiments []*Experiment
	Config      Config
	Shard       Shard
	// Resume continues a run in Out: units with a record are skipped, and
	// units whose record is corrupt are run again (see Warn). The
	// manifest must match (scale, seed, data directory, experiments,
	// shard). Without Resume, Out must not hold records of an earlier run.
	Resume bool
	// Jobs is how many units of one experiment run at once (0 = GOMAXPROCS).
	Jobs int
	// Provenance is extra data for run.json and the report (version,
	// commit, Go, CPU, kernel table, command line), filled by the caller.
	Provenance Provenance
	// Progress, when not nil, is called after every unit (serialised).
	Progress func(Progress)
	// Warn, when not nil, is told of problems the run works around, such
	// as a corrupt unit record that resume redoes.
	Warn func(msg string)
}

// Provenance describes the program and machine that ran the units.
type Provenance struct {
	// Facts are shown in the report in order (e.g. "kernel table", "avx512").
	Facts []Fact `json:"facts"`
	// Machine is written to run.json as is (e.g. bench.Machine).
	Machine any `json:"machine,omitempty"`
	// Args is the command line.
	Args []string `json:"args,omitempty"`
}

// Fact is one named provenance value.
type Fact struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Progress reports one finished (or failed) unit.
type Progress struct {
	Experiment, Unit string
	// Done and Total count the units this run executes (not those reused).
	Done, Total int
	Seconds     float64
	Err         error
}

// Status of an experiment in a run.
const (
	StatusDone    = "done"    // every unit has a record and the section was built
	StatusPartial = "partial" // a shard: this run's units are done, the rest belong to other shards
	StatusFailed  = "failed"  // a unit or the summary failed
	StatusSkipped = "skipped" // planning failed (e.g. a dataset is missing)
	StatusStopped = "stopped" // interrupted before all units finished
)

// ExperimentOutcome is what happened to one experiment.
type ExperimentOutcome struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	// Units is the number planned; Ran ran in this invocation; Reused were
	// found on disk (resume or merge).
	Units  int `json:"units"`
	Ran    int `json:"ran"`
	Reused int `json:"reused"`
	// Recorded counts the units with a record (also those run earlier or
	// on other shards); UnitSeconds sums their wall times; WallSeconds is
	// this invocation's wall time for the experiment.
	Recorded    int     `json:"recorded"`
	UnitSeconds float64 `json:"unit_seconds"`
	WallSeconds float64 `json:"wall_seconds"`
	Error       string  `json:"error,omitempty"`
}

// Outcome is the result of Run or Merge.
type Outcome struct {
	Experiments []ExperimentOutcome
	// Report is true when report.md and friends were written.
	Report bool
}

// Failed reports whether any experiment failed or was stopped.
func (o *Outcome) Failed() bool {
	for _, e := range o.Experiments {
		if e.Status == StatusFailed || e.Status == StatusStopped {
			return true
		}
	}
	return false
}

// manifest pins what a run directory holds, so that resume and merge can
// refuse to mix runs.
type manifest struct {
	Format      int      `json:"format"`
	Scale       string   `json:"scale"`
	Seed        uint64   `json:"seed"`
	DataDir     string   `json:"data_dir,omitempty"`
	Experiments []string `json:"experiments"`
	Shard       string   `json:"shard,omitempty"`
}

// manifestFormat is the version of the run directory's files; 2: unit
// records hold typed results.
const manifestFormat = 2

func newManifest(exps []*Experiment, cfg Config, shard Shard) manifest {
	m := manifest{Format: manifestFormat, Scale: cfg.Scale.String(), Seed: cfg.Seed, DataDir: cfg.DataDir, Shard: shard.String()}
	for _, e := range exps {
		m.Experiments = append(m.Experiments, e.Name)
	}
	return m
}

// diff names the first field in which m and o differ ("" if none),
// ignoring the shard when ignoreShard is set.
func (m manifest) diff(o manifest, ignoreShard bool) string {
	switch {
	case m.Format != o.Format:
		return fmt.Sprintf("record format %d vs %d: the directories were written by different versions of noisegeom; start a new run", m.Format, o.Format)
	case m.Scale != o.Scale:
		return fmt.Sprintf("scale %s vs %s", m.Scale, o.Scale)
	case m.Seed != o.Seed:
		return fmt.Sprintf("seed %d vs %d", m.Seed, o.Seed)
	case m.DataDir != o.DataDir:
		return fmt.Sprintf("data directory %q vs %q", m.DataDir, o.DataDir)
	case strings.Join(m.Experiments, ",") != strings.Join(o.Experiments, ","):
		return fmt.Sprintf("experiments %s vs %s", strings.Join(m.Experiments, ","), strings.Join(o.Experiments, ","))
	case !ignoreShard && m.Shard != o.Shard:
		return fmt.Sprintf("shard %q vs %q", m.Shard, o.Shard)
	}
	return ""
}

func readManifest(dir string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	return m, nil
}

// writeJSON writes v as indented JSON to path atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return data.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

func unitPath(dir, exp, unit string) string {
	return filepath.Join(dir, "units", exp, unit+".json")
}

// CorruptRecordError is a unit record file that exists but cannot be used
// (truncated, garbage, too large, another unit's record, or a result that
// does not fit the experiment's result type). Run --resume
// redoes such a unit and replaces the file; Merge refuses it.
type CorruptRecordError struct {
	Path string
	Err  error
}

func (e *CorruptRecordError) Error() string {
	return fmt.Sprintf("%s: corrupt unit record: %v", e.Path, e.Err)
}

func (e *CorruptRecordError) Unwrap() error { return e.Err }

// readRecord reads unit's record of experiment e; ok is false when there
// is none. A file that is there but unusable (see CorruptRecordError; also
// a result that does not fit e.Result) gives a *CorruptRecordError; other
// errors are I/O errors.
func readRecord(dir string, e *Experiment, unit string) (rec Record, ok bool, err error) {
	path := unitPath(dir, e.Name, unit)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRecordBytes+1))
	if err != nil {
		return rec, false, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxRecordBytes {
		return rec, false, &CorruptRecordError{path, fmt.Errorf("larger than the limit of %d bytes", maxRecordBytes)}
	}
	if rec, err = decodeRecord(b); err != nil {
		return rec, false, &CorruptRecordError{path, err}
	}
	if rec.Experiment != e.Name || rec.Unit != unit {
		return rec, false, &CorruptRecordError{path, fmt.Errorf("holds %s/%s, not %s/%s", rec.Experiment, rec.Unit, e.Name, unit)}
	}
	if e.Result != nil {
		if err := decodeResult(rec, e.Result()); err != nil {
			return rec, false, &CorruptRecordError{path, err}
		}
	}
	return rec, true, nil
}

// validID reports whether id is a safe file name: [a-z0-9._-], not
// starting with a dot.
func validID(id string) bool {
	if id == "" || id[0] == '.' {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// planned is one experiment's plan, or why it could not be planned.
type planned struct {
	exp   *Experiment
	units []Unit
	err   error
}

func planAll(exps []*Experiment, cfg Config) ([]planned, error) {
	out := make([]planned, len(exps))
	for i, e := range exps {
		units, err := e.Plan(cfg)
		out[i] = planned{exp: e, units: units, err: err}
		if err != nil {
			continue
		}
		seen := map[string]bool{}
		for _, u := range units {
			if !validID(u.ID) || seen[u.ID] {
				return nil, fmt.Errorf("experiment %s: unit ID %q is not unique or not a safe file name", e.Name, u.ID)
			}
			seen[u.ID] = true
		}
	}
	return out, nil
}

// ErrInterrupted is returned (wrapped) when the context was cancelled: the
// finished units are kept on disk and --resume continues.
var ErrInterrupted = errors.New("interrupted")

// Run runs the selected experiments' units (those of opt.Shard), writing
// each record as soon as it is finished, and for a whole run builds the
// report from the records on disk. Unit failures do not stop the other
// experiments; they show in the outcome and the report. The error is
// non-nil only when the run could not proceed (bad directory, mismatched
// resume, interruption).
func Run(ctx context.Context, opt Options) (*Outcome, error) {
	start := time.Now()
	if opt.Out == "" {
		return nil, errors.New("no output directory")
	}
	if len(opt.Experiments) == 0 {
		return nil, errors.New("no experiments selected")
	}
	man := newManifest(opt.Experiments, opt.Config, opt.Shard)
	if err := prepareDir(opt.Out, man, opt.Resume); err != nil {
		return nil, err
	}
	plans, err := planAll(opt.Experiments, opt.Config)
	if err != nil {
		return nil, err
	}
	// mine[i][j]: unit j of experiment i belongs to this shard.
	mine := make([][]bool, len(plans))
	k := 0
	for i, p := range plans {
		mine[i] = make([]bool, len(p.units))
		for j := range p.units {
			mine[i][j] = opt.Shard.owns(k)
			k++
		}
	}
	r := &unitRunner{opt: opt}
	if r.jobs = opt.Jobs; r.jobs <= 0 {
		r.jobs = runtime.GOMAXPROCS(0)
	}
	stores := make([]stored, len(plans))
	for i, p := range plans {
		if p.err != nil {
			continue
		}
		if stores[i], err = r.load(p, mine[i]); err != nil {
			return nil, err
		}
		r.total += len(stores[i].todo)
	}
	out := &Outcome{}
	records := make([][]Record, len(plans))
	interrupted := false
	for i, p := range plans {
		if interrupted {
			out.Experiments = append(out.Experiments, ExperimentOutcome{Name: p.exp.Name, Units: len(p.units), Status: StatusStopped})
			continue
		}
		eo, recs, err := r.experiment(ctx, p, stores[i])
		if err != nil {
			return nil, err
		}
		if eo.Status == StatusDone {
			records[i] = recs
		}
		interrupted = eo.Status == StatusStopped
		out.Experiments = append(out.Experiments, eo)
	}
	run := runJSON{Manifest: man, Provenance: opt.Provenance, Started: start.UTC().Format(time.RFC3339),
		WallSeconds: time.Since(start).Seconds(), Experiments: out.Experiments}
	if !interrupted && opt.Shard.Whole() {
		if err := finish(opt.Out, opt.Config, plans, records, out, &run, start); err != nil {
			return out, err
		}
	} else if err := writeJSON(filepath.Join(opt.Out, "run.json"), run); err != nil {
		return out, err
	}
	if interrupted {
		return out, fmt.Errorf("%w: finished units are kept in %s; run again with --resume to continue", ErrInterrupted, opt.Out)
	}
	return out, nil
}

// unitRunner runs the units of one invocation and reports progress across
// experiments.
type unitRunner struct {
	opt   Options
	jobs  int
	mu    sync.Mutex
	done  int // units finished (or failed) so far in this invocation
	total int // units this invocation runs
}

// stored is what the run directory holds of one experiment.
type stored struct {
	recs   []Record
	have   []bool
	todo   []int // units this shard owns that have no usable record
	reused int   // units this shard owns that have one
}

// load reads the records of p that exist in the run directory. A corrupt
// record is reported through opt.Warn and counts as missing: this shard
// runs its unit again if it owns it, and the new record replaces the file
// atomically.
func (r *unitRunner) load(p planned, mine []bool) (stored, error) {
	s := stored{recs: make([]Record, len(p.units)), have: make([]bool, len(p.units))}
	for j, u := range p.units {
		rec, ok, err := readRecord(r.opt.Out, p.exp, u.ID)
		var bad *CorruptRecordError
		switch {
		case errors.As(err, &bad):
			what := "running the unit again; its new record replaces the file"
			if !mine[j] {
				what = fmt.Sprintf("ignored: shard %s does not run this unit", r.opt.Shard)
			}
			r.warn(fmt.Sprintf("%v (%s)", bad, what))
		case err != nil:
			return s, err
		case ok:
			s.recs[j], s.have[j] = rec, true
			if mine[j] {
				s.reused++
			}
			continue
		}
		if mine[j] {
			s.todo = append(s.todo, j)
		}
	}
	return s, nil
}

func (r *unitRunner) warn(msg string) {
	if r.opt.Warn != nil {
		r.opt.Warn(msg)
	}
}

// experiment runs the units s.todo of p on r.jobs workers, writing each
// record as it finishes, and returns the experiment's outcome and, when
// every unit has a record, the records in plan order. The first unit error
// cancels the experiment's remaining units; a cancelled ctx stops it.
func (r *unitRunner) experiment(ctx context.Context, p planned, s stored) (ExperimentOutcome, []Record, error) {
	start := time.Now()
	eo := ExperimentOutcome{Name: p.exp.Name, Units: len(p.units)}
	if p.err != nil {
		eo.Status, eo.Error = StatusSkipped, p.err.Error()
		return eo, nil, nil
	}
	if err := os.MkdirAll(filepath.Join(r.opt.Out, "units", p.exp.Name), 0o755); err != nil {
		return eo, nil, err
	}
	recs, have, todo := s.recs, s.have, s.todo
	eo.Reused = s.reused
	var firstErr error
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	parallel.Each(len(todo), r.jobs, func(_, i int) {
		if ectx.Err() != nil {
			return // cancelled: the unit is not started
		}
		j := todo[i]
		rec, secs, err := r.unit(ectx, p.exp.Name, p.units[j])
		r.mu.Lock()
		defer r.mu.Unlock()
		if err == nil {
			recs[j], have[j] = rec, true
			eo.Ran++
		} else if firstErr == nil && ectx.Err() == nil {
			firstErr = fmt.Errorf("unit %s: %w", p.units[j].ID, err)
			cancel()
		}
		r.done++
		if r.opt.Progress != nil {
			r.opt.Progress(Progress{Experiment: p.exp.Name, Unit: p.units[j].ID, Done: r.done, Total: r.total, Seconds: secs, Err: err})
		}
	})
	for j := range recs {
		if have[j] {
			eo.Recorded++
			eo.UnitSeconds += recs[j].Seconds
		}
	}
	eo.WallSeconds = time.Since(start).Seconds()
	switch {
	case firstErr != nil:
		eo.Status, eo.Error = StatusFailed, firstErr.Error()
	case ctx.Err() != nil:
		eo.Status = StatusStopped
	case allTrue(have):
		eo.Status = StatusDone
		return eo, recs, nil
	default:
		eo.Status = StatusPartial
	}
	return eo, nil, nil
}

// unit runs u and writes its record; it returns the record and the
// unit's wall time.
func (r *unitRunner) unit(ctx context.Context, exp string, u Unit) (Record, float64, error) {
	t0 := time.Now()
	rec, err := runUnit(ctx, u)
	secs := time.Since(t0).Seconds()
	if err == nil {
		rec.Experiment, rec.Unit, rec.Seconds = exp, u.ID, secs
		err = writeJSON(unitPath(r.opt.Out, exp, u.ID), rec)
	}
	return rec, secs, err
}

func allTrue(b []bool) bool {
	for _, x := range b {
		if !x {
			return false
		}
	}
	return true
}

// runUnit runs u, turning a panic into an error so that one bad unit does
// not take the run down.
func runUnit(ctx context.Context, u Unit) (rec Record, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return rec, err
	}
	return u.Run(ctx)
}

// prepareDir creates dir and its manifest, or checks the manifest when
// resuming. Leftover temporary files of a killed run are removed.
func prepareDir(dir string, man manifest, resume bool) error {
	old, err := readManifest(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if resume {
			return fmt.Errorf("--resume: %s holds no run (no manifest.json)", dir)
		}
		if err := checkEmpty(dir); err != nil {
			return err
		}
	case err != nil:
		return err
	case !resume:
		return fmt.Errorf("%s already holds a run (manifest.json); pass --resume to continue it, or choose another --out", dir)
	default:
		if d := old.diff(man, false); d != "" {
			return fmt.Errorf("--resume: %s holds a different run (%s); use the same flags or another --out", dir, d)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	removeTemps(filepath.Join(dir, "units"))
	return writeJSON(filepath.Join(dir, "manifest.json"), man)
}

// checkEmpty refuses a directory that exists and holds anything: a run
// writes report.md, data/, figures/ and units/ into it, and must not mix
// them with files it did not write (--out . in a source tree).
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s exists and is not empty (it holds %s); choose a new directory for the run", dir, entries[0].Name())
	}
	return nil
}

// removeTemps deletes the temporary files an interrupted atomic write can
// leave (".name.tmp…").
func removeTemps(root string) {
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), ".tmp") {
			os.Remove(path)
		}
		return nil
	})
}

// runJSON is run.json.
type runJSON struct {
	Manifest    manifest            `json:"run"`
	Provenance  Provenance          `json:"provenance"`
	Started     string              `json:"started"`
	WallSeconds float64             `json:"wall_seconds"`
	Experiments []ExperimentOutcome `json:"experiments"`
	Shards      []runJSON           `json:"shards,omitempty"`
}
