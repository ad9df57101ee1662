package analysis

import (
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// TestTheoryMultiOutput checks the K-output closed forms against the
// population matrices built entry by entry from Isserlis' theorem: block
// (k, l) of Σ₁ is (δ_kᵀSδ_l)S + Sδ_kδ_lᵀS + Sδ_lδ_kᵀS + s²[k = l]S, G =
// I_K ⊗ S, ∇L = vec(SD), and that K = 1 reproduces the single-output
// values.
func TestTheoryMultiOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	d, K := 4, 3
	a := randDense(rng, d, d, 1)
	s := linalg.NewDense(d, d)
	linalg.Syrk(linalg.NoTrans, 0.3, a, 0, s)
	p := d * K
	delta := make([]float64, p)
	for i := range delta {
		delta[i] = 0.4 * rng.NormFloat64()
	}
	noise2 := 0.05
	lg := LinearGaussian{S: s, Delta: delta, Noise2: noise2, Outputs: K}
	th, err := lg.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	sd := linalg.NewDense(K, d) // row k: Sδ_k
	var twoL float64
	for k := 0; k < K; k++ {
		linalg.Gemv(linalg.NoTrans, 1, s, delta[k*d:(k+1)*d], 0, sd.Row(k))
		twoL += linalg.Dot(delta[k*d:(k+1)*d], sd.Row(k)) + noise2
	}
	sigma1, g := linalg.NewDense(p, p), linalg.NewDense(p, p)
	for k := 0; k < K; k++ {
		for l := 0; l < K; l++ {
			dsd := linalg.Dot(delta[k*d:(k+1)*d], sd.Row(l))
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					v := dsd*s.At(i, j) + sd.At(k, i)*sd.At(l, j) + sd.At(l, i)*sd.At(k, j)
					if k == l {
						v += noise2 * s.At(i, j)
						g.Set(k*d+i, l*d+j, s.At(i, j))
					}
					sigma1.Set(k*d+i, l*d+j, v)
				}
			}
		}
	}
	grad := sd.Data // vec(SD) in the layout of Delta
	sigma := sigma1.Clone()
	linalg.Ger(-1, grad, grad, sigma)
	frob := frobDot(g, g)
	c := 1e-13
	if mu := frobDot(sigma1, g) / (twoL * frob); !closeTo(th.Mu.Value, mu, c) {
		t.Errorf("mu = %v, direct %v", th.Mu.Value, mu)
	}
	if mu := frobDot(sigma, g) / (twoL * frob); !closeTo(th.MuC.Value, mu, c) {
		t.Errorf("mu_c = %v, direct %v", th.MuC.Value, mu)
	}
	if mu := trace(sigma1) * trace(g) / (float64(p) * twoL * frob); !closeTo(th.MuIso.Value, mu, c) {
		t.Errorf("mu_iso = %v, direct %v", th.MuIso.Value, mu)
	}
	if !closeTo(th.Loss, twoL/2, c) {
		t.Errorf("loss = %v, direct %v", th.Loss, twoL/2)
	}
	tmp := make([]float64, p)
	for r := 0; r < 3; r++ {
		v := make([]float64, p)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		if gv := quadForm(sigma, v, tmp) / (twoL * quadForm(g, v, tmp)); !closeTo(lg.Directional(v).Value, gv, c) {
			t.Errorf("g = %v, direct %v", lg.Directional(v).Value, gv)
		}
	}
	// At θ* with noise: μ_c = 1/K.
	th0, _ := LinearGaussian{S: s, Delta: make([]float64, p), Noise2: noise2, Outputs: K}.Evaluate()
	if !closeTo(th0.MuC.Value, 1/float64(K), c) {
		t.Errorf("θ*: mu_c = %v, want 1/K", th0.MuC.Value)
	}
	// K = 1 through the multi-output formula equals the single-output one.
	one := LinearGaussian{S: s, Delta: delta[:d], Noise2: noise2}
	v := delta[d : 2*d]
	if a, b := one.Directional(v), one.directionalK(v); !closeTo(a.Value, b.Value, c) {
		t.Errorf("K = 1: g %v vs %v", a, b)
	}
}

// TestTheoryMultiOutputMeasured: μ and μ_c measured on n samples of a
// 3-output Gaussian regression (dense path) agree with the closed forms
// within 5 bootstrap standard errors plus the O(d/n) bias of a ratio of
// sample moments.
func TestTheoryMultiOutputMeasured(t *testing.T) {
	d, K, n := 4, 3, 20000
	if testing.Short() {
		n = 8000
	}
	sp, err := data.ParseSpectrum("powerlaw:1", d)
	if err != nil {
		t.Fatal(err)
	}
	teacher, err := data.NewLinearTeacher(d, K, 7)
	if err != nil {
		t.Fatal(err)
	}
	noise := 0.3
	gen, err := data.NewGenerator(data.GaussianSpec{N: n, Spectrum: sp, Rotate: true, Seed: 5, Teacher: teacher, Noise: noise})
	if err != nil {
		t.Fatal(err)
	}
	ds := gen.Generate()
	m := models.NewLinear(d, K)
	rng := rand.New(rand.NewPCG(1, 2))
	delta := make([]float64, d*K)
	for j := range m.Params() {
		delta[j] = 0.3 * rng.NormFloat64()
		m.Params()[j] = teacher.Theta.Data[j] + delta[j]
	}
	obj := models.NewObjective(m, models.Square{}, ds.X, ds.Y)
	res, err := FromObjective(obj, Options{Path: PathDense, Bootstrap: 30, Seed: 3, TopK: 1, Flat: -1, Random: -1})
	if err != nil {
		t.Fatal(err)
	}
	th, err := LinearGaussian{S: gen.Covariance(), Delta: delta, Noise2: noise * noise, Outputs: K}.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	bias := 2 * float64(d) / float64(n)
	for _, c := range []struct {
		name      string
		got, want float64
		se        float64
	}{{"mu", res.Mu.Value, th.Mu.Value, res.StdErr.Mu}, {"mu_c", res.MuC.Value, th.MuC.Value, res.StdErr.MuC}} {
		if !closeTo(c.got, c.want, 5*c.se+bias*c.want) {
			t.Errorf("%s = %.4f, closed form %.4f (SE %.4f)", c.name, c.got, c.want, c.se)
		}
	}
}
