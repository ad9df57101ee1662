package models

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
)

// Activation is an element-wise nonlinearity σ with its first and second
// derivatives; its one home is linalg.Activation (Eval, EvalTo and the
// other methods are documented there).
type Activation = linalg.Activation

const (
	Identity  = linalg.ActIdentity  // σ(z) = z
	Tanh      = linalg.ActTanh      // σ(z) = tanh z
	Softplus  = linalg.ActSoftplus  // σ(z) = log(1 + eᶻ)
	Sigmoid   = linalg.ActSigmoid   // σ(z) = 1/(1 + e⁻ᶻ)
	GELU      = linalg.ActGELU      // σ(z) = z·Φ(z), Φ the standard normal CDF (exact erf form)
	LeakyReLU = linalg.ActLeakyReLU // σ(z) = z for z > 0, LeakySlope·z otherwise; σ'' = 0 a.e.
	ReLU      = linalg.ActReLU      // σ(z) = max(z, 0); σ'(0) = 0; σ'' = 0 a.e.
)

// LeakySlope is the slope of LeakyReLU for negative arguments.
const LeakySlope = linalg.LeakySlope

// ParseActivation returns the activation with the given String name:
// identity, tanh, softplus, sigmoid, gelu, leaky_relu or relu.
func ParseActivation(s string) (Activation, error) {
	a, err := linalg.ParseActivation(s)
	if err != nil {
		return 0, fmt.Errorf("models: unknown activation %q", s)
	}
	return a, nil
}

// mulDerivOut sets dst = g ⊙ σ'(z) from the outputs s = σ(z) (all of one
// shape), for activations with DerivFromOutput, on up to GOMAXPROCS
// goroutines.
func mulDerivOut(a Activation, dst, g, s *linalg.Dense) {
	if p := splits(dst.Rows, rowsPer(dst.Cols)); p > 1 {
		parallelRange(dst.Rows, p, func(i0, i1 int) { mulDerivOutRows(a, dst, g, s, i0, i1) })
	} else {
		mulDerivOutRows(a, dst, g, s, 0, dst.Rows)
	}
}

// mulDerivOutRows is mulDerivOut for rows [i0, i1).
func mulDerivOutRows(a Activation, dst, g, s *linalg.Dense, i0, i1 int) {
	for i := i0; i < i1; i++ {
		a.MulDerivFromOutput(dst.Row(i), g.Row(i), s.Row(i))
	}
}
