package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// TestWeightedGramMetrics checks the multiplicity-weighted metrics against
// GramMetrics on the data set with the rows actually repeated.
func TestWeightedGramMetrics(t *testing.T) {
	for _, pr := range problems(t) {
		n, K, p := pr.obj.N(), pr.obj.Model.NumOutputs(), pr.obj.NumParams()
		c := make([]float64, n)
		var idx []int
		for i := range c {
			c[i] = float64((i * 7) % 3) // 0, 1 or 2 copies
			for j := 0; j < int(c[i]); j++ {
				idx = append(idx, i)
			}
		}
		x := linalg.NewDense(len(idx), pr.obj.X.Cols)
		y := linalg.NewDense(len(idx), K)
		for a, i := range idx {
			copy(x.Row(a), pr.obj.X.Row(i))
			copy(y.Row(a), pr.obj.Y.Row(i))
		}
		dup := models.NewObjective(pr.obj.Model, models.Square{}, x, y)
		gd, _ := Gram(dup, 1<<40)
		rd := linalg.NewDense(len(idx), K)
		dup.Residuals(rd)
		want := GramMetrics(gd, rd, p)

		g, _ := Gram(pr.obj, 1<<40)
		r := linalg.NewDense(n, K)
		pr.obj.Residuals(r)
		got := gramMetricsWeighted(g, g, nil, r, p, c)
		if got.N != len(idx) {
			t.Errorf("%s: N = %d, want %d", pr.name, got.N, len(idx))
		}
		checkIngredients(t, pr.name, got, want, len(idx), p)
	}
}

// TestBootstrap checks determinism and that the bootstrap standard error
// of μ is of the size of the spread of μ over independent data sets
// (within a factor 2: both are estimates from 24 draws, 12 with -short).
func TestBootstrap(t *testing.T) {
	d, n, sets := 4, 300, 24
	if testing.Short() {
		sets = 12
	}
	delta := []float64{0.3, -0.2, 0.1, 0.4}
	var mus, ses []float64
	// FullEigenMax 1: only the top eigenpair, by Lanczos (speed).
	opt := Options{Path: PathGram, Bootstrap: 40, Random: -1, TopK: 1, Flat: -1, FullEigenMax: 1}
	for rep := 0; rep < sets; rep++ {
		obj, _ := linearProblemRot(t, "powerlaw:1", d, n, 0.5, delta, uint64(rep+1), false)
		opt.Seed = uint64(rep)
		res, err := FromObjective(obj, opt)
		if err != nil {
			t.Fatal(err)
		}
		if res.StdErr == nil || res.StdErr.Replicates != 40 || !(res.StdErr.Mu > 0) {
			t.Fatalf("StdErr %+v", res.StdErr)
		}
		if rep == 0 {
			again, _ := FromObjective(obj, opt)
			if *again.StdErr != *res.StdErr {
				t.Errorf("bootstrap not deterministic: %+v vs %+v", again.StdErr, res.StdErr)
			}
		}
		mus = append(mus, res.Mu.Value)
		ses = append(ses, res.StdErr.Mu)
	}
	var m, m2, se float64
	for i := range mus {
		m += mus[i]
		m2 += mus[i] * mus[i]
		se += ses[i]
	}
	k := float64(len(mus))
	sd := math.Sqrt((m2 - m*m/k) / (k - 1))
	se /= k
	t.Logf("spread of μ over data sets %.4f, mean bootstrap SE %.4f", sd, se)
	if se < sd/2 || se > 2*sd {
		t.Errorf("bootstrap SE %.4f vs spread over data sets %.4f", se, sd)
	}
}

// TestBootstrapDenseMatchesGram: with the same seed the dense and Gram
// paths draw the same resamples, so their bootstrap standard errors agree
// to rounding (each replicate's metric is computed by independent
// formulas: weighted Gram sums against re-formed p×p matrices), for the
// square loss and cross-entropy.
func TestBootstrapDenseMatchesGram(t *testing.T) {
	all := append(problems(t), ceProblems(t)[:3]...)
	for _, pr := range all {
		n, K, p := pr.obj.N(), pr.obj.Model.NumOutputs(), pr.obj.NumParams()
		opt := Options{Bootstrap: 30, Seed: 5, TopK: 1, Flat: -1, Random: -1}
		opt.Path = PathGram
		g, err := FromObjective(pr.obj, opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.Path = PathDense
		d, err := FromObjective(pr.obj, opt)
		if err != nil {
			t.Fatal(err)
		}
		if g.StdErr == nil || d.StdErr == nil || d.StdErr.Replicates != 30 || !(d.StdErr.Mu > 0) {
			t.Fatalf("%s: StdErr gram %+v dense %+v", pr.name, g.StdErr, d.StdErr)
		}
		// Per replicate the metrics agree within the TestPathsAgree bound
		// (resamples have at most n distinct samples of the same scale:
		// twice the full-data bound); a standard deviation over m
		// replicates moves by at most √(m/(m−1)) times the largest change.
		c := 64 * float64(n*K+p) * eps
		base := 2 * 8 * c * (d.TrSigma1 * d.TrG / d.TrSigma1G) * math.Sqrt(30.0/29)
		for _, m := range []struct {
			name        string
			a, b, scale float64
		}{{"mu", g.StdErr.Mu, d.StdErr.Mu, d.Mu.Value}, {"mu_c", g.StdErr.MuC, d.StdErr.MuC, d.MuC.Value},
			{"mu_iso", g.StdErr.MuIso, d.StdErr.MuIso, d.MuIso.Value}, {"mu/mu_iso", g.StdErr.MuOverIso, d.StdErr.MuOverIso, d.MuOverIso.Value}} {
			if !closeTo(m.a, m.b, base*math.Abs(m.scale)) {
				t.Errorf("%s: SE(%s) gram %.15g, dense %.15g (tol %.3g)", pr.name, m.name, m.a, m.b, base*math.Abs(m.scale))
			}
		}
	}
	// The matrix-free path says it has none.
	pr := problems(t)[0]
	r, err := FromObjective(pr.obj, Options{Path: PathMatrixFree, Bootstrap: 5, TopK: 1, Flat: -1})
	if err != nil || r.StdErr != nil || !strings.Contains(strings.Join(r.Notes, " "), "bootstrap") {
		t.Errorf("matrix-free bootstrap: %+v, notes %q, %v", r.StdErr, r.Notes, err)
	}
}
