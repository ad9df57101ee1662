package linalg

import "fmt"

// Transpose flags for Gemv and Gemm.
type Trans bool

const (
	NoTrans Trans = false
	T       Trans = true
)

func (t Trans) String() string {
	if t {
		return "T"
	}
	return "N"
}

// Gemv computes y = alpha·op(A)·x + beta·y with op(A) = A or Aᵀ. y must
// not overlap A or x.
//
// Zero scaling follows reference dgemv: if A has no rows or no columns, or
// alpha == 0 and beta == 1, y is returned untouched (not even scaled by
// beta); otherwise beta == 0 sets y to zero without reading it, and
// alpha == 0 gives y = beta·y without reading A or x. NaN and Inf in the
// operands that are read propagate by IEEE arithmetic.
func Gemv(t Trans, alpha float64, a *Dense, x []float64, beta float64, y []float64) {
	a.check("Gemv")
	m, n := a.Rows, a.Cols
	if t {
		m, n = n, m
	}
	if len(x) != n || len(y) != m {
		panic(fmt.Sprintf("linalg: Gemv(%v): op(A) is %d×%d, len(x) = %d, len(y) = %d", t, m, n, len(x), len(y)))
	}
	if a.Rows == 0 || a.Cols == 0 {
		return
	}
	Scal(beta, y)
	if alpha == 0 {
		return
	}
	if t {
		impl().gemvT(alpha, a.Data, a.Stride, x, y)
	} else {
		impl().gemvN(alpha, a.Data, a.Stride, x, y)
	}
}

// Ger computes the rank-1 update A += alpha·x·yᵀ; len(x) = A.Rows,
// len(y) = A.Cols. x and y must not overlap A. alpha == 0 returns without
// reading anything, and a row i with x[i] == 0 is left untouched (so an
// Inf or NaN in y does not reach it as 0·Inf); otherwise NaN and Inf
// propagate by IEEE arithmetic.
func Ger(alpha float64, x, y []float64, a *Dense) {
	a.check("Ger")
	if len(x) != a.Rows || len(y) != a.Cols {
		panic(fmt.Sprintf("linalg: Ger: A is %d×%d, len(x) = %d, len(y) = %d", a.Rows, a.Cols, len(x), len(y)))
	}
	if alpha == 0 {
		return
	}
	ax := impl().axpy
	for i, xi := range x {
		if xi != 0 {
			ax(alpha*xi, y, a.Row(i))
		}
	}
}

// Symv computes y = alpha·A·x + beta·y for a symmetric A of which only the
// lower triangle (i ≥ j) is read. y must not overlap A or x.
//
// Zero scaling follows reference dsymv: beta == 0 sets y to zero without
// reading it, and alpha == 0 gives y = beta·y without reading A or x.
// Otherwise every element of the lower triangle and of x takes part, zero
// or not, so NaN and Inf propagate by IEEE arithmetic (0·Inf is NaN).
func Symv(alpha float64, a *Dense, x []float64, beta float64, y []float64) {
	a.check("Symv")
	n := a.Rows
	if a.Cols != n {
		panic(fmt.Sprintf("linalg: Symv: A is %d×%d, not square", a.Rows, a.Cols))
	}
	if len(x) != n || len(y) != n {
		panic(fmt.Sprintf("linalg: Symv: A is %d×%d, len(x) = %d, len(y) = %d", n, n, len(x), len(y)))
	}
	Scal(beta, y)
	if alpha == 0 || n == 0 {
		return
	}
	k := impl()
	// Row i of the lower triangle, L_i = A[i, 0:i], contributes
	// y[i] += alpha·L_i·x[0:i]        (the lower part of row i)
	// y[0:i] += alpha·x[i]·L_iᵀ      (its mirror, the upper part of column i)
	// plus the diagonal term.
	for i := 0; i < n; i++ {
		row := a.Data[i*a.Stride : i*a.Stride+i+1]
		li := row[:i]
		y[i] += alpha * (k.dot(li, x[:i]) + row[i]*x[i])
		if i > 0 {
			k.axpy(alpha*x[i], li, y[:i])
		}
	}
}
