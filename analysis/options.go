package analysis

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// Options configures FromObjective. Zero fields take the stated defaults.
type Options struct {
	// Path is PathAuto (default: see ChoosePath), PathGram, PathDense or
	// PathMatrixFree.
	Path string
	// TopK is the number of top eigen-directions of G (default 10, capped
	// at the rank available).
	TopK int
	// Flat is the number of flattest nonzero eigen-directions (default
	// TopK; negative for none). From the full eigen-decomposition on the
	// dense path and on the Gram path when nK ≤ FullEigenMax; otherwise by
	// Lanczos for the smallest eigenvalues of G or of K, whichever is
	// smaller (flatDirections).
	Flat int
	// FlatIfResolvable skips the flattest directions (a note says why)
	// where they would be searched by Lanczos for the smallest eigenvalues
	// of K through the model (the matrix-free path with p > nK), which
	// rarely converges there: a default for callers that did not ask for
	// them explicitly.
	FlatIfResolvable bool
	// FlatTime: no further Lanczos search for the flattest directions
	// starts after this long (default 10 s); each search is bounded by
	// its operator applications.
	FlatTime time.Duration
	// Random is the number of random unit directions (default 3; negative
	// for none). Direction j is drawn from Seed, the same on every path.
	Random int
	Seed   uint64
	// MemoryBudget bounds the bytes of Jacobian blocks the Gram path holds
	// (default 1 GiB); K itself, (nK)²·8 bytes, is extra.
	MemoryBudget int64
	// FullEigenMax: the Gram path decomposes K fully (EigenSym) when
	// nK ≤ FullEigenMax (default 3000), else runs Lanczos for the top k.
	FullEigenMax int
	// Hessian also computes Tr H and Tr(ΣH): p Hessian-vector products
	// plus n (Gram and matrix-free paths) or p (dense path) more; on the
	// Gram and matrix-free paths with HessianProbes > 0, estimated instead
	// with that many Gaussian probes (one H·v and one Σ·v each).
	Hessian       bool
	HessianProbes int
	// Angles > 0 computes the principal angles between the top-Angles
	// eigenspaces of Σ and G (Lanczos on the Σ operator; on the Gram path
	// the eigenvectors of G are formed as Jᵀa/√κ by Angles VJPs).
	Angles int
	// HessianTop > 0 adds the alignment along the top HessianTop
	// eigenvectors of H (Lanczos on H·v, algebraically largest), kind
	// "top_h", with their Hessian eigenvalues in LambdaH.
	HessianTop int
	// Bootstrap > 0 adds standard errors of μ, μ_c, μ_iso and μ/μ_iso from
	// this many bootstrap resamples of the samples (seeded by Seed; the
	// same resamples on both paths), each evaluated from the same K in
	// O((nK)²) on the Gram path, or from G and Σ₁ re-formed with weights in
	// O((nK + n)p²) on the dense path. Not on the matrix-free path (a note
	// says so).
	Bootstrap int
	// Unstructured makes the Gram path use Syrk on Jacobian blocks even for
	// a models.Grammer (a models.Network, whose K is otherwise assembled
	// layer by layer, or a models.DiagonalLinear), whose own Gram is used
	// otherwise.
	Unstructured bool
	// Probes (matrix-free path): 0 computes the traces exactly with p
	// operator applications each; > 0 estimates them with this many
	// Gaussian probes and reports a standard error.
	Probes int
}

func (o Options) withDefaults() Options {
	if o.Path == "" {
		o.Path = PathAuto
	}
	if o.TopK <= 0 {
		o.TopK = 10
	}
	if o.Flat == 0 {
		o.Flat = o.TopK
	}
	if o.Random == 0 {
		o.Random = 3
	}
	if o.MemoryBudget <= 0 {
		o.MemoryBudget = 1 << 30
	}
	if o.FlatTime <= 0 {
		o.FlatTime = 10 * time.Second
	}
	if o.FullEigenMax <= 0 {
		o.FullEigenMax = 3000
	}
	return o
}

// ErrUnsupported is returned for objectives the analysis does not cover.
// Every loss of package models is covered (through its output-Hessian
// factor); the error remains for callers that test for it.
var ErrUnsupported = errors.New("analysis: unsupported objective")

// FromObjective computes every metric at the objective's current θ by the
// path opt.Path.
//
// The Hessian options (Hessian, HessianTop) need exact Hessian-vector
// products: for a model that is not a models.HVPer FromObjective returns
// an error wrapping models.ErrNoHessian before computing anything.
func FromObjective(obj *models.Objective, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	if (opt.Hessian || opt.HessianTop > 0) && !obj.HasHessian() {
		return nil, fmt.Errorf("analysis: Hessian options: %w: %T", models.ErrNoHessian, obj.Model)
	}
	var note string
	if opt.Path == PathAuto {
		opt.Path, note = choosePath(obj.N(), obj.Model.NumOutputs(), obj.NumParams(), priceGram(obj, opt), opt)
		if opt.Path == PathMatrixFree && opt.Probes == 0 && obj.NumParams() > AutoExactMax {
			opt.Probes = AutoProbes
			note += fmt.Sprintf("; p > %d: traces by %d probes", AutoExactMax, AutoProbes)
		}
	}
	res, err := run(obj, opt)
	if res != nil && opt.Flat > 0 {
		res.FlatWanted = opt.Flat
		for _, d := range res.Directional {
			if d.Kind == "flat" {
				res.FlatFound++
			}
		}
	}
	if res != nil && note != "" {
		res.Notes = append([]string{note}, res.Notes...)
	}
	if err == nil && opt.HessianTop > 0 && obj.N() > 0 && obj.NumParams() > 0 {
		err = hessianDirections(res, obj, opt)
	}
	if res != nil && opt.Bootstrap > 0 && opt.Path == PathMatrixFree {
		res.Notes = append(res.Notes, "bootstrap standard errors need the Gram or the dense path (--path gram|dense)")
	}
	return res, err
}

func run(obj *models.Objective, opt Options) (*Result, error) {
	switch opt.Path {
	case PathGram:
		return gramPath(obj, opt)
	case PathDense:
		return densePath(obj, opt)
	case PathMatrixFree:
		return matrixFreePath(obj, opt)
	}
	return nil, fmt.Errorf("analysis: unknown path %q (want %s, %s or %s)", opt.Path, PathGram, PathDense, PathMatrixFree)
}

// state holds the residuals and gradient at θ.
type state struct {
	obj  *models.Objective
	n, k int
	p    int
	r    *linalg.Dense // n×K cotangents u_i = ∂ℓ_i/∂f (residuals for the square loss)
	fac  *factor       // output-Hessian factors; nil for the square loss
	grad []float64     // ∇L once computed (use gradient())
	loss float64
	twoL float64
}

func newState(obj *models.Objective) *state {
	s := &state{obj: obj, n: obj.N(), k: obj.Model.NumOutputs(), p: obj.NumParams(), fac: newFactor(obj)}
	s.r = linalg.NewDense(s.n, s.k)
	s.loss = obj.Residuals(s.r)
	s.twoL = 2 * s.loss
	return s
}

// gradient returns ∇L, computed on first use (the Gram path's metrics do
// not need it).
func (s *state) gradient() []float64 {
	if s.grad == nil {
		s.grad = make([]float64, s.p)
		if s.n > 0 {
			s.obj.Gradient(s.grad)
		}
	}
	return s.grad
}

func (s *state) ingredients() Ingredients {
	return Ingredients{N: s.n, P: s.p, Outputs: s.k, Loss: s.loss, TwoL: s.twoL,
		GradNorm2: linalg.Dot(s.gradient(), s.gradient())}
}

// quad returns vᵀGv (G = JᵀΛJ/n), vᵀΣ₁v and vᵀ∇L from one J·v (jv is
// n×K scratch).
func (s *state) quad(v []float64, jv *linalg.Dense) (vGv, vS1v, vGrad float64) {
	if s.n == 0 {
		return 0, 0, 0
	}
	s.obj.JVP(jv, v)
	sq := s.fac.quadGGN(jv)
	var s1 float64
	for i := 0; i < s.n; i++ {
		t := linalg.Dot(s.r.Row(i), jv.Row(i))
		s1 += t * t
	}
	inv := 1 / float64(s.n)
	return sq * inv, s1 * inv, linalg.Dot(s.gradient(), v)
}

// randomDirections returns count unit vectors of length p drawn from seed
// (rows of the result), the same for every path.
func randomDirections(p, count int, seed uint64) *linalg.Dense {
	v := linalg.NewDense(count, p)
	rng := rand.New(rand.NewPCG(seed, 0x616c69676e))
	for j := 0; j < count; j++ {
		row := v.Row(j)
		for i := range row {
			row[i] = rng.NormFloat64()
		}
		nrm := linalg.Nrm2(row)
		if nrm > 0 {
			linalg.Scal(1/nrm, row)
		}
	}
	return v
}

// addRandom appends the random-direction alignments.
func (s *state) addRandom(res *Result, opt Options) {
	if opt.Random <= 0 || s.p == 0 {
		return
	}
	v := randomDirections(s.p, opt.Random, opt.Seed)
	jv := linalg.NewDense(s.n, s.k)
	for j := 0; j < opt.Random; j++ {
		vGv, vS1v, vg := s.quad(v.Row(j), jv)
		res.Directional = append(res.Directional, directional("random", j+1, vGv, vS1v, vg, s.twoL))
	}
}

// hessianTraces sets TrH and TrSigmaH. With probes = 0 exactly: TrH from
// p Hessian-vector products on the unit vectors, TrSigmaH =
// (1/n) Σ_i ∇ℓ_iᵀH∇ℓ_i − ∇LᵀH∇L from n+1 more. With probes > 0, Hutchinson
// estimates zᵀHz and zᵀΣHz over Gaussian probes z (one H·v and one Σ·v
// each), with the standard error of TrSigmaH in HStdErr.
func (s *state) hessianTraces(in *Ingredients, probes int, seed uint64) {
	p := s.p
	hv := make([]float64, p)
	if probes > 0 {
		cov, _ := NewCovariance(s.obj, CovarianceOptions{})
		rng := rand.New(rand.NewPCG(seed, 0x68657373))
		z, shv := make([]float64, p), make([]float64, p)
		var th, tsh, tsh2 float64
		for t := 0; t < probes; t++ {
			for j := range z {
				z[j] = rng.NormFloat64()
			}
			s.obj.HessianVec(hv, z)
			cov.Apply(shv, hv)
			th += linalg.Dot(z, hv)
			e := linalg.Dot(z, shv)
			tsh += e
			tsh2 += e * e
		}
		np := float64(probes)
		in.HKnown, in.TrH, in.TrSigmaH = true, th/np, tsh/np
		if probes > 1 {
			in.HStdErr = math.Sqrt(math.Max(0, tsh2/np-in.TrSigmaH*in.TrSigmaH) / (np - 1))
		}
		return
	}
	e := make([]float64, p)
	var trH float64
	for j := 0; j < p; j++ {
		e[j] = 1
		s.obj.HessianVec(hv, e)
		trH += hv[j]
		e[j] = 0
	}
	var ts1h float64
	gi := linalg.NewDense(1, p)
	for i := 0; i < s.n; i++ {
		s.obj.PerSampleGradients(gi, i)
		s.obj.HessianVec(hv, gi.Data)
		ts1h += linalg.Dot(gi.Data, hv)
	}
	if s.n > 0 {
		ts1h /= float64(s.n)
	}
	s.obj.HessianVec(hv, s.gradient())
	in.HKnown, in.TrH, in.TrSigmaH = true, trH, ts1h-linalg.Dot(s.gradient(), hv)
}

// PathAuto lets ChoosePath pick the path.
const PathAuto = "auto"

// When PathAuto picks the matrix-free path for more than AutoExactMax
// parameters and Options.Probes is 0, the traces are estimated with
// AutoProbes probes instead of p exact applications.
const (
	AutoExactMax = 4096
	AutoProbes   = 100
)

// ChoosePath picks the path for n samples, K outputs and p parameters by
// estimated flops among those whose matrices fit opt.MemoryBudget:
// dense needs (nK·p + n·p + 3p²)·8 bytes and about nK·p² + n·p² + 4p³
// flops (two Syrks, EigenSym); Gram needs (nK)²·8 bytes plus its Jacobian blocks and
// about (nK)²·p flops plus 4(nK)³ for the full eigen-decomposition (or a
// Lanczos run when nK > FullEigenMax). When neither fits, the matrix-free
// path. It returns the path and a sentence saying why. It prices K as a
// Syrk over the Jacobian; FromObjective prices a network's layer-by-layer
// K and the second Gram matrix of a loss other than the square loss.
func ChoosePath(n, K, p int, opt Options) (string, string) {
	return choosePath(n, K, p, gramPrice{inner: float64(p), mats: 1}, opt)
}

// gramPrice describes the Gram path's cost: K costs (nK)²·inner flops
// (inner = p for a Syrk over J), plus extra flops, and the path holds
// mats matrices of (nK)² values.
type gramPrice struct {
	inner, extra float64
	mats         int
	how          string
}

// priceGram returns the Gram path's price for the objective: a
// models.Grammer's K costs what its GramCost says (a models.Network's,
// assembled layer by layer, inner = Σ_l (In_l + bias)/K² + Out_l instead
// of p; a diagonal linear network's d); a loss other than the square loss adds SᵀKS (2n²K³ flops) and a second
// matrix; the flattest directions by shift-invert (nK > FullEigenMax) a
// Cholesky factor.
func priceGram(obj *models.Objective, opt Options) gramPrice {
	opt = opt.withDefaults()
	n, K, p := obj.N(), obj.Model.NumOutputs(), obj.NumParams()
	g := gramPrice{inner: float64(p), mats: 1}
	if gm, ok := obj.Model.(models.Grammer); ok && !opt.Unstructured {
		c := gm.GramCost()
		g.inner, g.how = c.Inner, c.Label
	}
	nonSquare := obj.Loss.Name() != "square"
	if nonSquare {
		g.extra = 2 * float64(n) * float64(n) * float64(K*K*K)
	}
	if nK := n * K; nK > opt.FullEigenMax && opt.Flat > 0 && p > nK {
		// The flattest directions by shift-invert: a Cholesky factor of
		// K_Λ + σI beside K, (nK)³/3 flops.
		g.extra += float64(nK) * float64(nK) * float64(nK) / 3
	}
	g.mats = gramMats(n*K, p, nonSquare, opt)
	return g
}

// gramMats is the number of (nK)² matrices the Gram path holds: K, the
// weighted K_Λ for a loss other than the square loss, and the Cholesky
// factor of the flattest directions' shift-invert (nK > FullEigenMax).
func gramMats(nK, p int, nonSquare bool, opt Options) int {
	mats := 1
	if nonSquare {
		mats++
	}
	if nK > opt.FullEigenMax && opt.Flat > 0 && p > nK {
		mats++
	}
	return mats
}

// PathMemory estimates the bytes the matrices of path hold for n samples,
// K outputs and p parameters (nonSquare for a loss other than the square
// loss), by the formulas ChoosePath compares with opt.MemoryBudget: dense
// (nK·p + n·p + 3p²)·8, Gram one to three (nK)² matrices, matrix-free the
// Lanczos basis and a few vectors of length p and nK. The model's own
// storage and the data are not included. PathAuto gives the smallest.
func PathMemory(path string, n, K, p int, nonSquare bool, opt Options) float64 {
	opt = opt.withDefaults()
	nK, fn, fp := float64(n)*float64(K), float64(n), float64(p)
	switch path {
	case PathDense:
		return (nK*fp + fn*fp + 3*fp*fp) * 8
	case PathGram:
		return float64(gramMats(n*K, p, nonSquare, opt)) * nK * nK * 8
	case PathMatrixFree:
		basis := float64(max(2*opt.TopK+1, 2*(opt.Flat+flatExtra)+1, 20))
		return ((basis+1)*max(fp, nK) + 8*fp + 6*nK) * 8
	}
	return min(PathMemory(PathDense, n, K, p, nonSquare, opt), PathMemory(PathGram, n, K, p, nonSquare, opt),
		PathMemory(PathMatrixFree, n, K, p, nonSquare, opt))
}

func choosePath(n, K, p int, g gramPrice, opt Options) (string, string) {
	opt = opt.withDefaults()
	nK := float64(n * K)
	fp := float64(p)
	budget := float64(opt.MemoryBudget)
	denseMem := PathMemory(PathDense, n, K, p, false, opt)
	gramMem := float64(g.mats) * nK * nK * 8
	denseCost := nK*fp*fp + float64(n)*fp*fp + 4*fp*fp*fp
	gramCost := nK*nK*g.inner + g.extra
	if n*K <= opt.FullEigenMax {
		gramCost += 4 * nK * nK * nK
	} else {
		gramCost += nK * nK * float64(30*opt.TopK)
	}
	how := ""
	if g.how != "" {
		how = ", " + g.how
	}
	denseOK, gramOK := denseMem <= budget, gramMem <= budget
	switch {
	case denseOK && (!gramOK || denseCost <= gramCost):
		return PathDense, fmt.Sprintf("auto: dense path (p = %d, about %.2g flops, %.3g MB; Gram %.2g flops%s)", p, denseCost, denseMem/1e6, gramCost, how)
	case gramOK:
		return PathGram, fmt.Sprintf("auto: Gram path (nK = %d, about %.2g flops%s, K %.3g MB; dense %.2g flops)", n*K, gramCost, how, gramMem/1e6, denseCost)
	}
	return PathMatrixFree, fmt.Sprintf("auto: matrix-free path (dense %.3g MB and Gram %.3g MB exceed the budget %.3g MB)", denseMem/1e6, gramMem/1e6, budget/1e6)
}

// hessianDirections appends g along the top eigenvectors of H.
func hessianDirections(res *Result, obj *models.Objective, opt Options) error {
	vecs, vals, err := topVectors(Hessian{obj}, opt.HessianTop, opt.Seed)
	if err != nil {
		return fmt.Errorf("analysis: Lanczos on H: %w", err)
	}
	s := newState(obj)
	jv := linalg.NewDense(s.n, s.k)
	for t, lam := range vals {
		vGv, vS1v, vg := s.quad(vecs.Row(t), jv)
		d := directional("top_h", t+1, vGv, vS1v, vg, s.twoL)
		d.LambdaH = lam
		res.Directional = append(res.Directional, d)
	}
	res.HEigenvalues = vals
	return nil
}
