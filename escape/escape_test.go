package escape

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// gauss returns an n×d matrix with column j scaled by (j+1)^(−decay/2).
func gauss(n, d int, decay float64, seed uint64) *linalg.Dense {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := linalg.NewDense(n, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, rng.NormFloat64()*math.Pow(float64(j+1), -decay/2))
		}
	}
	return x
}

// linearAtMinimum returns the linear objective on x with random targets,
// its parameters set to the minimum-norm interpolant.
func linearAtMinimum(t *testing.T, x *linalg.Dense, seed uint64) *models.Objective {
	rng := rand.New(rand.NewPCG(seed, 3))
	y := linalg.NewDense(x.Rows, 1)
	for i := range y.Data {
		y.Data[i] = rng.NormFloat64()
	}
	th, res, err := MinNormInterpolant(x, y)
	if err != nil || res > 1e-10 {
		t.Fatalf("interpolant: residual %g, %v", res, err)
	}
	m := models.NewLinear(x.Cols, 1)
	copy(m.Params(), th)
	return models.NewObjective(m, models.Square{}, x, y)
}

func TestMinNormInterpolantAgainstGonum(t *testing.T) {
	for _, sh := range [][2]int{{5, 9}, {9, 9}, {12, 4}} {
		x := gauss(sh[0], sh[1], 0, 1)
		y := linalg.NewDense(sh[0], 1)
		for i := range y.Data {
			y.Data[i] = float64(i%3) - 1
		}
		th, _, err := MinNormInterpolant(x, y)
		if err != nil {
			t.Fatal(err)
		}
		// gonum: minimum-norm solution (LQ) for wide, least squares (QR)
		// for tall or square full-rank systems.
		var want mat.Dense
		if err := want.Solve(mat.NewDense(sh[0], sh[1], x.Data), mat.NewDense(sh[0], 1, y.Data)); err != nil {
			t.Fatal(err)
		}
		for j, v := range th {
			if math.Abs(v-want.At(j, 0)) > 1e-10*(1+math.Abs(v)) {
				t.Errorf("%v: θ[%d] = %v, gonum %v", sh, j, v, want.At(j, 0))
			}
		}
	}
}

// bruteExact applies M ← E[(I−ηA_B)M(I−ηA_B)] in the original coordinates,
// averaging over every ordered batch (with replacement) or every subset
// (without), and returns u_kᵀMu_k.
func bruteExact(f *linalg.Dense, u *linalg.Dense, eta float64, b int, repl bool, m0 *mat.Dense, steps int) []float64 {
	n, p := f.Rows, f.Cols
	var batches [][]int
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) == b {
			batches = append(batches, slices.Clone(cur))
			return
		}
		for i := 0; i < n; i++ {
			if !repl && i < start {
				continue
			}
			if !repl && slices.Contains(cur, i) {
				continue
			}
			rec(i+1, append(cur, i))
		}
	}
	rec(0, nil)
	m := mat.DenseCopyOf(m0)
	for s := 0; s < steps; s++ {
		next := mat.NewDense(p, p, nil)
		for _, bt := range batches {
			a := mat.NewDense(p, p, nil)
			for i := 0; i < p; i++ {
				a.Set(i, i, 1)
			}
			for _, i := range bt {
				for r := 0; r < p; r++ {
					for c := 0; c < p; c++ {
						a.Set(r, c, a.At(r, c)-eta/float64(b)*f.At(i, r)*f.At(i, c))
					}
				}
			}
			var t1, t2 mat.Dense
			t1.Mul(a, m)
			t2.Mul(&t1, a)
			next.Add(next, &t2)
		}
		next.Scale(1/float64(len(batches)), next)
		m = next
	}
	d := make([]float64, p)
	for k := 0; k < p; k++ {
		uk := mat.NewVecDense(p, nil)
		for i := 0; i < p; i++ {
			uk.SetVec(i, u.At(i, k))
		}
		d[k] = mat.Inner(uk, m, uk)
	}
	return d
}

func TestExactAgainstBruteForce(t *testing.T) {
	f := gauss(5, 3, 0, 4)
	q, err := NewQuadratic(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		b    int
		repl bool
		law  Perturbation
	}{{2, true, InSpan}, {2, false, Isotropic}, {5, false, InSpan}, {1, true, Isotropic}, {3, false, InSpan}} {
		eta, steps := 0.3, 6
		s, err := q.Exact(eta, c.b, c.repl, c.law, 1.5, steps, 0)
		if err != nil {
			t.Fatal(err)
		}
		// M_0 = U diag(D(0)) Uᵀ.
		d0 := q.initialD(c.law, 1.5)
		m0 := mat.NewDense(3, 3, nil)
		for k, v := range d0 {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					m0.Set(i, j, m0.At(i, j)+v*q.U.At(i, k)*q.U.At(j, k))
				}
			}
		}
		want := bruteExact(f, q.U, eta, c.b, c.repl, m0, steps)
		got := s.D[len(s.D)-1]
		for k := range want {
			if math.Abs(got[k]-want[k]) > 1e-11*(1+math.Abs(want[k])) {
				t.Errorf("%+v: D_%d = %v, brute force %v", c, k+1, got[k], want[k])
			}
		}
	}
}

// TestMonteCarloMatchesExact: the mean of (u_kᵀw_t)² over R repeats agrees
// with the exact recursion within 5 standard errors, for SGD with and
// without replacement above its critical rate and for GD, on a linear
// model; and the average is independent of the worker count.
func TestMonteCarloMatchesExact(t *testing.T) {
	x := gauss(16, 24, 0.5, 5)
	obj := linearAtMinimum(t, x, 6)
	R := 1000
	if testing.Short() {
		R = 500
	}
	// Above the critical rate the law of (u_kᵀw_t)² grows heavy tails, so
	// the horizon stays short there (10 steps) for the standard error to
	// be meaningful with R repeats.
	type config struct {
		factor float64
		steps  int
		repl   bool
	}
	configs := []config{{0.8, 30, true}, {1.2, 10, true}, {0.8, 30, false}, {1.2, 10, false}}
	if testing.Short() {
		configs = configs[1:3] // above the threshold with replacement, below without
	}
	for _, c := range configs {
		cmp := &Compare{Objective: obj, Batch: 2, Replacement: c.repl, LRFactor: c.factor, Radius: 1, Steps: c.steps, Every: 5,
			Repeats: R, Seed: 7}
		res, err := cmp.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []Arm{res.GD, res.SGD} {
			if !(a.MaxZ < 5) {
				t.Errorf("%+v %s: max |MC − exact|/SE = %.2f", c, a.Method, a.MaxZ)
			}
			for i := range a.MC.Steps {
				if se := a.MC.LossStdErr[i]; se > 0 && math.Abs(a.MC.Loss[i]-a.Exact.Loss[i]) > 5*se {
					t.Errorf("%+v %s step %d: loss MC %v ± %v, exact %v", c, a.Method, a.MC.Steps[i], a.MC.Loss[i], se, a.Exact.Loss[i])
				}
			}
		}
		// The test can fail: the recursion at another rate disagrees.
		q, _ := NewQuadratic(x)
		wrong, _ := q.Exact(res.SGD.LR*1.3, 2, c.repl, InSpan, 1, c.steps, 5)
		if z := MaxZ(res.SGD.MC, wrong); z < 5 {
			t.Errorf("%+v: MC also agrees with the recursion at a 30%% larger rate (max z %.2f)", c, z)
		}
	}
	// Worker independence, bit for bit.
	q, _ := NewQuadratic(x)
	run := func(workers int) *Series {
		mc := &MonteCarlo{Objective: obj, Basis: q.U, Span: q.U.ColsView(0, q.Rank),
			Optim:  optim.Config{Batch: 3, Sampling: optim.WithReplacement, Schedule: optim.Constant(0.05)},
			Radius: 1, Steps: 20, Every: 5, Repeats: 9, Workers: workers, Seed: 3}
		r, err := mc.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return r.Series
	}
	a, b := run(1), run(2)
	for i := range a.D {
		if !slices.Equal(a.D[i], b.D[i]) || a.Loss[i] != b.Loss[i] {
			t.Fatalf("workers 1 and 2 differ at record %d", i)
		}
	}
}

// TestEscapeDirections is the paper's qualitative result on a small linear
// problem (n = 60, d = 120, input spectrum (j+1)^(−1/2), B = 2): GD at
// 1.1·2/λ_max puts essentially all escape mass on u_1; SGD at 1.1× its
// exact critical rate (far below GD's threshold) puts most of it beyond
// the top 10 directions, and its profile moves toward the sharp
// directions as the rate grows.
func TestEscapeDirections(t *testing.T) {
	x := gauss(60, 120, 0.5, 1)
	obj := linearAtMinimum(t, x, 2)
	prof := map[float64]*CompareResult{}
	for _, f := range []float64{1.1, 1.5} {
		c := &Compare{Objective: obj, Batch: 2, Replacement: true, LRFactor: f, Radius: 1, Steps: 300, Every: 100}
		r, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		prof[f] = r
	}
	lo, hi := prof[1.1], prof[1.5]
	if lo.SGD.LR*1.1 >= lo.GD.Threshold {
		t.Fatalf("SGD rate %g not below GD's threshold %g", lo.SGD.LR, lo.GD.Threshold)
	}
	if lo.GD.ShareTop1 < 0.999 || lo.GD.EscapeStep < 0 {
		t.Errorf("GD: top-1 share %.4f, escape step %d", lo.GD.ShareTop1, lo.GD.EscapeStep)
	}
	if lo.SGD.ShareBeyond10 < 0.6 || lo.SGD.ShareTop1 > 0.15 || lo.SGD.EscapeStep < 0 {
		t.Errorf("SGD: beyond-10 share %.3f, top-1 %.3f, escape step %d", lo.SGD.ShareBeyond10, lo.SGD.ShareTop1, lo.SGD.EscapeStep)
	}
	if !(hi.SGD.ShareTop5 > lo.SGD.ShareTop5+0.03) {
		t.Errorf("SGD top-5 share %.3f at 1.5× vs %.3f at 1.1×: no shift toward sharp directions", hi.SGD.ShareTop5, lo.SGD.ShareTop5)
	}
	// Below its threshold SGD does not escape: the loss decays.
	c := &Compare{Objective: obj, Batch: 2, Replacement: true, LRFactor: 0.8, Radius: 1, Steps: 300, Every: 100}
	r, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l := r.SGD.Exact.Loss; l[len(l)-1] >= l[0] || r.GD.Exact.Loss[len(l)-1] >= l[0] {
		t.Errorf("below threshold the loss grows: SGD %v, GD %v", l, r.GD.Exact.Loss)
	}
}

func TestProfile(t *testing.T) {
	d := []float64{4, 2, 1, 1, 1, 1, 0, 0, 0, 0, 3, 3}
	lam := []float64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	p := NewProfile(d, lam)
	if p.ShareTop1 != 4./16 || p.ShareTop5 != 9./16 || p.ShareBeyond10 != 6./16 {
		t.Errorf("shares %v %v %v", p.ShareTop1, p.ShareTop5, p.ShareBeyond10)
	}
	ltot := 48. + 22 + 10 + 9 + 8 + 7 + 6 + 3
	if math.Abs(p.LossShareTop1-48/ltot) > 1e-15 || math.Abs(p.LossShareBeyond10-9/ltot) > 1e-15 {
		t.Errorf("loss shares %v %v", p.LossShareTop1, p.LossShareBeyond10)
	}
	if z := NewProfile(make([]float64, 3), lam[:3]); z.ShareTop1 != 0 {
		t.Errorf("zero profile %+v", z)
	}
}

// TestDiagonalMinimum: the constructed point interpolates, has zero
// gradient, and unbalancing it (c = 3) makes it sharper; the true-model
// Monte Carlo from it agrees with the exact recursion of its linearisation
// at early times.
func TestDiagonalMinimum(t *testing.T) {
	x := gauss(10, 16, 0, 8)
	y := linalg.NewDense(10, 1)
	for i := range y.Data {
		y.Data[i] = math.Sin(float64(i))
	}
	lmax := map[float64]float64{}
	for _, c := range []float64{1, 3} {
		m := models.NewDiagonalLinear(16, models.Product)
		if res, err := DiagonalMinimum(m, x, y, c); err != nil || res > 1e-10 {
			t.Fatalf("residual %g, %v", res, err)
		}
		obj := models.NewObjective(m, models.Square{}, x, y)
		g := make([]float64, 32)
		if l := obj.Gradient(g); l > 1e-20 || linalg.Nrm2(g) > 1e-9 {
			t.Errorf("c=%g: loss %g, ‖∇L‖ %g", c, l, linalg.Nrm2(g))
		}
		f, _ := JacobianFeatures(obj)
		q, _ := NewQuadratic(f)
		lmax[c] = q.Lambda[0]
		if c == 3 {
			cmp := &Compare{Objective: obj, Batch: 2, LRFactor: 1.2, Radius: 1e-4, Steps: 10, Every: 5, Repeats: 200, Seed: 1}
			r, err := cmp.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// Directions outside the range of G move at second order
			// (O(‖w‖⁴) in D): compare the range only.
			for _, a := range []Arm{r.GD, r.SGD} {
				if z := MaxZ(rangeOnly(a.MC, q.Rank), rangeOnly(a.Exact, q.Rank)); z > 5 {
					t.Errorf("true diagonal net vs linearisation, %s: max z %.2f", a.Method, z)
				}
			}
		}
	}
	if !(lmax[3] > 2*lmax[1]) {
		t.Errorf("λ_max balanced %g, unbalanced %g", lmax[1], lmax[3])
	}
}

// rangeOnly keeps the first r directions of a series.
func rangeOnly(s *Series, r int) *Series {
	out := &Series{Steps: s.Steps, Loss: s.Loss}
	for i := range s.D {
		out.D = append(out.D, s.D[i][:r])
		if s.DStdErr != nil {
			out.DStdErr = append(out.DStdErr, s.DStdErr[i][:r])
		}
	}
	return out
}

// TestGramModeMatchesDense: with p > n the Gram-mode decomposition (range
// directions plus a remainder) gives the same D_k as the dense one, the
// remainder holding the mass outside the range; Compare and the Monte
// Carlo work in that mode.
func TestGramModeMatchesDense(t *testing.T) {
	x := gauss(12, 40, 0.5, 9)
	dense, err := NewQuadratic(x)
	if err != nil {
		t.Fatal(err)
	}
	defer func(v int) { DenseMaxP = v }(DenseMaxP)
	DenseMaxP = 0
	gram, err := NewQuadratic(x)
	if err != nil {
		t.Fatal(err)
	}
	if !gram.Remainder || dense.Remainder || gram.Rank != 12 || dense.Rank != 12 || gram.U.Cols != 12 {
		t.Fatalf("modes: gram %v rank %d cols %d, dense %v rank %d", gram.Remainder, gram.Rank, gram.U.Cols, dense.Remainder, dense.Rank)
	}
	for _, law := range []Perturbation{InSpan, Isotropic} {
		for _, repl := range []bool{true, false} {
			a, err1 := dense.Exact(0.2, 3, repl, law, 1, 20, 10)
			b, err2 := gram.Exact(0.2, 3, repl, law, 1, 20, 10)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			for i := range a.D {
				da, db := a.D[i], b.D[i]
				rest := 0.0
				for _, v := range da[12:] {
					rest += v
				}
				want := append(slices.Clone(da[:12]), rest)
				for k := range want {
					if math.Abs(db[k]-want[k]) > 1e-10*(1+math.Abs(want[k])) {
						t.Errorf("%v repl %v step %d: D_%d gram %v, dense %v", law, repl, a.Steps[i], k+1, db[k], want[k])
					}
				}
				if math.Abs(a.Loss[i]-b.Loss[i]) > 1e-10*a.Loss[i] {
					t.Errorf("loss %v vs %v", a.Loss[i], b.Loss[i])
				}
			}
		}
	}
	for _, repl := range []bool{true, false} {
		want, err1 := analysis.SGDCriticalRate(x, 3, repl)
		got, err2 := gram.SGDCritical(3, repl)
		if err1 != nil || err2 != nil || math.Abs(got.SGD-want.SGD) > 1e-8*want.SGD || math.Abs(got.GD-want.GD) > 1e-12*want.GD {
			t.Errorf("critical rate on range coordinates %+v, on F %+v (%v %v)", got, want, err1, err2)
		}
	}
	obj := linearAtMinimum(t, x, 1)
	c := &Compare{Objective: obj, Batch: 2, LRFactor: 1.2, Law: Isotropic, Radius: 1, Steps: 10, Every: 5, Repeats: 300, Seed: 4}
	r, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.SGD.Alpha) != 13 || len(r.SGD.MC.D[0]) != 13 || r.SGD.MaxZ > 5 || r.GD.MaxZ > 5 {
		t.Errorf("alpha %d entries, MC %d, max z %v %v", len(r.SGD.Alpha), len(r.SGD.MC.D[0]), r.SGD.MaxZ, r.GD.MaxZ)
	}
}

// TestCompareMethodAndMCGrid: Method runs one arm, identical to that arm
// of a run of both; MCSteps/MCEvery put the Monte Carlo runs on their own
// grid, and MaxZ compares them against the exact recursion on that grid
// (MCExact); a cancelled context stops the run.
func TestCompareMethodAndMCGrid(t *testing.T) {
	obj := linearAtMinimum(t, gauss(8, 12, 1, 5), 6)
	base := Compare{Objective: obj, Batch: 2, Replacement: true, LRFactor: 0.9, Radius: 1, Steps: 20, Every: 5,
		Repeats: 40, MCSteps: 3, MCEvery: 1, Seed: 5}
	ctx := context.Background()
	both, err := base.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method     string
		want, zero Arm
	}{{"GD", both.GD, both.SGD}, {"SGD", both.SGD, both.GD}} {
		c := base
		c.Method = tc.method
		one, err := c.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, other := one.GD, one.SGD
		if tc.method == "SGD" {
			got, other = one.SGD, one.GD
		}
		if !reflect.DeepEqual(got, tc.want) || other.Exact != nil {
			t.Errorf("%s alone differs from %s of both, or ran the other arm", tc.method, tc.method)
		}
		if !reflect.DeepEqual(got.MC.Steps, []int{0, 1, 2, 3}) || !reflect.DeepEqual(got.MCExact.Steps, got.MC.Steps) ||
			!reflect.DeepEqual(got.Exact.Steps, []int{0, 5, 10, 15, 20}) {
			t.Errorf("%s: grids MC %v, MCExact %v, exact %v", tc.method, got.MC.Steps, got.MCExact.Steps, got.Exact.Steps)
		}
		if z := MaxZ(got.MC, got.MCExact); z != got.MaxZ {
			t.Errorf("%s: MaxZ %v, want %v against MCExact", tc.method, got.MaxZ, z)
		}
	}
	c := base
	c.Method = "Adam"
	if _, err := c.Run(ctx); err == nil {
		t.Error("method Adam accepted")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := base.Run(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Run: %v", err)
	}
}
