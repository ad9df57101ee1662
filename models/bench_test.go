package models

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// benchObjective is the MLP 784-256-256-10 (tanh, or $MODELS_BENCH_ACT;
// softmax cross-entropy) on n synthetic samples (n = 10 000, or
// $MODELS_BENCH_N). The same operations are timed in PyTorch by
// testdata/bench_torch.py. $MODELS_BENCH_BLOCK sets Network.BlockRows.
func benchObjective(b *testing.B) *Objective {
	n := 10000
	if s := os.Getenv("MODELS_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	act := Tanh
	if s := os.Getenv("MODELS_BENCH_ACT"); s != "" {
		var err error
		if act, err = ParseActivation(s); err != nil {
			b.Fatal(err)
		}
	}
	m := NewMLP([]int{784, 256, 256, 10}, act)
	m.Init(3)
	if s := os.Getenv("MODELS_BENCH_BLOCK"); s != "" {
		m.BlockRows, _ = strconv.Atoi(s)
	}
	x := randDense(rng, n, 784, 1)
	y := oneHot(rng, n, 10)
	b.Logf("kernels %s, n = %d, p = %d, %v", linalg.Implementation(), n, m.NumParams(), act)
	return NewObjective(m, CrossEntropy{}, x, y)
}

func BenchmarkMLP(b *testing.B) {
	o := benchObjective(b)
	n, p := o.N(), o.NumParams()
	rng := rand.New(rand.NewPCG(4, 5))
	v := randVec(rng, p)
	u := randDense(rng, n, 10, 1)
	dst := make([]float64, p)
	out := linalg.NewDense(n, 10)
	norms := make([]float64, n)
	bytes := int64(8 * n * 784)
	run := func(name string, fn func()) {
		b.Run(name, func(b *testing.B) {
			fn() // warm the workspace
			b.SetBytes(bytes)
			b.ReportAllocs()
			b.ResetTimer()
			c0 := processCPU()
			for b.Loop() {
				fn()
			}
			if c := processCPU() - c0; c > 0 {
				b.ReportMetric(1e3*c/float64(b.N), "cpu-ms/op")
			}
		})
	}
	run("Predict", func() { o.Model.Predict(out, o.X) })
	run("Gradient", func() { o.Gradient(dst) })
	run("PerSampleGradNorms", func() { o.PerSampleGradNorms(norms) })
	run("JVP", func() { o.JVP(out, v) })
	run("VJP", func() { o.VJP(dst, u) })
	run("HVP", func() { o.HessianVec(dst, v) })
	run("GaussNewtonVec", func() { o.GaussNewtonVec(dst, v) })
	run("DiagGaussNewton", func() { o.DiagGaussNewton(dst) })
}
