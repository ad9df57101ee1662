package linalg

// kernels is one table of inner kernels. Every table computes the same
// functions; tables differ only in instruction set, and so in rounding where
// they reorder sums or fuse multiply-adds.
//
// Contracts common to all entries: slices are unit stride; the caller has
// checked lengths (the kernels may assume the stated equalities hold); no
// kernel reads or writes outside the slices it is given, not even within
// their capacity.
type kernels struct {
	name string

	// dot returns Σ x[i]·y[i]; len(x) == len(y).
	dot func(x, y []float64) float64
	// axpy sets y[i] += alpha·x[i]; len(x) == len(y).
	axpy func(alpha float64, x, y []float64)
	// axpby sets y[i] = alpha·x[i] + beta·y[i]; len(x) == len(y).
	// beta == 0 still reads y (the driver handles the BLAS beta == 0 rule).
	axpby func(alpha float64, x []float64, beta float64, y []float64)
	// scal sets x[i] *= alpha.
	scal func(alpha float64, x []float64)
	// asum returns Σ |x[i]|.
	asum func(x []float64) float64

	// gemvN sets y[i] += alpha · Σ_j a[i*lda+j]·x[j] for i < len(y),
	// j < len(x). The matrix is m = len(y) rows by n = len(x) columns with
	// row stride lda ≥ n; a holds at least (m-1)*lda + n elements when m > 0.
	gemvN func(alpha float64, a []float64, lda int, x, y []float64)
	// gemvT sets y[j] += alpha · Σ_i a[i*lda+j]·x[i] for i < len(x),
	// j < len(y). The matrix is m = len(x) rows by n = len(y) columns,
	// stored as for gemvN.
	gemvT func(alpha float64, a []float64, lda int, x, y []float64)

	// gemmMR and gemmNR are the micro-tile shape of gemmKernel.
	gemmMR, gemmNR int
	// gemmKernel adds the product of two packed panels to one MR×NR tile:
	//   c[i*ldc+j] += Σ_p a[p*MR+i] · b[p*NR+j]   for i < MR, j < NR, p < kc.
	// len(a) ≥ kc*MR, len(b) ≥ kc*NR, len(c) ≥ (MR-1)*ldc + NR, ldc ≥ NR.
	gemmKernel func(kc int, a, b, c []float64, ldc int)

	// tanh sets dst[i] = Tanh(src[i]) (tanh.go) bit for bit;
	// len(dst) == len(src); dst may be src.
	tanh func(dst, src []float64)

	// rot applies a plane rotation: x[i], y[i] = c·x[i] − s·y[i],
	// s·x[i] + c·y[i]; len(x) == len(y). Every element gets the same two
	// roundings each way (tridiag_rot.go bounds the error).
	rot func(x, y []float64, c, s float64)
	// rotViaAxpby: for rows longer than rotFusedMax the QL eigenvector
	// update should use two passes of this table's axpby (rotate's
	// crosswise form) rather than rot, for a table whose axpby is vector
	// code but which has no vector rot.
	rotViaAxpby bool

	// fmaLoop runs iters iterations of a loop of independent fused
	// multiply-adds on registers and does nothing else; each iteration
	// performs fmaLoopFlops floating-point operations. It measures the
	// core's peak FMA throughput for this instruction set.
	fmaLoop      func(iters int)
	fmaLoopFlops int
}
