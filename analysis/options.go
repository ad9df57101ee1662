package analysis

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// Options configures FromObjective. Zero fields take the stated defaults.
type Options struct {
	// Path is PathGram (default), PathDense or PathMatrixFree.
	Path string
	// TopK is the number of top eigen-directions of G (default 10, capped
	// at the rank available).
	TopK int
	// Flat is the number of flattest nonzero eigen-directions (default
	// TopK). Computed on the dense path and on the Gram path when K is
	// fully decomposed; skipped (with a note) otherwise.
	Flat int
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
	// plus n (Gram and matrix-free paths) or p (dense path) more.
	Hessian bool
	// Probes (matrix-free path): 0 computes the traces exactly with p
	// operator applications each; > 0 estimates them with this many
	// Gaussian probes and reports a standard error.
	Probes int
}

func (o Options) withDefaults() Options {
	if o.Path == "" {
		o.Path = PathGram
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
	if o.FullEigenMax <= 0 {
		o.FullEigenMax = 3000
	}
	return o
}

// ErrUnsupported is returned for objectives the analysis does not cover.
var ErrUnsupported = errors.New("analysis: unsupported objective")

// FromObjective computes every metric at the objective's current θ by the
// path opt.Path.
func FromObjective(obj *models.Objective, opt Options) (*Result, error) {
	if obj.Loss.Name() != "square" {
		return nil, fmt.Errorf("%w: loss %q (only the square loss)", ErrUnsupported, obj.Loss.Name())
	}
	opt = opt.withDefaults()
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
	r    *linalg.Dense // n×K residuals
	grad []float64     // ∇L
	loss float64
	twoL float64
}

func newState(obj *models.Objective) *state {
	s := &state{obj: obj, n: obj.N(), k: obj.Model.NumOutputs(), p: obj.NumParams()}
	s.r = linalg.NewDense(s.n, s.k)
	s.loss = obj.Residuals(s.r)
	s.twoL = 2 * s.loss
	s.grad = make([]float64, s.p)
	if s.n > 0 {
		obj.Gradient(s.grad)
	}
	return s
}

func (s *state) ingredients() Ingredients {
	return Ingredients{N: s.n, P: s.p, Outputs: s.k, Loss: s.loss, TwoL: s.twoL,
		GradNorm2: linalg.Dot(s.grad, s.grad)}
}

// quad returns vᵀGv, vᵀΣ₁v and vᵀ∇L from one J·v (jv is n×K scratch).
func (s *state) quad(v []float64, jv *linalg.Dense) (vGv, vS1v, vGrad float64) {
	if s.n == 0 {
		return 0, 0, 0
	}
	s.obj.JVP(jv, v)
	var sq, s1 float64
	for i := 0; i < s.n; i++ {
		ji, ri := jv.Row(i), s.r.Row(i)
		sq += linalg.Dot(ji, ji)
		t := linalg.Dot(ri, ji)
		s1 += t * t
	}
	inv := 1 / float64(s.n)
	return sq * inv, s1 * inv, linalg.Dot(s.grad, v)
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

// hessianTraces sets TrH (p Hessian-vector products on the unit vectors)
// and TrSigmaH = (1/n) Σ_i ∇ℓ_iᵀH∇ℓ_i − ∇LᵀH∇L (n+1 more).
func (s *state) hessianTraces(in *Ingredients) {
	p := s.p
	hv := make([]float64, p)
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
	s.obj.HessianVec(hv, s.grad)
	in.HKnown, in.TrH, in.TrSigmaH = true, trH, ts1h-linalg.Dot(s.grad, hv)
}
