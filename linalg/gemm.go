package linalg

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ.
// C must not overlap A or B.
//
// Zero scaling follows reference dgemm: C with no rows or columns is a
// no-op; beta == 0 sets C to zero without reading it; alpha == 0 or an
// empty inner dimension (k == 0) gives C = beta·C without reading A or B
// (C untouched when beta == 1). NaN and Inf in the operands that are read
// propagate by IEEE arithmetic.
//
// The driver follows Goto/BLIS (see gemm_driver.go): op(A) and op(B) are
// packed into micro-panels, alpha folded into A's, and the active table's
// register-blocked micro-kernel does the arithmetic. Large products run on
// runtime.GOMAXPROCS(0) goroutines; the work is split over blocks of C
// only, never over the k sum, so the result is bitwise identical whatever
// GOMAXPROCS is. Single-threaded calls allocate nothing once the packing
// buffer pool is warm.
func Gemm(tA, tB Trans, alpha float64, a, b *Dense, beta float64, c *Dense) {
	a.check("Gemm")
	b.check("Gemm")
	c.check("Gemm")
	m, k := a.Rows, a.Cols
	if tA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if tB {
		kb, n = n, kb
	}
	if k != kb || c.Rows != m || c.Cols != n {
		panic(fmt.Sprintf("linalg: Gemm(%v%v): op(A) %d×%d, op(B) %d×%d, C %d×%d", tA, tB, m, k, kb, n, c.Rows, c.Cols))
	}
	if gemmAsVector(tA, tB, alpha, a, b, beta, c, m, n, k) {
		return
	}
	g := gemmProblem{
		m: m, n: n, k: k,
		alpha: alpha,
		a:     operand{data: a.Data, stride: a.Stride, trans: bool(tA)},
		b:     operand{data: b.Data, stride: b.Stride, trans: bool(tB)},
		c:     c.Data, ldc: c.Stride,
	}
	g.run(beta)
}

// gemmAsVector computes the products that are really matrix–vector
// products or rank-1 updates (m == 1, n == 1 or k == 1, with the vector
// operands stored contiguously) through the level-2 kernels, where packing
// would cost more than the arithmetic, as in SGD with batch size 1. It
// reports whether it did the work; Gemm's contract (beta == 0 does not read
// C) holds on this path too.
func gemmAsVector(tA, tB Trans, alpha float64, a, b *Dense, beta float64, c *Dense, m, n, k int) bool {
	switch {
	case m == 0 || n == 0:
		return false
	case m == 1:
		// c = op(B)ᵀ·a for the row vector a = op(A) of length k.
		x, okA := contiguousVector(a)
		y, okC := contiguousVector(c)
		if !okA || !okC || k == 0 {
			return false
		}
		Gemv(!tB, alpha, b, x, beta, y) // B is k×n (use Bᵀ) or n×k (use B)
	case n == 1:
		// c = op(A)·b for the column vector b = op(B) of length k.
		x, okB := contiguousVector(b)
		y, okC := contiguousVector(c)
		if !okB || !okC || k == 0 {
			return false
		}
		Gemv(tA, alpha, a, x, beta, y)
	case k == 1:
		// C = beta·C + alpha·x·yᵀ with x = op(A) (length m), y = op(B) (length n).
		x, okA := contiguousVector(a)
		y, okB := contiguousVector(b)
		if !okA || !okB {
			return false
		}
		axpy := impl().axpy
		for i, xi := range x {
			row := c.Row(i)
			Scal(beta, row)
			if alpha != 0 {
				axpy(alpha*xi, y, row)
			}
		}
	default:
		return false
	}
	return true
}

// contiguousVector returns the elements of a matrix with one row or one
// column as a slice, if they are stored contiguously.
func contiguousVector(x *Dense) ([]float64, bool) {
	switch {
	case x.Rows == 1:
		return x.Data[:x.Cols], true
	case x.Cols == 1 && x.Stride == 1:
		return x.Data[:x.Rows], true
	}
	return nil, false
}

// Syrk computes the symmetric rank-k update C = alpha·A·Aᵀ + beta·C
// (t == NoTrans; C is A.Rows square) or C = alpha·Aᵀ·A + beta·C (t == T;
// C is A.Cols square). Both triangles of C are written. Only the lower
// triangle (j ≤ i) of the input C is read, as if C were symmetric. C must
// not overlap A.
//
// Zero scaling follows reference dsyrk: beta == 0 sets C to zero without
// reading it; alpha == 0 or k == 0 gives C = beta·C (its lower triangle,
// mirrored) without reading A. NaN and Inf in the operands that are read
// propagate by IEEE arithmetic.
//
// Only the micro-tiles of C that meet the lower triangle are computed
// (about half the flops of the equivalent Gemm), through the same packed
// micro-kernel path as Gemm; each finished lower tile is mirrored onto the
// upper triangle, so C is exactly symmetric. Like Gemm, the result is
// bitwise identical for every GOMAXPROCS.
func Syrk(t Trans, alpha float64, a *Dense, beta float64, c *Dense) {
	a.check("Syrk")
	c.check("Syrk")
	n, k := a.Rows, a.Cols
	if t {
		n, k = k, n
	}
	if c.Rows != n || c.Cols != n {
		panic(fmt.Sprintf("linalg: Syrk(%v): op(A) %d×%d needs C %d×%d, have %d×%d", t, n, k, n, n, c.Rows, c.Cols))
	}
	// op(A)·op(A)ᵀ: the B operand is op(A)ᵀ, i.e. A read with the
	// opposite transpose flag.
	g := gemmProblem{
		m: n, n: n, k: k,
		alpha: alpha,
		a:     operand{data: a.Data, stride: a.Stride, trans: bool(t)},
		b:     operand{data: a.Data, stride: a.Stride, trans: !bool(t)},
		c:     c.Data, ldc: c.Stride,
		lower: true,
	}
	g.run(beta)
	if k == 0 || alpha == 0 {
		// no micro-kernel ran to mirror the tiles: C = beta·C
		mirrorLower(c.Data, c.Stride, n)
	}
}

// mirrorLower copies the strict lower triangle of the n×n matrix in c
// (row stride ldc) onto the strict upper triangle.
func mirrorLower(c []float64, ldc, n int) {
	for i := 1; i < n; i++ {
		mirrorTile(c, ldc, i, 1, 0, i)
	}
}
