package models

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
)

// Objective is the empirical risk L(θ) = (1/n) Σ_i ℓ(f(x_i; θ), y_i) of a
// Model on a data set (X n×d, Y n×K). Its curvature products use the
// paper's normalisation: G = JᵀΛJ/n, H = ∇²L. Per-sample quantities are
// not divided by n: the per-sample gradient is ∇ℓ_i = J_iᵀ u_i (for the
// square loss r_i ∇f_i with r_i = f(x_i) − y_i).
//
// Like its Model, an Objective is not safe for concurrent use.
type Objective struct {
	Model Model
	Loss  Loss
	X, Y  *linalg.Dense

	h LossHead // reused by head()
}

// NewObjective checks shapes and returns the objective.
func NewObjective(m Model, loss Loss, x, y *linalg.Dense) *Objective {
	checkBatch("NewObjective", m, x)
	if y.Rows != x.Rows || y.Cols != m.NumOutputs() {
		panic(fmt.Sprintf("models: NewObjective: y is %d×%d, want %d×%d", y.Rows, y.Cols, x.Rows, m.NumOutputs()))
	}
	return &Objective{Model: m, Loss: loss, X: x, Y: y}
}

// N returns the number of samples.
func (o *Objective) N() int { return o.X.Rows }

// NumParams returns p.
func (o *Objective) NumParams() int { return o.Model.NumParams() }

func (o *Objective) head() *LossHead {
	o.h = LossHead{Loss: o.Loss, Y: o.Y}
	return &o.h
}

func (o *Objective) invN() float64 {
	if o.N() == 0 {
		return 0
	}
	return 1 / float64(o.N())
}

// Value returns L(θ). It allocates the n×K predictions; Residuals avoids
// that.
func (o *Objective) Value() float64 {
	f := linalg.NewDense(o.N(), o.Model.NumOutputs())
	return o.Residuals(f)
}

// Residuals writes ∂ℓ_i/∂f_i into dst (n×K) and returns L. For the square
// loss this is the residual r_i = f(x_i) − y_i; for cross-entropy
// p_i − y_i.
func (o *Objective) Residuals(dst *linalg.Dense) float64 {
	checkOut("Residuals", dst, o.N(), o.Model.NumOutputs())
	o.Model.Predict(dst, o.X)
	return o.Loss.Eval(dst, dst, o.Y) * o.invN()
}

// Gradient writes ∇L into dst and returns L.
func (o *Objective) Gradient(dst []float64) float64 {
	h := o.head()
	o.Model.VJP(dst, o.X, h)
	linalg.Scal(o.invN(), dst)
	return h.Sum * o.invN()
}

// PerSampleGradients writes ∇ℓ_i for samples i0, …, i0+dst.Rows−1 into the
// rows of dst (p columns). Call it on blocks of rows to bound memory.
func (o *Objective) PerSampleGradients(dst *linalg.Dense, i0 int) {
	x, y := o.X.RowsView(i0, i0+dst.Rows), o.Y.RowsView(i0, i0+dst.Rows)
	o.Model.PerSampleVJP(dst, x, &LossHead{Loss: o.Loss, Y: y})
}

// PerSampleGradNorms writes ‖∇ℓ_i‖² into dst (length n) without forming
// the per-sample gradients where the model's structure allows it.
func (o *Objective) PerSampleGradNorms(dst []float64) {
	PerSampleVJPNorms(o.Model, dst, o.X, o.head())
}

// Jacobian writes the Jacobian rows of samples i0, …, i0+dst.Rows/K−1 into
// dst ((rows·K)×p, row (i−i0)·K+k is ∇f_k(x_i)ᵀ).
func (o *Objective) Jacobian(dst *linalg.Dense, i0 int) {
	K := o.Model.NumOutputs()
	if dst.Rows%K != 0 {
		panic(fmt.Sprintf("models: Jacobian: %d rows is not a multiple of K = %d", dst.Rows, K))
	}
	Jacobian(o.Model, dst, o.X.RowsView(i0, i0+dst.Rows/K))
}

// JacobianBlocks calls fn with consecutive blocks of J, each holding the
// rows of at most samples samples (samples·K rows), reusing one buffer:
// fn must not keep the block. i0 is the first sample of the block.
func (o *Objective) JacobianBlocks(samples int, fn func(i0 int, block *linalg.Dense)) {
	if samples <= 0 {
		panic("models: JacobianBlocks: samples must be positive")
	}
	K, p := o.Model.NumOutputs(), o.Model.NumParams()
	buf := make([]float64, min(samples, o.N())*K*p)
	for i0 := 0; i0 < o.N(); i0 += samples {
		r := min(samples, o.N()-i0)
		block := linalg.NewDenseData(r*K, p, buf[:r*K*p])
		o.Jacobian(block, i0)
		fn(i0, block)
	}
}

// JVP writes Jv into dst (n×K).
func (o *Objective) JVP(dst *linalg.Dense, v []float64) { o.Model.JVP(dst, o.X, v) }

// VJP writes Jᵀu into dst for u (n×K).
func (o *Objective) VJP(dst []float64, u *linalg.Dense) {
	checkOut("VJP", u, o.N(), o.Model.NumOutputs())
	o.Model.VJP(dst, o.X, CotangentHead{U: u})
}

// GaussNewtonVec writes G v = JᵀΛJv/n into dst.
func (o *Objective) GaussNewtonVec(dst, v []float64) {
	GaussNewtonProduct(o.Model, dst, o.X, v, o.head())
	linalg.Scal(o.invN(), dst)
}

// HasHessian reports whether HessianVec is available (the model is an
// HVPer).
func (o *Objective) HasHessian() bool { return HasHessian(o.Model) }

// HessianVec writes H v = ∇²L·v into dst (exact, for a Network by
// forward-over-reverse differentiation). It panics with ErrNoHessian when
// the model is not an HVPer: check HasHessian first.
func (o *Objective) HessianVec(dst, v []float64) {
	if err := HessianProduct(o.Model, dst, o.X, v, o.head()); err != nil {
		panic(err)
	}
	linalg.Scal(o.invN(), dst)
}

// DiagGaussNewton writes diag(G) into dst.
func (o *Objective) DiagGaussNewton(dst []float64) {
	DiagGGN(o.Model, dst, o.X, o.head())
	linalg.Scal(o.invN(), dst)
}

// Rows returns the objective on samples [i0, i1) (a mini-batch), sharing
// the model and viewing the data without copying.
func (o *Objective) Rows(i0, i1 int) *Objective {
	return &Objective{Model: o.Model, Loss: o.Loss, X: o.X.RowsView(i0, i1), Y: o.Y.RowsView(i0, i1)}
}
