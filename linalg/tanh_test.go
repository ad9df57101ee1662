package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulpDiff returns the distance in units in the last place between two
// finite float64 of the same sign.
func ulpDiff(a, b float64) uint64 {
	ia, ib := int64(math.Float64bits(math.Abs(a))), int64(math.Float64bits(math.Abs(b)))
	if ia > ib {
		return uint64(ia - ib)
	}
	return uint64(ib - ia)
}

// TestTanhAccuracy compares Tanh with math.Tanh (itself within about 1 ulp
// of the exact value) over a wide range: a dense grid of [-25, 25], random
// points at every scale from 1e-300 to 1e3, the branch points of both
// implementations, and the special values. The bound of 2 ulp is what the
// construction gives (see Tanh); a wrong coefficient or range reduction
// shows as thousands of ulp.
func TestTanhAccuracy(t *testing.T) {
	const maxULP = 2
	step := 1e-4
	n := 400000
	if testing.Short() {
		step, n = 1e-3, 40000
	}
	var xs []float64
	for x := -25.0; x <= 25; x += step {
		xs = append(xs, x)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range n {
		x := math.Pow(10, -300+303*rng.Float64())
		if rng.IntN(2) == 0 {
			x = -x
		}
		xs = append(xs, x)
	}
	for _, x := range []float64{0, 5e-324, 1e-300, 0.173, 0.3466, 0.3467, 0.625, 0.6931,
		1, 19.99, 20, 20.01, 22, 44, 1e300, math.MaxFloat64, math.Inf(1)} {
		xs = append(xs, x, -x)
	}
	check := func(name string, got []float64) {
		var worst uint64
		var worstX float64
		for i, x := range xs {
			want := math.Tanh(x)
			if math.Signbit(got[i]) != math.Signbit(want) {
				t.Fatalf("%s: tanh(%g) = %g, math.Tanh = %g: sign differs", name, x, got[i], want)
			}
			if d := ulpDiff(got[i], want); d > worst {
				worst, worstX = d, x
			}
		}
		t.Logf("%s: max distance to math.Tanh over %d points: %d ulp at x = %g", name, len(xs), worst, worstX)
		if worst > maxULP {
			t.Errorf("%s: tanh(%g) is %d ulp from math.Tanh, want ≤ %d", name, worstX, worst, maxULP)
		}
	}
	got := make([]float64, len(xs))
	for i, x := range xs {
		got[i] = Tanh(x)
	}
	check("scalar", got)
	defer SetImplementation(Implementation())
	for _, name := range Implementations() {
		if err := SetImplementation(name); err != nil {
			t.Fatal(err)
		}
		TanhTo(got, xs)
		check("TanhTo/"+name, got)
	}
	if !math.IsNaN(Tanh(math.NaN())) {
		t.Errorf("tanh(NaN) = %g", Tanh(math.NaN()))
	}
}

// TestTanhTo checks the slice kernel of every linalg table this CPU runs
// (the AVX-512 assembly among them) against math.Tanh within 2 ulp and
// bit for bit against the scalar Tanh, for
// every length up to 40 (all tail lengths) and a long vector over the
// special values and a wide range, and that it writes nothing past
// len(src) and handles dst aliasing src.
func TestTanhTo(t *testing.T) {
	defer SetImplementation(Implementation())
	rng := rand.New(rand.NewPCG(9, 10))
	special := []float64{0, math.Copysign(0, -1), 5e-324, 0.3466, 0.625, 19.99, 20, 21, 1e300,
		math.Inf(1), math.Inf(-1), math.NaN()}
	for _, name := range Implementations() {
		if err := SetImplementation(name); err != nil {
			t.Fatal(err)
		}
		lens := []int{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 40, 4099}
		for _, n := range lens {
			src := make([]float64, n)
			for i := range src {
				switch {
				case i < len(special) && n > 100:
					src[i] = special[i]
				case i%3 == 0:
					src[i] = rng.NormFloat64()
				default:
					src[i] = math.Copysign(math.Pow(10, -20+22*rng.Float64()), rng.NormFloat64())
				}
			}
			dst := make([]float64, n+9)
			const guard = 12345.0
			for i := range dst {
				dst[i] = guard
			}
			TanhTo(dst[:n], src)
			for i, x := range src {
				want := math.Tanh(x)
				got := dst[i]
				if math.IsNaN(want) {
					if !math.IsNaN(got) {
						t.Errorf("%s n=%d: tanh(NaN) = %g", name, n, got)
					}
					continue
				}
				if math.Signbit(got) != math.Signbit(want) || ulpDiff(got, want) > 2 {
					t.Errorf("%s n=%d: tanh(%g) = %g, math.Tanh %g", name, n, x, got, want)
				}
				// Same operations as the scalar function: same bits.
				if s := Tanh(x); math.Float64bits(got) != math.Float64bits(s) {
					t.Errorf("%s n=%d: TanhTo(%g) = %g, scalar Tanh %g", name, n, x, got, s)
				}
			}
			for i := n; i < len(dst); i++ {
				if dst[i] != guard {
					t.Fatalf("%s n=%d: wrote dst[%d]", name, n, i)
				}
			}
			// In place.
			in := append([]float64(nil), src...)
			TanhTo(in, in)
			for i := range in {
				if math.Float64bits(in[i]) != math.Float64bits(dst[i]) && !math.IsNaN(in[i]) {
					t.Fatalf("%s n=%d: in-place result %g differs from %g at %d", name, n, in[i], dst[i], i)
				}
			}
		}
	}
}

func BenchmarkTanh(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 4096)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y := make([]float64, len(x))
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = Tanh(v)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
	b.Run("slice", func(b *testing.B) {
		for b.Loop() {
			TanhTo(y, x)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = math.Tanh(v)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
}
