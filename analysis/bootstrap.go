package analysis

import (
	"math"
	"math/rand/v2"

	"github.com/noisegeom/noisegeom/linalg"
)

// bootstrap resamples the samples with replacement reps times (seeded)
// and returns the standard deviations of the metrics over the resamples,
// each evaluated from K by gramMetricsWeighted with the multiplicities.
func bootstrap(gv *gramVectors, r *linalg.Dense, p, reps int, seed uint64) *StdErrors {
	n := r.Rows
	rng := rand.New(rand.NewPCG(seed, 0x626f6f74))
	c := make([]float64, n)
	var acc [4]struct{ s, s2, m float64 }
	for b := 0; b < reps; b++ {
		clear(c)
		for i := 0; i < n; i++ {
			c[rng.IntN(n)]++
		}
		res := Result{Ingredients: gramMetricsWeighted(gv.gram, gv.gramL, gv.fac, r, p, c)}
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
