package analysis

import (
	"math"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// DiagonalGram returns K = JJᵀ (n×n) of a diagonal linear network
// f(x) = ⟨F(θ), x⟩ on the inputs x without forming J: the Jacobian row of
// sample i is x_iᵀ∂F/∂θ and ∂F/∂θ has one nonzero per column in row d
// (F_d depends on u_d and v_d only), so K = X·diag(w)·Xᵀ with
// w_d = ‖∇_θF_d‖², one Syrk of inner dimension d instead of p = 2d. The
// w_d are read off the model as the squared Jacobian row norms of the
// unit inputs e_d.
func DiagonalGram(m *models.DiagonalLinear, x *linalg.Dense) *linalg.Dense {
	n, d, p := x.Rows, m.InputDim(), m.NumParams()
	gram := linalg.NewDense(n, n)
	if n == 0 || p == 0 {
		return gram
	}
	eye := linalg.NewDense(d, d)
	for i := 0; i < d; i++ {
		eye.Set(i, i, 1)
	}
	fth := linalg.NewDense(d, p)
	models.Jacobian(m, fth, eye)
	scale := make([]float64, d)
	for i := range scale {
		r := fth.Row(i)
		scale[i] = math.Sqrt(linalg.Dot(r, r))
	}
	y := linalg.NewDense(n, d)
	for i := 0; i < n; i++ {
		xi, yi := x.Row(i), y.Row(i)
		for j, s := range scale {
			yi[j] = xi[j] * s
		}
	}
	linalg.Syrk(linalg.NoTrans, 1, y, 0, gram)
	return gram
}
