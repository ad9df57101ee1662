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

// Gemv computes y = alpha·op(A)·x + beta·y with op(A) = A or Aᵀ.
// With beta == 0, y is overwritten without being read. y must not overlap
// A or x.
func Gemv(t Trans, alpha float64, a *Dense, x []float64, beta float64, y []float64) {
	a.check("Gemv")
	m, n := a.Rows, a.Cols
	if t {
		m, n = n, m
	}
	if len(x) != n || len(y) != m {
		panic(fmt.Sprintf("linalg: Gemv(%v): op(A) is %d×%d, len(x) = %d, len(y) = %d", t, m, n, len(x), len(y)))
	}
	Scal(beta, y)
	if alpha == 0 || a.Rows == 0 || a.Cols == 0 {
		return
	}
	if t {
		impl().gemvT(alpha, a.Data, a.Stride, x, y)
	} else {
		impl().gemvN(alpha, a.Data, a.Stride, x, y)
	}
}

// Ger computes the rank-1 update A += alpha·x·yᵀ; len(x) = A.Rows,
// len(y) = A.Cols. x and y must not overlap A.
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
// lower triangle (i ≥ j) is read. With beta == 0, y is overwritten without
// being read. y must not overlap A or x.
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
		if x[i] != 0 && i > 0 {
			k.axpy(alpha*x[i], li, y[:i])
		}
	}
}
