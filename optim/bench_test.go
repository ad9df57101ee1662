package optim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// fashionOrGaussian returns n Fashion-MNIST training images scaled to
// [0, 1] with one-hot targets, or Gaussian stand-ins when the files are
// missing (the kernels' cost does not depend on the values).
func fashionOrGaussian(b *testing.B, n int) (*linalg.Dense, *linalg.Dense, string) {
	if ds, err := data.LoadNamed("fashion-mnist", data.NamedOptions{Split: "train"}); err == nil {
		if ds, err = data.Subsample(ds, n, 1); err == nil && data.ScaleUnit(ds) == nil && data.OneHot(ds) == nil {
			return ds.X, ds.Y, "fashion-mnist"
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := linalg.NewDense(n, 784), linalg.NewDense(n, 10)
	for i := range x.Data {
		x.Data[i] = rng.Float64()
	}
	for i := 0; i < n; i++ {
		y.Set(i, rng.IntN(10), 1)
	}
	return x, y, "gaussian"
}

// BenchmarkSGDMLP measures SGD steps per second for the MLP
// 784-256-256-10 (tanh, square loss, float64) on Fashion-MNIST, batches
// drawn with replacement from 10 000 images: the Go side of
// bench_sgd_vs_torch.py (run with -cpu 1,2 for the thread counts).
func BenchmarkSGDMLP(b *testing.B) {
	x, y, src := fashionOrGaussian(b, 10000)
	b.Logf("data: %s", src)
	for _, batch := range []int{1, 32, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			m := models.NewMLP([]int{784, 256, 256, 10}, models.Tanh)
			m.Init(1)
			obj := models.NewObjective(m, models.Square{}, x, y)
			o, err := New(obj, Config{Batch: batch, Sampling: WithReplacement, Schedule: Constant(0.01), Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			o.Step()
			b.ReportAllocs()
			b.SetBytes(int64(8 * batch * 784))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				o.Step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
