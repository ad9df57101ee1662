// Package modeltest checks a models.Model's derivatives against finite
// differences and against each other, so that a model written outside
// package models is one file plus one test call:
//
//	func TestMyModel(t *testing.T) {
//		modeltest.Check(t, NewMyModel(), modeltest.Options{})
//	}
//
// # Checks
//
// On a deterministic batch (Options) and the model's current θ, which is
// restored afterwards:
//
//   - value: Objective.Gradient returns the loss Objective.Value returns.
//   - gradient: ∇L against central differences of L, per coordinate (p ≤
//     Options.MaxCoords) or along random directions.
//   - jvp: J v against central differences of the predictions along v.
//   - adjoint: ⟨u, J v⟩ = ⟨Jᵀu, v⟩ for random u, v.
//   - jacobian: the Jacobian formed from PerSampleVJP with unit cotangents
//     (Objective.JacobianBlocks, blocks of 4 samples) times v equals JVP(v),
//     per coordinate (p ≤ Options.MaxCoords) or along random directions.
//   - per-sample: the per-sample gradients (PerSampleVJP, in two blocks of
//     rows) average to ∇L, each equals the VJP of its own cotangent alone,
//     and their squared norms equal Objective.PerSampleGradNorms.
//   - gauss-newton: G v equals Jᵀ Λ (J v)/n from the explicit Jacobian and
//     the loss's output Hessian Λ, and ⟨u, G v⟩ = ⟨v, G u⟩.
//   - diag-ggn: diag(G) equals the Λ-weighted squared Jacobian columns.
//   - hessian: for a models.HVPer, H v against central differences of ∇L
//     along v, and ⟨u, H v⟩ = ⟨v, H u⟩; otherwise Objective.HessianVec's
//     contract: models.HessianProduct reports models.ErrNoHessian.
//   - optional: each optional interface the model implements
//     (VJPNormer, DiagGGNer, HVPer's Gauss–Newton part, Grammer) agrees
//     with the generic fallback built on the core methods.
//   - clone: a Clone predicts the same and owns its parameters.
//
// # Tolerances
//
// Finite differences use the step h = 1e-5 (FDStep): central differences
// have truncation error h²/6·|f”'| ≈ 2e-11 and rounding error
// ≈ ε·|f|/h ≈ 2e-11 relative to O(1) quantities, so FDTol = 1e-7 bounds the
// relative error ‖a − b‖/max(‖b‖, 1e-3) with four orders of margin and still
// catches any wrong term (those are O(1) relative). Identities between two
// exact computations (the same sums in another order) use ExactTol = 1e-12
// relative (the loss Gradient returns and Value: 1e-14); the symmetry and adjointness of bilinear forms use the
// rounding bound 1e3·ε·(terms)·Σ|products|. Piecewise-linear activations
// are differentiated away from their kinks: with continuous random inputs a
// difference straddles a kink with negligible probability.
package modeltest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// The tolerances of the checks (see the package documentation).
const (
	FDStep   = 1e-5
	FDTol    = 1e-7
	ExactTol = 1e-12
	fdFloor  = 1e-3
)

// Options choose the batch the checks run on. The zero value checks the
// square loss on 9 samples drawn from seed 1.
type Options struct {
	// Loss defaults to models.Square{}.
	Loss models.Loss
	// X (n×d) and Y (n×K) are the batch; nil draws N samples from Seed:
	// x ~ N(0, I), y ~ N(0, I) for the square loss, one-hot otherwise.
	X, Y *linalg.Dense
	// N defaults to 9 (it must be ≥ 2: per-sample gradients are checked in
	// two blocks of rows); ignored when X is given.
	N int
	// Seed seeds the batch and the random directions; 0 means 1.
	Seed uint64
	// MaxCoords bounds p for the per-coordinate gradient check (default
	// 256); above it the gradient is checked along 4 random directions.
	MaxCoords int
}

// Check runs every check on m and reports each failure with t.Errorf.
func Check(t testing.TB, m models.Model, opt Options) {
	t.Helper()
	for _, err := range Run(m, opt) {
		t.Errorf("modeltest: %v", err)
	}
}

// Run runs every check on m and returns the failures, each naming its
// check; nil when the model passes.
func Run(m models.Model, opt Options) []error {
	s, err := newSuite(m, opt)
	if err != nil {
		return []error{err}
	}
	theta0 := append([]float64(nil), m.Params()...)
	defer copy(m.Params(), theta0)
	var errs []error
	for _, c := range checks {
		if err := c.run(s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.name, err))
		}
		copy(m.Params(), theta0)
	}
	return errs
}

var checks = []struct {
	name string
	run  func(*suite) error
}{
	{"value", (*suite).value},
	{"gradient", (*suite).gradient},
	{"jvp", (*suite).jvp},
	{"adjoint", (*suite).adjoint},
	{"jacobian", (*suite).jacobian},
	{"per-sample", (*suite).perSample},
	{"gauss-newton", (*suite).gaussNewton},
	{"diag-ggn", (*suite).diagGGN},
	{"hessian", (*suite).hessian},
	{"optional", (*suite).optional},
	{"clone", (*suite).clone},
}

type suite struct {
	m        models.Model
	o        *models.Objective
	rng      *rand.Rand
	n, K, p  int
	maxCoord int
	j        *linalg.Dense // the explicit Jacobian, (nK)×p
	f        *linalg.Dense // predictions
}

func newSuite(m models.Model, opt Options) (*suite, error) {
	seed := opt.Seed
	if seed == 0 {
		seed = 1
	}
	rng := rand.New(rand.NewPCG(seed, 0x6d6f64656c74))
	loss := opt.Loss
	if loss == nil {
		loss = models.Square{}
	}
	x, y := opt.X, opt.Y
	n := opt.N
	if n == 0 {
		n = 9
	}
	if x == nil {
		x = gaussian(rng, n, m.InputDim())
	}
	n = x.Rows
	if y == nil {
		y = gaussian(rng, n, m.NumOutputs())
		if loss.Name() != "square" {
			y = oneHot(rng, n, m.NumOutputs())
		}
	}
	if n < 2 || x.Cols != m.InputDim() || y.Rows != n || y.Cols != m.NumOutputs() {
		return nil, fmt.Errorf("batch: x is %d×%d and y %d×%d, want n ≥ 2 rows, %d and %d columns",
			x.Rows, x.Cols, y.Rows, y.Cols, m.InputDim(), m.NumOutputs())
	}
	s := &suite{m: m, o: models.NewObjective(m, loss, x, y), rng: rng, n: n, K: m.NumOutputs(), p: m.NumParams(),
		maxCoord: opt.MaxCoords}
	if s.maxCoord == 0 {
		s.maxCoord = 256
	}
	s.j = linalg.NewDense(n*s.K, s.p)
	s.o.JacobianBlocks(4, func(i0 int, b *linalg.Dense) { // blocks: the offsets are checked too
		s.j.Slice(i0*s.K, i0*s.K+b.Rows, 0, s.p).Copy(b)
	})
	s.f = linalg.NewDense(n, s.K)
	m.Predict(s.f, x)
	return s, nil
}

func (s *suite) value() error {
	g := make([]float64, s.p)
	L, L0 := s.o.Gradient(g), s.o.Value()
	if math.Abs(L-L0) > 1e-14*max(1, math.Abs(L0)) {
		return fmt.Errorf("Gradient returned L = %g, Value = %g", L, L0)
	}
	return nil
}

// directions returns the unit coordinate vectors (p ≤ maxCoord) or four
// random directions.
func (s *suite) directions() (dirs [][]float64, coords bool) {
	if s.p <= s.maxCoord {
		for j := 0; j < s.p; j++ {
			e := make([]float64, s.p)
			e[j] = 1
			dirs = append(dirs, e)
		}
		return dirs, true
	}
	for range 4 {
		dirs = append(dirs, s.vec(s.p))
	}
	return dirs, false
}

func (s *suite) gradient() error {
	g := make([]float64, s.p)
	s.o.Gradient(g)
	dirs, coords := s.directions()
	got, fd := make([]float64, len(dirs)), make([]float64, len(dirs))
	for i, v := range dirs {
		got[i] = linalg.Dot(g, v)
		fd[i] = s.central(v, func() float64 { return s.o.Value() })
	}
	if r := relErr(got, fd, fdFloor); r > FDTol {
		return fmt.Errorf("∇L vs central differences (coordinates: %v): relative error %.3g > %g\n got %v\nwant %v", coords, r, FDTol, got, fd)
	}
	return nil
}

func (s *suite) jvp() error {
	v := s.vec(s.p)
	jv := linalg.NewDense(s.n, s.K)
	s.o.JVP(jv, v)
	fd := s.centralVec(v, s.n*s.K, func(dst []float64) {
		s.m.Predict(linalg.NewDenseData(s.n, s.K, dst), s.o.X)
	})
	if r := relErr(jv.Data, fd, fdFloor); r > FDTol {
		return fmt.Errorf("J v vs central differences: relative error %.3g > %g", r, FDTol)
	}
	return nil
}

func (s *suite) adjoint() error {
	v, u := s.vec(s.p), gaussian(s.rng, s.n, s.K)
	jv := linalg.NewDense(s.n, s.K)
	s.o.JVP(jv, v)
	jtu := make([]float64, s.p)
	s.o.VJP(jtu, u)
	return symmetric("⟨u, J v⟩ vs ⟨Jᵀu, v⟩", jv.Data, u.Data, v, jtu, s.p+s.n*s.K)
}

func (s *suite) jacobian() error {
	dirs, _ := s.directions()
	jv := linalg.NewDense(s.n, s.K)
	want := make([]float64, s.n*s.K)
	for j, v := range dirs {
		s.o.JVP(jv, v)
		linalg.Gemv(linalg.NoTrans, 1, s.j, v, 0, want)
		if r := relErr(want, jv.Data, 1e-300); r > ExactTol {
			return fmt.Errorf("J·v (direction %d) with J from PerSampleVJP of unit cotangents vs JVP(v): relative error %.3g > %g", j, r, ExactTol)
		}
	}
	return nil
}

func (s *suite) perSample() error {
	g := make([]float64, s.p)
	s.o.Gradient(g)
	ps := linalg.NewDense(s.n, s.p)
	h := s.n / 2
	s.o.PerSampleGradients(ps.RowsView(0, h), 0)
	s.o.PerSampleGradients(ps.RowsView(h, s.n), h)
	mean := make([]float64, s.p)
	for i := 0; i < s.n; i++ {
		linalg.Axpy(1/float64(s.n), ps.Row(i), mean)
	}
	if r := relErr(mean, g, 1e-300); r > ExactTol {
		return fmt.Errorf("mean of the per-sample gradients vs ∇L: relative error %.3g > %g", r, ExactTol)
	}
	// Row i is the VJP of sample i's cotangent alone.
	u := linalg.NewDense(s.n, s.K)
	s.o.Residuals(u)
	one := linalg.NewDense(s.n, s.K)
	vjp := make([]float64, s.p)
	for i := 0; i < s.n; i++ {
		clear(one.Data)
		copy(one.Row(i), u.Row(i))
		s.o.VJP(vjp, one)
		if r := relErr(ps.Row(i), vjp, 1e-300); r > ExactTol {
			return fmt.Errorf("per-sample gradient %d vs the VJP of its cotangent: relative error %.3g > %g", i, r, ExactTol)
		}
	}
	norms, want := make([]float64, s.n), make([]float64, s.n)
	s.o.PerSampleGradNorms(norms)
	for i := range want {
		want[i] = linalg.Dot(ps.Row(i), ps.Row(i))
	}
	if r := relErr(norms, want, 1e-300); r > ExactTol {
		return fmt.Errorf("per-sample gradient norms: relative error %.3g > %g\n got %v\nwant %v", r, ExactTol, norms, want)
	}
	return nil
}

// lambda returns Λ w for w in the n×K layout.
func (s *suite) lambda(w []float64) []float64 {
	out := linalg.NewDense(s.n, s.K)
	s.o.Loss.HessProd(out, s.f, s.o.Y, linalg.NewDenseData(s.n, s.K, w))
	return out.Data
}

func (s *suite) gaussNewton() error {
	v := s.vec(s.p)
	jv := make([]float64, s.n*s.K)
	linalg.Gemv(linalg.NoTrans, 1, s.j, v, 0, jv)
	want := make([]float64, s.p)
	linalg.Gemv(linalg.T, 1/float64(s.n), s.j, s.lambda(jv), 0, want)
	got := make([]float64, s.p)
	s.o.GaussNewtonVec(got, v)
	if r := relErr(got, want, 1e-300); r > ExactTol {
		return fmt.Errorf("G v vs Jᵀ Λ J v / n: relative error %.3g > %g", r, ExactTol)
	}
	return s.symmetry("G", s.o.GaussNewtonVec)
}

// symmetry checks ⟨u, A v⟩ = ⟨v, A u⟩ for random u, v.
func (s *suite) symmetry(name string, apply func(dst, v []float64)) error {
	u, v := s.vec(s.p), s.vec(s.p)
	au, av := make([]float64, s.p), make([]float64, s.p)
	apply(au, u)
	apply(av, v)
	return symmetric(fmt.Sprintf("⟨u, %s v⟩ vs ⟨v, %s u⟩", name, name), u, av, v, au, s.p)
}

func (s *suite) diagGGN() error {
	want := make([]float64, s.p)
	col := make([]float64, s.n*s.K)
	for j := 0; j < s.p; j++ {
		s.j.Col(col, j)
		want[j] = linalg.Dot(col, s.lambda(col)) / float64(s.n)
	}
	got := make([]float64, s.p)
	s.o.DiagGaussNewton(got)
	if r := relErr(got, want, 1e-300); r > ExactTol {
		return fmt.Errorf("diag(G) vs the Λ-weighted Jacobian columns: relative error %.3g > %g\n got %v\nwant %v", r, ExactTol, got, want)
	}
	return nil
}

func (s *suite) hessian() error {
	if !s.o.HasHessian() {
		err := models.HessianProduct(s.m, make([]float64, s.p), s.o.X, make([]float64, s.p), &models.LossHead{Loss: s.o.Loss, Y: s.o.Y})
		if !errors.Is(err, models.ErrNoHessian) {
			return fmt.Errorf("not an HVPer, yet HessianProduct returned %v, want ErrNoHessian", err)
		}
		return nil
	}
	v := s.vec(s.p)
	hv := make([]float64, s.p)
	s.o.HessianVec(hv, v)
	fd := s.centralVec(v, s.p, func(dst []float64) { s.o.Gradient(dst) })
	if r := relErr(hv, fd, fdFloor); r > FDTol {
		return fmt.Errorf("H v vs central differences of ∇L: relative error %.3g > %g\n got %v\nwant %v", r, FDTol, hv, fd)
	}
	return s.symmetry("H", s.o.HessianVec)
}

// core hides a model's optional interfaces, so that the models functions
// take their generic fallbacks.
type core struct{ models.Model }

func (s *suite) optional() error {
	x, head := s.o.X, func() models.Head { return &models.LossHead{Loss: s.o.Loss, Y: s.o.Y} }
	c := core{s.m}
	same := func(what string, got, want []float64) error {
		if r := relErr(got, want, 1e-300); r > ExactTol {
			return fmt.Errorf("%s vs the generic fallback: relative error %.3g > %g", what, r, ExactTol)
		}
		return nil
	}
	var errs []error
	if _, ok := s.m.(models.VJPNormer); ok {
		got, want := make([]float64, s.n), make([]float64, s.n)
		models.PerSampleVJPNorms(s.m, got, x, head())
		models.PerSampleVJPNorms(c, want, x, head())
		errs = append(errs, same("VJPNormer.PerSampleVJPNorms", got, want))
	}
	if _, ok := s.m.(models.DiagGGNer); ok {
		got, want := make([]float64, s.p), make([]float64, s.p)
		models.DiagGGN(s.m, got, x, head())
		models.DiagGGN(c, want, x, head())
		errs = append(errs, same("DiagGGNer.DiagGGN", got, want))
	}
	if _, ok := s.m.(models.HVPer); ok {
		v := s.vec(s.p)
		got, want := make([]float64, s.p), make([]float64, s.p)
		models.GaussNewtonProduct(s.m, got, x, v, head())
		models.GaussNewtonProduct(c, want, x, v, head())
		errs = append(errs, same("HVPer.HVP (Gauss–Newton)", got, want))
	}
	if g, ok := s.m.(models.Grammer); ok {
		want := linalg.NewDense(s.n*s.K, s.n*s.K)
		linalg.Gemm(linalg.NoTrans, linalg.T, 1, s.j, s.j, 0, want)
		errs = append(errs, same("Grammer.Gram", g.Gram(x).Data, want.Data))
		if c := g.GramCost(); !(c.Inner > 0) || c.Label == "" || c.Note == "" {
			errs = append(errs, fmt.Errorf("GramCost %+v: want Inner > 0, a Label and a Note", c))
		}
	}
	return errors.Join(errs...)
}

func (s *suite) clone() error {
	c := s.m.Clone()
	fc := linalg.NewDense(s.n, s.K)
	c.Predict(fc, s.o.X)
	if r := relErr(fc.Data, s.f.Data, 1e-300); r != 0 {
		return fmt.Errorf("the clone predicts differently: relative error %.3g", r)
	}
	if s.p > 0 {
		c.Params()[0] += 1
		if s.m.Params()[0] == c.Params()[0] {
			return errors.New("the clone shares its parameters")
		}
	}
	return nil
}

// central returns (fn(θ+hv) − fn(θ−hv))/2h.
func (s *suite) central(v []float64, fn func() float64) float64 {
	theta0 := append([]float64(nil), s.m.Params()...)
	defer copy(s.m.Params(), theta0)
	shift(s.m.Params(), theta0, v, FDStep)
	fp := fn()
	shift(s.m.Params(), theta0, v, -FDStep)
	return (fp - fn()) / (2 * FDStep)
}

// centralVec is central for a vector-valued fn writing length-size dst.
func (s *suite) centralVec(v []float64, size int, fn func(dst []float64)) []float64 {
	theta0 := append([]float64(nil), s.m.Params()...)
	defer copy(s.m.Params(), theta0)
	fp, fm := make([]float64, size), make([]float64, size)
	shift(s.m.Params(), theta0, v, FDStep)
	fn(fp)
	shift(s.m.Params(), theta0, v, -FDStep)
	fn(fm)
	for i := range fp {
		fp[i] = (fp[i] - fm[i]) / (2 * FDStep)
	}
	return fp
}

func (s *suite) vec(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = s.rng.NormFloat64()
	}
	return v
}

// symmetric checks ⟨a1, b1⟩ = ⟨a2, b2⟩ within the rounding bound
// 1e3·ε·terms·(Σ|a1 b1| + Σ|a2 b2|).
func symmetric(what string, a1, b1, a2, b2 []float64, terms int) error {
	x, xa := dot(a1, b1)
	y, ya := dot(a2, b2)
	if bound := 1e3 * 2.2e-16 * float64(terms) * (xa + ya); math.Abs(x-y) > bound {
		return fmt.Errorf("%s: %.17g vs %.17g, difference %.3g > %.3g", what, x, y, x-y, bound)
	}
	return nil
}

// dot returns ⟨a, b⟩ and Σ|a_i b_i|.
func dot(a, b []float64) (s, abs float64) {
	for i := range a {
		s += a[i] * b[i]
		abs += math.Abs(a[i] * b[i])
	}
	return s, abs
}

// relErr returns ‖a − b‖ / max(‖b‖, floor).
func relErr(a, b []float64, floor float64) float64 {
	var d, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		nb += b[i] * b[i]
	}
	return math.Sqrt(d) / max(math.Sqrt(nb), floor)
}

// shift sets θ = θ0 + h·v.
func shift(theta, theta0, v []float64, h float64) {
	for i := range theta {
		theta[i] = theta0[i] + h*v[i]
	}
}

func gaussian(rng *rand.Rand, r, c int) *linalg.Dense {
	m := linalg.NewDense(r, c)
	for i := range m.Data {
		m.Data[i] = rng.NormFloat64()
	}
	return m
}

func oneHot(rng *rand.Rand, n, K int) *linalg.Dense {
	y := linalg.NewDense(n, K)
	for i := 0; i < n; i++ {
		y.Set(i, rng.IntN(K), 1)
	}
	return y
}
