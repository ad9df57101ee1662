package models

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// σ' and σ” against central differences of σ and σ' at points away from
// the kinks of the piecewise-linear activations.
func TestActivationDerivatives(t *testing.T) {
	const h = 1e-5
	for a := Identity; a <= ReLU; a++ {
		name := a.String()
		if b, err := ParseActivation(name); err != nil || b != a {
			t.Fatalf("ParseActivation(%q) = %v, %v", name, b, err)
		}
		for _, z := range []float64{-3.1, -0.7, -0.013, 0.2, 1.3, 4.5} {
			s, d1, d2 := a.Eval(z)
			sp, d1p, _ := a.Eval(z + h)
			sm, d1m, _ := a.Eval(z - h)
			fd1 := (sp - sm) / (2 * h)
			fd2 := (d1p - d1m) / (2 * h)
			if math.Abs(fd1-d1) > 1e-8*max(1, math.Abs(d1)) || math.Abs(fd2-d2) > 1e-8*max(1, math.Abs(d2)) {
				t.Errorf("%s at %g: σ' = %g (fd %g), σ'' = %g (fd %g)", name, z, d1, fd1, d2, fd2)
			}
			// The slice path agrees with the scalar one.
			out, g1, g2 := []float64{0}, []float64{0}, []float64{0}
			a.EvalTo(out, g1, g2, []float64{z})
			if out[0] != s || g1[0] != d1 || g2[0] != d2 {
				t.Errorf("%s at %g: apply (%g %g %g) ≠ Eval (%g %g %g)", name, z, out[0], g1[0], g2[0], s, d1, d2)
			}
		}
	}
	if _, err := ParseActivation("swish"); err == nil {
		t.Fatal("ParseActivation accepted an unknown name")
	}
	// Known values.
	for _, c := range []struct {
		a    Activation
		z, s float64
	}{
		{GELU, 1, 0.8413447460685429}, // Φ(1)
		{Softplus, 0, math.Ln2},
		{Softplus, 800, 800}, // no overflow
		{Sigmoid, -800, 0},
		{LeakyReLU, -2, -2 * LeakySlope},
		{ReLU, 0, 0},
	} {
		if s, _, _ := c.a.Eval(c.z); math.Abs(s-c.s) > 1e-15*max(1, math.Abs(c.s)) {
			t.Errorf("%v(%g) = %.17g, want %.17g", c.a, c.z, s, c.s)
		}
	}
}

func TestCrossEntropyStable(t *testing.T) {
	f := linalg.NewDenseData(2, 3, []float64{1000, 0, -1000, -5000, -5001, -5000})
	y := linalg.NewDenseData(2, 3, []float64{0, 1, 0, 1, 0, 0})
	u := linalg.NewDense(2, 3)
	L := CrossEntropy{}.Eval(u, f, y)
	// Row 1: −log softmax(f)_1 = 1000 + log(1 + e^-1000 + e^-2000) = 1000.
	// Row 2: −(f_0 − lse) = log(2 + e^-1).
	want := 1000 + math.Log(2+math.Exp(-1))
	if math.Abs(L-want) > 1e-12*want || math.IsNaN(L) {
		t.Fatalf("loss = %g, want %g", L, want)
	}
	for _, v := range u.Data {
		if math.IsNaN(v) || math.Abs(v) > 1 {
			t.Fatalf("cotangent %v", u.Data)
		}
	}
}

func TestInitDeterministicAndClone(t *testing.T) {
	a := NewMLP([]int{5, 7, 2}, Tanh)
	b := NewMLP([]int{5, 7, 2}, Tanh)
	a.Init(42)
	b.Init(42)
	for i, v := range a.Params() {
		if b.Params()[i] != v {
			t.Fatal("same seed, different parameters")
		}
	}
	b.Init(43)
	if b.Params()[0] == a.Params()[0] {
		t.Fatal("different seeds, same first parameter")
	}
	c := a.Clone().(*Network)
	c.Params()[0] += 1
	if c.Params()[0] == a.Params()[0] || c.Weights(0).Data[0] != c.Params()[0] {
		t.Fatal("Clone shares parameters or its views are stale")
	}
	rf := NewRandomFeatures(3, 4, ReLU, 9)
	if rf.NumParams() != 4 || len(rf.FrozenWeights()) != 12 {
		t.Fatalf("random features: p = %d, frozen = %d", rf.NumParams(), len(rf.FrozenWeights()))
	}
	var signs int
	tl := NewTwoLayer(TwoLayerConfig{D: 2, M: 50, Act: Tanh})
	tl.Init(1)
	for _, v := range tl.Weights(1).Data {
		if v != 1 && v != -1 {
			t.Fatalf("second layer weight %g, want ±1", v)
		}
		if v > 0 {
			signs++
		}
	}
	if signs == 0 || signs == 50 {
		t.Fatal("second layer signs all equal")
	}
}

func TestShapePanics(t *testing.T) {
	m := NewMLP([]int{3, 4, 2}, Tanh)
	x := linalg.NewDense(5, 3)
	for _, c := range []struct {
		name string
		fn   func()
	}{
		{"predict dst", func() { m.Predict(linalg.NewDense(5, 3), x) }},
		{"input dim", func() { m.Predict(linalg.NewDense(5, 2), linalg.NewDense(5, 4)) }},
		{"jvp v", func() { m.JVP(linalg.NewDense(5, 2), x, make([]float64, 3)) }},
		{"vjp dst", func() { m.VJP(make([]float64, 1), x, CotangentHead{linalg.NewDense(5, 2)}) }},
		{"layers chain", func() { NewNetwork([]Layer{{In: 2, Out: 3}, {In: 4, Out: 1}}) }},
		{"objective y", func() { NewObjective(m, Square{}, x, linalg.NewDense(5, 1)) }},
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "models: ") {
					t.Errorf("%s: recovered %v, want a models: panic", c.name, r)
				}
			}()
			c.fn()
		}()
	}
}

// The hot paths reuse the model's workspace: no allocation per call once
// warm.
func TestNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, fx := range fixtures(t) {
		o := fx.obj
		p := o.NumParams()
		v, dst := make([]float64, p), make([]float64, p)
		out := linalg.NewDense(o.N(), o.Model.NumOutputs())
		norms := make([]float64, o.N())
		for name, fn := range map[string]func(){
			"Gradient":           func() { o.Gradient(dst) },
			"HessianVec":         func() { o.HessianVec(dst, v) },
			"GaussNewtonVec":     func() { o.GaussNewtonVec(dst, v) },
			"JVP":                func() { o.JVP(out, v) },
			"VJP":                func() { o.VJP(dst, out) },
			"PerSampleGradNorms": func() { o.PerSampleGradNorms(norms) },
			"Residuals":          func() { o.Residuals(out) },
		} {
			if a := testing.AllocsPerRun(3, fn); a != 0 {
				t.Errorf("%s/%s: %v allocations per call", fx.name, name, a)
			}
		}
	}
}

// A random-feature model equals linear regression on its features.
func TestRandomFeaturesAsLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const n, d, m = 7, 3, 5
	rf := NewRandomFeatures(d, m, Softplus, 1)
	perturb(rng, rf.Params(), 1)
	x := randDense(rng, n, d, 1)
	y := randDense(rng, n, 1, 1)
	phi := linalg.NewDense(n, m)
	rf.LayerOutputs(phi, x, 0)
	lin := NewLinear(m, 1)
	for i, v := range rf.Params() {
		lin.Params()[i] = v / math.Sqrt(m) // the 1/√m output scale
	}
	g1, g2 := make([]float64, m), make([]float64, m)
	L1 := NewObjective(rf, Square{}, x, y).Gradient(g1)
	L2 := NewObjective(lin, Square{}, phi, y).Gradient(g2)
	for i := range g2 {
		g2[i] /= math.Sqrt(m) // chain rule through the scale
	}
	if math.Abs(L1-L2) > 1e-14*L1 || relErr(g1, g2, 1e-300) > 1e-14 {
		t.Fatalf("L %g vs %g, gradient %v vs %v", L1, L2, g1, g2)
	}
}

// Degenerate sizes: an empty batch and a network without trainable layers.
func TestDegenerate(t *testing.T) {
	m := NewMLP([]int{3, 4, 2}, Tanh)
	m.Init(1)
	o := NewObjective(m, Square{}, linalg.NewDense(0, 3), linalg.NewDense(0, 2))
	g := make([]float64, m.NumParams())
	g[0] = 7
	if L := o.Gradient(g); L != 0 || g[0] != 0 {
		t.Fatalf("empty batch: L = %g, g[0] = %g", L, g[0])
	}
	o.HessianVec(g, g)
	o.DiagGaussNewton(g)
	o.PerSampleGradNorms(nil)

	fr := NewNetwork([]Layer{{In: 2, Out: 3, Act: Tanh, Frozen: true}, {In: 3, Out: 1, Frozen: true}})
	fr.Init(2)
	x := linalg.NewDenseData(2, 2, []float64{1, 2, 3, 4})
	of := NewObjective(fr, Square{}, x, linalg.NewDense(2, 1))
	if fr.NumParams() != 0 {
		t.Fatalf("frozen network has %d parameters", fr.NumParams())
	}
	if L := of.Gradient(nil); !(L > 0) {
		t.Fatalf("frozen network: L = %g", L)
	}
	jv := linalg.NewDense(2, 1)
	jv.Data[0] = 5
	of.JVP(jv, nil)
	if jv.Data[0] != 0 {
		t.Fatal("frozen network: Jv ≠ 0")
	}
	of.HessianVec(nil, nil)
	norms := []float64{3, 3}
	of.PerSampleGradNorms(norms)
	if norms[0] != 0 || norms[1] != 0 {
		t.Fatal("frozen network: per-sample norms ≠ 0")
	}
}
