package data

import "math"

// Deterministic elementary functions.
//
// The standard library's math.Log is assembly on amd64 and Go on arm64, and
// the Go compiler may fuse x*y+z into one FMA on arm64 (and amd64 with
// GOAMD64=v3) in any pure-Go code, the standard library's included. Values
// that must be bit-identical across architectures are therefore computed
// here with every product rounded explicitly (float64(x*y)), which the Go
// specification guarantees prevents fusion. Only +, −, ×, ÷, and exact
// bit-level operations (Frexp, Ldexp, Floor, Abs) are used, all of which are
// correctly rounded IEEE operations on every platform. Accuracy is a few ulp,
// which is all synthetic data needs; determinism is the point.

const (
	ln2Hi = 6.93147180369123816490e-01 // high part of ln 2; k·ln2Hi is exact for |k| < 2^11
	ln2Lo = 1.90821492927058770002e-10 // ln 2 − ln2Hi
	log2e = 1.44269504088896338700e+00
)

// mul returns x*y rounded to float64 (never fused with a neighbouring add).
func mul(x, y float64) float64 { return float64(x * y) }

// detLog returns the natural logarithm of x.
func detLog(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	m, k := math.Frexp(x) // x = m·2^k, m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m *= 2 // exact
		k--
	}
	// m in [√½, √2); log m = 2·atanh(s) with s = (m−1)/(m+1), |s| ≤ 0.1716.
	f := m - 1 // exact (Sterbenz)
	s := f / (2 + f)
	s2 := mul(s, s)
	// 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + …); s²ⁿ/(2n+1) < 2^-60 for n ≥ 12.
	p := 1.0 / 25
	for n := 11; n >= 0; n-- {
		p = mul(p, s2) + 1/float64(2*n+1)
	}
	r := mul(2*s, p) // 2*s is exact
	fk := float64(k)
	return mul(fk, ln2Hi) + (mul(fk, ln2Lo) + r)
}

// detExp returns e^x.
func detExp(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 709.782712893384:
		return math.Inf(1)
	case x < -745.1332191019412:
		return 0
	}
	k := math.Floor(mul(x, log2e) + 0.5)
	// r = x − k·ln2 in about [−0.35, 0.35]; k·ln2Hi is exact.
	r := (x - mul(k, ln2Hi)) - mul(k, ln2Lo)
	// Taylor series to r^17/17!: remainder < 2^-60 for |r| ≤ 0.36.
	p := 1.0
	for n := 17; n >= 1; n-- {
		p = mul(p, r)/float64(n) + 1
	}
	return math.Ldexp(p, int(k))
}

// detExpm1 returns e^x − 1, accurate for small |x| too.
func detExpm1(x float64) float64 {
	if math.Abs(x) >= 0.35 || math.IsNaN(x) {
		return detExp(x) - 1
	}
	// x·(1 + x/2·(1 + x/3·(1 + …))): remainder below 2^-60 relative.
	p := 1.0
	for n := 18; n >= 2; n-- {
		p = mul(p, x)/float64(n) + 1
	}
	return mul(x, p)
}

// detLog1p returns log(1 + x), accurate for small |x| too.
func detLog1p(x float64) float64 {
	if x < -1 || math.IsNaN(x) {
		return math.NaN()
	}
	w := 1 + x
	if w == 1 {
		return x
	}
	if math.IsInf(w, 1) {
		return w
	}
	// Classic correction: log(w)·x/(w−1) cancels the rounding of 1+x.
	return mul(detLog(w), x/(w-1))
}

// detPow returns x^y for x > 0 (NaN for x < 0, handled simply elsewhere).
func detPow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case x == 0:
		if y > 0 {
			return 0
		}
		return math.Inf(1)
	}
	return detExp(mul(y, detLog(x)))
}

// detTanh returns tanh(x).
func detTanh(x float64) float64 {
	a := math.Abs(x)
	if a > 22 {
		return math.Copysign(1, x)
	}
	// tanh a = −expm1(−2a) / (2 + expm1(−2a))
	e := detExpm1(-2 * a)
	return math.Copysign(-e/(2+e), x)
}

// detSigmoid returns 1/(1 + e^−x).
func detSigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + detExp(-x))
	}
	e := detExp(x)
	return e / (1 + e)
}

// detSoftplus returns log(1 + e^x).
func detSoftplus(x float64) float64 {
	if x > 0 {
		return x + detLog1p(detExp(-x))
	}
	return detLog1p(detExp(x))
}

// detDot returns Σ x[i]·y[i] summed left to right without fusion.
func detDot(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	for i, v := range x {
		s += float64(v * y[i])
	}
	return s
}

// detAxpy sets y += a·x without fusion.
func detAxpy(a float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += float64(a * v)
	}
}
