package escape

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// MonteCarlo configures R seeded runs of an optimizer from perturbations
// of a minimum.
type MonteCarlo struct {
	// Objective is the full objective; its model's parameters must be θ*.
	// Workers run on clones of the model (the data are shared, read only).
	Objective *models.Objective
	// Basis (p×m, columns u_k) are the directions D_k is measured along,
	// usually Quadratic.U or its first columns. With fewer than p columns
	// the remainder Σ_{k>m} is reported as one extra entry of D.
	Basis *linalg.Dense
	// Span (p×r, orthonormal columns): InSpan perturbations are drawn in
	// it (usually Quadratic.U's first Rank columns). Nil: Isotropic only.
	Span *linalg.Dense
	// Optim is the optimizer; its Seed is replaced by one derived from
	// (Seed, repeat).
	Optim      optim.Config
	Law        Perturbation
	Radius     float64
	Steps      int
	Every      int
	Repeats    int
	Workers    int // ≤ 0: GOMAXPROCS
	Seed       uint64
	EscapeLoss float64 // escape when the full loss reaches it (0: not measured)
}

// MCResult holds the averages over repeats.
type MCResult struct {
	Series *Series
	// EscapeSteps[r] is the first recorded step of repeat r with full loss
	// ≥ EscapeLoss or at which it diverged (−1: none).
	EscapeSteps []int
}

// repeatSeeds derives the perturbation and minibatch seeds of repeat r.
func repeatSeeds(seed uint64, r int) (uint64, uint64) {
	a := seed*0x9e3779b97f4a7c15 + uint64(r)*0xbf58476d1ce4e5b9 + 1
	return a ^ 0x7065727475726221, a ^ 0x6d696e6962617463
}

// Run runs the repeats (in parallel over Workers) and averages. Repeat r
// depends only on (Seed, r), and the averages are summed in repeat order,
// so the result does not depend on Workers. A cancelled ctx stops it with
// ctx.Err(). A repeat stops at the first
// recorded step at which one of its values is not finite; the series
// diverges at the first recorded step at which a repeat did or a mean or
// standard error is not finite (see Divergence).
func (mc *MonteCarlo) Run(ctx context.Context) (*MCResult, error) {
	obj := mc.Objective
	p := obj.NumParams()
	if mc.Repeats < 2 || mc.Basis == nil || mc.Basis.Rows != p || mc.Steps < 0 {
		return nil, errors.New("escape: MonteCarlo needs Repeats ≥ 2, a p-row Basis and Steps ≥ 0")
	}
	if mc.Law == InSpan && mc.Span == nil {
		return nil, errors.New("escape: MonteCarlo: InSpan perturbation without Span")
	}
	var steps []int
	for t := 0; t <= mc.Steps; t++ {
		if t == 0 || t == mc.Steps || (mc.Every > 0 && t%mc.Every == 0) {
			steps = append(steps, t)
		}
	}
	m := mc.Basis.Cols
	width := m
	if m < p {
		width++ // remainder
	}
	// per[r][i] holds D for step i then the loss: (width+1) values.
	per := make([][][]float64, mc.Repeats)
	esc := make([]int, mc.Repeats)
	theta := append([]float64(nil), obj.Model.Params()...)
	err := runRepeats(ctx, obj, 0, mc.Repeats, mc.Workers, func(wobj *models.Objective, r int) error {
		var err error
		per[r], esc[r], err = mc.one(wobj, theta, steps, width, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("escape: %w", err)
	}
	return &MCResult{Series: average(per, steps, width), EscapeSteps: esc}, nil
}

// average returns the means and standard errors over the repeats of
// per[r][i] (D for step i then the loss: width+1 values), up to the first
// recorded step at which a repeat has no row (it diverged) or a statistic
// is not finite.
func average(per [][][]float64, steps []int, width int) *Series {
	R := float64(len(per))
	s := &Series{DivergedAt: NotDiverged}
	for i, t := range steps {
		mean, se := make([]float64, width+1), make([]float64, width+1)
		for _, rows := range per {
			if len(rows) <= i {
				s.DivergedAt = t
				return s
			}
			for k, v := range rows[i] {
				mean[k] += v
			}
		}
		for k := range mean {
			mean[k] /= R
		}
		for _, rows := range per {
			for k, v := range rows[i] {
				se[k] += (v - mean[k]) * (v - mean[k])
			}
		}
		for k := range se {
			se[k] = math.Sqrt(se[k] / (R - 1) / R)
		}
		if diverged(mean...) || diverged(se...) {
			s.DivergedAt = t
			return s
		}
		s.Steps = append(s.Steps, t)
		s.D, s.DStdErr = append(s.D, mean[:width]), append(s.DStdErr, se[:width])
		s.Loss, s.LossStdErr = append(s.Loss, mean[width]), append(s.LossStdErr, se[width])
	}
	return s
}

// one runs repeat r on wobj and returns (u_kᵀw)² and the loss per
// recorded step, up to the first at which one is not finite (where the
// repeat stops), and the escape step.
func (mc *MonteCarlo) one(wobj *models.Objective, theta []float64, steps []int, width, r int) ([][]float64, int, error) {
	p := len(theta)
	ps, bs := repeatSeeds(mc.Seed, r)
	rng := rand.New(rand.NewPCG(ps, 0x657363617065))
	w := make([]float64, p)
	switch mc.Law {
	case Isotropic:
		for i := range w {
			w[i] = mc.Radius / math.Sqrt(float64(p)) * rng.NormFloat64()
		}
	default:
		rk := mc.Span.Cols
		z := make([]float64, rk)
		for i := range z {
			z[i] = mc.Radius / math.Sqrt(float64(rk)) * rng.NormFloat64()
		}
		linalg.Gemv(linalg.NoTrans, 1, mc.Span, z, 0, w)
	}
	params := wobj.Model.Params()
	for i := range params {
		params[i] = theta[i] + w[i]
	}
	cfg := mc.Optim
	cfg.Seed = bs
	o, err := optim.New(wobj, cfg)
	if err != nil {
		return nil, -1, err
	}
	m := mc.Basis.Cols
	proj := make([]float64, m)
	out := make([][]float64, 0, len(steps))
	escape := -1
	record := func(i int) bool {
		for j := range w {
			w[j] = params[j] - theta[j]
		}
		linalg.Gemv(linalg.T, 1, mc.Basis, w, 0, proj)
		row := make([]float64, width+1)
		tot := 0.0
		for k, c := range proj {
			row[k] = c * c
			tot += c * c
		}
		if width > m {
			row[m] = math.Max(linalg.Dot(w, w)-tot, 0)
		}
		row[width] = wobj.Value()
		bad := diverged(row...)
		if escape < 0 && mc.EscapeLoss > 0 && (bad || row[width] >= mc.EscapeLoss) {
			escape = steps[i]
		}
		if !bad {
			out = append(out, row)
		}
		return !bad
	}
	i := 0
	for t := 0; t <= mc.Steps; t++ {
		if t > 0 {
			o.Step()
		}
		if i < len(steps) && steps[i] == t {
			if !record(i) {
				break
			}
			i++
		}
	}
	return out, escape, nil
}
