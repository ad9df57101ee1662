package analysis

import (
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// factor holds, for every sample i, a K×K factor S_i of the loss's output
// Hessian Λ_i = ∂²ℓ_i/∂f² = S_i S_iᵀ (models.Loss.HessFactor), so that the
// generalized Gauss–Newton matrix is G = (1/n) Σ_i J_iᵀΛ_iJ_i = J̃ᵀJ̃/n with
// J̃_i = S_iᵀJ_i. s[i·K·K + a·K + b] = (S_i)_ab. A nil *factor stands for
// Λ_i = I (the square loss), where J̃ = J.
type factor struct {
	k    int
	s    []float64
	loss []float64 // per-sample losses ℓ_i
}

// newFactor returns the factors of the objective's loss at its θ and the
// per-sample losses, or nil for the square loss.
func newFactor(obj *models.Objective) *factor {
	if obj.Loss.Name() == "square" {
		return nil
	}
	n, K := obj.N(), obj.Model.NumOutputs()
	f := linalg.NewDense(n, K)
	obj.Model.Predict(f, obj.X)
	col := linalg.NewDense(n, K)
	fc := &factor{k: K, s: make([]float64, n*K*K), loss: make([]float64, n)}
	for i := 0; i < n; i++ {
		fc.loss[i] = obj.Loss.Eval(nil, f.RowsView(i, i+1), obj.Y.RowsView(i, i+1))
	}
	for b := 0; b < K; b++ {
		obj.Loss.HessFactor(col, f, obj.Y, b) // row i: column b of S_i
		for i := 0; i < n; i++ {
			for a, v := range col.Row(i) {
				fc.s[(i*K+a)*K+b] = v
			}
		}
	}
	return fc
}

// mulT sets dst_i = S_iᵀ src_i for every sample's block of K entries
// (vectors of length nK; dst must not overlap src). With a nil receiver it
// copies.
func (f *factor) mulT(dst, src []float64) {
	if f == nil {
		copy(dst, src)
		return
	}
	K := f.k
	for i := 0; i < len(src)/K; i++ {
		f.mulT1(i, dst[i*K:(i+1)*K], src[i*K:(i+1)*K])
	}
}

// mulT1 sets y = S_iᵀ x for sample i (len K each, not overlapping).
func (f *factor) mulT1(i int, y, x []float64) {
	K := f.k
	s := f.s[i*K*K : (i+1)*K*K]
	clear(y)
	for a, xa := range x {
		if xa != 0 {
			linalg.Axpy(xa, s[a*K:(a+1)*K], y)
		}
	}
}

// mul sets dst_i = S_i src_i (nil receiver: copy).
func (f *factor) mul(dst, src []float64) {
	if f == nil {
		copy(dst, src)
		return
	}
	K := f.k
	for i := 0; i < len(src)/K; i++ {
		s, x, y := f.s[i*K*K:(i+1)*K*K], src[i*K:(i+1)*K], dst[i*K:(i+1)*K]
		for a := range y {
			y[a] = linalg.Dot(s[a*K:(a+1)*K], x)
		}
	}
}

// sandwich returns K_Λ = Sᵀ K S for the (nK)×(nK) Gram matrix K = JJᵀ:
// block (i, j) is S_iᵀ K_ij S_j, the Gram matrix J̃J̃ᵀ of the GGN. The
// receiver must not be nil. Cost O(n²K³), memory one more (nK)² matrix.
func (f *factor) sandwich(gram *linalg.Dense) *linalg.Dense {
	K, nK := f.k, gram.Rows
	out := linalg.NewDense(nK, nK)
	m := linalg.NewDense(K, nK) // rows (i, a) of K·S
	for i := 0; i < nK/K; i++ {
		for a := 0; a < K; a++ {
			// Row (i,a) of K·S: (K S)_{(i,a),(j,b)} = Σ_c K_{(i,a),(j,c)} (S_j)_cb,
			// block j of it is S_jᵀ applied to block j of row (i,a).
			f.mulT(m.Row(a), gram.Row(i*K+a))
		}
		s := f.s[i*K*K : (i+1)*K*K]
		for b := 0; b < K; b++ {
			row := out.Row(i*K + b)
			for a := 0; a < K; a++ {
				if sab := s[a*K+b]; sab != 0 {
					linalg.Axpy(sab, m.Row(a), row)
				}
			}
		}
	}
	return out
}

// quadGGN returns Σ_i ‖S_iᵀ(Jv)_i‖² = Σ_i (Jv)_iᵀΛ_i(Jv)_i for jv = Jv
// (n×K).
func (f *factor) quadGGN(jv *linalg.Dense) float64 {
	var s float64
	if f == nil {
		for i := 0; i < jv.Rows; i++ {
			r := jv.Row(i)
			s += linalg.Dot(r, r)
		}
		return s
	}
	tmp := make([]float64, f.k)
	for i := 0; i < jv.Rows; i++ {
		f.mulT1(i, tmp, jv.Row(i))
		s += linalg.Dot(tmp, tmp)
	}
	return s
}

// leftT returns J̃ with rows (i, b) = Σ_a (S_i)_ab J_(i,a), i.e. the
// blocks S_iᵀJ_i of the (nK)×p matrix j.
func (f *factor) leftT(j *linalg.Dense) *linalg.Dense {
	K := f.k
	out := linalg.NewDense(j.Rows, j.Cols)
	for i := 0; i < j.Rows/K; i++ {
		s := f.s[i*K*K : (i+1)*K*K]
		for b := 0; b < K; b++ {
			row := out.Row(i*K + b)
			for a := 0; a < K; a++ {
				if sab := s[a*K+b]; sab != 0 {
					linalg.Axpy(sab, j.Row(i*K+a), row)
				}
			}
		}
	}
	return out
}
