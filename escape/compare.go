package escape

import (
	"errors"
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// Compare configures GD against SGD from a minimum.
type Compare struct {
	// Objective is a one-output square-loss objective whose model sits at
	// an interpolating minimum θ*.
	Objective   *models.Objective
	Batch       int
	Replacement bool
	// LRFactor F runs each method at F times its own threshold (GD:
	// 2/λ_max; SGD: the exact critical rate); LR > 0 instead runs both at
	// that absolute rate.
	LRFactor, LR float64
	Law          Perturbation
	Radius       float64
	Steps, Every int
	// Repeats ≥ 2 adds Monte Carlo runs (on the true model, or on its
	// linearisation with Linearized), Workers in parallel.
	Repeats, Workers int
	Linearized       bool
	Seed             uint64
	// EscapeFactor: escape is the first recorded step with loss ≥
	// EscapeFactor·L_0 (default 100).
	EscapeFactor float64
}

// Arm is one method's result.
type Arm struct {
	Method string `json:"method"`
	// Threshold is GD's 2/λ_max or SGD's exact critical rate.
	Threshold float64 `json:"threshold"`
	LR        float64 `json:"lr"`
	// Profile at the last recorded step (before a divergence): from the
	// exact recursion.
	Profile
	EscapeStep int     `json:"escape_step"`
	Exact      *Series `json:"exact"`
	// Monte Carlo (Repeats ≥ 2): the series, its profile at the last step,
	// per-repeat escape steps, and the largest |MC − exact|/SE over all
	// directions and recorded steps.
	MC            *Series  `json:"mc,omitempty"`
	MCProfile     *Profile `json:"mc_profile,omitempty"`
	MCEscapeSteps []int    `json:"mc_escape_steps,omitempty"`
	MaxZ          float64  `json:"mc_max_z,omitempty"`
}

// CompareResult is the outcome of Compare.Run.
type CompareResult struct {
	Lambda []float64 `json:"lambda"`
	Rank   int       `json:"rank"`
	Loss0  float64   `json:"loss0"`
	GD     Arm       `json:"gd"`
	SGD    Arm       `json:"sgd"`
}

// Run computes the thresholds, the exact profiles and, with Repeats ≥ 2,
// the Monte Carlo ones.
func (c *Compare) Run() (*CompareResult, error) {
	obj := c.Objective
	if c.Batch < 1 {
		return nil, errors.New("escape: Compare: batch must be ≥ 1")
	}
	if !(c.LRFactor > 0) && !(c.LR > 0) {
		return nil, errors.New("escape: Compare: set LRFactor or LR > 0")
	}
	f, err := JacobianFeatures(obj)
	if err != nil {
		return nil, err
	}
	q, err := NewQuadratic(f)
	if err != nil {
		return nil, err
	}
	cr, err := q.SGDCritical(c.Batch, c.Replacement)
	if err != nil {
		return nil, err
	}
	res := &CompareResult{Lambda: q.Lambda, Rank: q.Rank}
	lam := q.ProfileLambda()
	ef := c.EscapeFactor
	if ef <= 0 {
		ef = 100
	}
	// E L_0 = ½ Σ λ_k D_k(0).
	for k, v := range q.initialD(c.Law, c.Radius) {
		res.Loss0 += 0.5 * lam[k] * v
	}
	escLoss := ef * res.Loss0
	n := obj.N()
	arms := []struct {
		arm        *Arm
		method     string
		thr        float64
		batch      int
		repl       bool
		optimBatch int
	}{
		{&res.GD, "GD", q.GDThreshold(), n, false, 0},
		{&res.SGD, "SGD", cr.SGD, c.Batch, c.Replacement, c.Batch},
	}
	for _, a := range arms {
		lr := c.LR
		if !(lr > 0) {
			lr = c.LRFactor * a.thr
		}
		*a.arm = Arm{Method: a.method, Threshold: a.thr, LR: lr}
		s, err := q.Exact(lr, a.batch, a.repl, c.Law, c.Radius, c.Steps, c.Every)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.method, err)
		}
		a.arm.Exact, a.arm.Profile, a.arm.EscapeStep = s, s.Last(lam), s.EscapeTime(escLoss)
		if c.Repeats < 2 {
			continue
		}
		sampling := optim.WithoutReplacement
		if a.repl {
			sampling = optim.WithReplacement
		}
		mobj := obj
		if c.Linearized {
			// ½(f_iᵀw)² on features F at w = 0.
			lin := models.NewLinear(f.Cols, 1)
			mobj = models.NewObjective(lin, models.Square{}, f, linalg.NewDense(n, 1))
		}
		mc := &MonteCarlo{Objective: mobj, Basis: q.U, Span: q.U.ColsView(0, q.Rank),
			Optim: optim.Config{Batch: a.optimBatch, Sampling: sampling, Schedule: optim.Constant(lr)},
			Law:   c.Law, Radius: c.Radius, Steps: c.Steps, Every: c.Every, Repeats: c.Repeats,
			Workers: c.Workers, Seed: c.Seed, EscapeLoss: escLoss}
		mr, err := mc.Run()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.method, err)
		}
		pr := mr.Series.Last(lam)
		a.arm.MC, a.arm.MCProfile, a.arm.MCEscapeSteps = mr.Series, &pr, mr.EscapeSteps
		a.arm.MaxZ = MaxZ(mr.Series, s)
	}
	return res, nil
}

// MaxZ returns the largest (|mc − exact| − tol)/SE over directions and
// recorded steps, where tol = 1e-9·Σ_k exact D_k absorbs rounding in
// directions that do not move (e.g. outside the span of the data);
// entries with SE = 0 count only when the difference exceeds tol (as
// +Inf). Steps must match up to the shorter series (one may have
// diverged before the other).
func MaxZ(mc, exact *Series) float64 {
	z := 0.0
	for i := range min(len(mc.Steps), len(exact.Steps)) {
		tot := 0.0
		for _, v := range exact.D[i] {
			tot += v
		}
		tol := 1e-9 * tot
		for k, v := range mc.D[i] {
			diff := math.Abs(v-exact.D[i][k]) - tol
			if diff <= 0 {
				continue
			}
			se := mc.DStdErr[i][k]
			if se == 0 {
				return math.Inf(1)
			}
			z = math.Max(z, diff/se)
		}
	}
	return z
}
