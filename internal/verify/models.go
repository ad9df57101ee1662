package verify

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// refLayer is a layer as the reference script describes it (the fields of
// models.Layer; the torch side applies σ(Scale·(Wa + b))).
type refLayer struct {
	In, Out int
	Act     string
	Bias    bool
	Frozen  bool
	Scale   float64
}

// objective rebuilds a model and its data set from a case's fields:
// model ("network", "diagonal_product", "diagonal_difference"), loss, n,
// d, K, layers (a JSON string), theta, frozen, x, y. Errors are recorded in f.
func objective(f *fields) func() (*models.Objective, error) {
	kind, lossName := f.str("model"), f.str("loss")
	n, d, K := f.dim("n", 1), f.dim("d", 1), f.dim("K", 1)
	layersJSON := ""
	if kind == "network" {
		layersJSON = f.str("layers")
	}
	theta, frozen := f.vec("theta", -1), f.vec("frozen", -1)
	x, y := f.mat("x", n, d), f.mat("y", n, K)
	return func() (*models.Objective, error) {
		var m models.Model
		switch kind {
		case "network":
			var rl []refLayer
			if err := json.Unmarshal([]byte(layersJSON), &rl); err != nil {
				return nil, fmt.Errorf("layers: %w", err)
			}
			if len(rl) == 0 {
				return nil, fmt.Errorf("layers: none")
			}
			var layers []models.Layer
			prev := d
			for i, l := range rl {
				act, err := models.ParseActivation(l.Act)
				if err != nil {
					return nil, fmt.Errorf("layer %d: %w", i, err)
				}
				if l.In != prev || l.Out < 1 || l.Out > maxLen {
					return nil, fmt.Errorf("layer %d: %d→%d does not follow %d", i, l.In, l.Out, prev)
				}
				prev = l.Out
				layers = append(layers, models.Layer{In: l.In, Out: l.Out, Act: act, Bias: l.Bias, Frozen: l.Frozen, Scale: l.Scale})
			}
			if prev != K {
				return nil, fmt.Errorf("network has %d outputs, data %d", prev, K)
			}
			built, err := models.New(models.Spec{Family: "network", Inputs: d, Outputs: K, Layers: layers})
			if err != nil {
				return nil, err
			}
			nw := built.(*models.Network) // family network builds a *Network
			if len(nw.FrozenWeights()) != len(frozen) {
				return nil, fmt.Errorf("%d frozen weights in the file, network has %d", len(frozen), len(nw.FrozenWeights()))
			}
			copy(nw.FrozenWeights(), frozen)
			m = nw
		case "diagonal_product", "diagonal_difference":
			spec := models.Spec{Family: "diagonal", Inputs: d, Diagonal: models.Product}
			if kind == "diagonal_difference" {
				spec.Diagonal = models.Difference
			}
			var err error
			if m, err = models.New(spec); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unknown model %q", kind)
		}
		if len(theta) != m.NumParams() {
			return nil, fmt.Errorf("%d parameters in the file, model has %d", len(theta), m.NumParams())
		}
		copy(m.Params(), theta)
		loss, err := models.ParseLoss(lossName)
		if err != nil {
			return nil, err
		}
		return models.NewObjective(m, loss, x, y), nil
	}
}

// normwise returns ‖got − want‖_∞ / ‖want‖_∞.
func normwise(got, want []float64) float64 {
	num, den := 0.0, 0.0
	for i := range want {
		num = math.Max(num, math.Abs(got[i]-want[i]))
		den = math.Max(den, math.Abs(want[i]))
	}
	if len(got) != len(want) {
		return math.NaN()
	}
	if den == 0 {
		if num == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return num / den
}

// modelsCase compares one derivative of an Objective with PyTorch autograd
// (float64). Every entry is a sum over the n samples of chain-rule
// products through at most p weights: its forward error is at most γ_{np}
// times the sum of the magnitudes of its terms, on each side. For these
// fixtures (inputs and targets N(0, 1), weights N(0, 1/fan-in), so every
// factor is O(1)) that sum is within a factor 8 of the largest entry, so
// ‖Δ‖_∞/‖ref‖_∞ ≤ 2·8·n·p·ε·K (two sides; K outputs per sample).
func modelsCase(q string) func(f *fields) func() ([]Check, error) {
	return func(f *fields) func() ([]Check, error) {
		build := objective(f)
		n, K, p := f.dim("n", 1), f.dim("K", 1), f.dim("p", 1)
		var v, u []float64
		var value float64
		switch q {
		case "jv", "hv", "gv":
			v = f.vec("v", p)
		case "jtu":
			u = f.vec("u", n*K)
		case "grad":
			value = f.num("value")
		}
		outLen := p
		if q == "jv" {
			outLen = n * K
		}
		want := f.vec("out", outLen)
		tol := 16 * float64(n*p*K) * eps
		return func() ([]Check, error) {
			o, err := build()
			if err != nil {
				return nil, err
			}
			if o.NumParams() != p {
				return nil, fmt.Errorf("model has %d parameters, file says %d", o.NumParams(), p)
			}
			got := make([]float64, p)
			var checks []Check
			what := map[string]string{"grad": "∇L", "jv": "J·v", "jtu": "Jᵀu", "hv": "H·v", "gv": "G·v"}[q]
			switch q {
			case "grad":
				L := o.Gradient(got)
				checks = append(checks, Check{What: "L: |ΔL|/|L|, tol 16·n·p·K·ε", Err: math.Abs(L-value) / math.Abs(value), Tol: tol})
			case "jv":
				jv := linalg.NewDense(n, K)
				o.JVP(jv, v)
				got = jv.Data
			case "jtu":
				o.VJP(got, linalg.NewDenseData(n, K, u))
			case "hv":
				o.HessianVec(got, v)
			case "gv":
				o.GaussNewtonVec(got, v)
			}
			return append(checks, Check{What: what + ": ‖Δ‖∞/‖ref‖∞, tol 16·n·p·K·ε", Err: normwise(got, want), Tol: tol}), nil
		}
	}
}
