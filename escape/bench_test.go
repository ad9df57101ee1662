package escape

import (
	"context"
	"fmt"
	"testing"

	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// BenchmarkMonteCarloWorkers runs 16 SGD escape repeats (two-layer tanh
// network, width 64, n = 512, d = 32, B = 32, 200 steps) with 1 and 2
// workers: the ratio of the two times is the parallel speed-up.
func BenchmarkMonteCarloWorkers(b *testing.B) {
	x := gauss(512, 32, 0, 1)
	y := gauss(512, 1, 0, 2)
	m := models.NewMLP([]int{32, 64, 1}, models.Tanh)
	m.Init(1)
	obj := models.NewObjective(m, models.Square{}, x, y)
	p := obj.NumParams()
	basis := gauss(p, 4, 0, 3)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				mc := &MonteCarlo{Objective: obj, Basis: basis, Law: Isotropic, Radius: 0.1,
					Optim: optim.Config{Batch: 32, Schedule: optim.Constant(0.01)}, Steps: 200, Every: 50,
					Repeats: 16, Workers: w, Seed: 1}
				if _, err := mc.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
