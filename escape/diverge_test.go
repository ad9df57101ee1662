package escape

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// oneD is the 1-D quadratic ½λw² of one sample with feature f (λ = f²),
// as a linear model at its minimum w = 0.
func oneD(f float64) (*Quadratic, *models.Objective) {
	x := linalg.NewDense(1, 1)
	x.Set(0, 0, f)
	q, err := NewQuadratic(x)
	if err != nil {
		panic(err)
	}
	return q, models.NewObjective(models.NewLinear(1, 1), models.Square{}, x, linalg.NewDense(1, 1))
}

// firstAbove returns the first t ≥ 0 with c·g^t > limit (c, g > 0, g > 1)
// in closed form, and the distance in log space of c·g^t from the limit at
// t and t−1 (the margin the floating-point recursion must not cross).
func firstAbove(c, g, limit float64) (int, float64) {
	x := (math.Log(limit) - math.Log(c)) / math.Log(g)
	t := max(0, int(math.Floor(x))+1)
	at := func(t int) float64 { return math.Log(c) + float64(t)*math.Log(g) - math.Log(limit) }
	return t, math.Min(math.Abs(at(t)), math.Abs(at(t-1)))
}

// TestExactDivergesInClosedForm: GD on ½λw² multiplies D = E w² by
// (1 − ηλ)² per step, so E L_t = ½λρ²(1 − ηλ)^{2t} first exceeds the
// largest float64 at a step known in closed form; the recursion stops
// there, reports it and keeps the finite records before it.
func TestExactDivergesInClosedForm(t *testing.T) {
	for _, c := range []struct {
		f, eta, radius float64
		every          int
	}{
		{f: 1, eta: 3, radius: 1e-3, every: 7},      // 1 − ηλ = −2
		{f: 2, eta: 0.9, radius: 1, every: 1},       // −2.6
		{f: 0.5, eta: 16, radius: 5e10, every: 50},  // −3
		{f: 1, eta: 3.2, radius: 3e-150, every: 0},  // −2.2, from a tiny start
		{f: 1, eta: 1, radius: 1e150, every: 1},     // 0 after one step
		{f: 1, eta: 1.99, radius: 1e-3, every: 100}, // below 2/λ: never
	} {
		q, _ := oneD(c.f)
		lam := c.f * c.f
		g := (1 - c.eta*lam) * (1 - c.eta*lam)
		d0 := c.radius * c.radius
		const steps = 2000
		want, margin := NotDiverged, math.Inf(1)
		if g > 1 {
			// E L = ½λD is not finite once D or ½λD is above MaxFloat64.
			want, margin = firstAbove(math.Max(d0, 0.5*lam*d0), g, math.MaxFloat64)
			// The update adds (ηλ)²·D; it must not overflow a step early
			// (ηλ > (3+√5)/2 leaves room for that).
			require.Less(t, math.Log((c.eta*lam)*(c.eta*lam)*d0)+float64(want-2)*math.Log(g), math.Log(math.MaxFloat64), "%+v: bad case", c)
			require.Greater(t, margin, 1e-6, "%+v: too close to overflow to be decided in closed form", c)
			require.Less(t, want, steps, "%+v", c)
		}
		s, err := q.Exact(c.eta, 1, false, InSpan, c.radius, steps, c.every)
		require.NoError(t, err)
		assert.Equal(t, want, s.DivergedAt, "%+v", c)
		require.NotEmpty(t, s.Steps, "%+v", c)
		for i, st := range s.Steps {
			assert.True(t, want == NotDiverged || st < want, "%+v: record at step %d after divergence", c, st)
			assert.False(t, diverged(s.Loss[i]) || diverged(s.D[i]...), "%+v: step %d not finite", c, st)
		}
		last := s.Steps[len(s.Steps)-1]
		switch {
		case want == NotDiverged:
			assert.Equal(t, steps, last)
		case c.every > 0:
			assert.Equal(t, (want-1)/c.every*c.every, last, "%+v: last record", c)
		default:
			assert.Equal(t, 0, last)
		}
	}
}

// TestExactDivergedAtStart: a start whose loss overflows diverges at step
// 0 with no records, and its profile is empty rather than a panic.
func TestExactDivergedAtStart(t *testing.T) {
	q, _ := oneD(1)
	s, err := q.Exact(1, 1, false, InSpan, 1e300, 10, 1)
	require.NoError(t, err)
	assert.Equal(t, 0, s.DivergedAt)
	assert.Empty(t, s.Steps)
	assert.Empty(t, s.Last(q.ProfileLambda()).Alpha)
}

// TestMonteCarloDivergesInClosedForm: GD on ½w² at η = 3 maps every
// repeat's w to −2w, so each statistic at step t is 4^t times its value at
// step 0. The standard error squares deviations from the mean, which
// overflow once the largest deviation passes √MaxFloat64; that deviation
// lies between SE·√(R−1) and SE·√(R(R−1)), which brackets the step.
func TestMonteCarloDivergesInClosedForm(t *testing.T) {
	q, obj := oneD(1)
	const R = 4
	mc := func(steps int) *MCResult {
		m := &MonteCarlo{Objective: obj, Basis: q.U, Span: q.U, Law: InSpan, Radius: 1e-3, Steps: steps, Every: 1,
			Repeats: R, Seed: 7, EscapeLoss: 1, Optim: optim.Config{Schedule: optim.Constant(3)}}
		res, err := m.Run(context.Background())
		require.NoError(t, err)
		return res
	}
	se0 := mc(0).Series.DStdErr[0][0]
	require.Greater(t, se0, 0.0)
	early, _ := firstAbove(se0*math.Sqrt(R*(R-1)), 4, math.Sqrt(math.MaxFloat64)*(1+1e-9))
	late, _ := firstAbove(se0*math.Sqrt(R-1), 4, math.Sqrt(math.MaxFloat64)*(1-1e-9))
	res := mc(1000)
	s := res.Series
	assert.True(t, s.DivergedAt >= early && s.DivergedAt <= late, "diverged at %d, want in [%d, %d]", s.DivergedAt, early, late)
	assert.Len(t, s.Steps, s.DivergedAt, "records at 0..DivergedAt−1")
	for i := range s.Steps {
		assert.False(t, diverged(s.D[i]...) || diverged(s.DStdErr[i]...) || diverged(s.Loss[i], s.LossStdErr[i]), "step %d", i)
	}
	for r, e := range res.EscapeSteps {
		assert.True(t, e >= 0 && e < s.DivergedAt, "repeat %d escaped at %d", r, e)
	}
}

// TestCyclicalDivergenceIsAResult: on ½w², a high phase at η = 3 doubles
// |w| per step, so the loss ½w² overflows after about log₂(√MaxFloat64/|w₀|)
// steps: the two arms with the high rate diverge there (not an error), the
// constant low arm does not, and nothing reported is non-finite.
func TestCyclicalDivergenceIsAResult(t *testing.T) {
	_, obj := oneD(1)
	const R, radius = 3, 1e-3
	c := &Cyclical{Objective: obj, High: 3, Low: 0.1, HighSteps: 1000, LowSteps: 0, Cycles: 2, Batch: 1,
		Sampling: optim.WithReplacement, Radius: radius, Repeats: R, Seed: 3}
	res, err := c.Run(context.Background())
	require.NoError(t, err)
	// L_r(t) = ½w_r²·4^t with ½w_r² ≤ R·(mean L at cycle 0): the first
	// repeat to overflow does so between these steps.
	// The loss ½r² is not finite once r² overflows: L > MaxFloat64/2.
	l0 := res.SGDConstant[0].Loss.Mean
	early, _ := firstAbove(R*l0, 4, math.MaxFloat64/2*(1+1e-9))
	late, _ := firstAbove(l0, 4, math.MaxFloat64/2*(1-1e-9))
	for arm, cs := range map[string][]CycleStats{"sgd_cyclical": res.SGDCyclical, "gd_cyclical": res.GDCyclical} {
		at := res.DivergedAt[arm]
		assert.True(t, at >= early && at <= late, "%s diverged at %d, want in [%d, %d]", arm, at, early, late)
		assert.Len(t, cs, 1, "%s: only the start precedes the divergence", arm)
	}
	assert.Equal(t, NotDiverged, res.DivergedAt["sgd_constant"])
	assert.Len(t, res.SGDConstant, 3)
	for _, cs := range [][]CycleStats{res.SGDCyclical, res.SGDConstant, res.GDCyclical} {
		for _, st := range cs {
			assert.False(t, diverged(st.LambdaMax.Mean, st.LambdaMax.StdErr, st.TrG.Mean, st.FrobG.Mean, st.Loss.Mean, st.Loss.StdErr))
		}
	}
}
