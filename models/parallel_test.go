package models

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

func TestParallelRangeCovers(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 100, 1000, 4097} {
		for p := 1; p <= 5; p++ {
			hits := make([]int32, n)
			parallelRange(n, p, func(i0, i1 int) {
				if i0 >= i1 {
					t.Errorf("n=%d p=%d: empty range [%d,%d)", n, p, i0, i1)
				}
				for i := i0; i < i1; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("n=%d p=%d: item %d visited %d times", n, p, i, h)
				}
			}
		}
	}
}

// TestMulDerivOut: g ⊙ σ' formed from the outputs has the bits of g ⊙ σ'
// stored by apply, for every activation that allows it.
func TestMulDerivOut(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const r, c = 7, 13
	for a := Identity; a <= ReLU; a++ {
		if !a.DerivFromOutput() {
			continue
		}
		z, g := randDense(rng, r, c, 2), randDense(rng, r, c, 1)
		z.Set(0, 0, 0) // the kink
		s, d1 := linalg.NewDense(r, c), linalg.NewDense(r, c)
		a.EvalTo(s.Data, d1.Data, nil, z.Data)
		want, got := linalg.NewDense(r, c), linalg.NewDense(r, c)
		mulInto(want, g, d1)
		mulDerivOut(a, got, g, s)
		for i := range want.Data {
			if math.Float64bits(want.Data[i]) != math.Float64bits(got.Data[i]) {
				t.Fatalf("%v: element %d: %g from σ, %g from σ'", a, i, got.Data[i], want.Data[i])
			}
		}
	}
}

// TestThreadCountInvariance: every operation of an MLP large enough for the
// elementwise passes and Gemm to run in parallel gives the same bits for
// GOMAXPROCS 1, 2 and 3. With -short the MLP is small and the elementwise
// threshold lowered (Gemm then stays serial).
func TestThreadCountInvariance(t *testing.T) {
	n, width := 500, 256
	if testing.Short() {
		n, width = 60, 32
		defer func(w int) { parallelMinWork = w }(parallelMinWork)
		parallelMinWork = 64
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, act := range []Activation{Tanh, GELU, ReLU} {
		rng := rand.New(rand.NewPCG(5, 6))
		m := NewMLP([]int{40, width, width, 10}, act)
		m.Init(9)
		perturb(rng, m.Params(), 0.05)
		x := randDense(rng, n, 40, 1)
		o := NewObjective(m, CrossEntropy{}, x, oneHot(rng, n, 10))
		p := o.NumParams()
		v := randVec(rng, p)
		u := randDense(rng, n, 10, 1)
		run := func() []float64 {
			out := make([]float64, 0, 4*p+12*n)
			g := make([]float64, p)
			o.Gradient(g)
			out = append(out, g...)
			o.VJP(g, u)
			out = append(out, g...)
			o.HessianVec(g, v)
			out = append(out, g...)
			o.GaussNewtonVec(g, v)
			out = append(out, g...)
			jv := linalg.NewDense(n, 10)
			o.JVP(jv, v)
			out = append(out, jv.Data...)
			m.Predict(jv, x)
			out = append(out, jv.Data...)
			norms := make([]float64, n)
			o.PerSampleGradNorms(norms)
			return append(out, norms...)
		}
		runtime.GOMAXPROCS(1)
		want := run()
		for _, procs := range []int{2, 3} {
			runtime.GOMAXPROCS(procs)
			got := run()
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%v, GOMAXPROCS %d: output %d is %g, %g with one thread", act, procs, i, got[i], want[i])
				}
			}
		}
	}
}
