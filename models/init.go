package models

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Init is a weight initialisation scheme for a layer with fan-in In and
// fan-out Out. All schemes draw from a generator seeded explicitly
// (math/rand/v2 PCG), so the same seed gives the same parameters.
type Init int

const (
	// InitLeCun draws N(0, 1/In) (the default).
	InitLeCun Init = iota
	// InitStandard draws N(0, 1), for the NTK / mean-field parameterisation
	// where the layer's Scale carries the 1/√In or 1/In factor.
	InitStandard
	// InitHe draws N(0, 2/In).
	InitHe
	// InitXavier draws N(0, 2/(In+Out)).
	InitXavier
	// InitSigns draws ±1 with equal probability.
	InitSigns
	// InitZero sets every weight to zero.
	InitZero
)

var initNames = [...]string{"lecun", "standard", "he", "xavier", "signs", "zero"}

func (s Init) String() string {
	if s >= 0 && int(s) < len(initNames) {
		return initNames[s]
	}
	return fmt.Sprintf("Init(%d)", int(s))
}

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x6e6f697365676f6d))
}

// fill draws in×out weights into w.
func (s Init) fill(rng *rand.Rand, w []float64, in, out int) {
	std := 1.0
	switch s {
	case InitLeCun:
		std = 1 / math.Sqrt(float64(in))
	case InitHe:
		std = math.Sqrt(2 / float64(in))
	case InitXavier:
		std = math.Sqrt(2 / float64(in+out))
	case InitSigns:
		for i := range w {
			w[i] = 1
			if rng.Uint64()&1 == 1 {
				w[i] = -1
			}
		}
		return
	case InitZero:
		clear(w)
		return
	case InitStandard:
	default:
		panic(fmt.Sprintf("models: unknown Init %d", int(s)))
	}
	for i := range w {
		w[i] = std * rng.NormFloat64()
	}
}
