package analysis

import (
	"math"
	"math/rand/v2"

	"github.com/noisegeom/noisegeom/linalg"
)

// bootstrapWith resamples the n samples with replacement reps times
// (seeded; the same multiplicities on every path) and returns the
// standard deviations of the metrics over the resamples, each evaluated by
// eval from the multiplicities c (c[i] copies of sample i).
func bootstrapWith(n, reps int, seed uint64, eval func(c []float64) Ingredients) *StdErrors {
	rng := rand.New(rand.NewPCG(seed, 0x626f6f74))
	c := make([]float64, n)
	var acc [4]struct{ s, s2, m float64 }
	for b := 0; b < reps; b++ {
		clear(c)
		for i := 0; i < n; i++ {
			c[rng.IntN(n)]++
		}
		res := Result{Ingredients: eval(c)}
		res.finish()
		for k, m := range []Metric{res.Mu, res.MuC, res.MuIso, res.MuOverIso} {
			if m.Defined {
				acc[k].s += m.Value
				acc[k].s2 += m.Value * m.Value
				acc[k].m++
			}
		}
	}
	sd := func(k int) float64 {
		a := acc[k]
		if a.m < 2 {
			return 0
		}
		mean := a.s / a.m
		return math.Sqrt(math.Max(0, (a.s2-a.m*mean*mean)/(a.m-1)))
	}
	return &StdErrors{Replicates: reps, Mu: sd(0), MuC: sd(1), MuIso: sd(2), MuOverIso: sd(3)}
}

// bootstrap is the Gram path's bootstrap: each resample evaluated from the
// same K in O((nK)²) by gramMetricsWeighted.
func bootstrap(gv *gramVectors, r *linalg.Dense, p, reps int, seed uint64) *StdErrors {
	return bootstrapWith(r.Rows, reps, seed, func(c []float64) Ingredients {
		return gramMetricsWeighted(gv.gram, gv.gramL, gv.fac, r, p, c)
	})
}

// denseBootstrap is the dense path's bootstrap: J̃ (rows S_iᵀJ_i) and the
// per-sample gradients are formed once; each resample forms G and Σ₁ with
// the rows of sample i scaled by √c_i (two Syrks, O((nK + n)p²)) and
// evaluates them like densePath.
func denseBootstrap(s *state, reps int, seed uint64) *StdErrors {
	n, K, p := s.n, s.k, s.p
	j := linalg.NewDense(n*K, p)
	s.obj.Jacobian(j, 0)
	if s.fac != nil {
		j = s.fac.leftT(j)
	}
	ps := linalg.NewDense(n, p)
	s.obj.PerSampleGradients(ps, 0)
	jc, pc := linalg.NewDense(n*K, p), linalg.NewDense(n, p)
	m := &DenseMatrices{Sigma1: linalg.NewDense(p, p), G: linalg.NewDense(p, p), Grad: make([]float64, p)}
	rf := flat(s.r)
	return bootstrapWith(n, reps, seed, func(c []float64) Ingredients {
		var fn, sumL float64
		clear(m.Grad)
		for i, ci := range c {
			fn += ci
			w := math.Sqrt(ci)
			for k := 0; k < K; k++ {
				linalg.Axpby(w, j.Row(i*K+k), 0, jc.Row(i*K+k))
			}
			linalg.Axpby(w, ps.Row(i), 0, pc.Row(i))
			linalg.Axpy(ci, ps.Row(i), m.Grad)
			if s.fac != nil {
				sumL += ci * s.fac.loss[i]
			} else {
				ri := rf[i*K : (i+1)*K]
				sumL += ci * linalg.Dot(ri, ri) / 2
			}
		}
		linalg.Scal(1/fn, m.Grad)
		linalg.Syrk(linalg.T, 1/fn, jc, 0, m.G)
		linalg.Syrk(linalg.T, 1/fn, pc, 0, m.Sigma1)
		m.Sigma = m.Sigma1.Clone()
		for a := 0; a < p; a++ {
			linalg.Axpy(-m.Grad[a], m.Grad, m.Sigma.Row(a))
		}
		m.Loss = sumL / fn
		in := denseIngredients(m, n, K, p)
		in.N = int(fn)
		return in
	})
}
