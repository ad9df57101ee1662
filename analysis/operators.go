package analysis

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// GaussNewton is the operator G = JᵀJ/n of an objective (linalg.Operator).
type GaussNewton struct{ Obj *models.Objective }

// Dim returns p.
func (o GaussNewton) Dim() int { return o.Obj.NumParams() }

// Apply sets dst = G·src.
func (o GaussNewton) Apply(dst, src []float64) { o.Obj.GaussNewtonVec(dst, src) }

// Hessian is the operator H = ∇²L of an objective (linalg.Operator). Its
// model must offer exact Hessian-vector products (Obj.HasHessian; Apply
// panics with models.ErrNoHessian otherwise).
type Hessian struct{ Obj *models.Objective }

// Dim returns p.
func (o Hessian) Dim() int { return o.Obj.NumParams() }

// Apply sets dst = H·src.
func (o Hessian) Apply(dst, src []float64) { o.Obj.HessianVec(dst, src) }

// CovarianceOptions selects the noise covariance.
type CovarianceOptions struct {
	// Uncentered gives Σ₁ = (1/n) Σ_i ∇ℓ_i∇ℓ_iᵀ; otherwise the centered
	// Σ = Σ₁ − ∇L∇Lᵀ.
	Uncentered bool
	// Batch B > 1 gives the covariance of the minibatch gradient
	// (1/B) Σ_{i∈batch} ∇ℓ_i: Σ/B when sampled with replacement,
	// (n−B)/(B(n−1))·Σ without. Only for the centered Σ.
	Batch       int
	Replacement bool
}

// Covariance is a noise covariance of an objective as a matrix-free
// operator (linalg.Operator): Σ₁v = (1/n) Jᵀu with u_i = r_i·(r_iᵀ(Jv)_i),
// one J·v and one Jᵀ·u per application, the centered form subtracting
// ∇L(∇Lᵀv). The residuals and ∇L are taken at construction: rebuild the
// operator after θ changes.
type Covariance struct {
	obj        *models.Objective
	r, jv, u   *linalg.Dense
	grad       []float64
	centered   bool
	factor     float64
	n, outputs int
}

// NewCovariance returns the covariance operator at the objective's
// current θ (any loss: Σ₁ is built from the cotangents u_i = ∂ℓ_i/∂f).
func NewCovariance(obj *models.Objective, opt CovarianceOptions) (*Covariance, error) {
	s := newState(obj)
	c := &Covariance{obj: obj, r: s.r, grad: s.gradient(), centered: !opt.Uncentered, factor: 1,
		n: s.n, outputs: s.k, jv: linalg.NewDense(s.n, s.k), u: linalg.NewDense(s.n, s.k)}
	f, err := BatchFactor(s.n, opt.Batch, opt.Replacement)
	if err != nil {
		return nil, err
	}
	if f != 1 && opt.Uncentered {
		return nil, fmt.Errorf("analysis: a minibatch covariance (B = %d) is defined for the centered Σ only", opt.Batch)
	}
	c.factor = f
	return c, nil
}

// BatchFactor returns the factor that turns Σ (batch size 1) into the
// covariance of the mean gradient of a minibatch of size B: 1/B with
// replacement, (n−B)/(B(n−1)) without (0 when B = n). B ≤ 1 gives 1.
func BatchFactor(n, b int, replacement bool) (float64, error) {
	switch {
	case b <= 1:
		return 1, nil
	case replacement:
		return 1 / float64(b), nil
	case b > n:
		return 0, fmt.Errorf("analysis: batch %d > n = %d without replacement", b, n)
	}
	return float64(n-b) / (float64(b) * float64(n-1)), nil
}

// Dim returns p.
func (c *Covariance) Dim() int { return c.obj.NumParams() }

// Apply sets dst = Σ·src (or Σ₁·src, times the batch factor).
func (c *Covariance) Apply(dst, src []float64) {
	if c.n == 0 {
		clear(dst)
		return
	}
	c.obj.JVP(c.jv, src)
	inv := 1 / float64(c.n)
	for i := 0; i < c.n; i++ {
		ri, ui := c.r.Row(i), c.u.Row(i)
		t := linalg.Dot(ri, c.jv.Row(i)) * inv
		for k, rk := range ri {
			ui[k] = rk * t
		}
	}
	c.obj.VJP(dst, c.u)
	if c.centered {
		linalg.Axpy(-linalg.Dot(c.grad, src), c.grad, dst)
	}
	if c.factor != 1 {
		linalg.Scal(c.factor, dst)
	}
}

// DenseMatrices holds Σ₁, Σ, G and (optionally) H as p×p matrices and ∇L.
type DenseMatrices struct {
	Sigma1, Sigma, G, H *linalg.Dense
	Grad                []float64
	Loss                float64
}

// Dense forms Σ₁ = PᵀP/n (P the n×p per-sample gradients), Σ = Σ₁ − ∇L∇Lᵀ
// and G = J̃ᵀJ̃/n through Syrk (J̃ = J for the square loss; otherwise the
// rows of sample i are S_iᵀJ_i, Λ_i = S_iS_iᵀ the loss's output Hessian,
// so G = JᵀΛJ/n, the generalized Gauss–Newton matrix), and H from p
// Hessian-vector products when withH (symmetrized). Memory O(nKp + p²): for small p.
//
// withH needs exact Hessian-vector products: for a model that is not a
// models.HVPer, Dense returns an error wrapping models.ErrNoHessian.
func Dense(obj *models.Objective, withH bool) (*DenseMatrices, error) {
	if withH && !obj.HasHessian() {
		return nil, fmt.Errorf("analysis: dense H: %w: %T", models.ErrNoHessian, obj.Model)
	}
	n, K, p := obj.N(), obj.Model.NumOutputs(), obj.NumParams()
	m := &DenseMatrices{Sigma1: linalg.NewDense(p, p), G: linalg.NewDense(p, p), Grad: make([]float64, p)}
	if n > 0 && p > 0 {
		inv := 1 / float64(n)
		j := linalg.NewDense(n*K, p)
		obj.Jacobian(j, 0)
		if fac := newFactor(obj); fac != nil {
			j = fac.leftT(j)
		}
		linalg.Syrk(linalg.T, inv, j, 0, m.G)
		ps := linalg.NewDense(n, p)
		obj.PerSampleGradients(ps, 0)
		linalg.Syrk(linalg.T, inv, ps, 0, m.Sigma1)
		m.Loss = obj.Gradient(m.Grad)
	} else if n > 0 {
		m.Loss = obj.Value()
	}
	m.Sigma = m.Sigma1.Clone()
	for a := 0; a < p; a++ {
		linalg.Axpy(-m.Grad[a], m.Grad, m.Sigma.Row(a))
	}
	if withH {
		m.H = linalg.NewDense(p, p)
		e := make([]float64, p)
		for a := 0; a < p; a++ {
			e[a] = 1
			obj.HessianVec(m.H.Row(a), e)
			e[a] = 0
		}
		for a := 0; a < p; a++ {
			for b := 0; b < a; b++ {
				v := (m.H.At(a, b) + m.H.At(b, a)) / 2
				m.H.Set(a, b, v)
				m.H.Set(b, a, v)
			}
		}
	}
	return m, nil
}
