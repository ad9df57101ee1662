package optim

import (
	"encoding/json"
	"errors"
	"math"
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

// Run takes steps until rc.Steps, tracking and checkpointing as asked,
// and returns the records.
func Run(o *Optimizer, rc RunConfig) ([]Record, error) {
	var recs []Record
	track := rc.Track.On()
	record := func() error {
		r, err := o.Track(&rc.Track)
		if err != nil {
			return err
		}
		recs = append(recs, r)
		if rc.OnRecord != nil {
			rc.OnRecord(r)
		}
		return nil
	}
	if track && o.step == 0 && rc.Track.due(0) {
		if err := record(); err != nil {
			return recs, err
		}
	}
	lastRecorded := -1
	for o.step < rc.Steps {
		loss := o.Step()
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return recs, ErrDiverged
		}
		if rc.OnStep != nil {
			if err := rc.OnStep(o.step, loss); err != nil {
				return recs, err
			}
		}
		if track && rc.Track.due(o.step) {
			if err := record(); err != nil {
				return recs, err
			}
			lastRecorded = o.step
		}
		if rc.Checkpoint != "" && rc.CheckpointEvery > 0 && o.step%rc.CheckpointEvery == 0 && o.step < rc.Steps {
			if err := o.SaveCheckpoint(rc.Checkpoint); err != nil {
				return recs, err
			}
		}
	}
	if track && lastRecorded != o.step {
		if err := record(); err != nil {
			return recs, err
		}
	}
	if rc.Checkpoint != "" {
		if err := o.SaveCheckpoint(rc.Checkpoint); err != nil {
			return recs, err
		}
	}
	return recs, nil
}

// MarshalJSON writes untracked (NaN) values as null.
func (r Record) MarshalJSON() ([]byte, error) {
	f := func(v float64) any {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	}
	g := make([]any, len(r.G))
	for i, v := range r.G {
		g[i] = f(v)
	}
	m := map[string]any{"step": r.Step, "lr": f(r.LR), "loss": f(r.Loss), "grad_norm": f(r.GradNorm),
		"lambda_max_g": f(r.LambdaG), "lambda_max_h": f(r.LambdaH), "tr_g": f(r.TrG), "frob_g": f(r.FrobG),
		"mu": f(r.Mu), "distance": f(r.Distance)}
	if len(g) > 0 {
		m["g"] = g
	}
	return json.Marshal(m)
}
