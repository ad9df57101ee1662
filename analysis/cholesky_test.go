package analysis

import (
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// TestCholesky factors random SPD matrices of sizes around the panel width
// and checks LLᵀ = A and the solve against A·x, with bounds from the
// backward error of Cholesky (|ΔA| ≤ c·n·ε·|L||Lᵀ| ≤ c·n·ε·max diag A).
func TestCholesky(t *testing.T) {
	rng := newRng(12)
	for _, n := range []int{1, 5, cholPanel, cholPanel + 1, 2*cholPanel + 17} {
		b := randDense(rng, n, n+3, 1)
		a := linalg.NewDense(n, n)
		linalg.Syrk(linalg.NoTrans, 1, b, 0, a)
		var dmax float64
		for i := 0; i < n; i++ {
			dmax = max(dmax, a.At(i, i))
		}
		l := a.Clone()
		if err := cholesky(l); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		tol := 8 * float64(n) * eps * dmax
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				var s float64
				for k := 0; k <= j; k++ {
					s += l.At(i, k) * l.At(j, k)
				}
				if !closeTo(s, a.At(i, j), tol) {
					t.Fatalf("n=%d: (LLᵀ)[%d,%d] = %g, A %g", n, i, j, s, a.At(i, j))
				}
			}
		}
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		ax := make([]float64, n)
		linalg.Gemv(linalg.NoTrans, 1, a, x, 0, ax)
		invOperator{l}.Apply(ax, append([]float64(nil), ax...))
		// Backward stability: ‖A·x̂ − b‖ ≤ c·n·ε·‖|L||Lᵀ|‖·‖x̂‖ with
		// ‖|L||Lᵀ|‖₂ ≤ n·max diag A (|(|L||Lᵀ|)_ij| ≤ √(a_ii a_jj)).
		r := make([]float64, n)
		linalg.Gemv(linalg.NoTrans, 1, a, ax, 0, r)
		linalg.Gemv(linalg.NoTrans, -1, a, x, 1, r)
		if nrm := linalg.Nrm2(r); nrm > 16*float64(n*n)*eps*dmax*linalg.Nrm2(ax) {
			t.Errorf("n=%d: residual ‖A(A⁻¹Ax) − Ax‖ = %g", n, nrm)
		}
	}
	neg := linalg.NewDense(2, 2)
	neg.Set(0, 0, 1)
	neg.Set(1, 1, -1)
	if cholesky(neg) == nil {
		t.Error("indefinite matrix factored")
	}
}
