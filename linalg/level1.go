package linalg

import (
	"fmt"
	"math"
)

func checkSameLen(op string, x, y []float64) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("linalg: %s: len(x) = %d, len(y) = %d", op, len(x), len(y)))
	}
}

// Dot returns Σ x[i]·y[i]; x and y must have the same length.
func Dot(x, y []float64) float64 {
	checkSameLen("Dot", x, y)
	return impl().dot(x, y)
}

// Axpy sets y += alpha·x; x and y must have the same length and may be the
// same slice, but must not overlap otherwise. alpha == 0 returns without
// reading x or y (reference daxpy's quick return), so a NaN or Inf in x
// does not reach y; otherwise NaN and Inf propagate by IEEE arithmetic.
func Axpy(alpha float64, x, y []float64) {
	checkSameLen("Axpy", x, y)
	if alpha == 0 {
		return
	}
	impl().axpy(alpha, x, y)
}

// Axpby sets y = alpha·x + beta·y. A zero factor does not read its operand
// (the BLAS convention, as in OpenBLAS's daxpby): alpha == 0 gives
// y = beta·y without reading x, beta == 0 gives y = alpha·x without reading
// y, so NaN or Inf there do not propagate; Scal's rules then apply to the
// remaining factor. Otherwise NaN and Inf propagate by IEEE arithmetic.
// Aliasing as for Axpy.
func Axpby(alpha float64, x []float64, beta float64, y []float64) {
	checkSameLen("Axpby", x, y)
	switch {
	case alpha == 0:
		Scal(beta, y)
	case beta == 0:
		copy(y, x)
		Scal(alpha, y)
	case beta == 1:
		impl().axpy(alpha, x, y)
	default:
		impl().axpby(alpha, x, beta, y)
	}
}

// Scal sets x = alpha·x. alpha == 0 sets x to zero without reading it, so
// NaN and Inf become 0 (as gonum's Dscal and OpenBLAS do, and as the
// level 2/3 routines treat beta == 0; reference dscal would give NaN);
// alpha == 1 leaves x untouched. Otherwise NaN and Inf propagate by IEEE
// arithmetic.
func Scal(alpha float64, x []float64) {
	switch alpha {
	case 0:
		clear(x)
	case 1:
	default:
		impl().scal(alpha, x)
	}
}

// scalInv sets x = x/nrm, where nrm > 0 is a norm of x (at least its
// largest |x[i]|), also when 1/nrm overflows because x holds subnormal
// numbers: x and nrm are then first scaled up by an exact power of two.
func scalInv(nrm float64, x []float64) {
	if nrm < 0x1p-1000 {
		Scal(0x1p+1000, x)
		nrm *= 0x1p+1000
	}
	Scal(1/nrm, x)
}

// Copy copies src into dst, which must have the same length.
func Copy(dst, src []float64) {
	checkSameLen("Copy", dst, src)
	copy(dst, src)
}

// Asum returns Σ |x[i]|.
func Asum(x []float64) float64 { return impl().asum(x) }

// Nrm2 returns the Euclidean norm of x without undue overflow or
// underflow: the result is accurate for any finite x whose norm is
// representable, even when the squares of its elements are not. It is NaN
// if x holds a NaN and +Inf if x holds an infinity (and no NaN).
func Nrm2(x []float64) float64 {
	// Fast path: the plain sum of squares is exact enough when it lands
	// well inside the normal range. Squares that underflow there are
	// below 2^-1022 each while the sum is ≥ 2^-900, so they change the
	// result by less than len(x)·2^-122 relative.
	s := impl().dot(x, x)
	if s >= 0x1p-900 && s <= 0x1p+900 {
		return math.Sqrt(s)
	}
	// Zero, underflowed, overflowed, or NaN: take the careful path.
	return nrm2Scaled(x)
}

// nrm2Scaled is the careful path: scale by a power of two near the largest
// magnitude so that every square is representable, then sum.
func nrm2Scaled(x []float64) float64 {
	amax := 0.0
	for _, v := range x {
		a := math.Abs(v)
		if math.IsNaN(a) {
			return math.NaN()
		}
		if a > amax {
			amax = a
		}
	}
	if amax == 0 || math.IsInf(amax, 1) {
		return amax
	}
	// scale = 2^-e with amax·scale in [0.5, 1): exact, no rounding.
	_, e := math.Frexp(amax)
	var s float64
	for _, v := range x {
		t := math.Ldexp(v, -e)
		s += t * t
	}
	return math.Ldexp(math.Sqrt(s), e)
}
