package data

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/linalg"
)

// TestTeacherActivationNames: data.Activation is linalg's enum, while the
// teacher spec keeps its own spelling (leakyrelu, case-insensitive) in
// both directions, and GELU, which teachers do not evaluate, is refused.
func TestTeacherActivationNames(t *testing.T) {
	for _, c := range []struct {
		name string
		act  linalg.Activation
	}{
		{"tanh", linalg.ActTanh}, {"relu", linalg.ActReLU}, {"leakyrelu", linalg.ActLeakyReLU},
		{"sigmoid", linalg.ActSigmoid}, {"softplus", linalg.ActSoftplus}, {"identity", linalg.ActIdentity},
		{"LeakyReLU", linalg.ActLeakyReLU}, {"TANH", linalg.ActTanh},
	} {
		got, err := ParseActivation(c.name)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.act, got, c.name)
		te, err := ParseTeacher("twolayer:3:"+c.name, 2, 1, 1)
		require.NoError(t, err, c.name)
		assert.Equal(t, "twolayer:3:"+teacherActivationName(c.act), te.Spec())
	}
	te, err := ParseTeacher("twolayer:3:leakyrelu", 2, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, "twolayer:3:leakyrelu", te.Spec())
	for _, bad := range []string{"leaky_relu", "gelu", "cube", ""} {
		_, err := ParseActivation(bad)
		assert.ErrorContains(t, err, "want one of tanh, relu, leakyrelu, sigmoid, softplus, identity", bad)
	}
	for _, bad := range []Activation{linalg.ActGELU, -1, 99} {
		_, err := NewTwoLayerTeacher(2, 3, 1, bad, 1)
		assert.ErrorContains(t, err, "has no teacher", "%v", bad)
	}
}
