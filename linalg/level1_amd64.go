//go:build !purego

package linalg

// Level-1/2 kernels in assembly (level1_avx2_amd64.s, level1_avx512_amd64.s,
// and the four-row gemv kernels in linalg_amd64.s) for the avx2 and avx512
// tables. Each implements the contract of the kernels field of the same
// name (kernels.go); the 4-row gemv kernels are driven by Go wrappers.

//go:noescape
func dotAVX2(x, y []float64) float64

//go:noescape
func axpyAVX2(alpha float64, x, y []float64)

//go:noescape
func axpbyAVX2(alpha float64, x []float64, beta float64, y []float64)

//go:noescape
func scalAVX2(alpha float64, x []float64)

//go:noescape
func asumAVX2(x []float64) float64

// gemvN4AVX2 is gemvN for len(y) a multiple of 4.
//
//go:noescape
func gemvN4AVX2(alpha float64, a []float64, lda int, x, y []float64)

// gemvT4AVX2 is gemvT for len(x) a multiple of 4.
//
//go:noescape
func gemvT4AVX2(alpha float64, a []float64, lda int, x, y []float64)

//go:noescape
func dotAVX512(x, y []float64) float64

//go:noescape
func axpyAVX512(alpha float64, x, y []float64)

//go:noescape
func axpbyAVX512(alpha float64, x []float64, beta float64, y []float64)

//go:noescape
func scalAVX512(alpha float64, x []float64)

//go:noescape
func asumAVX512(x []float64) float64

// gemvN4AVX512 is gemvN for len(y) a multiple of 4.
//
//go:noescape
func gemvN4AVX512(alpha float64, a []float64, lda int, x, y []float64)

// gemvT4AVX512 is gemvT for len(x) a multiple of 4.
//
//go:noescape
func gemvT4AVX512(alpha float64, a []float64, lda int, x, y []float64)

func fillLevel1AVX2(k *kernels) {
	k.dot = dotAVX2
	k.axpy = axpyAVX2
	k.axpby = axpbyAVX2
	k.scal = scalAVX2
	k.asum = asumAVX2
	k.gemvN = gemvNAVX2
	k.gemvT = gemvTAVX2
}

func fillLevel1AVX512(k *kernels) {
	k.dot = dotAVX512
	k.axpy = axpyAVX512
	k.axpby = axpbyAVX512
	k.scal = scalAVX512
	k.asum = asumAVX512
	k.gemvN = gemvNAVX512
	k.gemvT = gemvTAVX512
}

// The gemv wrappers run the 4-row kernel on the leading rows and finish
// the last m mod 4 rows with the same table's dot (gemvN: y[i] += alpha·
// a_i·x) or axpy (gemvT: y += (alpha·x[i])·a_i, after the 4-row blocks, so
// rows are still added in order). They are written out per table rather
// than sharing a helper with function arguments, to keep small calls cheap.

func gemvNAVX2(alpha float64, a []float64, lda int, x, y []float64) {
	m, n := len(y), len(x)
	checkGemvOperand(a, lda, m, n)
	m4 := m &^ 3
	if m4 > 0 {
		gemvN4AVX2(alpha, a, lda, x, y[:m4])
	}
	for i := m4; i < m; i++ {
		y[i] += alpha * dotAVX2(a[i*lda:i*lda+n], x)
	}
}

func gemvTAVX2(alpha float64, a []float64, lda int, x, y []float64) {
	m, n := len(x), len(y)
	checkGemvOperand(a, lda, m, n)
	m4 := m &^ 3
	if m4 > 0 {
		gemvT4AVX2(alpha, a, lda, x[:m4], y)
	}
	for i := m4; i < m; i++ {
		axpyAVX2(alpha*x[i], a[i*lda:i*lda+n], y)
	}
}

func gemvNAVX512(alpha float64, a []float64, lda int, x, y []float64) {
	m, n := len(y), len(x)
	checkGemvOperand(a, lda, m, n)
	m4 := m &^ 3
	if m4 > 0 {
		gemvN4AVX512(alpha, a, lda, x, y[:m4])
	}
	for i := m4; i < m; i++ {
		y[i] += alpha * dotAVX512(a[i*lda:i*lda+n], x)
	}
}

func gemvTAVX512(alpha float64, a []float64, lda int, x, y []float64) {
	m, n := len(x), len(y)
	checkGemvOperand(a, lda, m, n)
	m4 := m &^ 3
	if m4 > 0 {
		gemvT4AVX512(alpha, a, lda, x[:m4], y)
	}
	for i := m4; i < m; i++ {
		axpyAVX512(alpha*x[i], a[i*lda:i*lda+n], y)
	}
}

// checkGemvOperand panics unless a holds an m×n matrix with row stride lda:
// the assembly trusts these bounds, so a broken caller must not reach it.
func checkGemvOperand(a []float64, lda, m, n int) {
	if m > 0 && n > 0 && (lda < n || (m-1)*lda+n > len(a)) {
		panic("linalg: gemv kernel: matrix operand out of bounds")
	}
}
