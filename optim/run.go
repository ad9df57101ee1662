package optim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

// RunConfig configures Run.
type RunConfig struct {
	// Steps is the total number of steps; Run continues from the
	// optimizer's current step (e.g. after LoadCheckpoint) up to it.
	Steps int
	Track Tracking
	// Checkpoint, if not empty, is written every CheckpointEvery steps
	// (≤ 0: only at the end) and at the end.
	Checkpoint      string
	CheckpointEvery int
	// OnRecord, if not nil, receives each record as it is made.
	OnRecord func(Record)
	// OnStep, if not nil, is called after every step with the step count
	// and the minibatch loss; a non-nil error stops the run (it is
	// returned, after no further checkpoint). Tests use it to simulate
	// a killed run.
	OnStep func(step int, batchLoss float64) error
}

// ErrDiverged is returned when the parameters stop being finite.
var ErrDiverged = errors.New("optim: parameters are no longer finite")

// ErrStepsBehind is returned by Run when RunConfig.Steps is below the
// optimizer's step count (e.g. that of a loaded checkpoint).
var ErrStepsBehind = errors.New("optim: the run's total steps are below the optimizer's step")

// Run takes steps until rc.Steps, tracking and checkpointing as asked,
// and returns the tracked history of the whole trajectory: the records
// restored by LoadCheckpoint (or made by an earlier Run on o) followed by
// the new ones, and a last record at the end if that step was not a
// tracking point. A run stopped and resumed from a checkpoint thus
// returns the same records, bit for bit, as an unbroken one.
func Run(o *Optimizer, rc RunConfig) ([]Record, error) {
	if rc.Steps < o.step {
		return nil, fmt.Errorf("%w: %d steps asked, the optimizer is at step %d", ErrStepsBehind, rc.Steps, o.step)
	}
	track := rc.Track.On()
	record := func() (Record, error) {
		r, err := o.Track(&rc.Track)
		if err == nil && rc.OnRecord != nil {
			rc.OnRecord(r)
		}
		return r, err
	}
	due := func() error {
		r, err := record()
		if err == nil {
			o.hist = append(o.hist, r)
		}
		return err
	}
	if track && o.step == 0 && len(o.hist) == 0 && rc.Track.due(0) {
		if err := due(); err != nil {
			return o.History(), err
		}
	}
	for o.step < rc.Steps {
		loss := o.Step()
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return o.History(), ErrDiverged
		}
		if rc.OnStep != nil {
			if err := rc.OnStep(o.step, loss); err != nil {
				return o.History(), err
			}
		}
		if track && rc.Track.due(o.step) {
			if err := due(); err != nil {
				return o.History(), err
			}
		}
		if rc.Checkpoint != "" && rc.CheckpointEvery > 0 && o.step%rc.CheckpointEvery == 0 && o.step < rc.Steps {
			if err := o.SaveCheckpoint(rc.Checkpoint); err != nil {
				return o.History(), err
			}
		}
	}
	recs := o.History()
	if track && (len(recs) == 0 || recs[len(recs)-1].Step != o.step) {
		r, err := record()
		if err != nil {
			return recs, err
		}
		recs = append(recs, r)
	}
	if rc.Checkpoint != "" {
		if err := o.SaveCheckpoint(rc.Checkpoint); err != nil {
			return recs, err
		}
	}
	return recs, nil
}

// History returns a copy of the records made at the tracking points so
// far (restored by LoadCheckpoint, extended by Run).
func (o *Optimizer) History() []Record {
	return append([]Record(nil), o.hist...)
}

// MarshalJSON writes untracked (NaN) values as null, and an infinite
// tracked value as null with a note: "loss": null, "loss_note":
// "non-finite (+Inf)" (for g: "g_note": "[i] non-finite (+Inf)").
func (r Record) MarshalJSON() ([]byte, error) {
	m := map[string]any{"step": r.Step}
	put := func(key string, v float64) {
		m[key] = nil
		switch {
		case math.IsInf(v, 0):
			m[key+"_note"] = fmt.Sprintf("non-finite (%v)", v)
		case !math.IsNaN(v):
			m[key] = v
		}
	}
	for _, f := range []struct {
		key string
		v   float64
	}{{"lr", r.LR}, {"loss", r.Loss}, {"grad_norm", r.GradNorm}, {"lambda_max_g", r.LambdaG},
		{"lambda_max_h", r.LambdaH}, {"tr_g", r.TrG}, {"frob_g", r.FrobG}, {"mu", r.Mu}, {"distance", r.Distance}} {
		put(f.key, f.v)
	}
	if len(r.G) > 0 {
		g := make([]any, len(r.G))
		var notes []string
		for i, v := range r.G {
			if math.IsInf(v, 0) {
				notes = append(notes, fmt.Sprintf("[%d] non-finite (%v)", i, v))
			} else if !math.IsNaN(v) {
				g[i] = v
			}
		}
		m["g"] = g
		if notes != nil {
			m["g_note"] = strings.Join(notes, "; ")
		}
	}
	return json.Marshal(m)
}
