package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// fixture is a small model with data and non-trivial parameters.
type fixture struct {
	name string
	obj  *Objective
	// linear: f is linear in θ, so H = G everywhere.
	linear bool
	// kinks: piecewise-linear activation (finite differences may straddle a
	// kink with tiny probability; inputs are continuous so it does not
	// happen for the fixed seeds).
	kinks bool
	// flat: ∇²f = 0 almost everywhere although f is not linear in θ
	// (piecewise-linear activation, only the first layer trained).
	flat bool
}

func randDense(rng *rand.Rand, r, c int, std float64) *linalg.Dense {
	m := linalg.NewDense(r, c)
	for i := range m.Data {
		m.Data[i] = std * rng.NormFloat64()
	}
	return m
}

func randVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// oneHot returns n×K one-hot rows with random classes.
func oneHot(rng *rand.Rand, n, K int) *linalg.Dense {
	y := linalg.NewDense(n, K)
	for i := 0; i < n; i++ {
		y.Set(i, rng.IntN(K), 1)
	}
	return y
}

// perturb adds N(0, std²) noise to every parameter (so biases and
// zero-initialised layers are generic).
func perturb(rng *rand.Rand, x []float64, std float64) {
	for i := range x {
		x[i] += std * rng.NormFloat64()
	}
}

func fixtures(t testing.TB) []fixture {
	rng := rand.New(rand.NewPCG(7, 11))
	const n = 9
	net := func(name string, nw *Network, loss Loss, K int, linear, kinks bool) fixture {
		nw.Init(rng.Uint64())
		perturb(rng, nw.Params(), 0.3)
		perturb(rng, nw.FrozenWeights(), 0.3)
		nw.BlockRows = 4 // several blocks, the last one partial
		x := randDense(rng, n, nw.InputDim(), 1)
		var y *linalg.Dense
		if loss.Name() == "cross_entropy" {
			y = oneHot(rng, n, K)
		} else {
			y = randDense(rng, n, K, 1)
		}
		return fixture{name: name, obj: NewObjective(nw, loss, x, y), linear: linear, kinks: kinks}
	}
	var fs []fixture
	fs = append(fs,
		net("linear", NewLinear(5, 1), Square{}, 1, true, false),
		net("linear_K3", NewLinear(4, 3), Square{}, 3, true, false),
		net("random_features_tanh", NewRandomFeatures(4, 6, Tanh, 3), Square{}, 1, true, false),
		net("random_features_relu", NewRandomFeatures(4, 6, ReLU, 3), Square{}, 1, true, true),
		net("deep_linear", NewDeepLinear(4, []int{3, 5}), Square{}, 1, false, false),
	)
	for i, act := range []Activation{Tanh, Softplus, Sigmoid, GELU, LeakyReLU, ReLU} {
		cfg := TwoLayerConfig{D: 3, M: 5, Act: act, Bias: true, TrainSecond: i%2 == 0, MeanField: i%3 == 1}
		kinks := act == ReLU || act == LeakyReLU
		fx := net("two_layer_"+act.String(), NewTwoLayer(cfg), Square{}, 1, false, kinks)
		fx.flat = kinks && !cfg.TrainSecond
		fs = append(fs, fx)
	}
	fs = append(fs,
		net("mlp_tanh_square", NewMLP([]int{5, 6, 4, 3}, Tanh), Square{}, 3, false, false),
		net("mlp_gelu_xent", NewMLP([]int{5, 6, 4, 3}, GELU), CrossEntropy{}, 3, false, false),
		net("mlp_relu_xent", NewMLP([]int{5, 6, 4, 3}, ReLU), CrossEntropy{}, 3, false, true),
		net("frozen_middle", NewNetwork([]Layer{
			{In: 4, Out: 5, Act: Sigmoid, Bias: true},
			{In: 5, Out: 3, Act: Tanh, Bias: true, Frozen: true},
			{In: 3, Out: 2, Act: Softplus, Bias: true, Scale: 0.7},
		}), Square{}, 2, false, false),
	)
	for _, kind := range []DiagonalKind{Product, Difference} {
		m := NewDiagonalLinear(5, kind)
		m.Init(rng.Uint64(), 0.7, 0.5)
		x := randDense(rng, n, 5, 1)
		y := randDense(rng, n, 1, 1)
		name := map[DiagonalKind]string{Product: "diagonal_product", Difference: "diagonal_difference"}[kind]
		fs = append(fs, fixture{name: name, obj: NewObjective(m, Square{}, x, y)})
	}
	return fs
}

func norm(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// relErr returns ‖a − b‖ / max(‖b‖, floor).
func relErr(a, b []float64, floor float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s) / max(norm(b), floor)
}

// shift sets θ = θ0 + h·v.
func shift(theta, theta0, v []float64, h float64) {
	for i := range theta {
		theta[i] = theta0[i] + h*v[i]
	}
}
