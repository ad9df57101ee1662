package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// linearProblem draws n samples of Gaussian linear regression with the
// given spectrum (rotated), a linear teacher and label noise s, and
// returns the objective at θ = θ* + δ and the population.
func linearProblem(t testing.TB, spec string, d, n int, noise float64, delta []float64, seed uint64) (*models.Objective, LinearGaussian) {
	return linearProblemRot(t, spec, d, n, noise, delta, seed, true)
}

// linearProblemRot is linearProblem with or without the random rotation of
// S (which depends on the seed).
func linearProblemRot(t testing.TB, spec string, d, n int, noise float64, delta []float64, seed uint64, rotate bool) (*models.Objective, LinearGaussian) {
	sp, err := data.ParseSpectrum(spec, d)
	if err != nil {
		t.Fatal(err)
	}
	teacher, err := data.NewLinearTeacher(d, 1, 99)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := data.NewGenerator(data.GaussianSpec{N: n, Spectrum: sp, Rotate: rotate, Seed: seed, Teacher: teacher, Noise: noise})
	if err != nil {
		t.Fatal(err)
	}
	ds := gen.Generate()
	m := models.NewLinear(d, 1)
	for j := range m.Params() {
		m.Params()[j] = teacher.Theta.At(0, j) + delta[j]
	}
	return models.NewObjective(m, models.Square{}, ds.X, ds.Y),
		LinearGaussian{S: gen.Covariance(), Delta: delta, Noise2: noise * noise}
}

// TestTheoryClosedForms checks the closed forms against a direct
// evaluation of the population matrices (Σ₁ = 2L·S + 2Sδδᵀ S etc.).
func TestTheoryClosedForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	d := 5
	a := randDense(rng, d, d, 1)
	s := linalg.NewDense(d, d)
	linalg.Syrk(linalg.NoTrans, 0.2, a, 0, s)
	delta := []float64{0.3, -0.1, 0.2, 0, 0.5}
	lg := LinearGaussian{S: s, Delta: delta, Noise2: 0.09}
	th, err := lg.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	sd := make([]float64, d)
	linalg.Gemv(linalg.NoTrans, 1, s, delta, 0, sd)
	twoL := linalg.Dot(delta, sd) + 0.09
	sigma1 := s.Clone()
	sigma1.Scale(twoL)
	linalg.Ger(2, sd, sd, sigma1)
	sigma := s.Clone()
	sigma.Scale(twoL)
	linalg.Ger(1, sd, sd, sigma)
	frob := frobDot(s, s)
	c := 1e-13
	if mu := frobDot(sigma1, s) / (twoL * frob); !closeTo(th.Mu.Value, mu, c) {
		t.Errorf("mu = %v, direct %v", th.Mu.Value, mu)
	}
	if mu := frobDot(sigma, s) / (twoL * frob); !closeTo(th.MuC.Value, mu, c) {
		t.Errorf("mu_c = %v, direct %v", th.MuC.Value, mu)
	}
	if mu := trace(sigma1) * trace(s) / (float64(d) * twoL * frob); !closeTo(th.MuIso.Value, mu, c) {
		t.Errorf("mu_iso = %v, direct %v", th.MuIso.Value, mu)
	}
	v := []float64{1, 2, 0, -1, 0.5}
	tmp := make([]float64, d)
	if g := quadForm(sigma, v, tmp) / (twoL * quadForm(s, v, tmp)); !closeTo(lg.Directional(v).Value, g, c) {
		t.Errorf("g = %v, direct %v", lg.Directional(v).Value, g)
	}
	// At θ* without noise: L = 0, everything undefined.
	th0, _ := LinearGaussian{S: s, Delta: make([]float64, d)}.Evaluate()
	if th0.Mu.Defined || th0.MuC.Defined {
		t.Errorf("L = 0: mu %v mu_c %v", th0.Mu, th0.MuC)
	}
}

// TestTheoryApproachedAsNGrows measures μ, μ_c, μ_iso and g along random
// directions on R independent data sets per n and checks, per spectrum,
// (a) the mean error shrinks from the smallest to the largest n,
// (b) at the largest n the mean is within 5 standard errors (over the
// replicates) plus 2d/n relative (the O(1/n) bias of a ratio of sample
// moments) of the population value. At θ* with label noise, μ_c and g are
// compared with 1.
func TestTheoryApproachedAsNGrows(t *testing.T) {
	d := 6
	ns := []int{250, 4000}
	reps := 6
	if !testing.Short() {
		ns = []int{250, 2000, 16000}
		reps = 10
	}
	rng := rand.New(rand.NewPCG(12, 3))
	offset := make([]float64, d)
	for i := range offset {
		offset[i] = 0.4 * rng.NormFloat64()
	}
	for _, tc := range []struct {
		spec  string
		delta []float64
	}{
		{"isotropic", offset},
		{"powerlaw:1", offset},
		{"spiked:2,8", offset},
		{"powerlaw:1", make([]float64, d)}, // θ*: μ_c = g = 1
	} {
		name := fmt.Sprintf("%s δ=%.2g", tc.spec, linalg.Nrm2(tc.delta))
		t.Run(name, func(t *testing.T) {
			errs := make([]float64, len(ns))
			for ni, n := range ns {
				// Differences measured − population per replicate (the
				// rotation of S, hence the population, depends on the seed).
				var sum, sum2, tsum [4]float64
				for r := 0; r < reps; r++ {
					obj, lg := linearProblem(t, tc.spec, d, n, 0.5, tc.delta, uint64(100*ni+r+1))
					res, err := FromObjective(obj, Options{Path: PathDense, Random: 1, Seed: 5, TopK: 1, Flat: -1})
					if err != nil {
						t.Fatal(err)
					}
					th, err := lg.Evaluate()
					if err != nil {
						t.Fatal(err)
					}
					var rnd Directional
					for _, x := range res.Directional {
						if x.Kind == "random" {
							rnd = x
						}
					}
					v := randomDirections(d, 1, 5).Row(0)
					got := [4]float64{res.Mu.Value, res.MuC.Value, res.MuIso.Value, rnd.G.Value}
					theory := [4]float64{th.Mu.Value, th.MuC.Value, th.MuIso.Value, lg.Directional(v).Value}
					for k := range got {
						e := got[k] - theory[k]
						sum[k] += e
						sum2[k] += e * e
						tsum[k] += theory[k]
					}
				}
				names := [4]string{"mu", "mu_c", "mu_iso", "g(random)"}
				fr := float64(reps)
				var worst float64
				for k := range sum {
					mean := sum[k] / fr
					se := math.Sqrt(math.Max(0, sum2[k]/fr-mean*mean) / (fr - 1))
					th := tsum[k] / fr
					e := math.Abs(mean)
					worst = max(worst, e/th)
					t.Logf("n=%d %s: measured − theory %+.4f ± %.4f (theory ≈ %.4f)", n, names[k], mean, se, th)
					if ni == len(ns)-1 && e > 5*se+2*float64(d)/float64(n)*th {
						t.Errorf("n=%d %s: measured − theory %+.5f ± %.5f (theory ≈ %.5f)", n, names[k], mean, se, th)
					}
				}
				errs[ni] = worst
			}
			if errs[len(errs)-1] >= errs[0] {
				t.Errorf("relative error did not shrink with n: %v", errs)
			}
		})
	}
}
