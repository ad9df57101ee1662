package models

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// Spec describes a model to build by family name: the one description the
// CLI, the experiments and verify build models from (New). Fields a family
// does not use are ignored.
type Spec struct {
	// Family is a registered family name (Families): linear, twolayer,
	// randomfeatures, diagonal, mlp, deeplinear or network.
	Family string
	// Inputs is d ≥ 1.
	Inputs int
	// Outputs is K ≥ 1; 0 means 1. randomfeatures and diagonal have one.
	Outputs int
	// Width is the hidden width m ≥ 1 (twolayer, randomfeatures, mlp,
	// deeplinear).
	Width int
	// Depth is the number of hidden layers of Width (mlp, deeplinear);
	// 0 means 1.
	Depth int
	// Act is the hidden activation (twolayer, randomfeatures, mlp).
	Act Activation
	// Bias gives twolayer trainable first-layer biases (mlp always has
	// biases, the others none).
	Bias bool
	// Diagonal is the reparameterisation of diagonal (u⊙v by default).
	Diagonal DiagonalKind
	// FrozenSeed draws randomfeatures' frozen first layer W.
	FrozenSeed uint64
	// Layers is the stack of family network, any chain of dense layers
	// from Inputs to Outputs (Outputs 0: the last layer's).
	Layers []Layer
}

// Family is a registered model family: how to count, build and
// initialise its models from a Spec.
type Family struct {
	// Name is the Spec.Family that selects the family.
	Name string
	// Size returns the trainable and frozen parameter counts of s without
	// allocating (as float64, so that huge sizes do not overflow), or a
	// *SpecError. New calls it first: Build may assume s is valid.
	Size func(s Spec) (p, frozen float64, err error)
	// Build returns the model of s with the parameters its constructor
	// leaves (zero, or frozen weights already drawn).
	Build func(s Spec) Model
	// Init draws the family's initialisation of a model Build returned.
	Init func(m Model, seed uint64)
}

// SpecError reports the field of a Spec that is wrong.
type SpecError struct {
	Field  string // Spec field name, e.g. "Width"
	Value  any
	Reason string
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("models: Spec.%s = %v: %s", e.Field, e.Value, e.Reason)
}

var (
	familiesMu sync.RWMutex
	families   = map[string]Family{}
)

// Register adds a family (its Name must be new). The built-in families are
// registered at start-up.
func Register(f Family) {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	if _, dup := families[f.Name]; dup || f.Name == "" || f.Size == nil || f.Build == nil || f.Init == nil {
		panic(fmt.Sprintf("models: Register: family %q is a duplicate or incomplete", f.Name))
	}
	families[f.Name] = f
}

// Families returns the registered family names, sorted.
func Families() []string {
	familiesMu.RLock()
	defer familiesMu.RUnlock()
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func lookup(s Spec) (Family, error) {
	familiesMu.RLock()
	f, ok := families[s.Family]
	familiesMu.RUnlock()
	if !ok {
		return Family{}, &SpecError{"Family", fmt.Sprintf("%q", s.Family), "want one of " + strings.Join(Families(), ", ")}
	}
	return f, nil
}

// Size returns the trainable and frozen parameter counts of the model New
// would build, without allocating, or a *SpecError.
func (s Spec) Size() (p, frozen float64, err error) {
	f, err := lookup(s)
	if err != nil {
		return 0, 0, err
	}
	if s.Inputs < 1 {
		return 0, 0, &SpecError{"Inputs", s.Inputs, "want ≥ 1"}
	}
	if s.Outputs < 0 {
		return 0, 0, &SpecError{"Outputs", s.Outputs, "want ≥ 1 (0 means 1)"}
	}
	return f.Size(s)
}

// New builds the model of s, or returns a *SpecError naming the bad field.
// Its parameters are as the family's constructor leaves them; Spec.Init
// draws the family's initialisation.
func New(s Spec) (Model, error) {
	if _, _, err := s.Size(); err != nil {
		return nil, err
	}
	f, _ := lookup(s)
	return f.Build(s), nil
}

// Init draws the initialisation of s's family from seed into m, a model
// New(s) built (only s.Family is read).
func (s Spec) Init(m Model, seed uint64) error {
	f, err := lookup(s)
	if err != nil {
		return err
	}
	f.Init(m, seed)
	return nil
}

func (s Spec) outputs() int { return max(s.Outputs, 1) }
func (s Spec) depth() int   { return max(s.Depth, 1) }

// needWidth checks Width for the families that use it.
func (s Spec) needWidth() error {
	if s.Width < 1 {
		return &SpecError{"Width", s.Width, fmt.Sprintf("family %s needs a hidden width ≥ 1", s.Family)}
	}
	return nil
}

// oneOutput checks that s asks for one output.
func (s Spec) oneOutput() error {
	if s.outputs() != 1 {
		return &SpecError{"Outputs", s.Outputs, fmt.Sprintf("family %s has one output", s.Family)}
	}
	return nil
}

// layerSizes counts the trainable or frozen weights of layers.
func layerSizes(layers []Layer) (p, frozen float64) {
	for _, ly := range layers {
		size := float64(ly.In) * float64(ly.Out)
		if ly.Bias {
			size += float64(ly.Out)
		}
		if ly.Frozen {
			frozen += size
		} else {
			p += size
		}
	}
	return p, frozen
}

// networkFamily registers a family of Networks given by its layers; init
// keeps the frozen weights when keepFrozen (they were drawn by Build).
func networkFamily(name string, check func(Spec) error, layers func(Spec) []Layer, build func(Spec) *Network, keepFrozen bool) Family {
	return Family{
		Name: name,
		Size: func(s Spec) (float64, float64, error) {
			if err := check(s); err != nil {
				return 0, 0, err
			}
			p, q := layerSizes(layers(s))
			return p, q, nil
		},
		Build: func(s Spec) Model {
			if build != nil {
				return build(s)
			}
			return NewNetwork(layers(s))
		},
		Init: func(m Model, seed uint64) {
			n := m.(*Network)
			frozen := append([]float64(nil), n.frozen...)
			n.Init(seed)
			if keepFrozen {
				copy(n.frozen, frozen)
			}
		},
	}
}

func noCheck(Spec) error { return nil }

// hiddenSizes returns d, Width (Depth times), K.
func (s Spec) hiddenSizes() []int {
	sizes := []int{s.Inputs}
	for range s.depth() {
		sizes = append(sizes, s.Width)
	}
	return append(sizes, s.outputs())
}

func init() {
	Register(networkFamily("linear", noCheck, func(s Spec) []Layer {
		return []Layer{{In: s.Inputs, Out: s.outputs(), Act: Identity, Init: InitZero}}
	}, nil, false))
	Register(networkFamily("twolayer", Spec.needWidth, func(s Spec) []Layer {
		return twoLayerLayers(TwoLayerConfig{D: s.Inputs, M: s.Width, Act: s.Act, Bias: s.Bias}, s.outputs())
	}, nil, false))
	Register(networkFamily("randomfeatures", func(s Spec) error {
		if err := s.oneOutput(); err != nil {
			return err
		}
		return s.needWidth()
	}, func(s Spec) []Layer { return randomFeatureLayers(s.Inputs, s.Width, s.Act) }, func(s Spec) *Network {
		return NewRandomFeatures(s.Inputs, s.Width, s.Act, s.FrozenSeed)
	}, true))
	Register(networkFamily("mlp", Spec.needWidth, func(s Spec) []Layer { return mlpLayers(s.hiddenSizes(), s.Act) }, nil, false))
	Register(networkFamily("deeplinear", Spec.needWidth, func(s Spec) []Layer { return deepLinearLayers(s.hiddenSizes()) }, nil, false))
	Register(networkFamily("network", checkLayers, func(s Spec) []Layer { return s.Layers }, nil, false))
	Register(Family{
		Name: "diagonal",
		Size: func(s Spec) (float64, float64, error) {
			if err := s.oneOutput(); err != nil {
				return 0, 0, err
			}
			if s.Diagonal != Product && s.Diagonal != Difference {
				return 0, 0, &SpecError{"Diagonal", int(s.Diagonal), "want Product or Difference"}
			}
			return 2 * float64(s.Inputs), 0, nil
		},
		Build: func(s Spec) Model { return NewDiagonalLinear(s.Inputs, s.Diagonal) },
		// u, v = α(1 + ½ξ), α = d^−1/4.
		Init: func(m Model, seed uint64) {
			dl := m.(*DiagonalLinear)
			dl.Init(seed, 1/math.Sqrt(math.Sqrt(float64(dl.d))), 0.5)
		},
	})
}

// checkLayers checks that s.Layers chain from Inputs to Outputs.
func checkLayers(s Spec) error {
	if len(s.Layers) == 0 {
		return &SpecError{"Layers", "[]", "family network needs at least one layer"}
	}
	prev := s.Inputs
	for l, ly := range s.Layers {
		field := fmt.Sprintf("Layers[%d]", l)
		if ly.In != prev {
			return &SpecError{field, fmt.Sprintf("%d→%d", ly.In, ly.Out), fmt.Sprintf("takes %d inputs, the previous layer gives %d", ly.In, prev)}
		}
		if ly.Out < 1 {
			return &SpecError{field, fmt.Sprintf("%d→%d", ly.In, ly.Out), "want ≥ 1 outputs"}
		}
		prev = ly.Out
	}
	if s.Outputs != 0 && prev != s.Outputs {
		return &SpecError{"Outputs", s.Outputs, fmt.Sprintf("the last layer gives %d", prev)}
	}
	return nil
}
