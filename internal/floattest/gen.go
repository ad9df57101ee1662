package floattest

import (
	"math"
	"math/rand/v2"
)

// Specials are the special values the generators mix in: signed zeros,
// infinities, NaN, subnormals, the smallest normal, and huge (±1e300) and
// tiny (±1e-300) normals.
var Specials = []float64{
	0, math.Copysign(0, -1),
	math.Inf(1), math.Inf(-1), math.NaN(),
	5e-324, -5e-324, // smallest subnormal
	2.5e-310, -1.2345e-315, // other subnormals
	0x1p-1022, // smallest normal
	1e300, -1e300,
	1e-300, -1e-300,
}

// FiniteSpecials are the finite members of Specials.
var FiniteSpecials = func() []float64 {
	var f []float64
	for _, v := range Specials {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			f = append(f, v)
		}
	}
	return f
}()

// WideExp bounds the binary exponent of Wide values: they lie in
// [2^-WideExp, 2^WideExp) in magnitude, so a product of two of them stays
// within 2^±300 and sums of millions of such products cannot overflow.
const WideExp = 150

// Gen generates deterministic pseudo-random test data. Two Gens made with
// the same seed produce the same values on every platform.
type Gen struct {
	r *rand.Rand
}

// New returns a generator seeded with seed.
func New(seed uint64) *Gen {
	return &Gen{r: rand.New(rand.NewPCG(seed, 0x6e6f69736567656f))}
}

// Rand exposes the underlying source for other draws.
func (g *Gen) Rand() *rand.Rand { return g.r }

// Normal returns n standard normal values.
func (g *Gen) Normal(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = g.r.NormFloat64()
	}
	return x
}

// Uniform returns n values uniform in [lo, hi).
func (g *Gen) Uniform(n int, lo, hi float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = lo + (hi-lo)*g.r.Float64()
	}
	return x
}

// Ints returns n small integers in [-k, k], whose sums and products of
// moderate length are exact in float64 in any order.
func (g *Gen) Ints(n, k int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(g.r.IntN(2*k+1) - k)
	}
	return x
}

// Wide returns n values of random sign and a log-uniform magnitude in
// [2^-WideExp, 2^WideExp): they exercise cancellation and wide dynamic
// range without special values.
func (g *Gen) Wide(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		m := 1 + g.r.Float64() // [1, 2)
		e := g.r.IntN(2*WideExp) - WideExp
		v := math.Ldexp(m, e)
		if g.r.IntN(2) == 0 {
			v = -v
		}
		x[i] = v
	}
	return x
}

// WithSpecials returns n standard normal values of which each is replaced,
// with probability p, by a random member of set (Specials when set is nil).
func (g *Gen) WithSpecials(n int, p float64, set []float64) []float64 {
	if set == nil {
		set = Specials
	}
	x := g.Normal(n)
	for i := range x {
		if g.r.Float64() < p {
			x[i] = set[g.r.IntN(len(set))]
		}
	}
	return x
}

// Scalar returns a random "moderate" scalar for alpha and beta arguments:
// ±1, ±0.5, 2, or a normal value scaled to [0.25, 4) in magnitude. Such
// scalars never push a product of test data into overflow or underflow that
// the data alone would not cause.
func (g *Gen) Scalar() float64 {
	switch g.r.IntN(6) {
	case 0:
		return 1
	case 1:
		return -1
	case 2:
		return 0.5
	case 3:
		return -2
	}
	v := math.Ldexp(1+g.r.Float64(), g.r.IntN(4)-2)
	if g.r.IntN(2) == 0 {
		v = -v
	}
	return v
}
