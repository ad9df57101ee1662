package data

import (
	"strconv"
	"strings"

	"github.com/noisegeom/noisegeom/linalg"
)

// Teacher maps an input x (length Inputs) to K = Outputs targets. Eval must
// be deterministic and platform independent (the teachers here use only
// rounding-safe arithmetic and this package's elementary functions).
type Teacher interface {
	Inputs() int
	Outputs() int
	Eval(x, y []float64) // y = f(x), len(y) == Outputs(); must not allocate
	Spec() string
}

// Activation is a scalar nonlinearity of a two-layer teacher: an alias of
// the one activation enum, linalg.Activation. Teachers support the six
// below (not GELU), evaluated deterministically (applyActivation), and
// name them as ParseActivation reads them.
type Activation = linalg.Activation

const (
	Tanh      = linalg.ActTanh
	ReLU      = linalg.ActReLU
	LeakyReLU = linalg.ActLeakyReLU // slope 0.01 for negative inputs
	Sigmoid   = linalg.ActSigmoid
	Softplus  = linalg.ActSoftplus
	Identity  = linalg.ActIdentity
)

// teacherActivations are the activations of teachers with their spec
// names, in the order the error messages list them.
var teacherActivations = []struct {
	name string
	act  Activation
}{{"tanh", Tanh}, {"relu", ReLU}, {"leakyrelu", LeakyReLU}, {"sigmoid", Sigmoid}, {"softplus", Softplus}, {"identity", Identity}}

// teacherActivationName returns a's name in teacher specs ("leakyrelu"
// where linalg says "leaky_relu"), or "" if teachers do not support a.
func teacherActivationName(a Activation) string {
	for _, ta := range teacherActivations {
		if ta.act == a {
			return ta.name
		}
	}
	return ""
}

// ParseActivation parses a teacher activation name (case-insensitive):
// tanh, relu, leakyrelu, sigmoid, softplus or identity.
func ParseActivation(s string) (Activation, error) {
	for _, ta := range teacherActivations {
		if strings.EqualFold(s, ta.name) {
			return ta.act, nil
		}
	}
	return 0, specErr("unknown activation %q (want one of %s)", s, teacherActivationList())
}

// teacherActivationList lists the teacher activation names, comma-separated.
func teacherActivationList() string {
	names := make([]string, len(teacherActivations))
	for i, ta := range teacherActivations {
		names[i] = ta.name
	}
	return strings.Join(names, ", ")
}

// applyActivation evaluates a teacher activation deterministically.
func applyActivation(a Activation, x float64) float64 {
	switch a {
	case Tanh:
		return detTanh(x)
	case ReLU:
		return max(x, 0)
	case LeakyReLU:
		if x < 0 {
			return mul(0.01, x)
		}
		return x
	case Sigmoid:
		return detSigmoid(x)
	case Softplus:
		return detSoftplus(x)
	}
	return x
}

// LinearTeacher is y = Θ x with Θ of size K×d.
type LinearTeacher struct{ Theta *linalg.Dense }

// NewLinearTeacher draws Θ (K×d) with i.i.d. N(0, 1/d) entries from seed,
// so E‖θ_k‖² = 1.
func NewLinearTeacher(d, k int, seed uint64) (*LinearTeacher, error) {
	if d < 1 || k < 1 {
		return nil, specErr("linear teacher needs d ≥ 1 and K ≥ 1, got d=%d K=%d", d, k)
	}
	th := linalg.NewDense(k, d)
	gaussianFill(th, seed, 0, 1/sqrt(float64(d)))
	return &LinearTeacher{Theta: th}, nil
}

func (t *LinearTeacher) Inputs() int  { return t.Theta.Cols }
func (t *LinearTeacher) Outputs() int { return t.Theta.Rows }
func (t *LinearTeacher) Spec() string { return "linear" }
func (t *LinearTeacher) Eval(x, y []float64) {
	for k := range y[:t.Theta.Rows] {
		y[k] = detDot(t.Theta.Row(k), x)
	}
}

// TwoLayerTeacher is y_k = Σ_h A[k,h]·σ(w_h·x), with W of size m×d.
type TwoLayerTeacher struct {
	W   *linalg.Dense // m×d first layer
	A   *linalg.Dense // K×m second layer
	Act Activation
}

// NewTwoLayerTeacher draws W with N(0, 1/d) entries and A with N(0, 1/m)
// entries from seed.
func NewTwoLayerTeacher(d, m, k int, act Activation, seed uint64) (*TwoLayerTeacher, error) {
	if d < 1 || m < 1 || k < 1 {
		return nil, specErr("two-layer teacher needs d, width and K ≥ 1, got d=%d m=%d K=%d", d, m, k)
	}
	if teacherActivationName(act) == "" {
		return nil, specErr("activation %v has no teacher (want one of %s)", act, teacherActivationList())
	}
	w := linalg.NewDense(m, d)
	a := linalg.NewDense(k, m)
	gaussianFill(w, seed, 1, 1/sqrt(float64(d)))
	gaussianFill(a, seed, 2, 1/sqrt(float64(m)))
	return &TwoLayerTeacher{W: w, A: a, Act: act}, nil
}

func (t *TwoLayerTeacher) Inputs() int  { return t.W.Cols }
func (t *TwoLayerTeacher) Outputs() int { return t.A.Rows }
func (t *TwoLayerTeacher) Spec() string {
	return "twolayer:" + strconv.Itoa(t.W.Rows) + ":" + teacherActivationName(t.Act)
}
func (t *TwoLayerTeacher) Eval(x, y []float64) {
	y = y[:t.A.Rows]
	clear(y)
	for h := 0; h < t.W.Rows; h++ {
		s := applyActivation(t.Act, detDot(t.W.Row(h), x))
		for k := range y {
			y[k] += mul(t.A.Data[k*t.A.Stride+h], s)
		}
	}
}

// ParseTeacher builds a teacher from a spec: "linear" or
// "twolayer:WIDTH[:ACTIVATION]" (activation default tanh), for inputs of
// dimension d and k outputs, drawn from seed.
func ParseTeacher(spec string, d, k int, seed uint64) (Teacher, error) {
	parts := strings.Split(strings.TrimSpace(spec), ":")
	switch strings.ToLower(parts[0]) {
	case "linear":
		if len(parts) != 1 {
			return nil, specErr("teacher %q: linear takes no arguments", spec)
		}
		return NewLinearTeacher(d, k, seed)
	case "twolayer":
		if len(parts) < 2 || len(parts) > 3 {
			return nil, specErr("teacher %q: want twolayer:WIDTH[:ACTIVATION]", spec)
		}
		m, err := strconv.Atoi(parts[1])
		if err != nil || m < 1 {
			return nil, specErr("teacher %q: bad width %q", spec, parts[1])
		}
		act := Tanh
		if len(parts) == 3 {
			if act, err = ParseActivation(parts[2]); err != nil {
				return nil, err
			}
		}
		return NewTwoLayerTeacher(d, m, k, act, seed)
	}
	return nil, specErr("unknown teacher %q (want linear or twolayer:WIDTH[:ACTIVATION])", spec)
}

// gaussianFill fills m row by row with scale·N(0,1) from the teacher stream
// (seed, sub-index idx).
func gaussianFill(m *linalg.Dense, seed, idx uint64, scale float64) {
	s := newStream(seed, roleTeacher, idx)
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for j := range r {
			r[j] = mul(scale, s.normal())
		}
	}
}
