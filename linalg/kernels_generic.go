package linalg

import "math"

// genericKernels is the portable table: plain Go, the reference every other
// table is tested against, and the only table under the purego build tag.
var genericKernels = &kernels{
	name:         "generic",
	dot:          dotGeneric,
	axpy:         axpyGeneric,
	axpby:        axpbyGeneric,
	scal:         scalGeneric,
	asum:         asumGeneric,
	gemvN:        gemvNGeneric,
	gemvT:        gemvTGeneric,
	gemmMR:       4,
	gemmNR:       4,
	gemmKernel:   gemmKernelGeneric4x4,
	tanh:         tanhGeneric,
	rot:          rotGeneric,
	fmaLoop:      fmaLoopGeneric,
	fmaLoopFlops: 16,
}

func dotGeneric(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpyGeneric(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

func axpbyGeneric(alpha float64, x []float64, beta float64, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = alpha*v + beta*y[i]
	}
}

func scalGeneric(alpha float64, x []float64) {
	for i := range x {
		x[i] *= alpha
	}
}

func asumGeneric(x []float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += math.Abs(x[i])
		s1 += math.Abs(x[i+1])
	}
	if i < len(x) {
		s0 += math.Abs(x[i])
	}
	return s0 + s1
}

func gemvNGeneric(alpha float64, a []float64, lda int, x, y []float64) {
	n := len(x)
	for i := range y {
		y[i] += alpha * dotGeneric(a[i*lda:i*lda+n], x)
	}
}

func gemvTGeneric(alpha float64, a []float64, lda int, x, y []float64) {
	n := len(y)
	for i, xi := range x {
		axpyGeneric(alpha*xi, a[i*lda:i*lda+n], y)
	}
}

func rotGeneric(x, y []float64, c, s float64) {
	y = y[:len(x)]
	for k, xk := range x {
		yk := y[k]
		x[k] = c*xk - s*yk
		y[k] = s*xk + c*yk
	}
}

func gemmKernelGeneric4x4(kc int, a, b, c []float64, ldc int) {
	const mr, nr = 4, 4
	var acc [mr][nr]float64
	a = a[:kc*mr]
	b = b[:kc*nr]
	for p := 0; p < kc; p++ {
		ap := a[p*mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr]
		for i := 0; i < mr; i++ {
			ai := ap[i]
			for j := 0; j < nr; j++ {
				acc[i][j] += ai * bp[j]
			}
		}
	}
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+nr]
		for j := range row {
			row[j] += acc[i][j]
		}
	}
}

// fmaLoopGeneric does 8 independent multiply-adds (16 flops) per iteration;
// the compiler may or may not fuse them, which is why the generic table's
// "peak" is only indicative.
func fmaLoopGeneric(iters int) {
	// Distinct starting values keep the compiler from merging the chains.
	x0, x1, x2, x3, x4, x5, x6, x7 := 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7
	const m, c = 0.9999999, 1e-7
	for ; iters > 0; iters-- {
		x0 = x0*m + c
		x1 = x1*m + c
		x2 = x2*m + c
		x3 = x3*m + c
		x4 = x4*m + c
		x5 = x5*m + c
		x6 = x6*m + c
		x7 = x7*m + c
	}
	// The chains converge to 1e-7/(1-0.9999999) = 1, never NaN: this
	// branch is never taken, but the compiler cannot know it, so the loop
	// stays, and concurrent callers share no written state.
	if s := x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7; s != s {
		panic("linalg: fmaLoopGeneric diverged")
	}
}
