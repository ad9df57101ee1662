package data

import (
	"math"
	"math/bits"
	"slices"
	"testing"
)

func TestMulHiLo(t *testing.T) {
	s := newStream(1, 2, 3)
	for i := 0; i < 1000; i++ {
		a, b := s.uint64(), s.uint64()
		h, l := mulHiLo(a, b)
		wh, wl := bits.Mul64(a, b)
		if h != wh || l != wl {
			t.Fatalf("mulHiLo(%x, %x) = %x %x, want %x %x", a, b, h, l, wh, wl)
		}
	}
}

// TestNormalKS checks the normal sampler with a Kolmogorov–Smirnov test and
// the first four moments. With n draws the KS statistic exceeds 1.95/√n
// with probability 0.001 under the null; the moment bounds are 5 standard
// errors (var of x², x³, x⁴ under N(0,1) is 2, 15, 96).
func TestNormalKS(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 50000
	}
	s := newStream(42, roleInput, 0)
	x := make([]float64, n)
	s.normals(x)
	var m1, m2, m3, m4 float64
	for _, v := range x {
		m1 += v
		m2 += v * v
		m3 += v * v * v
		m4 += v * v * v * v
	}
	fn := float64(n)
	se := func(v float64) float64 { return 5 * math.Sqrt(v/fn) }
	if math.Abs(m1/fn) > se(1) || math.Abs(m2/fn-1) > se(2) || math.Abs(m3/fn) > se(15) || math.Abs(m4/fn-3) > se(96) {
		t.Errorf("moments %v %v %v %v", m1/fn, m2/fn, m3/fn, m4/fn)
	}
	slices.Sort(x)
	d := 0.0
	for i, v := range x {
		c := 0.5 * math.Erfc(-v/math.Sqrt2)
		d = math.Max(d, math.Max(math.Abs(c-float64(i)/fn), math.Abs(c-float64(i+1)/fn)))
	}
	if d > 1.95/math.Sqrt(fn) {
		t.Errorf("KS statistic %v > %v", d, 1.95/math.Sqrt(fn))
	}
	// The tails are populated: P(|x| > 4) ≈ 6.3e-5.
	if x[0] > -3 || x[n-1] < 3 {
		t.Errorf("tails missing: min %v max %v", x[0], x[n-1])
	}
}

func TestStreamsIndependentOfNeighbours(t *testing.T) {
	// Adjacent indices must not give correlated streams.
	a, b := newStream(7, roleInput, 100), newStream(7, roleInput, 101)
	n := 20000
	var sxy float64
	for i := 0; i < n; i++ {
		sxy += a.normal() * b.normal()
	}
	if r := sxy / float64(n); math.Abs(r) > 5/math.Sqrt(float64(n)) {
		t.Errorf("correlation of adjacent streams %v", r)
	}
}
