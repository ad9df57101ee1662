package analysis

import (
	"math"
	"strings"
	"testing"
)

// TestPathMemory: the estimates are the formulas ChoosePath compares with
// the budget, so a path ChoosePath picks fits by PathMemory, and PathAuto
// is the smallest.
func TestPathMemory(t *testing.T) {
	for _, tt := range []struct {
		n, K, p int
		budget  int64
	}{
		{1000, 1, 10, 1 << 30}, {100, 1, 5000, 1 << 30}, {50000, 1, 400000, 1 << 30}, {300, 3, 2000, 20 << 20},
	} {
		opt := Options{MemoryBudget: tt.budget}
		path, _ := ChoosePath(tt.n, tt.K, tt.p, opt)
		dense := PathMemory(PathDense, tt.n, tt.K, tt.p, false, opt)
		gram := PathMemory(PathGram, tt.n, tt.K, tt.p, false, opt)
		mf := PathMemory(PathMatrixFree, tt.n, tt.K, tt.p, false, opt)
		if path != PathMatrixFree && PathMemory(path, tt.n, tt.K, tt.p, false, opt) > float64(tt.budget) {
			t.Errorf("n=%d K=%d p=%d: ChoosePath picked %s, which PathMemory puts over the budget", tt.n, tt.K, tt.p, path)
		}
		if path == PathMatrixFree && (dense <= float64(tt.budget) || gram <= float64(tt.budget)) {
			t.Errorf("n=%d K=%d p=%d: matrix-free although dense %g or Gram %g fits", tt.n, tt.K, tt.p, dense, gram)
		}
		if auto := PathMemory(PathAuto, tt.n, tt.K, tt.p, false, opt); auto != math.Min(dense, math.Min(gram, mf)) {
			t.Errorf("auto %g, want the smallest of %g %g %g", auto, dense, gram, mf)
		}
	}
	// A loss other than the square loss holds a second (nK)² matrix.
	sq := PathMemory(PathGram, 100, 3, 10, false, Options{})
	if ce := PathMemory(PathGram, 100, 3, 10, true, Options{}); ce != 2*sq {
		t.Errorf("Gram, cross-entropy %g, square %g", ce, sq)
	}
}

// TestMetricNonFinite: a metric that overflows is undefined, with a reason
// that says so (not the zero-denominator reason).
func TestMetricNonFinite(t *testing.T) {
	for _, m := range []Metric{defined(math.NaN()), defined(math.Inf(1)), ratio(math.Inf(1), 2, "x = 0"), ratio(1e300, 1e-300, "x = 0")} {
		if m.Defined || !strings.Contains(m.Reason, "not finite") || strings.Contains(m.Reason, "x = 0") {
			t.Errorf("%+v", m)
		}
	}
	if m := ratio(1, 0, "x = 0"); m.Defined || m.Reason != "x = 0" {
		t.Errorf("zero denominator: %+v", m)
	}
}
