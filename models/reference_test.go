package models

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// The PyTorch reference: TestWriteReferenceInput (run with
// -write-reference-input) writes testdata/reference_input.json from the test
// fixtures; testdata/make_reference.py reads it, recomputes every quantity
// with PyTorch autograd in float64 and writes
// testdata/reference_output.json; TestPyTorchReference compares against the
// committed output without needing Python.

var writeRefInput = flag.Bool("write-reference-input", false, "rewrite testdata/reference_input.json")

const (
	refInputPath  = "testdata/reference_input.json"
	refOutputPath = "testdata/reference_output.json"
)

type refLayer struct {
	In, Out int
	Act     string
	Bias    bool
	Frozen  bool
	Scale   float64
}

type refCase struct {
	Name    string
	Kind    string // "network", "diagonal_product", "diagonal_difference"
	Layers  []refLayer
	Theta   []float64
	Frozen  []float64
	Loss    string
	N, D, K int
	X, Y    []float64 // row-major n×d, n×K
	V       []float64 // direction for Jv, Hv, Gv (length p)
	U       []float64 // cotangent for Jᵀu (n×K)
}

type refOutput struct {
	Name    string
	F       []float64 // predictions n×K
	Loss    float64
	Grad    []float64
	JV      []float64
	JTU     []float64
	HV      []float64
	GV      []float64
	DiagG   []float64
	PSNorms []float64 // ‖∇ℓ_i‖²
}

func dense(r, c int, data []float64) *linalg.Dense {
	return linalg.NewDenseData(r, c, append([]float64(nil), data...))
}

func TestWriteReferenceInput(t *testing.T) {
	if !*writeRefInput {
		t.Skip("run with -write-reference-input to rewrite " + refInputPath)
	}
	rng := rand.New(rand.NewPCG(21, 22))
	var cases []refCase
	for _, fx := range fixtures(t) {
		o := fx.obj
		c := refCase{
			Name: fx.name, Loss: o.Loss.Name(),
			N: o.N(), D: o.X.Cols, K: o.Model.NumOutputs(),
			X: o.X.Data, Y: o.Y.Data,
			Theta: o.Model.Params(),
			V:     randVec(rng, o.NumParams()),
			U:     randVec(rng, o.N()*o.Model.NumOutputs()),
		}
		switch m := o.Model.(type) {
		case *Network:
			c.Kind = "network"
			c.Frozen = m.FrozenWeights()
			for l, ly := range m.Layers() {
				c.Layers = append(c.Layers, refLayer{ly.In, ly.Out, ly.Act.String(), ly.Bias, ly.Frozen, m.scale[l]})
			}
		case *DiagonalLinear:
			c.Kind = map[DiagonalKind]string{Product: "diagonal_product", Difference: "diagonal_difference"}[m.Kind]
		}
		cases = append(cases, c)
	}
	b, err := json.MarshalIndent(cases, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(refInputPath, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildReference rebuilds the model of a reference case.
func buildReference(t *testing.T, c refCase) *Objective {
	var m Model
	switch c.Kind {
	case "network":
		var layers []Layer
		for _, l := range c.Layers {
			act, err := ParseActivation(l.Act)
			if err != nil {
				t.Fatal(err)
			}
			layers = append(layers, Layer{In: l.In, Out: l.Out, Act: act, Bias: l.Bias, Frozen: l.Frozen, Scale: l.Scale})
		}
		nw := NewNetwork(layers)
		copy(nw.FrozenWeights(), c.Frozen)
		nw.BlockRows = 4
		m = nw
	case "diagonal_product":
		m = NewDiagonalLinear(c.D, Product)
	case "diagonal_difference":
		m = NewDiagonalLinear(c.D, Difference)
	default:
		t.Fatalf("unknown kind %q", c.Kind)
	}
	if len(c.Theta) != m.NumParams() {
		t.Fatalf("%s: %d parameters in the file, model has %d", c.Name, len(c.Theta), m.NumParams())
	}
	copy(m.Params(), c.Theta)
	loss, err := ParseLoss(c.Loss)
	if err != nil {
		t.Fatal(err)
	}
	return NewObjective(m, loss, dense(c.N, c.D, c.X), dense(c.N, c.K, c.Y))
}

func readJSON(t *testing.T, path string, v any) {
	b, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestPyTorchReference compares every quantity with PyTorch autograd
// (float64). Both sides compute the same sums in different orders with
// O(1) data and tiny models: 1e-12 relative is ~5000 ulps, far above the
// rounding of either and far below any wrong term.
func TestPyTorchReference(t *testing.T) {
	var cases []refCase
	var outs []refOutput
	readJSON(t, refInputPath, &cases)
	readJSON(t, refOutputPath, &outs)
	if len(cases) != len(outs) || len(cases) == 0 {
		t.Fatalf("%d input cases, %d outputs", len(cases), len(outs))
	}
	const tol = 1e-12
	for i, c := range cases {
		want := outs[i]
		t.Run(c.Name, func(t *testing.T) {
			if want.Name != c.Name {
				t.Fatalf("output %d is %q, input is %q", i, want.Name, c.Name)
			}
			o := buildReference(t, c)
			n, K, p := c.N, c.K, o.NumParams()
			cmp := func(what string, got, want []float64) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: length %d, reference %d", what, len(got), len(want))
				}
				r := relErr(got, want, 1e-300)
				if os.Getenv("MODELS_REF_VERBOSE") != "" {
					t.Logf("%s: relative error %.2g", what, r)
				}
				if r > tol {
					t.Errorf("%s: relative error %.3g vs PyTorch\n got %v\nwant %v", what, r, got, want)
				}
			}
			f := linalg.NewDense(n, K)
			o.Model.Predict(f, o.X)
			cmp("predictions", f.Data, want.F)
			g := make([]float64, p)
			L := o.Gradient(g)
			cmp("loss", []float64{L}, []float64{want.Loss})
			cmp("gradient", g, want.Grad)
			jv := linalg.NewDense(n, K)
			o.JVP(jv, c.V)
			cmp("Jv", jv.Data, want.JV)
			jtu := make([]float64, p)
			o.VJP(jtu, dense(n, K, c.U))
			cmp("Jᵀu", jtu, want.JTU)
			hv := make([]float64, p)
			o.HessianVec(hv, c.V)
			cmp("Hv", hv, want.HV)
			o.GaussNewtonVec(hv, c.V)
			cmp("Gv", hv, want.GV)
			o.DiagGaussNewton(hv)
			cmp("diag G", hv, want.DiagG)
			norms := make([]float64, n)
			o.PerSampleGradNorms(norms)
			cmp("per-sample gradient norms", norms, want.PSNorms)
		})
	}
}
