package models

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFactorySameAsConstructors: New and Init build the models of the
// family constructors, parameter for parameter, and Size counts them.
func TestFactorySameAsConstructors(t *testing.T) {
	const d, w, seed = 5, 4, 11
	diag := NewDiagonalLinear(d, Difference)
	diag.Init(seed, 1/math.Sqrt(math.Sqrt(d)), 0.5) // α = d^−1/4, as the CLI and experiments drew it
	tests := []struct {
		spec Spec
		want Model // already initialised from seed
		init bool  // call want's Network.Init(seed)
	}{
		{Spec{Family: "linear", Inputs: d, Outputs: 3}, NewLinear(d, 3), true},
		{Spec{Family: "twolayer", Inputs: d, Width: w, Act: Tanh}, NewTwoLayer(TwoLayerConfig{D: d, M: w, Act: Tanh}), true},
		{Spec{Family: "twolayer", Inputs: d, Width: w, Act: ReLU, Bias: true}, NewTwoLayer(TwoLayerConfig{D: d, M: w, Act: ReLU, Bias: true}), true},
		{Spec{Family: "randomfeatures", Inputs: d, Width: w, Act: Softplus, FrozenSeed: 3}, NewRandomFeatures(d, w, Softplus, 3), false},
		{Spec{Family: "mlp", Inputs: d, Outputs: 2, Width: w, Act: GELU}, NewMLP([]int{d, w, 2}, GELU), true},
		{Spec{Family: "mlp", Inputs: d, Outputs: 2, Width: w, Depth: 2, Act: Tanh}, NewMLP([]int{d, w, w, 2}, Tanh), true},
		{Spec{Family: "deeplinear", Inputs: d, Width: w, Depth: 2}, NewDeepLinear(d, []int{w, w}), true},
		{Spec{Family: "diagonal", Inputs: d, Diagonal: Difference}, diag, false},
		{Spec{Family: "network", Inputs: d, Layers: NewMLP([]int{d, w, 3}, Sigmoid).Layers()}, NewMLP([]int{d, w, 3}, Sigmoid), true},
	}
	for _, tc := range tests {
		t.Run(tc.spec.Family, func(t *testing.T) {
			m, err := New(tc.spec)
			require.NoError(t, err)
			require.NoError(t, tc.spec.Init(m, seed))
			if tc.init {
				tc.want.(*Network).Init(seed)
			}
			p, frozen, err := tc.spec.Size()
			require.NoError(t, err)
			assert.Equal(t, float64(m.NumParams()), p)
			assert.Equal(t, tc.want.Params(), m.Params())
			assert.Equal(t, [3]int{tc.want.InputDim(), tc.want.NumOutputs(), tc.want.NumParams()}, [3]int{m.InputDim(), m.NumOutputs(), m.NumParams()})
			if net, ok := m.(*Network); ok {
				want := tc.want.(*Network)
				assert.Equal(t, want.Layers(), net.Layers())
				assert.Equal(t, want.FrozenWeights(), net.FrozenWeights())
				assert.Equal(t, float64(len(net.FrozenWeights())), frozen)
			} else {
				assert.Zero(t, frozen)
			}
		})
	}
}

// TestFactoryErrors: a bad Spec is refused with a *SpecError naming the
// field, by Size and New alike.
func TestFactoryErrors(t *testing.T) {
	tests := []struct {
		spec  Spec
		field string
	}{
		{Spec{Family: "cnn", Inputs: 3}, "Family"},
		{Spec{Family: "", Inputs: 3}, "Family"},
		{Spec{Family: "linear", Inputs: 0}, "Inputs"},
		{Spec{Family: "linear", Inputs: 2, Outputs: -1}, "Outputs"},
		{Spec{Family: "mlp", Inputs: 2}, "Width"},
		{Spec{Family: "twolayer", Inputs: 2, Width: -3}, "Width"},
		{Spec{Family: "randomfeatures", Inputs: 2, Width: 3, Outputs: 2}, "Outputs"},
		{Spec{Family: "diagonal", Inputs: 2, Outputs: 3}, "Outputs"},
		{Spec{Family: "diagonal", Inputs: 2, Diagonal: 7}, "Diagonal"},
		{Spec{Family: "network", Inputs: 2}, "Layers"},
		{Spec{Family: "network", Inputs: 2, Layers: []Layer{{In: 3, Out: 1}}}, "Layers[0]"},
		{Spec{Family: "network", Inputs: 2, Layers: []Layer{{In: 2, Out: 4}, {In: 4, Out: 0}}}, "Layers[1]"},
		{Spec{Family: "network", Inputs: 2, Outputs: 2, Layers: []Layer{{In: 2, Out: 1}}}, "Outputs"},
	}
	for _, tc := range tests {
		_, _, err := tc.spec.Size()
		var se *SpecError
		require.True(t, errors.As(err, &se), "%+v: %v", tc.spec, err)
		assert.Equal(t, tc.field, se.Field, "%+v", tc.spec)
		assert.Contains(t, err.Error(), "Spec."+tc.field)
		m, err2 := New(tc.spec)
		assert.Nil(t, m)
		assert.Equal(t, err, err2)
	}
	assert.Equal(t, []string{"deeplinear", "diagonal", "linear", "mlp", "network", "randomfeatures", "twolayer"}, Families())
}
