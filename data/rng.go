package data

import (
	"math/rand/v2"
)

// Random stream roles: each kind of draw has its own family of streams so
// that, for example, changing the label-noise level does not change the
// inputs.
const (
	roleInput uint64 = iota + 1
	roleNoise
	roleRotation
	roleTeacher
	roleSubsample
	rolePCA
)

// mix64 is the SplitMix64 finaliser: a bijective avalanche on 64 bits.
func mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// streamSeed derives the two PCG seed words of stream (seed, role, index).
// Nearby indices give unrelated states (hashing, not adding).
func streamSeed(seed, role, index uint64) (uint64, uint64) {
	a := mix64(seed ^ mix64(role*0x9e3779b97f4a7c15))
	b := mix64(a ^ mix64(index+0x632be59bd9b4e019))
	return b, mix64(b ^ 0xd1b54a32d192ed03)
}

// stream is a reseedable deterministic random source. It uses only integer
// arithmetic from math/rand/v2's PCG plus the rounding-safe arithmetic
// below, so its output is the same on every platform.
type stream struct {
	pcg rand.PCG
}

func newStream(seed, role, index uint64) *stream {
	s := &stream{}
	s.reset(seed, role, index)
	return s
}

// reset positions the stream at the start of (seed, role, index).
func (s *stream) reset(seed, role, index uint64) {
	hi, lo := streamSeed(seed, role, index)
	s.pcg.Seed(hi, lo)
}

func (s *stream) uint64() uint64 { return s.pcg.Uint64() }

// open01 returns a uniform value in the open interval (0, 1): the midpoint
// of one of 2^53 equal cells, never 0 or 1.
func (s *stream) open01() float64 {
	return (float64(s.pcg.Uint64()>>11) + 0.5) * 0x1p-53
}

// intN returns a uniform integer in [0, n) by Lemire's method without bias.
func (s *stream) intN(n uint64) uint64 {
	for {
		hi, lo := mulHiLo(s.pcg.Uint64(), n)
		if lo >= n || lo >= (-n)%n {
			return hi
		}
	}
}

func mulHiLo(a, b uint64) (uint64, uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1 := t&mask32 + a0*b1
	hi := a1*b1 + t>>32 + w1>>32
	return hi, a * b
}

// Leva's ratio-of-uniforms constants (J. L. Leva, ACM TOMS 18(4), 1992).
const (
	levaS  = 0.449871
	levaT  = -0.386595
	levaA  = 0.19600
	levaB  = 0.25472
	levaR1 = 0.27597
	levaR2 = 0.27846
	levaV  = 1.7156 // ≈ 2·√(2/e), the half-width of the v range
)

// normal returns a standard normal deviate by Leva's ratio-of-uniforms
// method. The returned value v/u is pure arithmetic; the logarithm (ours,
// deterministic) only decides acceptance in a thin boundary region.
func (s *stream) normal() float64 {
	for {
		u := s.open01()
		v := mul(levaV, s.open01()-0.5)
		x := u - levaS
		y := abs(v) - levaT
		q := mul(x, x) + mul(y, mul(levaA, y)-mul(levaB, x))
		if q < levaR1 {
			return v / u
		}
		if q > levaR2 {
			continue
		}
		if mul(v, v) <= -4*mul(mul(u, u), detLog(u)) {
			return v / u
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// normals fills dst with standard normal deviates.
func (s *stream) normals(dst []float64) {
	for i := range dst {
		dst[i] = s.normal()
	}
}
