package escape

import (
	"errors"
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// MinNormInterpolant returns θ* = X⁺y, the minimum-norm minimiser of
// ‖Xθ − y‖² (the minimum-norm interpolant when the rows of X are
// independent), y a column (n×1), and the residual norm ‖Xθ* − y‖. The
// pseudo-inverse comes from the eigen-decomposition of the smaller of XXᵀ
// and XᵀX, dropping eigenvalues below 100·max(n, d)·ε·λ_max.
func MinNormInterpolant(x, y *linalg.Dense) ([]float64, float64, error) {
	n, d := x.Rows, x.Cols
	if y.Rows != n || y.Cols != 1 {
		return nil, 0, fmt.Errorf("escape: MinNormInterpolant: y is %d×%d, want %d×1", y.Rows, y.Cols, n)
	}
	if n == 0 || d == 0 {
		return nil, 0, errors.New("escape: MinNormInterpolant: empty X")
	}
	yv := make([]float64, n)
	y.Col(yv, 0)
	theta := make([]float64, d)
	if n <= d {
		// θ = Xᵀ (XXᵀ)⁺ y.
		k := linalg.NewDense(n, n)
		linalg.Syrk(linalg.NoTrans, 1, x, 0, k)
		c, err := pinvApply(k, yv)
		if err != nil {
			return nil, 0, err
		}
		linalg.Gemv(linalg.T, 1, x, c, 0, theta)
	} else {
		// θ = (XᵀX)⁺ Xᵀy.
		k := linalg.NewDense(d, d)
		linalg.Syrk(linalg.T, 1, x, 0, k)
		b := make([]float64, d)
		linalg.Gemv(linalg.T, 1, x, yv, 0, b)
		c, err := pinvApply(k, b)
		if err != nil {
			return nil, 0, err
		}
		theta = c
	}
	r := make([]float64, n)
	copy(r, yv)
	linalg.Gemv(linalg.NoTrans, 1, x, theta, -1, r)
	return theta, linalg.Nrm2(r), nil
}

// pinvApply returns K⁺b for symmetric positive semi-definite K.
func pinvApply(k *linalg.Dense, b []float64) ([]float64, error) {
	m := k.Rows
	vals, vecs, err := linalg.EigenSym(k, true)
	if err != nil {
		return nil, err
	}
	lmax := vals[m-1]
	tol := 100 * float64(m) * 0x1p-52 * math.Abs(lmax)
	out := make([]float64, m)
	col := make([]float64, m)
	for j := 0; j < m; j++ {
		if vals[j] <= tol {
			continue
		}
		vecs.Col(col, j)
		linalg.Axpy(linalg.Dot(col, b)/vals[j], col, out)
	}
	return out, nil
}

// DiagonalMinimum sets the parameters (u, v) of a diagonal linear network
// with F = u⊙v to an interpolating minimum whose effective weights are
// β = X⁺y (MinNormInterpolant): u_j = c·√|β_j|, v_j = sign(β_j)·√|β_j|/c.
// c = 1 is the balanced minimum; c ≠ 1 an unbalanced one of the same
// predictions whose sharpness grows with max(c², 1/c²). It returns the
// residual norm of β.
func DiagonalMinimum(m *models.DiagonalLinear, x, y *linalg.Dense, c float64) (float64, error) {
	if m.Kind != models.Product {
		return 0, errors.New("escape: DiagonalMinimum: needs F = u⊙v")
	}
	if !(c > 0) {
		return 0, fmt.Errorf("escape: DiagonalMinimum: scale %g must be > 0", c)
	}
	beta, res, err := MinNormInterpolant(x, y)
	if err != nil {
		return 0, err
	}
	d := m.InputDim()
	th := m.Params()
	for j, b := range beta {
		s := math.Sqrt(math.Abs(b))
		th[j] = c * s
		th[d+j] = math.Copysign(s/c, b)
	}
	return res, nil
}
