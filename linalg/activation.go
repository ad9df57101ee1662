package linalg

import (
	"fmt"
	"math"
)

// Activation is an element-wise nonlinearity σ with its first and second
// derivatives: the one activation enum of noisegeom (models.Activation and
// data.Activation are aliases of it). Its String names are those the
// noisegeom command parses for --activation.
type Activation int

const (
	ActIdentity  Activation = iota // σ(z) = z
	ActTanh                        // σ(z) = tanh z (computed by Tanh and TanhTo)
	ActSoftplus                    // σ(z) = log(1 + eᶻ)
	ActSigmoid                     // σ(z) = 1/(1 + e⁻ᶻ)
	ActGELU                        // σ(z) = z·Φ(z), Φ the standard normal CDF (exact erf form)
	ActLeakyReLU                   // σ(z) = z for z > 0, LeakySlope·z otherwise; σ'' = 0 a.e.
	ActReLU                        // σ(z) = max(z, 0); σ'(0) = 0; σ'' = 0 a.e.
)

// LeakySlope is the slope of ActLeakyReLU for negative arguments.
const LeakySlope = 0.01

var activationNames = [...]string{"identity", "tanh", "softplus", "sigmoid", "gelu", "leaky_relu", "relu"}

func (a Activation) String() string {
	if a >= 0 && int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ParseActivation returns the activation with the given String name
// (exact match).
func ParseActivation(s string) (Activation, error) {
	for i, n := range activationNames {
		if n == s {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("linalg: unknown activation %q", s)
}

// Curved reports whether σ” is not identically zero.
func (a Activation) Curved() bool {
	switch a {
	case ActIdentity, ActLeakyReLU, ActReLU:
		return false
	}
	return true
}

// DerivFromOutput reports whether σ'(z) is a function of σ(z) alone, so
// that backpropagation can form g ⊙ σ'(z) from the stored outputs
// (MulDerivFromOutput) without storing σ'.
func (a Activation) DerivFromOutput() bool {
	switch a {
	case ActTanh, ActSigmoid, ActLeakyReLU, ActReLU:
		return true
	}
	return false
}

// MulDerivFromOutput sets dst = g ⊙ σ'(z) from the outputs s = σ(z), for
// an activation with DerivFromOutput (it panics otherwise); g and s have
// at least len(dst) elements. It gives the bits of g ⊙ d1 with d1 from
// EvalTo: σ' is the same expression of σ.
func (a Activation) MulDerivFromOutput(dst, g, s []float64) {
	g, s = g[:len(dst)], s[:len(dst)]
	switch a {
	case ActTanh:
		for j, t := range s {
			dst[j] = g[j] * (1 - t*t)
		}
	case ActSigmoid:
		for j, sg := range s {
			dst[j] = g[j] * (sg * (1 - sg))
		}
	case ActLeakyReLU:
		for j, v := range s {
			if v > 0 {
				dst[j] = g[j]
			} else {
				dst[j] = g[j] * LeakySlope
			}
		}
	case ActReLU:
		for j, v := range s {
			dst[j] = g[j] * math.Float64frombits(oneBits&positiveMask(v))
		}
	default:
		panic(fmt.Sprintf("linalg: MulDerivFromOutput: %v needs stored σ'", a))
	}
}

// Eval returns σ(z), σ'(z) and σ”(z).
func (a Activation) Eval(z float64) (s, d1, d2 float64) {
	switch a {
	case ActIdentity:
		return z, 1, 0
	case ActTanh:
		t := Tanh(z)
		d := 1 - t*t
		return t, d, -2 * t * d
	case ActSoftplus:
		// log(1+eᶻ) = max(z,0) + log1p(e^{-|z|}), stable for large |z|.
		sg := sigmoid(z)
		return max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))), sg, sg * (1 - sg)
	case ActSigmoid:
		sg := sigmoid(z)
		d := sg * (1 - sg)
		return sg, d, d * (1 - 2*sg)
	case ActGELU:
		const invSqrt2 = 0.7071067811865476
		const invSqrt2Pi = 0.3989422804014327
		cdf := 0.5 * math.Erfc(-z*invSqrt2)
		pdf := invSqrt2Pi * math.Exp(-0.5*z*z)
		return z * cdf, cdf + z*pdf, pdf * (2 - z*z)
	case ActLeakyReLU:
		if z > 0 {
			return z, 1, 0
		}
		return LeakySlope * z, LeakySlope, 0
	case ActReLU:
		if z > 0 {
			return z, 1, 0
		}
		return 0, 0, 0
	}
	panic(fmt.Sprintf("linalg: unknown activation %d", int(a)))
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// EvalTo is Eval on slices: it writes σ(z) into s and, when non-nil, σ'(z)
// into d1 and σ”(z) into d2, with the bits of Eval (Tanh through the
// table's TanhTo kernel). All slices have the same length; s may be z.
func (a Activation) EvalTo(s, d1, d2, z []float64) {
	if len(z) == 0 {
		return
	}
	switch a {
	case ActIdentity:
		if &s[0] != &z[0] {
			copy(s, z)
		}
		fill(d1, 1)
		fill(d2, 0)
		return
	case ActReLU:
		// Branch-free: the signs of pre-activations are random, and a
		// mispredicted branch per element costs more than the pass.
		s = s[:len(z)]
		if d1 != nil {
			d1 = d1[:len(z)]
			for i, v := range z {
				m := positiveMask(v)
				s[i] = math.Float64frombits(math.Float64bits(v) & m)
				d1[i] = math.Float64frombits(oneBits & m)
			}
		} else {
			for i, v := range z {
				s[i] = math.Float64frombits(math.Float64bits(v) & positiveMask(v))
			}
		}
		fill(d2, 0)
		return
	case ActTanh:
		TanhTo(s, z)
		switch {
		case d1 != nil && d2 != nil:
			for i, t := range s[:len(d1)] {
				d := 1 - t*t
				d1[i] = d
				d2[i] = -2 * t * d
			}
		case d1 != nil:
			for i, t := range s[:len(d1)] {
				d1[i] = 1 - t*t
			}
		case d2 != nil:
			for i, t := range s[:len(d2)] {
				d2[i] = -2 * t * (1 - t*t)
			}
		}
		return
	}
	for i, v := range z {
		f, g, h := a.Eval(v)
		s[i] = f
		if d1 != nil {
			d1[i] = g
		}
		if d2 != nil {
			d2[i] = h
		}
	}
}

// oneBits is the bit pattern of 1.0.
const oneBits = 0x3ff0000000000000

// positiveMask returns all ones if v > 0 and zero otherwise (also for NaN
// and −0), without a branch: v > 0 exactly when its bits, read as a signed
// integer b, satisfy 0 < b ≤ bits(+Inf), that is when b − 1 and
// bits(+Inf) − b are both non-negative (for b = −0 = MinInt64 the first
// wraps but the second is negative).
func positiveMask(v float64) uint64 {
	const inf = 0x7ff0000000000000
	b := int64(math.Float64bits(v))
	return -(^uint64((b-1)|(inf-b)) >> 63)
}

func fill(x []float64, v float64) {
	for i := range x {
		x[i] = v
	}
}
