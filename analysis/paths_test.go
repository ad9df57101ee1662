package analysis

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// naiveIngredients computes the ingredients by brute force from the
// per-sample gradients g_i and Jacobian rows: independent of both the
// Gram and the dense formulas.
func naiveIngredients(obj *models.Objective) Ingredients {
	n, K, p := obj.N(), obj.Model.NumOutputs(), obj.NumParams()
	j := linalg.NewDense(n*K, p)
	obj.Jacobian(j, 0)
	g := linalg.NewDense(n, p)
	obj.PerSampleGradients(g, 0)
	grad := make([]float64, p)
	for i := 0; i < n; i++ {
		for a := 0; a < p; a++ {
			grad[a] += g.At(i, a) / float64(n)
		}
	}
	// G explicitly.
	G := linalg.NewDense(p, p)
	for a := 0; a < p; a++ {
		for b := 0; b < p; b++ {
			var s float64
			for r := 0; r < n*K; r++ {
				s += j.At(r, a) * j.At(r, b)
			}
			G.Set(a, b, s/float64(n))
		}
	}
	in := Ingredients{N: n, P: p, Outputs: K}
	in.Loss = obj.Value()
	in.TwoL = 2 * in.Loss
	for a := 0; a < p; a++ {
		in.TrG += G.At(a, a)
		in.GradNorm2 += grad[a] * grad[a]
		for b := 0; b < p; b++ {
			in.FrobG2 += G.At(a, b) * G.At(a, b)
			in.GradGGrad += grad[a] * G.At(a, b) * grad[b]
		}
	}
	for i := 0; i < n; i++ {
		gi := g.Row(i)
		for a := 0; a < p; a++ {
			in.TrSigma1 += gi[a] * gi[a] / float64(n)
			for b := 0; b < p; b++ {
				in.TrSigma1G += gi[a] * G.At(a, b) * gi[b] / float64(n)
			}
		}
	}
	in.TrSigma = in.TrSigma1 - in.GradNorm2
	in.TrSigmaG = in.TrSigma1G - in.GradGGrad
	return in
}

// scales returns, per ingredient, a bound on the magnitude of the terms
// summed to form it (for rounding tolerances).
func checkIngredients(t *testing.T, label string, got, want Ingredients, n, p int) {
	t.Helper()
	c := 64 * float64(n*want.Outputs+p) * eps
	s1g := want.TrSigma1 * want.TrG
	rows := []struct {
		name      string
		got, want float64
		scale     float64
	}{
		{"Loss", got.Loss, want.Loss, want.Loss},
		{"TrG", got.TrG, want.TrG, want.TrG},
		{"FrobG2", got.FrobG2, want.FrobG2, want.TrG * want.TrG},
		{"TrSigma1", got.TrSigma1, want.TrSigma1, want.TrSigma1},
		{"TrSigma", got.TrSigma, want.TrSigma, want.TrSigma1},
		{"GradNorm2", got.GradNorm2, want.GradNorm2, want.TrSigma1},
		{"TrSigma1G", got.TrSigma1G, want.TrSigma1G, s1g},
		{"TrSigmaG", got.TrSigmaG, want.TrSigmaG, s1g},
		{"GradGGrad", got.GradGGrad, want.GradGGrad, s1g},
	}
	for _, r := range rows {
		if !closeTo(r.got, r.want, c*r.scale) {
			t.Errorf("%s: %s = %.17g, want %.17g (tol %.3g)", label, r.name, r.got, r.want, c*r.scale)
		}
	}
}

// TestPathsAgree checks Gram = dense = matrix-free (exact traces) = brute
// force on every problem, for the ingredients, the metrics, the
// eigenvalues and the directional alignments.
func TestPathsAgree(t *testing.T) {
	for _, pr := range problems(t) {
		t.Run(pr.name, func(t *testing.T) {
			n, p := pr.obj.N(), pr.obj.NumParams()
			K := pr.obj.Model.NumOutputs()
			want := naiveIngredients(pr.obj)
			opt := Options{TopK: 3, Flat: 2, Random: 2, Seed: 1, Hessian: true}
			res := map[string]*Result{}
			for _, path := range []string{PathGram, PathDense, PathMatrixFree} {
				o := opt
				o.Path = path
				r, err := FromObjective(pr.obj, o)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if r.Path != path {
					t.Errorf("Path = %q, want %q", r.Path, path)
				}
				checkIngredients(t, path, r.Ingredients, want, n, p)
				res[path] = r
			}
			// Blocked Gram (tiny budget: several parameter blocks).
			o := opt
			o.MemoryBudget = int64(16 * n * K * 2)
			o.Unstructured = true
			rb, err := FromObjective(pr.obj, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(rb.Notes) == 0 {
				t.Errorf("blocked Gram: no note about parameter blocks")
			}
			checkIngredients(t, "gram blocked", rb.Ingredients, want, n, p)

			d := res[PathDense]
			if !d.HKnown {
				t.Fatal("dense: H not computed")
			}
			for _, path := range []string{PathGram, PathMatrixFree} {
				r := res[path]
				c := 64 * float64(n*K+p) * eps
				if !closeTo(r.TrH, d.TrH, c*math.Abs(d.TrH)+c) || !closeTo(r.TrSigmaH, d.TrSigmaH, c*(d.TrSigma1*math.Abs(d.TrH)+1)) {
					t.Errorf("%s: TrH %g TrSigmaH %g, dense %g %g", path, r.TrH, r.TrSigmaH, d.TrH, d.TrSigmaH)
				}
				if pr.linear && !closeTo(d.TrSigmaH, d.TrSigmaG, c*d.TrSigma1*d.TrG) {
					t.Errorf("linear model: Tr(ΣH) = %g ≠ Tr(ΣG) = %g", d.TrSigmaH, d.TrSigmaG)
				}
				for _, m := range []struct {
					name string
					a, b Metric
				}{{"mu", r.Mu, d.Mu}, {"mu_c", r.MuC, d.MuC}, {"mu_iso", r.MuIso, d.MuIso}, {"mu/mu_iso", r.MuOverIso, d.MuOverIso}} {
					if !m.a.Defined || !m.b.Defined {
						t.Errorf("%s: %s undefined: %v / %v", path, m.name, m.a, m.b)
						continue
					}
					// The metrics are ratios of the ingredients checked above:
					// relative tolerance from the numerators' and denominators'.
					tol := 8 * c * (d.TrSigma1 * d.TrG / d.TrSigma1G) * math.Abs(m.b.Value)
					if !closeTo(m.a.Value, m.b.Value, tol) {
						t.Errorf("%s: %s = %.15g, dense %.15g", path, m.name, m.a.Value, m.b.Value)
					}
				}
				compareDirectional(t, path, r, d, n*K+p)
			}
			// The Gram and dense paths decompose completely: same rank.
			if len(res[PathGram].Eigenvalues) != len(d.Eigenvalues) {
				t.Errorf("rank: gram %d, dense %d", len(res[PathGram].Eigenvalues), len(d.Eigenvalues))
			}
		})
	}
}

// compareDirectional matches directional results by kind and rank. The
// tolerance of an eigen-direction's g follows the eigenvector
// perturbation bound ‖δu‖ ≲ c·λmax/gap.
func compareDirectional(t *testing.T, path string, r, d *Result, size int) {
	t.Helper()
	c := 64 * float64(size) * eps
	index := map[string]Directional{}
	for _, x := range d.Directional {
		index[fmt.Sprintf("%s%d", x.Kind, x.K)] = x
	}
	lmax := d.Eigenvalues[0]
	for _, x := range r.Directional {
		y, ok := index[fmt.Sprintf("%s%d", x.Kind, x.K)]
		if !ok {
			t.Errorf("%s: %s %d has no dense counterpart", path, x.Kind, x.K)
			continue
		}
		if !closeTo(x.Lambda, y.Lambda, c*lmax) {
			t.Errorf("%s: %s %d: λ = %.15g, dense %.15g", path, x.Kind, x.K, x.Lambda, y.Lambda)
		}
		gap := lmax // random directions: no eigenvector error
		if x.Kind != "random" {
			gap = eigenGap(d.Eigenvalues, x.Lambda)
			if gap < 1e-6*lmax {
				// A repeated eigenvalue (e.g. G = I_K ⊗ XᵀX/n for a
				// linear model with K outputs): the eigenvector is any
				// unit vector of the eigenspace, so g is not unique.
				continue
			}
		}
		du := c * lmax / gap
		// |δg| ≤ 2‖δu‖·(‖Σ‖/(2Lλ) + g·‖G‖/λ), with ‖Σ‖ ≤ Tr Σ₁.
		tol := 4*du*(d.TrSigma1/(d.TwoL*y.Lambda)+math.Abs(y.G.Value)*lmax/y.Lambda) + c
		if x.G.Defined != y.G.Defined || !closeTo(x.G.Value, y.G.Value, tol) {
			t.Errorf("%s: %s %d: g = %v, dense %v (tol %.3g)", path, x.Kind, x.K, x.G, y.G, tol)
		}
	}
}

// eigenGap returns the distance from lam to the nearest other eigenvalue
// (including 0, the null space).
func eigenGap(vals []float64, lam float64) float64 {
	gap := math.Abs(lam)
	self := false
	for _, v := range vals {
		dv := math.Abs(v - lam)
		if !self && dv <= 1e-12*math.Abs(lam) {
			self = true // lam itself, once
			continue
		}
		gap = min(gap, dv)
	}
	return gap
}

// TestNetworkGram compares the layer-structured K with Syrk on the
// explicit Jacobian, entry by entry, for networks with frozen layers,
// biases, several trainable layers and several outputs.
func TestNetworkGram(t *testing.T) {
	rng := newRng(17)
	nets := map[string]*models.Network{
		"twolayer frozen second": models.NewNetwork([]models.Layer{
			{In: 5, Out: 7, Act: models.Tanh, Bias: true},
			{In: 7, Out: 1, Frozen: true, Scale: 0.4, Init: models.InitSigns}}),
		"random features":    models.NewRandomFeatures(6, 9, models.Softplus, 3),
		"mlp K=3 two hidden": models.NewMLP([]int{4, 6, 5, 3}, models.Sigmoid),
		"deep linear":        models.NewDeepLinear(5, []int{4, 3}),
		"twolayer relu both": models.NewTwoLayer(models.TwoLayerConfig{D: 3, M: 8, Act: models.ReLU, Bias: true, TrainSecond: true}),
	}
	for name, net := range nets {
		t.Run(name, func(t *testing.T) {
			net.Init(5)
			perturb(rng, net.Params(), 0.2)
			n := 300 // more than one panel
			x := randDense(rng, n, net.InputDim(), 1)
			obj := models.NewObjective(net, models.Square{}, x, linalg.NewDense(n, net.NumOutputs()))
			got := NetworkGram(net, x)
			want, _ := Gram(obj, 1<<40)
			// Each entry is a dot product of two Jacobian rows:
			// |error| ≤ c·p·ε·‖J_a‖‖J_b‖ ≤ c·p·ε·max diag.
			var dmax float64
			for i := 0; i < want.Rows; i++ {
				dmax = max(dmax, want.At(i, i))
			}
			tol := 16 * float64(net.NumParams()+net.InputDim()) * eps * dmax
			for i := 0; i < want.Rows; i++ {
				for j := 0; j < want.Cols; j++ {
					if !closeTo(got.At(i, j), want.At(i, j), tol) {
						t.Fatalf("K[%d,%d] = %.17g, Syrk on J %.17g (tol %.3g)", i, j, got.At(i, j), want.At(i, j), tol)
					}
				}
				if got.At(i, i) < 0 {
					t.Fatalf("K[%d,%d] < 0", i, i)
				}
			}
			for i := 0; i < got.Rows; i++ {
				for j := 0; j < i; j++ {
					if got.At(i, j) != got.At(j, i) {
						t.Fatalf("K not symmetric at %d,%d", i, j)
					}
				}
			}
		})
	}
}

func TestChoosePath(t *testing.T) {
	tests := []struct {
		n, K, p int
		budget  int64
		want    string
	}{
		{1000, 1, 10, 1 << 30, PathDense},           // small p
		{100, 1, 5000, 1 << 30, PathGram},           // p ≫ n
		{50000, 1, 400000, 1 << 30, PathMatrixFree}, // neither fits
	}
	for _, tt := range tests {
		got, why := ChoosePath(tt.n, tt.K, tt.p, Options{MemoryBudget: tt.budget})
		if got != tt.want || why == "" {
			t.Errorf("ChoosePath(n=%d, K=%d, p=%d) = %s (%s), want %s", tt.n, tt.K, tt.p, got, why, tt.want)
		}
	}
	// A problem FromObjective runs with the default path reports the
	// choice in its notes.
	pr := problems(t)[0]
	r, err := FromObjective(pr.obj, Options{})
	if err != nil || r.Path != PathDense || len(r.Notes) == 0 || !strings.HasPrefix(r.Notes[0], "auto:") {
		t.Errorf("auto: path %s, notes %q, %v", r.Path, r.Notes, err)
	}
}

// TestGramLanczosBranch forces the Lanczos branch of the Gram path
// (nK > FullEigenMax) and compares its top eigenvalues, g and angles with
// the full decomposition.
func TestGramLanczosBranch(t *testing.T) {
	for _, pr := range problems(t) {
		full, err := FromObjective(pr.obj, Options{Path: PathGram, TopK: 3, Flat: -1, Random: -1, Angles: 2})
		if err != nil {
			t.Fatal(err)
		}
		lz, err := FromObjective(pr.obj, Options{Path: PathGram, TopK: 3, Flat: -1, Random: -1, Angles: 2, FullEigenMax: 2})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(lz.Notes, " "), "by Lanczos") {
			t.Errorf("%s: notes %q", pr.name, lz.Notes)
		}
		lmax := full.Eigenvalues[0]
		for i := range lz.Directional {
			a, b := lz.Directional[i], full.Directional[i]
			if !closeTo(a.Lambda, b.Lambda, 1e-10*lmax) {
				t.Errorf("%s: λ_%d %v vs %v", pr.name, i+1, a.Lambda, b.Lambda)
			}
			if eigenGap(full.Eigenvalues, b.Lambda) > 1e-6*lmax && !closeTo(a.G.Value, b.G.Value, 1e-7) {
				t.Errorf("%s: g_%d %v vs %v", pr.name, i+1, a.G, b.G)
			}
		}
		if ev := full.Eigenvalues; len(ev) > 2 && ev[1]-ev[2] < 1e-6*lmax {
			// Repeated eigenvalue at the cut: the top-2 eigenspace is not
			// unique, and the result says so.
			if !strings.Contains(strings.Join(lz.Notes, " "), "not unique") {
				t.Errorf("%s: no note on the non-unique eigenspace: %q", pr.name, lz.Notes)
			}
			continue
		}
		for i := range lz.Angles {
			if !closeTo(lz.Angles[i], full.Angles[i], 1e-6) {
				t.Errorf("%s: angles %v vs %v", pr.name, lz.Angles, full.Angles)
			}
		}
	}
}

// TestPriceGram: FromObjective's choice prices a network's layer-by-layer
// K (here it turns dense into Gram where a Syrk-priced K would lose) and a
// cross-entropy objective's second Gram matrix (here it no longer fits the
// budget).
func TestPriceGram(t *testing.T) {
	net := models.NewNetwork([]models.Layer{
		{In: 150, Out: 10, Act: models.Tanh},
		{In: 10, Out: 1, Frozen: true, Init: models.InitSigns}})
	n := 5000
	obj := models.NewObjective(net, models.Square{}, linalg.NewDense(n, 150), linalg.NewDense(n, 1))
	if got, _ := ChoosePath(n, 1, net.NumParams(), Options{}); got != PathDense {
		t.Errorf("Syrk-priced: %s, want dense", got)
	}
	if got, why := choosePath(n, 1, net.NumParams(), priceGram(obj, Options{}), Options{}); got != PathGram || !strings.Contains(why, "layer-structured") {
		t.Errorf("structured: %s (%s), want gram", got, why)
	}
	if got, _ := choosePath(n, 1, net.NumParams(), priceGram(obj, Options{Unstructured: true}), Options{}); got != PathDense {
		t.Errorf("unstructured: %s, want dense", got)
	}

	lin := models.NewLinear(2500, 2)
	n = 1000
	x, y := linalg.NewDense(n, 2500), linalg.NewDense(n, 2)
	budget := Options{MemoryBudget: 40 << 20} // one 2000² K (32 MB) fits, two do not
	sq := models.NewObjective(lin, models.Square{}, x, y)
	ce := models.NewObjective(lin, models.CrossEntropy{}, x, y)
	if got, _ := choosePath(n, 2, lin.NumParams(), priceGram(sq, budget), budget); got != PathGram {
		t.Errorf("square: %s, want gram", got)
	}
	if got, _ := choosePath(n, 2, lin.NumParams(), priceGram(ce, budget), budget); got != PathMatrixFree {
		t.Errorf("cross-entropy: %s, want matrixfree", got)
	}
}
