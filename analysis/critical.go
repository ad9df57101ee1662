package analysis

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// CriticalRate is the exact linear-stability threshold of SGD on a
// quadratic loss.
type CriticalRate struct {
	// SGD is η*: for η < η* the second moment E[e eᵀ] of the error
	// e = w − w_opt stays bounded, above it it grows geometrically.
	SGD float64 `json:"sgd"`
	// GD = 2/λ_max(A), the full-batch threshold (SGD ≤ GD).
	GD float64 `json:"gd"`
	// Rank of A = FᵀF/n: directions outside its range do not move.
	Rank int `json:"rank"`
	// Batch and Replacement echo the sampling scheme.
	Batch       int  `json:"batch"`
	Replacement bool `json:"replacement"`
}

// SGDCriticalRate returns the exact critical learning rate of SGD with
// minibatches of size B on the quadratic loss L(w) = (1/2n)Σ_i (f_iᵀw − y_i)²
// whose feature vectors f_i are the rows of F (n×p): linear regression
// (F = X), or any model linearised at a point (F = J, K = 1).
//
// With A_B = (1/B)Σ_{i∈batch} f_i f_iᵀ, the error obeys
// e_{t+1} = (I − ηA_B)e_t − η·b_B with E b_B = 0 at the minimiser, so the
// second moment M_t = E[e_t e_tᵀ] follows the affine recursion whose
// linear part is T_η(M) = M − η(AM + MA) + η²E[A_B M A_B], with
//
//	E[A_B M A_B] = α·D(M) + β·AMA,  D(M) = (1/n)Σ_i (f_iᵀMf_i) f_i f_iᵀ,
//	with replacement α = 1/B, β = 1 − 1/B;
//	without α = (n−B)/(B(n−1)), β = n(B−1)/(B(n−1)).
//
// T_η is a positive, Frobenius-self-adjoint map, so its spectral radius is
// its largest eigenvalue, and λ_max(T_η) < 1 ⟺ η·q(M) < a(M) for all
// symmetric M, with a(M) = ⟨M, AM + MA⟩ and q(M) = ⟨M, E[A_B M A_B]⟩.
// Hence η* = 1/λ_max(𝓛^{-1/2} Q 𝓛^{-1/2}), 𝓛(M) = AM + MA, which in the
// eigenbasis of A (restricted to its range) is the entry-wise scaling by
// λ_a + λ_b. That largest eigenvalue is found by Lanczos on symmetric
// r×r matrices (r = rank A) packed into r(r+1)/2 coordinates; each
// application costs two n×r×r products.
func SGDCriticalRate(f *linalg.Dense, batch int, replacement bool) (CriticalRate, error) {
	n, p := f.Rows, f.Cols
	cr := CriticalRate{Batch: batch, Replacement: replacement}
	if n == 0 || p == 0 {
		return cr, fmt.Errorf("analysis: SGDCriticalRate: empty F (%d×%d)", n, p)
	}
	if batch < 1 || (!replacement && batch > n) {
		return cr, fmt.Errorf("analysis: SGDCriticalRate: batch %d for n = %d (replacement %v)", batch, n, replacement)
	}
	a := linalg.NewDense(p, p)
	linalg.Syrk(linalg.T, 1/float64(n), f, 0, a)
	vals, vecs, err := linalg.EigenSym(a, true)
	if err != nil {
		return cr, err
	}
	lmax := vals[p-1]
	if !(lmax > 0) {
		return cr, fmt.Errorf("analysis: SGDCriticalRate: A = FᵀF/n is zero")
	}
	cr.GD = 2 / lmax
	tol := rankTol(lmax, n, p)
	r := 0
	for r < p && vals[p-1-r] > tol {
		r++
	}
	cr.Rank = r
	// F̃ = F·U_r: coordinates in the eigenbasis of A (columns descending).
	u := linalg.NewDense(p, r)
	col := make([]float64, p)
	for j := 0; j < r; j++ {
		vecs.Col(col, p-1-j)
		u.SetCol(j, col)
	}
	ft := linalg.NewDense(n, r)
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, f, u, 0, ft)
	lam := make([]float64, r)
	for j := range lam {
		lam[j] = vals[p-1-j]
	}
	var alpha, beta float64
	fb, fn := float64(batch), float64(n)
	if replacement {
		alpha, beta = 1/fb, 1-1/fb
	} else if n == 1 {
		alpha, beta = 0, 1
	} else {
		alpha, beta = (fn-fb)/(fb*(fn-1)), fn*(fb-1)/(fb*(fn-1))
	}
	op := &criticalOp{ft: ft, lam: lam, alpha: alpha, beta: beta,
		m: linalg.NewDense(r, r), q: linalg.NewDense(r, r), t: linalg.NewDense(n, r), y: linalg.NewDense(n, r)}
	res, err := linalg.Lanczos(op, linalg.LanczosOptions{K: 1, Tol: 1e-12, Seed: 1})
	if err != nil {
		return cr, fmt.Errorf("analysis: SGDCriticalRate: %w", err)
	}
	cr.SGD = 1 / res.Values[0]
	return cr, nil
}

// criticalOp is M ↦ S·Q(S·M) on packed symmetric r×r matrices, S the
// entry-wise scaling by 1/√(λ_a + λ_b).
type criticalOp struct {
	ft          *linalg.Dense // n×r
	lam         []float64
	alpha, beta float64
	m, q, t, y  *linalg.Dense
}

func (o *criticalOp) Dim() int { r := len(o.lam); return r * (r + 1) / 2 }

func (o *criticalOp) Apply(dst, src []float64) {
	r, n := len(o.lam), o.ft.Rows
	// Unpack with the isometry (off-diagonal coordinates carry √2) and S.
	k := 0
	for a := 0; a < r; a++ {
		for b := a; b < r; b++ {
			v := src[k] / math.Sqrt(o.lam[a]+o.lam[b])
			if a != b {
				v /= math.Sqrt2
			}
			o.m.Set(a, b, v)
			o.m.Set(b, a, v)
			k++
		}
	}
	// Q(M) = α·(1/n)F̃ᵀ diag(f̃_iᵀMf̃_i) F̃ + β·ΛMΛ.
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, o.ft, o.m, 0, o.t)
	for i := 0; i < n; i++ {
		w := linalg.Dot(o.t.Row(i), o.ft.Row(i))
		yi := o.y.Row(i)
		copy(yi, o.ft.Row(i))
		linalg.Scal(w, yi)
	}
	linalg.Gemm(linalg.T, linalg.NoTrans, o.alpha/float64(n), o.y, o.ft, 0, o.q)
	k = 0
	for a := 0; a < r; a++ {
		for b := a; b < r; b++ {
			// Symmetrize Q's rounding, add β·λ_aλ_b·M_ab, scale by S, pack.
			v := 0.5*(o.q.At(a, b)+o.q.At(b, a)) + o.beta*o.lam[a]*o.lam[b]*o.m.At(a, b)
			v /= math.Sqrt(o.lam[a] + o.lam[b])
			if a != b {
				v *= math.Sqrt2
			}
			dst[k] = v
			k++
		}
	}
}
