package escape

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// Compare configures GD against SGD from a minimum.
type Compare struct {
	// Objective is a one-output square-loss objective whose model sits at
	// an interpolating minimum θ*.
	Objective *models.Objective
	// Quadratic, when not nil, is NewQuadratic(JacobianFeatures(Objective)),
	// already computed by the caller.
	Quadratic   *Quadratic
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
	// linearisation with Linearized), Workers in parallel, over MCSteps
	// recorded every MCEvery (0: Steps, Every).
	Repeats, Workers int
	MCSteps, MCEvery int
	Linearized       bool
	Seed             uint64
	// EscapeFactor: escape is the first recorded step with loss ≥
	// EscapeFactor·L_0 (default 100).
	EscapeFactor float64
	// Method "GD" or "SGD" runs that arm only (the other stays zero); ""
	// runs both.
	Method string
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
	// directions and recorded steps, against MCExact, the exact recursion
	// on the Monte Carlo steps (Exact itself when they are the same).
	MC            *Series  `json:"mc,omitempty"`
	MCProfile     *Profile `json:"mc_profile,omitempty"`
	MCEscapeSteps []int    `json:"mc_escape_steps,omitempty"`
	MaxZ          float64  `json:"mc_max_z,omitempty"`
	MCExact       *Series  `json:"-"`
}

// CompareResult is the outcome of Compare.Run.
type CompareResult struct {
	Lambda []float64 `json:"lambda"`
	Rank   int       `json:"rank"`
	Loss0  float64   `json:"loss0"`
	GD     Arm       `json:"gd"`
	SGD    Arm       `json:"sgd"`
}

// compareArm is what distinguishes the two arms.
type compareArm struct {
	arm        *Arm
	method     string
	thr        float64
	batch      int
	repl       bool
	optimBatch int
}

// Run computes the thresholds, the exact profiles and, with Repeats ≥ 2,
// the Monte Carlo ones. A cancelled ctx stops it with ctx.Err().
func (c *Compare) Run(ctx context.Context) (*CompareResult, error) {
	if c.Batch < 1 {
		return nil, errors.New("escape: Compare: batch must be ≥ 1")
	}
	if !(c.LRFactor > 0) && !(c.LR > 0) {
		return nil, errors.New("escape: Compare: set LRFactor or LR > 0")
	}
	if c.Method != "" && c.Method != "GD" && c.Method != "SGD" {
		return nil, fmt.Errorf("escape: Compare: method %q: want GD, SGD or empty", c.Method)
	}
	q, err := c.quadratic()
	if err != nil {
		return nil, err
	}
	var cr analysis.CriticalRate
	if c.Method != "GD" {
		if cr, err = q.SGDCritical(c.Batch, c.Replacement); err != nil {
			return nil, err
		}
	}
	res := &CompareResult{Lambda: q.Lambda, Rank: q.Rank}
	// E L_0 = ½ Σ λ_k D_k(0).
	lam := q.ProfileLambda()
	for k, v := range q.initialD(c.Law, c.Radius) {
		res.Loss0 += 0.5 * lam[k] * v
	}
	arms := []compareArm{
		{&res.GD, "GD", q.GDThreshold(), c.Objective.N(), false, 0},
		{&res.SGD, "SGD", cr.SGD, c.Batch, c.Replacement, c.Batch},
	}
	for _, a := range arms {
		if c.Method != "" && a.method != c.Method {
			continue
		}
		if err := c.runArm(ctx, q, a, res.Loss0); err != nil {
			return nil, fmt.Errorf("%s: %w", a.method, err)
		}
	}
	return res, nil
}

// quadratic returns c.Quadratic or decomposes the objective's Jacobian.
func (c *Compare) quadratic() (*Quadratic, error) {
	if c.Quadratic != nil {
		return c.Quadratic, nil
	}
	f, err := JacobianFeatures(c.Objective)
	if err != nil {
		return nil, err
	}
	return NewQuadratic(f)
}

// runArm fills a.arm: the exact recursion and, with Repeats ≥ 2, the
// Monte Carlo runs, escaping at EscapeFactor·loss0.
func (c *Compare) runArm(ctx context.Context, q *Quadratic, a compareArm, loss0 float64) error {
	lam := q.ProfileLambda()
	ef := c.EscapeFactor
	if ef <= 0 {
		ef = 100
	}
	escLoss := ef * loss0
	lr := c.LR
	if !(lr > 0) {
		lr = c.LRFactor * a.thr
	}
	*a.arm = Arm{Method: a.method, Threshold: a.thr, LR: lr}
	s, err := q.Exact(lr, a.batch, a.repl, c.Law, c.Radius, c.Steps, c.Every)
	if err != nil {
		return err
	}
	a.arm.Exact, a.arm.Profile, a.arm.EscapeStep = s, s.Last(lam), s.EscapeTime(escLoss)
	if c.Repeats < 2 {
		return ctx.Err()
	}
	mcSteps, mcEvery := c.Steps, c.Every
	if c.MCSteps > 0 || c.MCEvery > 0 {
		mcSteps, mcEvery = c.MCSteps, c.MCEvery
	}
	if a.arm.MCExact = s; mcSteps != c.Steps || mcEvery != c.Every {
		if a.arm.MCExact, err = q.Exact(lr, a.batch, a.repl, c.Law, c.Radius, mcSteps, mcEvery); err != nil {
			return err
		}
	}
	sampling := optim.WithoutReplacement
	if a.repl {
		sampling = optim.WithReplacement
	}
	mc := &MonteCarlo{Objective: c.mcObjective(q), Basis: q.U, Span: q.U.ColsView(0, q.Rank),
		Optim: optim.Config{Batch: a.optimBatch, Sampling: sampling, Schedule: optim.Constant(lr)},
		Law:   c.Law, Radius: c.Radius, Steps: mcSteps, Every: mcEvery, Repeats: c.Repeats,
		Workers: c.Workers, Seed: c.Seed, EscapeLoss: escLoss}
	mr, err := mc.Run(ctx)
	if err != nil {
		return err
	}
	pr := mr.Series.Last(lam)
	a.arm.MC, a.arm.MCProfile, a.arm.MCEscapeSteps = mr.Series, &pr, mr.EscapeSteps
	a.arm.MaxZ = MaxZ(mr.Series, a.arm.MCExact)
	return nil
}

// mcObjective is the objective the Monte Carlo runs on: the true one, or
// with Linearized ½(f_iᵀw)² on the features F at w = 0.
func (c *Compare) mcObjective(q *Quadratic) *models.Objective {
	if !c.Linearized {
		return c.Objective
	}
	lin := models.NewLinear(q.F.Cols, 1)
	return models.NewObjective(lin, models.Square{}, q.F, linalg.NewDense(q.F.Rows, 1))
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
