package optim

import (
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// Sampling is how a step draws its minibatch.
type Sampling int

const (
	// WithReplacement draws B indices uniformly and independently.
	WithReplacement Sampling = iota
	// WithoutReplacement draws B distinct indices, afresh at every step.
	WithoutReplacement
	// Epochs shuffles the samples at the start of each epoch and takes
	// consecutive slices of B; a last slice shorter than B is dropped.
	Epochs
)

// String returns "replacement", "noreplacement" or "epochs".
func (s Sampling) String() string {
	switch s {
	case WithReplacement:
		return "replacement"
	case WithoutReplacement:
		return "noreplacement"
	case Epochs:
		return "epochs"
	}
	return fmt.Sprintf("Sampling(%d)", int(s))
}

// ParseSampling is the inverse of Sampling.String.
func ParseSampling(s string) (Sampling, error) {
	for _, v := range []Sampling{WithReplacement, WithoutReplacement, Epochs} {
		if v.String() == s {
			return v, nil
		}
	}
	return 0, fmt.Errorf("optim: sampling %q: want replacement, noreplacement or epochs", s)
}

// Config configures an Optimizer.
type Config struct {
	// Batch is the minibatch size B. Batch ≤ 0, or Batch ≥ n without
	// replacement, is full-batch gradient descent (Method "GD").
	Batch    int
	Sampling Sampling
	// Schedule gives η_t (required).
	Schedule Schedule
	// Momentum m ∈ [0, 1) and WeightDecay λ ≥ 0 (see the package doc).
	Momentum, WeightDecay float64
	// Seed seeds the minibatch stream.
	Seed uint64
	// Fingerprint names what else defines the run (model, data source,
	// starting point, …). Checkpoints store it with the fields of
	// Optimizer.Fingerprint and LoadCheckpoint refuses one that differs.
	Fingerprint []Field
}

// Optimizer runs SGD or GD on an objective's parameters (its model's
// Params, updated in place). Not safe for concurrent use.
type Optimizer struct {
	obj  *models.Objective
	cfg  Config
	full bool
	step int
	vel  []float64
	pcg  rand.PCG
	perm []int
	pos  int
	// hist is the tracked history at the regular tracking points (not
	// the extra record at the end of a Run), saved in checkpoints.
	hist []Record

	grad   []float64
	idx    []int
	bx, by *linalg.Dense
	batch  *models.Objective
}

// New returns an optimizer at step 0 with a zero momentum buffer.
func New(obj *models.Objective, cfg Config) (*Optimizer, error) {
	n := obj.N()
	switch {
	case cfg.Schedule == nil:
		return nil, errors.New("optim: no schedule")
	case n == 0:
		return nil, errors.New("optim: empty objective")
	case !(cfg.Momentum >= 0 && cfg.Momentum < 1):
		return nil, fmt.Errorf("optim: momentum %g not in [0, 1)", cfg.Momentum)
	case !(cfg.WeightDecay >= 0):
		return nil, fmt.Errorf("optim: weight decay %g < 0", cfg.WeightDecay)
	case cfg.Sampling < WithReplacement || cfg.Sampling > Epochs:
		return nil, fmt.Errorf("optim: unknown sampling %d", cfg.Sampling)
	}
	o := &Optimizer{obj: obj, cfg: cfg, grad: make([]float64, obj.NumParams())}
	o.full = cfg.Batch <= 0 || (cfg.Batch >= n && cfg.Sampling != WithReplacement)
	if cfg.Momentum > 0 {
		o.vel = make([]float64, obj.NumParams())
	}
	hi, lo := seedWords(cfg.Seed)
	o.pcg.Seed(hi, lo)
	if !o.full {
		b, K, d := cfg.Batch, obj.Model.NumOutputs(), obj.X.Cols
		o.idx = make([]int, b)
		o.bx, o.by = linalg.NewDense(b, d), linalg.NewDense(b, K)
		o.batch = models.NewObjective(obj.Model, obj.Loss, o.bx, o.by)
		if cfg.Sampling != WithReplacement {
			o.perm = make([]int, n)
			for i := range o.perm {
				o.perm[i] = i
			}
			o.pos = n // Epochs: shuffle before the first step
		}
	}
	return o, nil
}

// seedWords derives the PCG state from a seed (SplitMix64 finaliser).
func seedWords(seed uint64) (uint64, uint64) {
	mix := func(z uint64) uint64 {
		z ^= z >> 30
		z *= 0xbf58476d1ce4e5b9
		z ^= z >> 27
		z *= 0x94d049bb133111eb
		return z ^ z>>31
	}
	a := mix(seed ^ 0x6f7074696d)
	return a, mix(a ^ 0xd1b54a32d192ed03)
}

// intN returns a uniform integer in [0, n) (Lemire's unbiased method,
// fixed here so the stream does not depend on the Go version).
func (o *Optimizer) intN(n int) int {
	un := uint64(n)
	for {
		hi, lo := bits.Mul64(o.pcg.Uint64(), un)
		if lo >= un || lo >= (-un)%un {
			return int(hi)
		}
	}
}

// Method returns "GD" for full-batch runs and "SGD" otherwise.
func (o *Optimizer) Method() string {
	if o.full {
		return "GD"
	}
	return "SGD"
}

// Objective returns the full objective.
func (o *Optimizer) Objective() *models.Objective { return o.obj }

// Params returns the live parameter vector.
func (o *Optimizer) Params() []float64 { return o.obj.Model.Params() }

// StepCount returns the number of steps taken.
func (o *Optimizer) StepCount() int { return o.step }

// LR returns the learning rate of the next step.
func (o *Optimizer) LR() float64 { return o.cfg.Schedule.LR(o.step) }

// Config returns the configuration.
func (o *Optimizer) Config() Config { return o.cfg }

// Indices returns the sample indices of the last minibatch (nil for GD).
// The slice is reused.
func (o *Optimizer) Indices() []int { return o.idx }

// draw fills o.idx and gathers the minibatch.
func (o *Optimizer) draw() {
	n, b := o.obj.N(), o.cfg.Batch
	switch o.cfg.Sampling {
	case WithReplacement:
		for j := range o.idx {
			o.idx[j] = o.intN(n)
		}
	case WithoutReplacement:
		// Partial Fisher–Yates on the persistent permutation: any
		// arrangement of perm gives a uniform B-subset.
		for j := 0; j < b; j++ {
			k := j + o.intN(n-j)
			o.perm[j], o.perm[k] = o.perm[k], o.perm[j]
		}
		copy(o.idx, o.perm[:b])
	case Epochs:
		if o.pos+b > n {
			for j := n - 1; j > 0; j-- {
				k := o.intN(j + 1)
				o.perm[j], o.perm[k] = o.perm[k], o.perm[j]
			}
			o.pos = 0
		}
		copy(o.idx, o.perm[o.pos:o.pos+b])
		o.pos += b
	}
	for j, i := range o.idx {
		copy(o.bx.Row(j), o.obj.X.Row(i))
		copy(o.by.Row(j), o.obj.Y.Row(i))
	}
}

// Step takes one step and returns the minibatch loss at the parameters
// before the update.
func (o *Optimizer) Step() float64 {
	obj := o.obj
	if !o.full {
		o.draw()
		obj = o.batch
	}
	loss := obj.Gradient(o.grad)
	theta := o.Params()
	if wd := o.cfg.WeightDecay; wd != 0 {
		linalg.Axpy(wd, theta, o.grad)
	}
	dir := o.grad
	if o.vel != nil {
		linalg.Axpby(1, o.grad, o.cfg.Momentum, o.vel) // v = m·v + g
		dir = o.vel
	}
	linalg.Axpy(-o.cfg.Schedule.LR(o.step), dir, theta)
	o.step++
	return loss
}
