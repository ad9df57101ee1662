package analysis

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

const eps = 0x1p-52

func randDense(rng *rand.Rand, r, c int, std float64) *linalg.Dense {
	m := linalg.NewDense(r, c)
	for i := range m.Data {
		m.Data[i] = std * rng.NormFloat64()
	}
	return m
}

// problem is a small objective with generic parameters.
type problem struct {
	name   string
	obj    *models.Objective
	linear bool // f linear in θ: H = G
}

func perturb(rng *rand.Rand, x []float64, std float64) {
	for i := range x {
		x[i] += std * rng.NormFloat64()
	}
}

// problems returns objectives covering K = 1 and K > 1, models linear and
// nonlinear in θ, n > p and n < p.
func problems(t testing.TB) []problem {
	rng := rand.New(rand.NewPCG(3, 5))
	var out []problem
	add := func(name string, m models.Model, n int, linear bool) {
		x := randDense(rng, n, m.InputDim(), 1)
		y := randDense(rng, n, m.NumOutputs(), 1)
		perturb(rng, m.Params(), 0.3)
		out = append(out, problem{name, models.NewObjective(m, models.Square{}, x, y), linear})
	}
	add("linear n>p", models.NewLinear(6, 1), 40, true)
	add("linear n<p", models.NewLinear(30, 1), 12, true)
	add("linear K=3", models.NewLinear(5, 3), 17, true)
	tl := models.NewTwoLayer(models.TwoLayerConfig{D: 4, M: 5, Act: models.Tanh, Bias: true, TrainSecond: true})
	tl.Init(9)
	add("twolayer tanh", tl, 23, false)
	dl := models.NewDiagonalLinear(7, models.Product)
	dl.Init(4, 0.7, 0.5)
	add("diagonal u⊙v", dl, 19, false)
	mlp := models.NewMLP([]int{3, 4, 2}, models.Softplus)
	mlp.Init(2)
	add("mlp K=2 softplus", mlp, 11, false)
	return out
}

// close reports |a−b| ≤ tol.
func closeTo(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func newRng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 77)) }
