package floattest

import "math"

// Unit roundoff and underflow constants of IEEE binary64 with rounding to
// nearest.
const (
	// U is the unit roundoff 2⁻⁵³: |fl(x) − x| ≤ U·|x| for x in the
	// normal range.
	U = 0x1p-53
	// Eta is the smallest subnormal, 2⁻¹⁰⁷⁴: an upper bound on the
	// absolute error of rounding a product (or fused multiply-add) whose
	// result lies in the subnormal range. The exact bound is half of it,
	// 2⁻¹⁰⁷⁵, which float64 cannot represent; the factor 2 also absorbs
	// the (1+γ) by which later roundings can scale that error. Sums and
	// differences never incur it (they are exact when their result is
	// subnormal).
	Eta = 0x1p-1074
)

// Gamma returns γₙ = n·U / (1 − n·U), the factor of the classical error
// bounds: a sum of n products, in any order, with or without fused
// multiply-adds, is within γₙ·Σ|xᵢyᵢ| of the exact value (absent underflow
// and overflow). Gamma(0) is 0; n·U ≥ 1 gives +Inf.
func Gamma(n int) float64 {
	if n <= 0 {
		return 0
	}
	nu := float64(n) * U
	if nu >= 1 {
		return math.Inf(1)
	}
	return nu / (1 - nu)
}

// ULP returns the spacing of float64 values at x: the distance from |x| to
// the next larger float64 in magnitude. ULP(0) is the smallest subnormal;
// ULP(±Inf) and ULP(NaN) are NaN.
func ULP(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return math.NaN()
	}
	x = math.Abs(x)
	if x == math.MaxFloat64 {
		return x - math.Nextafter(x, 0)
	}
	return math.Nextafter(x, math.Inf(1)) - x
}

// ordered maps a float64 to an integer that is monotone in its value, with
// −0 and +0 both mapped to 0.
func ordered(x float64) int64 {
	b := int64(math.Float64bits(x))
	if b < 0 {
		return math.MinInt64 - b // −0 ↦ 0, more negative ↦ smaller
	}
	return b
}

// ULPDistance returns the number of float64 values between a and b
// (0 when equal, 1 when adjacent; −0 and +0 count as equal). It is
// math.MaxUint64 if either is NaN.
func ULPDistance(a, b float64) uint64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.MaxUint64
	}
	ia, ib := ordered(a), ordered(b)
	if ia > ib {
		ia, ib = ib, ia
	}
	return uint64(ib) - uint64(ia)
}

// RelErr returns |got − want| / |want|; |got − want| when want is zero.
// Two NaNs, or two equal infinities, have relative error 0; otherwise a
// NaN or infinity on either side gives +Inf.
func RelErr(got, want float64) float64 {
	switch {
	case math.IsNaN(got) && math.IsNaN(want):
		return 0
	case math.IsNaN(got) || math.IsNaN(want):
		return math.Inf(1)
	case math.IsInf(got, 0) || math.IsInf(want, 0):
		if got == want {
			return 0
		}
		return math.Inf(1)
	case want == 0:
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// SameBits reports whether a and b are identical float64 values, treating
// every NaN as equal to every other NaN (payloads are not compared) and
// distinguishing −0 from +0.
func SameBits(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// SameClass reports whether a and b are both NaN, both +Inf, both −Inf or
// both finite.
func SameClass(a, b float64) bool {
	return Class(a) == Class(b)
}

// Class names the class of x: "NaN", "+Inf", "-Inf" or "finite".
func Class(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return "finite"
}
