package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/noisegeom/noisegeom/internal/report"
)

// finish builds the report of a whole run from the records on disk: each
// experiment's records are read back from their files (so a merged run and
// a single run summarise identical data) and summarised; then report.md,
// report.html, figures and CSVs are written, and run.json last.
func finish(dir string, cfg Config, plans []planned, records [][]Record, out *Outcome, run *runJSON, start time.Time) error {
	doc := report.Document{Title: "noisegeom: the noise geometry of SGD, reproduced"}
	held, total := 0, 0
	for i, p := range plans {
		eo := &out.Experiments[i]
		sec := report.Section{Name: p.exp.Name, Title: p.exp.Title, Claim: p.exp.Claim}
		switch eo.Status {
		case StatusDone:
			recs, err := readBack(dir, p)
			if err == nil {
				sec, err = summarize(p.exp, cfg, withoutTimes(recs))
				sec.Notes = append(sec.Notes, unitTimes(recs))
			}
			if err != nil {
				eo.Status, eo.Error = StatusFailed, "summary: "+err.Error()
				sec = report.Section{Name: p.exp.Name, Title: p.exp.Title, Claim: p.exp.Claim}
			}
		case StatusSkipped:
		default:
			if eo.Error == "" {
				eo.Error = eo.Status
			}
		}
		switch eo.Status {
		case StatusDone:
		case StatusSkipped:
			sec.Notes = append(sec.Notes, "**Not run:** "+eo.Error)
		default:
			sec.Notes = append(sec.Notes, "**Not completed:** "+eo.Error)
			sec.Verdicts = append(sec.Verdicts, report.Verdict{
				Statement: "the experiment completes", Measured: "failed: " + eo.Error,
				Expected: "every unit and the summary succeed", Held: false})
		}
		for _, v := range sec.Verdicts {
			total++
			if v.Held {
				held++
			}
		}
		doc.Sections = append(doc.Sections, sec)
	}
	wall := time.Since(start).Seconds()
	run.WallSeconds = wall
	run.Experiments = out.Experiments
	doc.Intro = intro(cfg, out, held, total, run)
	doc.Provenance = provenanceFacts(cfg, run)
	if err := writeReport(dir, doc); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	out.Report = true
	return writeJSON(filepath.Join(dir, "run.json"), run)
}

// readBack reads an experiment's records from disk in plan order.
func readBack(dir string, p planned) ([]Record, error) {
	recs := make([]Record, len(p.units))
	for j, u := range p.units {
		rec, ok, err := readRecord(dir, p.exp, u.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("unit %s has no record", u.ID)
		}
		recs[j] = rec
	}
	return recs, nil
}

// withoutTimes returns recs with Seconds cleared: Summarize must not depend
// on timings, so that its figures and CSVs are the same in every run.
func withoutTimes(recs []Record) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Seconds = 0
		out[i] = r
	}
	return out
}

// unitTimes is the report note listing each unit's wall time. It is a note,
// not a table, so that the section's CSVs do not change from run to run.
func unitTimes(recs []Record) string {
	tt := make([]string, len(recs))
	for i, r := range recs {
		tt[i] = r.Unit + " " + FormatSeconds(r.Seconds)
	}
	return "Unit wall times (shared machine, noisy): " + strings.Join(tt, ", ") + "."
}

func summarize(e *Experiment, cfg Config, recs []Record) (sec report.Section, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	sec, err = e.Summarize(cfg, recs)
	if err != nil {
		return sec, err
	}
	if sec.Name == "" {
		sec.Name = e.Name
	}
	if sec.Title == "" {
		sec.Title = e.Title
	}
	if sec.Claim == "" {
		sec.Claim = e.Claim
	}
	return sec, nil
}

func intro(cfg Config, out *Outcome, held, total int, run *runJSON) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Each section states a claim of Wang & Wu, *The Noise Geometry of Stochastic Gradient Descent* (2023), "+
		"the measurement that tests it, its figures, and whether it held. Scale **%s**, base seed %d.\n\n", cfg.Scale, cfg.Seed)
	fmt.Fprintf(&b, "**%d of %d verdicts held.**", held, total)
	var skipped, failed []string
	for _, e := range out.Experiments {
		switch e.Status {
		case StatusSkipped:
			skipped = append(skipped, e.Name)
		case StatusFailed, StatusStopped:
			failed = append(failed, e.Name)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, " Not completed: %s.", strings.Join(failed, ", "))
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, " Not run: %s (see the sections).", strings.Join(skipped, ", "))
	}
	fmt.Fprintf(&b, " Unit time %s in total", FormatSeconds(sumUnitSeconds(out)))
	if len(run.Shards) > 0 {
		fmt.Fprintf(&b, ", over %d shards", len(run.Shards))
	}
	b.WriteString(".")
	return b.String()
}

func sumUnitSeconds(out *Outcome) float64 {
	s := 0.0
	for _, e := range out.Experiments {
		s += e.UnitSeconds
	}
	return s
}

// FormatSeconds formats a duration in seconds with three significant
// digits and a unit that suits it: "850µs", "12.3ms", "4.56s", "2m3s".
func FormatSeconds(s float64) string {
	switch {
	case !(s > 0):
		return "0s"
	case s > 1e9: // beyond time.Duration's range
		return fmt.Sprintf("%.3gs", s)
	}
	d := time.Duration(s * float64(time.Second))
	unit := time.Duration(1)
	for unit < time.Second && d >= 1000*unit {
		unit *= 10
	}
	return d.Round(unit).String()
}

func provenanceFacts(cfg Config, run *runJSON) []report.KeyValue {
	var kv []report.KeyValue
	for _, f := range run.Provenance.Facts {
		kv = append(kv, report.KeyValue{Key: f.Key, Value: f.Value})
	}
	kv = append(kv, report.KeyValue{Key: "scale", Value: cfg.Scale.String()},
		report.KeyValue{Key: "seed", Value: fmt.Sprint(cfg.Seed)})
	if cfg.DataDir != "" {
		kv = append(kv, report.KeyValue{Key: "data directory", Value: cfg.DataDir})
	}
	if len(run.Provenance.Args) > 0 {
		kv = append(kv, report.KeyValue{Key: "command", Value: strings.Join(run.Provenance.Args, " ")})
	}
	for _, s := range run.Shards {
		kv = append(kv, report.KeyValue{Key: "shard " + s.Manifest.Shard, Value: fmt.Sprintf("started %s, wall %s", s.Started, FormatSeconds(s.WallSeconds))})
	}
	for _, e := range run.Experiments {
		v := fmt.Sprintf("%s, %d units, unit time %s", e.Status, e.Units, FormatSeconds(e.UnitSeconds))
		kv = append(kv, report.KeyValue{Key: "experiment " + e.Name, Value: v})
	}
	kv = append(kv, report.KeyValue{Key: "started", Value: run.Started})
	return kv
}

// MergeOptions says which shard directories Merge combines.
type MergeOptions struct {
	Out  string
	Dirs []string
	// Lookup finds an experiment by name (nil = the registry's Lookup).
	Lookup     func(name string) (*Experiment, error)
	Provenance Provenance
}

// Merge combines the record files of shard runs into Out, which becomes a
// whole run directory (it can be one of the shard directories or a new
// one), and writes the report. Every planned unit must have a record in
// some shard; the error names the first missing ones and their shards.
func Merge(ctx context.Context, opt MergeOptions) (*Outcome, error) {
	start := time.Now()
	if len(opt.Dirs) == 0 {
		return nil, errors.New("no shard directories to merge")
	}
	first, shards, count, err := readShards(opt.Dirs)
	if err != nil {
		return nil, err
	}
	cfg, exps, err := mergedRun(first, opt.Lookup)
	if err != nil {
		return nil, err
	}
	plans, err := planAll(exps, cfg)
	if err != nil {
		return nil, err
	}
	man := newManifest(exps, cfg, Shard{})
	if old, err := readManifest(opt.Out); err == nil && old.diff(man, true) != "" {
		return nil, fmt.Errorf("%s holds a different run (%s)", opt.Out, old.diff(man, true))
	} else if errors.Is(err, os.ErrNotExist) {
		if err := checkEmpty(opt.Out); err != nil {
			return nil, err
		}
	}
	out, records, err := collectRecords(plans, opt.Dirs, count)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := copyRecords(opt.Out, plans, records); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(opt.Out, "manifest.json"), man); err != nil {
		return nil, err
	}
	run := runJSON{Manifest: man, Provenance: opt.Provenance, Started: start.UTC().Format(time.RFC3339), Shards: shards}
	if err := finish(opt.Out, cfg, plans, records, out, &run, start); err != nil {
		return out, err
	}
	return out, nil
}

// readShards reads the manifests and run.json files of the shard
// directories, which must hold one run: the first manifest, the shards'
// run descriptions and the shard count (0: unsharded directories). A
// shard named twice or with another count is an error.
func readShards(dirs []string) (manifest, []runJSON, int, error) {
	var first manifest
	var shards []runJSON
	seen := map[string]string{}
	count := 0
	for i, d := range dirs {
		m, err := readManifest(d)
		if err != nil {
			return first, nil, 0, fmt.Errorf("%s is not a run directory: %w", d, err)
		}
		if i == 0 {
			first = m
		} else if diff := first.diff(m, true); diff != "" {
			return first, nil, 0, fmt.Errorf("%s and %s hold different runs (%s)", dirs[0], d, diff)
		}
		if m.Shard != "" {
			sh, err := ParseShard(m.Shard)
			if err != nil {
				return first, nil, 0, fmt.Errorf("%s: %w", d, err)
			}
			if count == 0 {
				count = sh.Count
			} else if sh.Count != count {
				return first, nil, 0, fmt.Errorf("%s is shard %s but an earlier directory has %d shards", d, m.Shard, count)
			}
			if other, dup := seen[m.Shard]; dup {
				return first, nil, 0, fmt.Errorf("shard %s appears twice: %s and %s", m.Shard, other, d)
			}
			seen[m.Shard] = d
		}
		var r runJSON
		if b, err := os.ReadFile(filepath.Join(d, "run.json")); err == nil && json.Unmarshal(b, &r) == nil {
			shards = append(shards, r)
		} else {
			shards = append(shards, runJSON{Manifest: m})
		}
	}
	return first, shards, count, nil
}

// mergedRun returns the configuration and experiments of the run a
// manifest describes (lookup nil: Lookup).
func mergedRun(m manifest, lookup func(string) (*Experiment, error)) (Config, []*Experiment, error) {
	if lookup == nil {
		lookup = Lookup
	}
	scale, err := ParseScale(m.Scale)
	if err != nil {
		return Config{}, nil, err
	}
	cfg := Config{Scale: scale, Seed: m.Seed, DataDir: m.DataDir}
	var exps []*Experiment
	for _, name := range m.Experiments {
		e, err := lookup(name)
		if err != nil {
			return cfg, nil, err
		}
		exps = append(exps, e)
	}
	return cfg, exps, nil
}

// collectRecords finds every planned unit's record in one of dirs and
// returns the outcome and the records by experiment. A corrupt record is
// refused; missing ones are named (at most five), with their shard.
func collectRecords(plans []planned, dirs []string, count int) (*Outcome, [][]Record, error) {
	out := &Outcome{}
	records := make([][]Record, len(plans))
	var missing []string
	k := 0
	for i, p := range plans {
		eo := ExperimentOutcome{Name: p.exp.Name, Units: len(p.units)}
		if p.err != nil {
			eo.Status, eo.Error = StatusSkipped, p.err.Error()
			out.Experiments = append(out.Experiments, eo)
			continue
		}
		recs := make([]Record, len(p.units))
		for j, u := range p.units {
			rec, found, err := findRecord(dirs, p.exp, u.ID)
			if err != nil {
				return nil, nil, err
			}
			if !found {
				where := ""
				if count > 0 {
					where = fmt.Sprintf(" (shard %d/%d)", (k+j)%count, count)
				}
				missing = append(missing, p.exp.Name+"/"+u.ID+where)
				continue
			}
			recs[j] = rec
			eo.Reused++
			eo.Recorded++
			eo.UnitSeconds += rec.Seconds
		}
		k += len(p.units)
		eo.Status = StatusDone
		records[i] = recs
		out.Experiments = append(out.Experiments, eo)
	}
	if len(missing) > 0 {
		more := ""
		if len(missing) > 5 {
			more = fmt.Sprintf(" and %d more", len(missing)-5)
			missing = missing[:5]
		}
		return nil, nil, fmt.Errorf("cannot merge: no record for %s%s", strings.Join(missing, ", "), more)
	}
	return out, records, nil
}

// findRecord returns the unit's record from the first of dirs that holds
// one; a corrupt record is an error.
func findRecord(dirs []string, e *Experiment, unit string) (Record, bool, error) {
	for _, d := range dirs {
		rec, ok, err := readRecord(d, e, unit)
		var bad *CorruptRecordError
		if errors.As(err, &bad) {
			return rec, false, fmt.Errorf("cannot merge: %w; run the shard of %s again with --resume to redo the unit", err, d)
		}
		if err != nil || ok {
			return rec, ok, err
		}
	}
	return Record{}, false, nil
}

// copyRecords writes the records into out's units directory, keeping
// those already there.
func copyRecords(out string, plans []planned, records [][]Record) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for i, p := range plans {
		if records[i] == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Join(out, "units", p.exp.Name), 0o755); err != nil {
			return err
		}
		for _, rec := range records[i] {
			path := unitPath(out, rec.Experiment, rec.Unit)
			if _, err := os.Stat(path); err == nil {
				continue
			}
			if err := writeJSON(path, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParseScale parses "tiny", "quick" or "full".
func ParseScale(s string) (Scale, error) {
	for _, sc := range []Scale{Tiny, Quick, Full} {
		if s == sc.String() {
			return sc, nil
		}
	}
	return 0, fmt.Errorf("unknown scale %q (want tiny, quick or full)", s)
}

// writeReport renders the report; tests replace it to capture the document.
var writeReport = report.Write
