package models

import (
	"errors"
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
)

// Optional capabilities. A Model needs only the core methods; a family
// that can do better implements one of the interfaces below, and the
// package-level functions of the same name (PerSampleVJPNorms,
// GaussNewtonProduct, HessianProduct, DiagGGN) and package analysis
// discover it with a type assertion. Every capability but the exact
// Hessian has a generic fallback built on the core methods, which gives
// the same numbers up to rounding (modeltest checks that it does).

// VJPNormer computes per-sample cotangent norms without forming the
// per-sample vectors.
type VJPNormer interface {
	Model
	// PerSampleVJPNorms writes ‖J_iᵀ u_i‖² into dst[i] (length n), u_i the
	// head's cotangent of sample i.
	PerSampleVJPNorms(dst []float64, x *linalg.Dense, h Head)
}

// HVPer computes curvature-vector products exactly (for a Network by
// forward-over-reverse differentiation).
type HVPer interface {
	Model
	// HVP writes Σ_i J_iᵀ Λ_i J_i v into dst and, unless gaussNewton, adds
	// the second-order term Σ_{i,k} u_ik ∇²f_k(x_i) v, where u and Λ come
	// from h. With h from a loss this is the (unnormalized) Hessian of
	// Σ_i ℓ_i times v, or its Gauss–Newton part.
	HVP(dst []float64, x *linalg.Dense, v []float64, h Head, gaussNewton bool)
}

// DiagGGNer computes the diagonal of the Gauss–Newton matrix directly.
type DiagGGNer interface {
	Model
	// DiagGGN writes diag(Σ_i J_iᵀ Λ_i J_i) into dst (length p).
	DiagGGN(dst []float64, x *linalg.Dense, h Head)
}

// GramCost describes how a Grammer assembles K = JJᵀ: about (nK)²·Inner
// flops (Inner = p for a Syrk over the Jacobian), Label a short phrase for
// the path choice ("layer-structured K") and Note a sentence for the
// analysis' notes.
type GramCost struct {
	Inner       float64
	Label, Note string
}

// Grammer assembles the Gram matrix K = JJᵀ from the model's structure
// without forming J. The generic fallback is the Syrk over Jacobian
// blocks (analysis.Gram).
type Grammer interface {
	Model
	// Gram returns K ((nK)×(nK), entry ((i,k),(j,k')) = ∇f_k(x_i)·∇f_k'(x_j))
	// for the inputs x.
	Gram(x *linalg.Dense) *linalg.Dense
	// GramCost returns the cost of Gram.
	GramCost() GramCost
}

// ErrNoHessian is returned (wrapped) when an exact Hessian-vector product
// is asked of a model that does not implement HVPer: the second-order term
// needs second derivatives of f, which the core methods do not give.
var ErrNoHessian = errors.New("models: the model has no exact Hessian-vector product (implement models.HVPer)")

// HasHessian reports whether m offers exact Hessian-vector products.
func HasHessian(m Model) bool {
	_, ok := m.(HVPer)
	return ok
}

// PerSampleVJPNorms writes ‖J_iᵀ u_i‖² into dst[i]: by the model's own
// method (VJPNormer) or from per-sample VJPs formed a block of rows at a
// time.
func PerSampleVJPNorms(m Model, dst []float64, x *linalg.Dense, h Head) {
	if nm, ok := m.(VJPNormer); ok {
		nm.PerSampleVJPNorms(dst, x, h)
		return
	}
	checkLen("PerSampleVJPNorms", "dst", dst, x.Rows)
	perSampleBlocks(m, x, h, func(i0 int, rows *linalg.Dense) {
		for i := 0; i < rows.Rows; i++ {
			r := rows.Row(i)
			dst[i0+i] = linalg.Dot(r, r)
		}
	})
}

// GaussNewtonProduct writes Σ_i J_iᵀ Λ_i J_i v into dst: by the model's HVP
// or as Jᵀ(Λ(J v)) from Predict, JVP and VJP.
func GaussNewtonProduct(m Model, dst []float64, x *linalg.Dense, v []float64, h Head) {
	if hm, ok := m.(HVPer); ok {
		hm.HVP(dst, x, v, h, true)
		return
	}
	checkLen("GaussNewtonProduct", "dst", dst, m.NumParams())
	checkLen("GaussNewtonProduct", "v", v, m.NumParams())
	K := m.NumOutputs()
	f, jv, lam := linalg.NewDense(x.Rows, K), linalg.NewDense(x.Rows, K), linalg.NewDense(x.Rows, K)
	m.Predict(f, x)
	m.JVP(jv, x, v)
	h.HessProd(lam, f, jv, 0)
	m.VJP(dst, x, CotangentHead{U: lam})
}

// HessianProduct writes the Hessian-vector product of HVPer.HVP (not
// Gauss–Newton) into dst. It returns ErrNoHessian, leaving dst alone, when
// m has no exact one.
func HessianProduct(m Model, dst []float64, x *linalg.Dense, v []float64, h Head) error {
	hm, ok := m.(HVPer)
	if !ok {
		return fmt.Errorf("%w: %T", ErrNoHessian, m)
	}
	hm.HVP(dst, x, v, h, false)
	return nil
}

// DiagGGN writes diag(Σ_i J_iᵀ Λ_i J_i) into dst: by the model's own method
// (DiagGGNer) or as Σ_{i,k} (J_iᵀ s_ik)², s_ik column k of the head's
// factor S_i (Λ_i = S_i S_iᵀ), from per-sample VJPs a block of rows at a
// time.
func DiagGGN(m Model, dst []float64, x *linalg.Dense, h Head) {
	if dm, ok := m.(DiagGGNer); ok {
		dm.DiagGGN(dst, x, h)
		return
	}
	checkLen("DiagGGN", "dst", dst, m.NumParams())
	clear(dst)
	for k := 0; k < m.NumOutputs(); k++ {
		perSampleBlocks(m, x, factorHead{h, k}, func(_ int, rows *linalg.Dense) {
			for i := 0; i < rows.Rows; i++ {
				for j, g := range rows.Row(i) {
					dst[j] += g * g
				}
			}
		})
	}
}

// fallbackBlockValues bounds the per-sample rows a fallback holds at once
// (a variable so that tests can split small batches into blocks).
var fallbackBlockValues = 1 << 20

// perSampleBlocks calls fn(i0, rows) with the per-sample VJPs J_iᵀu_i of
// consecutive blocks of samples (rows holds samples i0, i0+1, …), reusing
// one buffer.
func perSampleBlocks(m Model, x *linalg.Dense, h Head, fn func(i0 int, rows *linalg.Dense)) {
	n, p := x.Rows, m.NumParams()
	if n == 0 {
		return
	}
	b := min(n, max(1, fallbackBlockValues/max(p, 1)))
	buf := make([]float64, b*p)
	var xv linalg.Dense
	for i0 := 0; i0 < n; i0 += b {
		i1 := min(i0+b, n)
		rows := linalg.NewDenseData(i1-i0, p, buf[:(i1-i0)*p])
		m.PerSampleVJP(rows, rowsInto(&xv, x, i0, i1), offsetHead{h, i0})
		fn(i0, rows)
	}
}

// offsetHead is h for the rows of a batch that start at sample off.
type offsetHead struct {
	h   Head
	off int
}

func (o offsetHead) Cotangent(dst, f *linalg.Dense, i0 int) { o.h.Cotangent(dst, f, o.off+i0) }
func (o offsetHead) HessProd(dst, f, df *linalg.Dense, i0 int) {
	o.h.HessProd(dst, f, df, o.off+i0)
}
func (o offsetHead) HessFactor(dst, f *linalg.Dense, k, i0 int) {
	o.h.HessFactor(dst, f, k, o.off+i0)
}

// factorHead has cotangent s_ik, column k of h's output-Hessian factor.
type factorHead struct {
	h Head
	k int
}

func (f factorHead) Cotangent(dst, pred *linalg.Dense, i0 int) { f.h.HessFactor(dst, pred, f.k, i0) }
func (f factorHead) HessProd(dst, pred, df *linalg.Dense, i0 int) {
	f.h.HessProd(dst, pred, df, i0)
}
func (f factorHead) HessFactor(dst, pred *linalg.Dense, k, i0 int) {
	f.h.HessFactor(dst, pred, k, i0)
}
