//go:build !purego

package linalg

// NEON (ASIMD) level-1/2 kernels, implemented in linalg_arm64.s. The
// contracts are those of the kernels fields (kernels.go); the callers have
// checked lengths.

//go:noescape
func dotNEON(x, y []float64) float64

//go:noescape
func axpyNEON(alpha float64, x, y []float64)

//go:noescape
func axpbyNEON(alpha float64, x []float64, beta float64, y []float64)

//go:noescape
func scalNEON(alpha float64, x []float64)

//go:noescape
func asumNEON(x []float64) float64

// dot4NEON sets r[k] = Σ_j a[k*lda+j]·x[j] for k < 4 and j < len(x).
// It needs len(a) ≥ 3*lda + len(x) and lda ≥ len(x).
//
//go:noescape
func dot4NEON(a []float64, lda int, x []float64, r *[4]float64)

// axpy4NEON sets y[j] += Σ_k c[k]·a[k*lda+j] for k < 4 and j < len(y),
// adding the terms in order k = 0..3. It needs len(a) ≥ 3*lda + len(y) and
// lda ≥ len(y).
//
//go:noescape
func axpy4NEON(c *[4]float64, a []float64, lda int, y []float64)

// fillLevel1NEON installs the NEON level-1/2 kernels.
func fillLevel1NEON(k *kernels) {
	k.dot = dotNEON
	k.axpy = axpyNEON
	k.axpby = axpbyNEON
	k.scal = scalNEON
	k.asum = asumNEON
	k.gemvN = gemvNNEON
	k.gemvT = gemvTNEON
}

// gemvNNEON is gemvN: four rows at a time share each load of x (dot4NEON);
// the last m mod 4 rows use dotNEON.
func gemvNNEON(alpha float64, a []float64, lda int, x, y []float64) {
	n := len(x)
	var r [4]float64
	i := 0
	for ; i+4 <= len(y); i += 4 {
		dot4NEON(a[i*lda:i*lda+3*lda+n], lda, x, &r)
		y[i] += alpha * r[0]
		y[i+1] += alpha * r[1]
		y[i+2] += alpha * r[2]
		y[i+3] += alpha * r[3]
	}
	for ; i < len(y); i++ {
		y[i] += alpha * dotNEON(a[i*lda:i*lda+n], x)
	}
}

// gemvTNEON is gemvT: four rows at a time are added to y in one pass
// (axpy4NEON); the last m mod 4 rows use axpyNEON.
func gemvTNEON(alpha float64, a []float64, lda int, x, y []float64) {
	n := len(y)
	var c [4]float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		c = [4]float64{alpha * x[i], alpha * x[i+1], alpha * x[i+2], alpha * x[i+3]}
		axpy4NEON(&c, a[i*lda:i*lda+3*lda+n], lda, y)
	}
	for ; i < len(x); i++ {
		axpyNEON(alpha*x[i], a[i*lda:i*lda+n], y)
	}
}
