package data

import (
	"math"
	"testing"
)

// ulpDiff returns the distance in units in the last place between a and b.
func ulpDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	ulp := math.Nextafter(math.Abs(b), math.Inf(1)) - math.Abs(b)
	return math.Abs(a-b) / ulp
}

func TestDetMathAgainstStdlib(t *testing.T) {
	// The stdlib functions are accurate to about 1 ulp; ours promise a few.
	type fn struct {
		name    string
		got     func(float64) float64
		want    func(float64) float64
		lo, hi  float64
		maxUlps float64
	}
	fns := []fn{
		{"log", detLog, math.Log, 1e-300, 1e300, 4},
		{"exp", detExp, math.Exp, -700, 700, 4},
		{"expm1", detExpm1, math.Expm1, -3, 3, 4},
		{"log1p", detLog1p, math.Log1p, -0.9, 10, 4},
		{"tanh", detTanh, math.Tanh, -25, 25, 6},
	}
	for _, f := range fns {
		worst := 0.0
		// Log-spaced and linear probes, both signs where allowed.
		for i := 0; i <= 20000; i++ {
			u := float64(i) / 20000
			var x float64
			if f.lo > 0 {
				x = math.Exp(math.Log(f.lo) + u*(math.Log(f.hi)-math.Log(f.lo)))
			} else {
				x = f.lo + u*(f.hi-f.lo)
			}
			g, w := f.got(x), f.want(x)
			if d := ulpDiff(g, w); d > worst {
				worst = d
			}
		}
		if worst > f.maxUlps {
			t.Errorf("%s: worst error %.1f ulp > %.0f", f.name, worst, f.maxUlps)
		}
	}
	// Tiny arguments keep relative accuracy.
	for _, x := range []float64{1e-300, -1e-20, 1e-10, 3e-5} {
		if d := ulpDiff(detExpm1(x), math.Expm1(x)); d > 2 {
			t.Errorf("expm1(%g): %.1f ulp", x, d)
		}
		if d := ulpDiff(detTanh(x), math.Tanh(x)); d > 3 {
			t.Errorf("tanh(%g): %.1f ulp", x, d)
		}
		if x > 0 {
			if d := ulpDiff(detLog1p(x), math.Log1p(x)); d > 2 {
				t.Errorf("log1p(%g): %.1f ulp", x, d)
			}
		}
	}
	// Special values.
	if !math.IsInf(detLog(0), -1) || !math.IsNaN(detLog(-1)) || detExp(-800) != 0 || !math.IsInf(detExp(800), 1) {
		t.Error("special values of detLog/detExp wrong")
	}
	// (math.Log itself is wrong for subnormals in amd64 assembly; compare
	// with the exact value −1074·ln 2.)
	if d := ulpDiff(detLog(0x1p-1074), -1074*math.Ln2); d > 4 {
		t.Errorf("log(subnormal): %.1f ulp", d)
	}
	for _, c := range [][3]float64{{2, 10, 1024}, {10, -1, 0.1}, {7, 0.5, math.Sqrt(7)}, {1000, -1.5, math.Pow(1000, -1.5)}} {
		if d := ulpDiff(detPow(c[0], c[1]), c[2]); d > 8 {
			t.Errorf("pow(%g, %g) = %v, want %v (%.1f ulp)", c[0], c[1], detPow(c[0], c[1]), c[2], d)
		}
	}
	for _, x := range []float64{-30, -2, 0, 0.5, 40} {
		if math.Abs(detSigmoid(x)-1/(1+math.Exp(-x))) > 4e-16 {
			t.Errorf("sigmoid(%g)", x)
		}
		if math.Abs(detSoftplus(x)-math.Log1p(math.Exp(x))) > 4e-16*math.Max(1, math.Abs(x)) {
			t.Errorf("softplus(%g) = %v want %v", x, detSoftplus(x), math.Log1p(math.Exp(x)))
		}
	}
}
