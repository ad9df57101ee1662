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
}

// cyclicalArms lists the arms in result order.
var cyclicalArms = []string{"sgd_cyclical", "sgd_constant", "gd_cyclical"}

// Run runs the repeats in parallel (results independent of Workers).
func (c *Cyclical) Run() (*CyclicalResult, error) {
	if c.Repeats < 2 || c.Cycles < 1 || c.HighSteps < 0 || c.LowSteps < 0 || c.HighSteps+c.LowSteps == 0 || c.Batch < 1 {
		return nil, errors.New("escape: Cyclical needs Repeats ≥ 2, Cycles ≥ 1, a positive cycle length and Batch ≥ 1")
	}
	obj := c.Objective
	theta := append([]float64(nil), obj.Model.Params()...)
	// vals[arm][repeat][cycle] = (λmax, TrG, ‖G‖_F, L).
	vals := make([][][][4]float64, len(cyclicalArms))
	for a := range vals {
		vals[a] = make([][][4]float64, c.Repeats)
	}
	err := runRepeats(obj, c.Repeats, c.Workers, func(wobj *models.Objective, r int) error {
		for a := range cyclicalArms {
			var err error
			if vals[a][r], err = c.one(wobj, theta, a, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("escape: Cyclical %w", err)
	}
	res := &CyclicalResult{}
	outs := []*[]CycleStats{&res.SGDCyclical, &res.SGDConstant, &res.GDCyclical}
	for a := range cyclicalArms {
		for cy := 0; cy <= c.Cycles; cy++ {
			var st [4]Stat
			for j := range st {
				xs := make([]float64, c.Repeats)
				for r := range xs {
					xs[r] = vals[a][r][cy][j]
				}
				st[j] = meanSE(xs)
			}
			*outs[a] = append(*outs[a], CycleStats{Cycle: cy, LambdaMax: st[0], TrG: st[1], FrobG: st[2], Loss: st[3]})
		}
	}
	return res, nil
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

// one runs arm a of repeat r.
func (c *Cyclical) one(wobj *models.Objective, theta []float64, a, r int) ([][4]float64, error) {
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
		return nil, err
	}
	out := make([][4]float64, 0, c.Cycles+1)
	measure := func() error {
		res, err := analysis.FromObjective(wobj, analysis.Options{TopK: 1, Flat: -1, Random: -1, Seed: 1})
		if err != nil {
			return err
		}
		lmax := 0.0
		if len(res.Eigenvalues) > 0 {
			lmax = res.Eigenvalues[0]
		}
		out = append(out, [4]float64{lmax, res.TrG, math.Sqrt(res.FrobG2), res.Loss})
		return nil
	}
	if err := measure(); err != nil {
		return nil, err
	}
	period := c.HighSteps + c.LowSteps
	for cy := 1; cy <= c.Cycles; cy++ {
		if _, err := optim.Run(o, optim.RunConfig{Steps: cy * period}); err != nil {
			return nil, err
		}
		if err := measure(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
