package models

import "math"

// NewLinear returns linear regression f = Wx with K outputs (K = 1:
// f = θᵀx), no bias; θ starts at zero.
func NewLinear(d, K int) *Network {
	return NewNetwork([]Layer{{In: d, Out: K, Act: Identity, Init: InitZero}})
}

// NewRandomFeatures returns the random-feature model
// f(x) = (1/√m) θᵀσ(Wx): W (m×d) is frozen, drawn N(0, 1/d) from seed;
// θ (length m) starts at zero.
func NewRandomFeatures(d, m int, act Activation, seed uint64) *Network {
	n := NewNetwork(randomFeatureLayers(d, m, act))
	n.Init(seed)
	return n
}

func randomFeatureLayers(d, m int, act Activation) []Layer {
	return []Layer{
		{In: d, Out: m, Act: act, Frozen: true, Init: InitLeCun},
		{In: m, Out: 1, Act: Identity, Scale: 1 / math.Sqrt(float64(m)), Init: InitZero},
	}
}

// NewDeepLinear returns the deep linear network f(x) = W_L⋯W_1 x with
// hidden widths (d → widths[0] → … → 1), no biases, LeCun initialisation
// (call Init).
func NewDeepLinear(d int, widths []int) *Network {
	return NewNetwork(deepLinearLayers(append(append([]int{d}, widths...), 1)))
}

// deepLinearLayers chains identity layers through sizes.
func deepLinearLayers(sizes []int) []Layer {
	var layers []Layer
	for i := 0; i+1 < len(sizes); i++ {
		layers = append(layers, Layer{In: sizes[i], Out: sizes[i+1], Act: Identity, Init: InitLeCun})
	}
	return layers
}

// TwoLayerConfig describes f(x) = c·Σ_k a_k σ(w_kᵀx + b_k).
type TwoLayerConfig struct {
	D, M int
	Act  Activation
	// Bias adds trainable b_k.
	Bias bool
	// TrainSecond makes a trainable; otherwise a is fixed (a_k = ±1 drawn by
	// Init, so the second layer is ±c).
	TrainSecond bool
	// MeanField uses c = 1/m; the default is c = 1/√m.
	MeanField bool
}

// NewTwoLayer returns the two-layer network of cfg: w_k ~ N(0, I/d) (LeCun),
// a_k = ±1, biases zero after Init.
func NewTwoLayer(cfg TwoLayerConfig) *Network { return NewNetwork(twoLayerLayers(cfg, 1)) }

// twoLayerLayers is the two-layer network of cfg with K outputs.
func twoLayerLayers(cfg TwoLayerConfig, K int) []Layer {
	c := 1 / math.Sqrt(float64(cfg.M))
	if cfg.MeanField {
		c = 1 / float64(cfg.M)
	}
	return []Layer{
		{In: cfg.D, Out: cfg.M, Act: cfg.Act, Bias: cfg.Bias, Init: InitLeCun},
		{In: cfg.M, Out: K, Act: Identity, Frozen: !cfg.TrainSecond, Scale: c, Init: InitSigns},
	}
}

// NewMLP returns a multi-layer perceptron with layer sizes
// sizes[0] → sizes[1] → … → sizes[len-1] (K = last size), biases, the
// activation act on hidden layers and identity outputs, LeCun
// initialisation (call Init). Example: NewMLP([]int{784, 256, 256, 10}, ReLU).
func NewMLP(sizes []int, act Activation) *Network {
	if len(sizes) < 2 {
		panic("models: NewMLP needs at least two sizes")
	}
	return NewNetwork(mlpLayers(sizes, act))
}

// mlpLayers is NewMLP's stack.
func mlpLayers(sizes []int, act Activation) []Layer {
	var layers []Layer
	for i := 0; i+1 < len(sizes); i++ {
		a := act
		if i+2 == len(sizes) {
			a = Identity
		}
		layers = append(layers, Layer{In: sizes[i], Out: sizes[i+1], Act: a, Bias: true, Init: InitLeCun})
	}
	return layers
}
