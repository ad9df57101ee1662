package analysis

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
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

// TestFlatBounded: the flattest directions of a G with a large null space
// (low-rank inputs) need repeated searches; FlatTime stops them, and the
// note and FlatFound say how many were resolved. FlatIfResolvable skips
// the search on the matrix-free path with p > nK.
func TestFlatBounded(t *testing.T) {
	rng := newRng(4)
	const n, d, r = 60, 40, 3
	basis := randDense(rng, r, d, 1)
	coef := randDense(rng, n, r, 1)
	x := linalg.NewDense(n, d)
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, coef, basis, 0, x)
	m := models.NewLinear(d, 1)
	perturb(rng, m.Params(), 0.3)
	obj := models.NewObjective(m, models.Square{}, x, randDense(rng, n, 1, 1))
	opt := Options{Path: PathMatrixFree, TopK: 2, Flat: 2, Random: -1, Seed: 1}
	full, err := FromObjective(obj, opt)
	if err != nil || full.FlatWanted != 2 || full.FlatFound != 2 {
		t.Fatalf("unbounded: found %d of %d, %v; notes %q", full.FlatFound, full.FlatWanted, err, full.Notes)
	}
	opt.FlatTime = time.Nanosecond
	capped, err := FromObjective(obj, opt)
	if err != nil || capped.FlatFound >= 2 || !strings.Contains(strings.Join(capped.Notes, " "), "time cap") {
		t.Errorf("time cap: found %d of %d, %v; notes %q", capped.FlatFound, capped.FlatWanted, err, capped.Notes)
	}

	wide := models.NewObjective(models.NewLinear(d, 1), models.Square{}, randDense(rng, 10, d, 1), randDense(rng, 10, 1, 1))
	res, err := FromObjective(wide, Options{Path: PathMatrixFree, TopK: 2, Flat: 2, FlatIfResolvable: true, Random: -1})
	if err != nil || res.FlatFound != 0 || !strings.Contains(strings.Join(res.Notes, " "), "not searched") {
		t.Errorf("p > nK: found %d, %v; notes %q", res.FlatFound, err, res.Notes)
	}
}
