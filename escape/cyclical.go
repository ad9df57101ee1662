package escape

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

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
	// Seeds, when not nil, gives repeat r's perturbation and minibatch
	// seeds in place of those derived from (Seed, r). It must depend on r
	// only, like the default, so that results do not depend on how the
	// repeats are split (RunArm).
	Seeds func(r int) (perturb, batch uint64)
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

// The arms of Cyclical, in result order.
const (
	ArmSGDCyclical = "sgd_cyclical"
	ArmSGDConstant = "sgd_constant"
	ArmGDCyclical  = "gd_cyclical"
)

// cyclicalArms lists the arms in result order.
var cyclicalArms = []string{ArmSGDCyclical, ArmSGDConstant, ArmGDCyclical}

// CycleValues are one repeat's measurements at the end of one cycle.
type CycleValues struct {
	LambdaMax, TrG, FrobG, Loss float64
}

// RepeatCycles is one repeat of one arm: the measurements at the end of
// every cycle (entry 0: the start) before the step DivergedAt at which
// the repeat diverged (NotDiverged if it did not): its loss or a
// measurement stopped being finite.
type RepeatCycles struct {
	Repeat     int
	Cycles     []CycleValues
	DivergedAt int
}

// Run runs the repeats in parallel (results independent of Workers). A
// diverging arm is a result (CyclicalResult.DivergedAt), not an error; a
// cancelled ctx stops it with ctx.Err().
func (c *Cyclical) Run(ctx context.Context) (*CyclicalResult, error) {
	if c.Repeats < 2 {
		return nil, errors.New("escape: Cyclical needs Repeats ≥ 2, Cycles ≥ 1, a positive cycle length and Batch ≥ 1")
	}
	res := &CyclicalResult{DivergedAt: map[string]int{}}
	outs := []*[]CycleStats{&res.SGDCyclical, &res.SGDConstant, &res.GDCyclical}
	for a, arm := range cyclicalArms {
		reps, err := c.RunArm(ctx, arm, 0, c.Repeats)
		if err != nil {
			return nil, err
		}
		*outs[a], res.DivergedAt[arm] = c.cycleStats(reps)
	}
	return res, nil
}

// RunArm runs repeats [r0, r1) of one arm (ArmSGDCyclical, ArmSGDConstant
// or ArmGDCyclical) in parallel over Workers and returns them in repeat
// order. Repeat r depends on r only, never on the range it runs in, so a
// sweep may be split into ranges run separately.
func (c *Cyclical) RunArm(ctx context.Context, arm string, r0, r1 int) ([]RepeatCycles, error) {
	if c.Cycles < 1 || c.HighSteps < 0 || c.LowSteps < 0 || c.HighSteps+c.LowSteps == 0 || c.Batch < 1 {
		return nil, errors.New("escape: Cyclical needs Cycles ≥ 1, a positive cycle length and Batch ≥ 1")
	}
	if !slices.Contains(cyclicalArms, arm) {
		return nil, fmt.Errorf("escape: Cyclical: arm %q: want one of %v", arm, cyclicalArms)
	}
	if r0 < 0 || r1 < r0 {
		return nil, fmt.Errorf("escape: Cyclical: repeat range [%d, %d)", r0, r1)
	}
	obj := c.Objective
	theta := append([]float64(nil), obj.Model.Params()...)
	out := make([]RepeatCycles, r1-r0)
	err := runRepeats(ctx, obj, r0, r1, c.Workers, func(wobj *models.Objective, r int) error {
		vals, div, err := c.one(ctx, wobj, theta, arm, r)
		out[r-r0] = RepeatCycles{Repeat: r, Cycles: vals, DivergedAt: div}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("escape: Cyclical %w", err)
	}
	return out, nil
}

// cycleStats averages one arm's measurements over the repeats, cycle by
// cycle, up to the arm's divergence: the first step at which a repeat
// diverged or a statistic is not finite.
func (c *Cyclical) cycleStats(reps []RepeatCycles) ([]CycleStats, int) {
	at := NotDiverged
	for _, rep := range reps {
		if d := rep.DivergedAt; d != NotDiverged && (at == NotDiverged || d < at) {
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
			xs := make([]float64, len(reps))
			for r, rep := range reps {
				xs[r] = rep.Cycles[cy].at(j)
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

// at returns the j-th measurement: λ_max, Tr G, ‖G‖_F, L.
func (v CycleValues) at(j int) float64 {
	return [4]float64{v.LambdaMax, v.TrG, v.FrobG, v.Loss}[j]
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

// seeds returns repeat r's perturbation and minibatch seeds.
func (c *Cyclical) seeds(r int) (uint64, uint64) {
	if c.Seeds != nil {
		return c.Seeds(r)
	}
	return repeatSeeds(c.Seed, r)
}

// one runs one arm of repeat r and returns the measurements at the end of
// every cycle up to the step at which the repeat diverged (NotDiverged if
// it did not): its loss or a measurement stopped being finite.
func (c *Cyclical) one(ctx context.Context, wobj *models.Objective, theta []float64, arm string, r int) ([]CycleValues, int, error) {
	ps, bs := c.seeds(r)
	rng := rand.New(rand.NewPCG(ps, 0x6379636c6963))
	params := wobj.Model.Params()
	sd := c.Radius / math.Sqrt(float64(len(theta)))
	for i := range params {
		params[i] = theta[i] + sd*rng.NormFloat64()
	}
	cfg := optim.Config{Batch: c.Batch, Sampling: c.Sampling, Seed: bs,
		Schedule: optim.TwoPhase{High: c.High, Low: c.Low, HighSteps: c.HighSteps, LowSteps: c.LowSteps}}
	switch arm {
	case ArmSGDConstant:
		cfg.Schedule = optim.Constant(c.Low)
	case ArmGDCyclical:
		cfg.Batch = 0
	}
	o, err := optim.New(wobj, cfg)
	if err != nil {
		return nil, 0, err
	}
	out := make([]CycleValues, 0, c.Cycles+1)
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
		m := CycleValues{lmax, res.TrG, math.Sqrt(res.FrobG2), res.Loss}
		if diverged(m.LambdaMax, m.TrG, m.FrobG, m.Loss) {
			return false, nil
		}
		out = append(out, m)
		return true, nil
	}
	period := c.HighSteps + c.LowSteps
	for cy := 0; cy <= c.Cycles; cy++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
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
