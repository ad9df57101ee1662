package models

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
)

// Model is a differentiable predictor f(x; θ) with K outputs and p trainable
// parameters in one flat vector. See the package documentation for the
// layout of J, Jv and Jᵀu.
//
// These are the core methods every model has; what a family can do better
// than the generic algorithms built on them (per-sample norms, exact
// Hessian-vector products, diag(G), the Gram matrix) it offers through the
// optional interfaces VJPNormer, HVPer, DiagGGNer and Grammer. The package
// modeltest checks an implementation against finite differences.
//
// All methods take a batch x (n×d, one sample per row) and write into
// destinations supplied by the caller, which must not overlap the inputs.
// Implementations may reuse an internal workspace, so a Model need not be
// safe for concurrent use. Destinations are overwritten, never accumulated
// into. Methods taking a Head call its methods with row offsets i0 relative
// to x.
type Model interface {
	// NumParams returns p, the number of trainable parameters.
	NumParams() int
	// InputDim returns d.
	InputDim() int
	// NumOutputs returns K.
	NumOutputs() int
	// Params returns the live parameter vector θ (length p). Writing to it
	// changes the model.
	Params() []float64
	// Clone returns an independent deep copy (parameters, frozen weights,
	// fresh workspace).
	Clone() Model

	// Predict writes f(x_i; θ) into row i of dst (n×K).
	Predict(dst, x *linalg.Dense)
	// JVP writes Jv into dst (n×K): dst_ik = ∇f_k(x_i)ᵀ v.
	JVP(dst, x *linalg.Dense, v []float64)
	// VJP writes Σ_i J_iᵀ u_i into dst (length p), where J_i is the K×p
	// Jacobian of sample i and u_i = h.Cotangent of its predictions.
	VJP(dst []float64, x *linalg.Dense, h Head)
	// PerSampleVJP writes J_iᵀ u_i into row i of dst (n×p).
	PerSampleVJP(dst, x *linalg.Dense, h Head)
}

// Head supplies what sits on top of a model's outputs: the cotangent
// u_i = ∂ℓ_i/∂f_i and the output curvature Λ_i. Methods receive the
// predictions f for a block of rows starting at sample i0 of the batch.
type Head interface {
	// Cotangent writes u for the rows of f (dst has f's shape).
	Cotangent(dst, f *linalg.Dense, i0 int)
	// HessProd writes Λ_i df_i into row i of dst.
	HessProd(dst, f, df *linalg.Dense, i0 int)
	// HessFactor writes column k (0 ≤ k < K) of a factor S_i, Λ_i = S_i S_iᵀ.
	HessFactor(dst, f *linalg.Dense, k, i0 int)
}

// CotangentHead is a Head with a fixed cotangent U (n×K, independent of the
// predictions) and Λ = I. With it, VJP computes Jᵀu and HVP with
// gaussNewton computes JᵀJv.
type CotangentHead struct{ U *linalg.Dense }

// Cotangent, HessProd and HessFactor implement Head.
func (h CotangentHead) Cotangent(dst, f *linalg.Dense, i0 int) {
	var view linalg.Dense
	dst.Copy(rowsInto(&view, h.U, i0, i0+dst.Rows))
}
func (CotangentHead) HessProd(dst, f, df *linalg.Dense, i0 int) { dst.Copy(df) }
func (CotangentHead) HessFactor(dst, f *linalg.Dense, k, i0 int) {
	Square{}.HessFactor(dst, f, f, k)
}

// unitHead has cotangent e_k for every sample: J_iᵀu_i = ∇f_k(x_i).
type unitHead struct{ k int }

// unitHead implements Head.
func (h unitHead) Cotangent(dst, f *linalg.Dense, i0 int) {
	Square{}.HessFactor(dst, f, f, h.k)
}
func (unitHead) HessProd(dst, f, df *linalg.Dense, i0 int) { dst.Copy(df) }
func (unitHead) HessFactor(dst, f *linalg.Dense, k, i0 int) {
	Square{}.HessFactor(dst, f, f, k)
}

// LossHead is the Head of a loss with targets Y (n×K): u_i = ∂ℓ/∂f(f_i, y_i),
// Λ_i = ∂²ℓ/∂f². Sum accumulates Σ ℓ_i over the rows passed to Cotangent.
type LossHead struct {
	Loss Loss
	Y    *linalg.Dense
	Sum  float64
	view linalg.Dense
}

// Cotangent (which adds Σ ℓ_i to Sum), HessProd and HessFactor implement Head.
func (h *LossHead) Cotangent(dst, f *linalg.Dense, i0 int) {
	h.Sum += h.Loss.Eval(dst, f, rowsInto(&h.view, h.Y, i0, i0+f.Rows))
}
func (h *LossHead) HessProd(dst, f, df *linalg.Dense, i0 int) {
	h.Loss.HessProd(dst, f, rowsInto(&h.view, h.Y, i0, i0+f.Rows), df)
}
func (h *LossHead) HessFactor(dst, f *linalg.Dense, k, i0 int) {
	h.Loss.HessFactor(dst, f, rowsInto(&h.view, h.Y, i0, i0+f.Rows), k)
}

// Jacobian writes the Jacobian rows of the samples in x into dst
// ((n·K)×p): row i·K+k is ∇f_k(x_i)ᵀ. Bound memory by passing a few rows of
// the batch at a time (see Objective.JacobianBlocks).
func Jacobian(m Model, dst, x *linalg.Dense) {
	n, K, p := x.Rows, m.NumOutputs(), m.NumParams()
	if dst.Rows != n*K || dst.Cols != p {
		panic(fmt.Sprintf("models: Jacobian: dst is %d×%d, want %d×%d", dst.Rows, dst.Cols, n*K, p))
	}
	if n == 0 || p == 0 {
		return
	}
	for k := 0; k < K; k++ {
		// Rows k, K+k, 2K+k, …: a view with stride K·Stride.
		view := &linalg.Dense{Rows: n, Cols: p, Stride: K * dst.Stride, Data: dst.Data[k*dst.Stride:]}
		m.PerSampleVJP(view, x, unitHead{k})
	}
}

// rowsInto makes *dst the view of rows [i0, i1) of m without allocating.
func rowsInto(dst, m *linalg.Dense, i0, i1 int) *linalg.Dense {
	if i0 < 0 || i1 < i0 || i1 > m.Rows {
		panic(fmt.Sprintf("models: rows [%d, %d) out of range for %d rows", i0, i1, m.Rows))
	}
	*dst = linalg.Dense{Rows: i1 - i0, Cols: m.Cols, Stride: m.Stride}
	if i1 > i0 && m.Cols > 0 {
		dst.Data = m.Data[i0*m.Stride : (i1-1)*m.Stride+m.Cols]
	}
	return dst
}

func checkBatch(op string, m Model, x *linalg.Dense) {
	if x.Cols != m.InputDim() {
		panic(fmt.Sprintf("models: %s: x has %d columns, model takes %d inputs", op, x.Cols, m.InputDim()))
	}
}

func checkOut(op string, dst *linalg.Dense, r, c int) {
	if dst.Rows != r || dst.Cols != c {
		panic(fmt.Sprintf("models: %s: dst is %d×%d, want %d×%d", op, dst.Rows, dst.Cols, r, c))
	}
}

func checkLen(op, name string, v []float64, n int) {
	if len(v) != n {
		panic(fmt.Sprintf("models: %s: len(%s) = %d, want %d", op, name, len(v), n))
	}
}
