package analysis

import (
	"errors"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// cholPanel is the panel width of the blocked Cholesky factorization.
const cholPanel = 96

var errNotPD = errors.New("analysis: matrix not positive definite")

// cholesky overwrites the lower triangle of the symmetric positive
// definite a (only the lower triangle is read) with its Cholesky factor L,
// a = LLᵀ, right-looking by panels of cholPanel columns: the diagonal block
// unblocked, the panel below it as A21·L11⁻ᵀ (one Gemm with the explicit
// inverse of the small triangular L11), the trailing matrix updated by
// Syrk. The strict upper triangle is left with stale values.
func cholesky(a *linalg.Dense) error {
	n := a.Rows
	nb := cholPanel
	inv := linalg.NewDense(nb, nb)
	panel := make([]float64, n*nb)
	for j0 := 0; j0 < n; j0 += nb {
		j1 := min(j0+nb, n)
		b := j1 - j0
		// Unblocked factorization of the diagonal block.
		for c := j0; c < j1; c++ {
			rc := a.Row(c)
			d := rc[c] - linalg.Dot(rc[j0:c], rc[j0:c])
			if !(d > 0) {
				return errNotPD
			}
			d = math.Sqrt(d)
			rc[c] = d
			for r := c + 1; r < j1; r++ {
				rr := a.Row(r)
				rr[c] = (rr[c] - linalg.Dot(rr[j0:c], rc[j0:c])) / d
			}
		}
		if j1 == n {
			break
		}
		// inv = L11⁻¹ (lower triangular), column by column.
		li := inv.Slice(0, b, 0, b)
		li.Zero()
		for c := 0; c < b; c++ {
			li.Set(c, c, 1/a.At(j0+c, j0+c))
			for r := c + 1; r < b; r++ {
				var s float64
				for k := c; k < r; k++ {
					s += a.At(j0+r, j0+k) * li.At(k, c)
				}
				li.Set(r, c, -s/a.At(j0+r, j0+r))
			}
		}
		// L21 = A21·L11⁻ᵀ into the panel buffer, then back into a.
		m := n - j1
		l21 := linalg.NewDenseData(m, b, panel[:m*b])
		linalg.Gemm(linalg.NoTrans, linalg.T, 1, a.Slice(j1, n, j0, j1), li, 0, l21)
		a.Slice(j1, n, j0, j1).Copy(l21)
		// A22 −= L21·L21ᵀ (lower triangle read, both written).
		linalg.Syrk(linalg.NoTrans, -1, l21, 1, a.Slice(j1, n, j1, n))
	}
	return nil
}

// cholSolve overwrites x with (LLᵀ)⁻¹x for the factor of cholesky:
// forward substitution by rows, then back substitution by columns of Lᵀ
// (rows of L), both reading L row by row.
func cholSolve(l *linalg.Dense, x []float64) {
	n := l.Rows
	for i := 0; i < n; i++ {
		r := l.Row(i)
		x[i] = (x[i] - linalg.Dot(r[:i], x[:i])) / r[i]
	}
	for i := n - 1; i >= 0; i-- {
		r := l.Row(i)
		x[i] /= r[i]
		if x[i] != 0 {
			linalg.Axpy(-x[i], r[:i], x[:i])
		}
	}
}

// invOperator applies (LLᵀ)⁻¹ (linalg.Operator).
type invOperator struct{ l *linalg.Dense }

func (o invOperator) Dim() int { return o.l.Rows }

func (o invOperator) Apply(dst, src []float64) {
	copy(dst, src)
	cholSolve(o.l, dst)
}
