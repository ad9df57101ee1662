package linalg

import (
	"math"
	"testing"
)

func TestPositiveMask(t *testing.T) {
	for _, v := range []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1, -1, math.MaxFloat64,
		-math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(math.NaN(), -1),
		math.Float64frombits(0x7ff0000000000001), math.Float64frombits(0xfff0000000000001)} {
		want := uint64(0)
		if v > 0 {
			want = ^uint64(0)
		}
		if got := positiveMask(v); got != want {
			t.Errorf("positiveMask(%g) (bits %#x) = %#x, want %#x", v, math.Float64bits(v), got, want)
		}
	}
}
