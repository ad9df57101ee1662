package optim

import (
	"math/rand/v2"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// gaussData returns x (n×d) with N(0, 1) entries and y = x·w + 0.1·noise.
func gaussData(n, d int, seed uint64) (*linalg.Dense, *linalg.Dense) {
	rng := rand.New(rand.NewPCG(seed, 7))
	x, y := linalg.NewDense(n, d), linalg.NewDense(n, 1)
	w := make([]float64, d)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < d; j++ {
			v := rng.NormFloat64()
			x.Set(i, j, v)
			s += v * w[j]
		}
		y.Set(i, 0, s+0.1*rng.NormFloat64())
	}
	return x, y
}

func linearObjective(n, d int, seed uint64) *models.Objective {
	x, y := gaussData(n, d, seed)
	return models.NewObjective(models.NewLinear(d, 1), models.Square{}, x, y)
}

func mlpObjective(n, d, width int, seed uint64) *models.Objective {
	x, y := gaussData(n, d, seed)
	m := models.NewMLP([]int{d, width, 1}, models.Tanh)
	m.Init(seed)
	return models.NewObjective(m, models.Square{}, x, y)
}

// naiveLinearGrad is ∇ of (1/2|I|)Σ_{i∈I}(x_iᵀθ − y_i)² by loops.
func naiveLinearGrad(x, y *linalg.Dense, idx []int, theta []float64) []float64 {
	g := make([]float64, len(theta))
	for _, i := range idx {
		r := -y.At(i, 0)
		for j := range theta {
			r += x.At(i, j) * theta[j]
		}
		for j := range theta {
			g[j] += r * x.At(i, j)
		}
	}
	for j := range g {
		g[j] /= float64(len(idx))
	}
	return g
}
