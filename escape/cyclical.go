package escape

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// Cyclical compares, from a (sharp) minimum, SGD with the two-phase
// cyclical rate High/Low, SGD at the constant rate Low, and GD with the
// same cyclical rate (docs/theory.md#cyclical-learning-rates). Every repeat starts from the
// model's parameters plus a seeded isotropic perturbation of norm about
// Radius (the same start for the three arms of a repeat), and records at
// the end of every cycle λ_max(G), Tr G, ‖G‖_F and L on the full data.
type Cyclical struct {
	Objective           *models.Objective
	High, Low           float64
	HighSteps, LowSteps int
	Cycles              int
	Batch               int
	Sampling            optim.Sampling
	Radius              float64
	Repeats, Workers    int
	Seed                uint64
}

// Stat is a mean over repeats and its standard error.
type Stat struct {
	Mean   float64 `json:"mean"`
	StdErr float64 `json:"stderr"`
}

// CycleStats are the measurements at the end of one cycle.
type CycleStats struct {
	Cycle     int  `json:"cycle"`
	LambdaMax Stat `json:"lambda_max"`
	TrG       Stat `json:"tr_g"`
	FrobG     Stat `json:"frob_g"`
	Loss      Stat `json:"loss"`
}

// CyclicalResult holds the three arms; entry 0 is the start (cycle 0).
type CyclicalResult struct {
	SGDCyclical []CycleStats `json:"sgd_cyclical"`
	SGDConstant []CycleStats `json:"sgd_constant"`
	GDCyclical  []CycleStats `json:"gd_cyclical"`
	// DivergedAt maps each arm (sgd_cyclical, sgd_constant, gd_cyclical)
	// to the step at which it diverged, or NotDiverged: the first step at
	// which a repeat's loss or measurement, or a mean or standard error at
	// a cycle's end, is not finite. The arm's cycles end before it.
	DivergedAt map[string]int `json:"diverged_at"`
}

// cyclicalArms lists the arms in result order.
var cyclicalArms = []string{"sgd_cyclical", "sgd_constant", "gd_cyclical"}

// Run runs the repeats in parallel (results independent of Workers). A
// diverging arm is a result (CyclicalResult.DivergedAt), not an error.
func (c *Cyclical) Run() (*CyclicalResult, error) {
	if c.Repeats < 2 || c.Cycles < 1 || c.HighSteps < 0 || c.LowSteps < 0 || c.HighSteps+c.LowSteps == 0 || c.Batch < 1 {
		return nil, errors.New("escape: Cyclical needs Repeats ≥ 2, Cycles ≥ 1, a positive cycle length and Batch ≥ 1")
	}
	obj := c.Objective
	theta := append([]float64(nil), obj.Model.Params()...)
	// vals[arm][repeat][cycle] = (λmax, TrG, ‖G‖_F, L) up to the repeat's
	// divergence, at step div[arm][repeat].
	vals := make([][][][4]float64, len(cyclicalArms))
	div := make([][]int, len(cyclicalArms))
	for a := range vals {
		vals[a], div[a] = make([][][4]float64, c.Repeats), make([]int, c.Repeats)
	}
	err := runRepeats(obj, c.Repeats, c.Workers, func(wobj *models.Objective, r int) error {
		for a := range cyclicalArms {
			var err error
			if vals[a][r], div[a][r], err = c.one(wobj, theta, a, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("escape: Cyclical %w", err)
	}
	res := &CyclicalResult{DivergedAt: map[string]int{}}
	outs := []*[]CycleStats{&res.SGDCyclical, &res.SGDConstant, &res.GDCyclical}
	for a, arm := range cyclicalArms {
		*outs[a], res.DivergedAt[arm] = c.cycleStats(vals[a], div[a])
	}
	return res, nil
}

// cycleStats averages one arm's measurements over the repeats, cycle by
// cycle, up to the arm's divergence: the first step at which a repeat
// diverged (div[r], NotDiverged if none) or a statistic is not finite.
func (c *Cyclical) cycleStats(vals [][][4]float64, div []int) ([]CycleStats, int) {
	at := NotDiverged
	for _, d := range div {
		if d != NotDiverged && (at == NotDiverged || d < at) {
			at = d
		}
	}
	var out []CycleStats
	period := c.HighSteps + c.LowSteps
	for cy := 0; cy <= c.Cycles; cy++ {
		if at != NotDiverged && cy*period >= at {
			break
		}
		var st [4]Stat
		for j := range st {
			xs := make([]float64, len(vals))
			for r := range xs {
				xs[r] = vals[r][cy][j]
			}
			st[j] = meanSE(xs)
			if diverged(st[j].Mean, st[j].StdErr) {
				return out, cy * period
			}
		}
		out = append(out, CycleStats{Cycle: cy, LambdaMax: st[0], TrG: st[1], FrobG: st[2], Loss: st[3]})
	}
	return out, at
}

func meanSE(xs []float64) Stat {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return Stat{Mean: m, StdErr: math.Sqrt(v / float64(len(xs)-1) / float64(len(xs)))}
}

// one runs arm a of repeat r and returns the measurements at the end of
// every cycle up to the step at which the repeat diverged (NotDiverged if
// it did not): its loss or a measurement stopped being finite.
func (c *Cyclical) one(wobj *models.Objective, theta []float64, a, r int) ([][4]float64, int, error) {
	ps, bs := repeatSeeds(c.Seed, r)
	rng := rand.New(rand.NewPCG(ps, 0x6379636c6963))
	params := wobj.Model.Params()
	sd := c.Radius / math.Sqrt(float64(len(theta)))
	for i := range params {
		params[i] = theta[i] + sd*rng.NormFloat64()
	}
	cfg := optim.Config{Batch: c.Batch, Sampling: c.Sampling, Seed: bs,
		Schedule: optim.TwoPhase{High: c.High, Low: c.Low, HighSteps: c.HighSteps, LowSteps: c.LowSteps}}
	switch cyclicalArms[a] {
	case "sgd_constant":
		cfg.Schedule = optim.Constant(c.Low)
	case "gd_cyclical":
		cfg.Batch = 0
	}
	o, err := optim.New(wobj, cfg)
	if err != nil {
		return nil, 0, err
	}
	out := make([][4]float64, 0, c.Cycles+1)
	// measure appends the measurements and reports whether they are
	// finite; a non-finite loss is not analysed further.
	measure := func() (bool, error) {
		if diverged(wobj.Value()) {
			return false, nil
		}
		res, err := analysis.FromObjective(wobj, analysis.Options{TopK: 1, Flat: -1, Random: -1, Seed: 1})
		if err != nil {
			return false, err
		}
		lmax := 0.0
		if len(res.Eigenvalues) > 0 {
			lmax = res.Eigenvalues[0]
		}
		m := [4]float64{lmax, res.TrG, math.Sqrt(res.FrobG2), res.Loss}
		if diverged(m[:]...) {
			return false, nil
		}
		out = append(out, m)
		return true, nil
	}
	period := c.HighSteps + c.LowSteps
	for cy := 0; cy <= c.Cycles; cy++ {
		if cy > 0 {
			_, err := optim.Run(o, optim.RunConfig{Steps: cy * period})
			if errors.Is(err, optim.ErrDiverged) {
				// The step's minibatch loss, at the parameters of the
				// step before, was not finite.
				return out, o.StepCount() - 1, nil
			}
			if err != nil {
				return nil, 0, err
			}
		}
		ok, err := measure()
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			return out, cy * period, nil
		}
	}
	return out, NotDiverged, nil
}
