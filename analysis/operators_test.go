package analysis

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// TestOperatorsMatchDense applies the matrix-free operators to random
// vectors and compares with the dense p×p matrices (built by Syrk from
// the Jacobian and the per-sample gradients, an independent route).
func TestOperatorsMatchDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, pr := range problems(t) {
		t.Run(pr.name, func(t *testing.T) {
			p, n := pr.obj.NumParams(), pr.obj.N()
			m, err := Dense(pr.obj, true)
			if err != nil {
				t.Fatal(err)
			}
			s1, _ := NewCovariance(pr.obj, CovarianceOptions{Uncentered: true})
			sc, _ := NewCovariance(pr.obj, CovarianceOptions{})
			sb, _ := NewCovariance(pr.obj, CovarianceOptions{Batch: 4})
			sr, _ := NewCovariance(pr.obj, CovarianceOptions{Batch: 4, Replacement: true})
			fb := float64(n-4) / (4 * float64(n-1))
			cases := []struct {
				name   string
				op     linalg.Operator
				a      *linalg.Dense
				factor float64
			}{
				{"Σ₁", s1, m.Sigma1, 1},
				{"Σ", sc, m.Sigma, 1},
				{"Σ_B without replacement", sb, m.Sigma, fb},
				{"Σ_B with replacement", sr, m.Sigma, 0.25},
				{"G", GaussNewton{pr.obj}, m.G, 1},
				{"H", Hessian{pr.obj}, m.H, 1},
			}
			v := make([]float64, p)
			got, want := make([]float64, p), make([]float64, p)
			for _, c := range cases {
				if c.op.Dim() != p {
					t.Fatalf("%s: Dim %d, want %d", c.name, c.op.Dim(), p)
				}
				for trial := 0; trial < 3; trial++ {
					for i := range v {
						v[i] = rng.NormFloat64()
					}
					c.op.Apply(got, v)
					linalg.Gemv(linalg.NoTrans, c.factor, c.a, v, 0, want)
					// Bound: entries of A·v are sums of p terms ≤ ‖A‖_max‖v‖_∞.
					var amax float64
					for _, x := range c.a.Data {
						amax = max(amax, math.Abs(x))
					}
					tol := 64 * float64(n+p) * eps * amax * linalg.Nrm2(v) * math.Sqrt(float64(p))
					for i := range got {
						if !closeTo(got[i], want[i], tol) {
							t.Fatalf("%s: (A·v)[%d] = %.15g, dense %.15g (tol %.3g)", c.name, i, got[i], want[i], tol)
						}
					}
				}
			}
		})
	}
}

func TestBatchFactor(t *testing.T) {
	tests := []struct {
		n, b    int
		repl    bool
		want    float64
		wantErr bool
	}{
		{10, 1, false, 1, false},
		{10, 0, true, 1, false},
		{10, 5, true, 0.2, false},
		{10, 5, false, 5.0 / 45, false},
		{10, 10, false, 0, false},
		{10, 11, false, 0, true},
		{10, 11, true, 1.0 / 11, false},
	}
	for _, tt := range tests {
		got, err := BatchFactor(tt.n, tt.b, tt.repl)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("BatchFactor(%d, %d, %v) = %v, %v; want %v (error %v)", tt.n, tt.b, tt.repl, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := NewCovariance(problems(t)[0].obj, CovarianceOptions{Uncentered: true, Batch: 3}); err == nil {
		t.Error("uncentered minibatch covariance accepted")
	}
}

// TestMinibatchCovarianceStatistical samples many minibatches, forms the
// empirical covariance of their mean gradients and compares it with the
// operator's matrix (Σ/B, or (n−B)/(B(n−1))·Σ). Tolerance: 5 standard
// errors of each entry's estimate, the standard error estimated from the
// same draws (sd of the products (g_a−∇L_a)(g_b−∇L_b) over √draws), plus
// rounding. Known ∇L is used as the mean, so the estimator is unbiased.
func TestMinibatchCovarianceStatistical(t *testing.T) {
	draws := 40000
	if testing.Short() {
		draws = 8000
	}
	pr := problems(t)[0] // linear, n = 40, p = 6
	n, p := pr.obj.N(), pr.obj.NumParams()
	ps := linalg.NewDense(n, p)
	pr.obj.PerSampleGradients(ps, 0)
	for _, repl := range []bool{true, false} {
		const B = 5
		op, err := NewCovariance(pr.obj, CovarianceOptions{Batch: B, Replacement: repl})
		if err != nil {
			t.Fatal(err)
		}
		// The operator's matrix, column by column.
		want := linalg.NewDense(p, p)
		e := make([]float64, p)
		for j := 0; j < p; j++ {
			e[j] = 1
			op.Apply(want.Row(j), e)
			e[j] = 0
		}
		rng := rand.New(rand.NewPCG(21, 1))
		sum, sum2 := make([]float64, p*p), make([]float64, p*p)
		g := make([]float64, p)
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		for d := 0; d < draws; d++ {
			clear(g)
			if repl {
				for b := 0; b < B; b++ {
					linalg.Axpy(1.0/B, ps.Row(rng.IntN(n)), g)
				}
			} else {
				for b := 0; b < B; b++ { // partial Fisher–Yates
					j := b + rng.IntN(n-b)
					perm[b], perm[j] = perm[j], perm[b]
					linalg.Axpy(1.0/B, ps.Row(perm[b]), g)
				}
			}
			linalg.Axpy(-1, op.grad, g)
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					x := g[a] * g[b]
					sum[a*p+b] += x
					sum2[a*p+b] += x * x
				}
			}
		}
		fd := float64(draws)
		for a := 0; a < p; a++ {
			for b := 0; b < p; b++ {
				mean := sum[a*p+b] / fd
				se := math.Sqrt(math.Max(0, sum2[a*p+b]/fd-mean*mean) / fd)
				if w := want.At(a, b); !closeTo(mean, w, 5*se+1e-12*math.Abs(w)) {
					t.Errorf("replacement=%v: cov[%d,%d] = %.6g ± %.2g, operator %.6g", repl, a, b, mean, se, w)
				}
			}
		}
	}
}

// TestUndefined checks that L = 0 and G = 0 give undefined metrics with a
// reason, never NaN, on every path.
func TestUndefined(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// L = 0: labels produced by the model itself.
	m := models.NewLinear(4, 1)
	perturb(rng, m.Params(), 1)
	x := randDense(rng, 10, 4, 1)
	y := linalg.NewDense(10, 1)
	m.Predict(y, x)
	interp := models.NewObjective(m, models.Square{}, x, y)
	// G = 0: all inputs zero (J = 0), labels nonzero.
	zero := models.NewObjective(models.NewLinear(4, 1), models.Square{}, linalg.NewDense(10, 4), randDense(rng, 10, 1, 1))
	for _, path := range []string{PathGram, PathDense, PathMatrixFree} {
		r, err := FromObjective(interp, Options{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if r.Loss != 0 {
			t.Fatalf("%s: interpolating L = %g", path, r.Loss)
		}
		for name, v := range map[string]Metric{"mu": r.Mu, "mu_c": r.MuC, "mu_iso": r.MuIso, "mu/mu_iso": r.MuOverIso} {
			if v.Defined || !strings.Contains(v.Reason, "L = 0") {
				t.Errorf("%s L=0: %s = %+v", path, name, v)
			}
		}
		for _, d := range r.Directional {
			if d.G.Defined || d.G.Reason == "" {
				t.Errorf("%s L=0: g(%s %d) = %+v", path, d.Kind, d.K, d.G)
			}
		}
		r, err = FromObjective(zero, Options{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if r.Mu.Defined || !strings.Contains(r.Mu.Reason, "G = 0") || r.MuC.Defined || r.MuIso.Defined {
			t.Errorf("%s G=0: mu %+v mu_c %+v mu_iso %+v", path, r.Mu, r.MuC, r.MuIso)
		}
		if len(r.Eigenvalues) != 0 {
			t.Errorf("%s G=0: eigenvalues %v", path, r.Eigenvalues)
		}
		for _, d := range r.Directional {
			if d.G.Defined || !strings.Contains(d.G.Reason, "null space") {
				t.Errorf("%s G=0: g(%s %d) = %+v", path, d.Kind, d.K, d.G)
			}
		}
		b, err := jsonMarshal(r)
		if err != nil || strings.Contains(string(b), "NaN") || !strings.Contains(string(b), `"mu":null`) {
			t.Errorf("%s: JSON %s, %v", path, b, err)
		}
	}
	if _, err := FromObjective(interp, Options{Path: "nope"}); err == nil {
		t.Error("unknown path accepted")
	}
}

// TestMatrixFreeProbes checks the probe estimate of Tr(Σ₁G) against the
// exact value within 5 of its reported standard errors, and that the
// standard error shrinks with the number of probes.
func TestMatrixFreeProbes(t *testing.T) {
	pr := problems(t)[3] // two-layer tanh
	exact, err := FromObjective(pr.obj, Options{Path: PathMatrixFree, Random: -1, TopK: 1})
	if err != nil {
		t.Fatal(err)
	}
	var prevSE float64
	for _, probes := range []int{50, 800} {
		r, err := FromObjective(pr.obj, Options{Path: PathMatrixFree, Probes: probes, Random: -1, TopK: 1, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if !(r.TraceStdErr > 0) || !closeTo(r.TrSigma1G, exact.TrSigma1G, 5*r.TraceStdErr) {
			t.Errorf("%d probes: Tr(Σ₁G) = %v ± %v, exact %v", probes, r.TrSigma1G, r.TraceStdErr, exact.TrSigma1G)
		}
		if prevSE != 0 && !(r.TraceStdErr < prevSE) {
			t.Errorf("SE did not shrink: %v then %v", prevSE, r.TraceStdErr)
		}
		prevSE = r.TraceStdErr
		// Exact parts stay exact.
		if r.TrG != exact.TrG || r.TrSigma1 != exact.TrSigma1 {
			t.Errorf("Tr G or Tr Σ₁ changed with probes")
		}
	}
}

// TestEmpty runs every path on an objective with no samples: all metrics
// undefined, no panic.
func TestEmpty(t *testing.T) {
	obj := models.NewObjective(models.NewLinear(3, 1), models.Square{}, linalg.NewDense(0, 3), linalg.NewDense(0, 1))
	for _, path := range []string{PathGram, PathDense, PathMatrixFree, PathAuto} {
		r, err := FromObjective(obj, Options{Path: path, Angles: 1, Bootstrap: 2, HessianTop: 1})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if r.Mu.Defined || r.MuC.Defined || r.MuIso.Defined {
			t.Errorf("%s: mu %v mu_c %v mu_iso %v", path, r.Mu, r.MuC, r.MuIso)
		}
		for _, d := range r.Directional {
			if d.G.Defined {
				t.Errorf("%s: g defined on no data: %+v", path, d)
			}
		}
	}
}

// TestHessianProbes checks the probe estimate of Tr(ΣH) against the exact
// value within 5 reported standard errors.
func TestHessianProbes(t *testing.T) {
	pr := problems(t)[3] // two-layer tanh: H ≠ G
	exact, err := FromObjective(pr.obj, Options{Path: PathGram, Hessian: true, Random: -1})
	if err != nil {
		t.Fatal(err)
	}
	r, err := FromObjective(pr.obj, Options{Path: PathGram, Hessian: true, HessianProbes: 400, Random: -1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !(r.HStdErr > 0) || !closeTo(r.TrSigmaH, exact.TrSigmaH, 5*r.HStdErr) {
		t.Errorf("Tr(ΣH) = %v ± %v, exact %v", r.TrSigmaH, r.HStdErr, exact.TrSigmaH)
	}
	t.Logf("Tr(ΣH) = %.5g ± %.2g (400 probes), exact %.5g; Tr H %.5g vs %.5g", r.TrSigmaH, r.HStdErr, exact.TrSigmaH, r.TrH, exact.TrH)
}
