package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// ceProblems returns softmax cross-entropy objectives with K ≥ 2 outputs:
// one-hot and soft targets, models linear and nonlinear in θ, n > p and
// n < p, one network whose K the Gram path assembles layer by layer.
func ceProblems(t testing.TB) []problem {
	rng := newRng(41)
	var out []problem
	add := func(name string, m models.Model, n int, soft bool) {
		K := m.NumOutputs()
		x := randDense(rng, n, m.InputDim(), 1)
		y := linalg.NewDense(n, K)
		for i := 0; i < n; i++ {
			row := y.Row(i)
			if soft {
				var s float64
				for k := range row {
					row[k] = rng.Float64() + 0.1
					s += row[k]
				}
				linalg.Scal(1/s, row)
			} else {
				row[rng.IntN(K)] = 1
			}
		}
		perturb(rng, m.Params(), 0.5)
		out = append(out, problem{name, models.NewObjective(m, models.CrossEntropy{}, x, y), false})
	}
	add("softmax regression n>p", models.NewLinear(3, 3), 40, false)
	add("softmax regression n<p soft", models.NewLinear(9, 4), 6, true)
	mlp := models.NewMLP([]int{3, 5, 3}, models.Tanh)
	mlp.Init(6)
	add("mlp K=3 tanh", mlp, 14, false)
	tl := models.NewTwoLayer(models.TwoLayerConfig{D: 4, M: 6, Act: models.Softplus, Bias: true, TrainSecond: true})
	tl.Init(2)
	add("twolayer K=1 (Λ = 0)", tl, 9, false)
	return out
}

// naiveCE computes the ingredients of a cross-entropy objective by brute
// force, independently of the loss's HessFactor and of the Gram and dense
// formulas: p_i = softmax(f_i) by its definition, Λ_i = diag(p_i) − p_ip_iᵀ,
// G = (1/n) Σ_i J_iᵀΛ_iJ_i entry by entry, ∇ℓ_i = J_iᵀ(p_i − y_i), ℓ_i =
// log Σ_k e^{f_ik} − Σ_k y_ik f_ik, all from the model's Jacobian and
// predictions. It returns G as well.
func naiveCE(obj *models.Objective) (Ingredients, *linalg.Dense) {
	n, K, p := obj.N(), obj.Model.NumOutputs(), obj.NumParams()
	j := linalg.NewDense(n*K, p)
	obj.Jacobian(j, 0)
	f := linalg.NewDense(n, K)
	obj.Model.Predict(f, obj.X)
	G := linalg.NewDense(p, p)
	g := linalg.NewDense(n, p)
	grad := make([]float64, p)
	in := Ingredients{N: n, P: p, Outputs: K}
	fn := float64(n)
	for i := 0; i < n; i++ {
		fi, yi := f.Row(i), obj.Y.Row(i)
		var z float64
		for _, v := range fi {
			z += math.Exp(v)
		}
		pr := make([]float64, K)
		for k, v := range fi {
			pr[k] = math.Exp(v) / z
			in.Loss += (yi[k]*math.Log(z) - yi[k]*v) / fn
		}
		for a := 0; a < p; a++ {
			for k := 0; k < K; k++ {
				g.Set(i, a, g.At(i, a)+j.At(i*K+k, a)*(pr[k]-yi[k]))
			}
			grad[a] += g.At(i, a) / fn
			for b := 0; b < p; b++ {
				var s float64
				for k := 0; k < K; k++ {
					for l := 0; l < K; l++ {
						lam := -pr[k] * pr[l]
						if k == l {
							lam += pr[k]
						}
						s += j.At(i*K+k, a) * lam * j.At(i*K+l, b)
					}
				}
				G.Set(a, b, G.At(a, b)+s/fn)
			}
		}
	}
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
			in.TrSigma1 += gi[a] * gi[a] / fn
			for b := 0; b < p; b++ {
				in.TrSigma1G += gi[a] * G.At(a, b) * gi[b] / fn
			}
		}
	}
	in.TrSigma = in.TrSigma1 - in.GradNorm2
	in.TrSigmaG = in.TrSigma1G - in.GradGGrad
	return in, G
}

// TestCrossEntropyPathsAgree checks, for softmax cross-entropy, the
// generalized Gauss–Newton G = JᵀΛJ/n of the dense path entry by entry and
// the ingredients of every path (Gram structured and by Syrk, dense,
// matrix-free) against the brute-force oracle, and the metrics, the
// eigenvalues and g of the Gram and matrix-free paths against the dense
// path.
func TestCrossEntropyPathsAgree(t *testing.T) {
	for _, pr := range ceProblems(t)[:3] {
		t.Run(pr.name, func(t *testing.T) {
			n, p := pr.obj.N(), pr.obj.NumParams()
			K := pr.obj.Model.NumOutputs()
			want, wantG := naiveCE(pr.obj)
			dm, err := Dense(pr.obj, false)
			if err != nil {
				t.Fatal(err)
			}
			// Each entry of G sums n·K² products bounded by ‖J_ia‖‖J_ib‖.
			tol := 16 * float64(n*K*K) * eps * want.TrG
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					if !closeTo(dm.G.At(a, b), wantG.At(a, b), tol) {
						t.Fatalf("dense G[%d,%d] = %.17g, oracle %.17g", a, b, dm.G.At(a, b), wantG.At(a, b))
					}
				}
			}
			opt := Options{TopK: 3, Flat: 2, Random: 2, Seed: 1, Angles: 2}
			res := map[string]*Result{}
			for _, o := range []Options{{Path: PathGram}, {Path: PathGram, Unstructured: true}, {Path: PathDense}, {Path: PathMatrixFree}} {
				o.TopK, o.Flat, o.Random, o.Seed, o.Angles = opt.TopK, opt.Flat, opt.Random, opt.Seed, opt.Angles
				r, err := FromObjective(pr.obj, o)
				if err != nil {
					t.Fatalf("%s: %v", o.Path, err)
				}
				label := o.Path
				if o.Unstructured {
					label += " syrk"
				}
				checkIngredients(t, label, r.Ingredients, want, n, p)
				if o.Path == PathGram && !strings.Contains(strings.Join(r.Notes, " "), "generalized Gauss–Newton") {
					t.Errorf("%s: notes %q", label, r.Notes)
				}
				res[label] = r
			}
			d := res[PathDense]
			for _, label := range []string{PathGram, PathGram + " syrk", PathMatrixFree} {
				r := res[label]
				c := 64 * float64(n*K+p) * eps
				for _, m := range []struct {
					name string
					a, b Metric
				}{{"mu", r.Mu, d.Mu}, {"mu_c", r.MuC, d.MuC}, {"mu_iso", r.MuIso, d.MuIso}} {
					tol := 8 * c * (d.TrSigma1 * d.TrG / d.TrSigma1G) * math.Abs(m.b.Value)
					if !m.a.Defined || !closeTo(m.a.Value, m.b.Value, tol) {
						t.Errorf("%s: %s = %v, dense %v", label, m.name, m.a, m.b)
					}
				}
				compareDirectional(t, label, r, d, n*K+p)
				for i := range r.Angles {
					if eigenGap(d.Eigenvalues, d.Eigenvalues[1]) > 1e-6*d.Eigenvalues[0] && !closeTo(r.Angles[i], d.Angles[i], 1e-6) {
						t.Errorf("%s: angles %v, dense %v", label, r.Angles, d.Angles)
					}
				}
			}
			if len(res[PathGram].Eigenvalues) != len(d.Eigenvalues) {
				t.Errorf("rank: gram %d, dense %d", len(res[PathGram].Eigenvalues), len(d.Eigenvalues))
			}
		})
	}
}

// TestCrossEntropyOneOutput: with K = 1 the softmax is the constant 1, so
// with targets summing to one L = 0, Λ = 0 and G = 0: every metric is
// undefined with a reason, on every path, and nothing is NaN.
func TestCrossEntropyOneOutput(t *testing.T) {
	pr := ceProblems(t)[3]
	for _, path := range []string{PathGram, PathDense, PathMatrixFree} {
		r, err := FromObjective(pr.obj, Options{Path: path, TopK: 2, Random: 1})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if r.TrG != 0 || r.FrobG2 != 0 || r.Mu.Defined || !strings.Contains(r.Mu.Reason, "L = 0") || r.Loss != 0 || len(r.Eigenvalues) != 0 {
			t.Errorf("%s: Tr G %g, ‖G‖² %g, mu %+v, eigenvalues %v", path, r.TrG, r.FrobG2, r.Mu, r.Eigenvalues)
		}
		for _, d := range r.Directional {
			if d.G.Defined {
				t.Errorf("%s: g(%s %d) defined: %v", path, d.Kind, d.K, d.G)
			}
		}
	}
}

// TestCrossEntropyBootstrapWeights: the ingredients of the Gram path on a
// resample with multiplicities equal those of the data set in which the
// samples are repeated (cross-entropy: the weights enter the loss, the
// factors and both Gram matrices).
func TestCrossEntropyBootstrapWeights(t *testing.T) {
	pr := ceProblems(t)[2]
	n, K, p := pr.obj.N(), pr.obj.Model.NumOutputs(), pr.obj.NumParams()
	rng := newRng(8)
	c := make([]float64, n)
	var idx []int
	for i := 0; i < n; i++ {
		c[i] = float64(rng.IntN(3))
		for m := 0; m < int(c[i]); m++ {
			idx = append(idx, i)
		}
	}
	x, y := linalg.NewDense(len(idx), pr.obj.X.Cols), linalg.NewDense(len(idx), K)
	for a, i := range idx {
		copy(x.Row(a), pr.obj.X.Row(i))
		copy(y.Row(a), pr.obj.Y.Row(i))
	}
	dup := models.NewObjective(pr.obj.Model, models.CrossEntropy{}, x, y)
	want, _ := naiveCE(dup)
	s := newState(pr.obj)
	g, _ := Gram(pr.obj, 1<<40)
	got := gramMetricsWeighted(g, s.fac.sandwich(g), s.fac, s.r, p, c)
	checkIngredients(t, "weighted", got, want, len(idx), p)
}
