package linalg

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ.
// With beta == 0, C is overwritten without being read. C must not overlap
// A or B.
//
// PLACEHOLDER driver (naive loops); the Goto/BLIS driver replaces it.
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
	at := func(x *Dense, t Trans, i, j int) float64 {
		if t {
			return x.Data[j*x.Stride+i]
		}
		return x.Data[i*x.Stride+j]
	}
	for i := 0; i < m; i++ {
		row := c.Row(i)
		Scal(beta, row)
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += at(a, tA, i, p) * at(b, tB, p, j)
			}
			row[j] += alpha * s
		}
	}
}

// Syrk computes the symmetric rank-k update C = alpha·A·Aᵀ + beta·C
// (t == NoTrans; C is A.Rows square) or C = alpha·Aᵀ·A + beta·C (t == T;
// C is A.Cols square). Both triangles of C are written. With beta == 0, C is
// overwritten without being read.
//
// PLACEHOLDER: the blocked driver replaces it.
func Syrk(t Trans, alpha float64, a *Dense, beta float64, c *Dense) {
	Gemm(t, !t, alpha, a, a, beta, c)
}
