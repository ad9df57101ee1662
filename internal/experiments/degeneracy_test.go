package experiments

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDegeneracyTrend: at a small scale where it holds (d = 8, n = 1024,
// 6 seeds), the sample μ and top-k g follow the population closed forms
// from the isotropic to the most degenerate power law: each mean within
// 4 SE + bias allowance of its population value, and μ grows as r₂ shrinks.
func TestDegeneracyTrend(t *testing.T) {
	sz := degeneracySize{N: 1024, D: 8, Seeds: 6, TopK: 2, Alphas: []float64{0, 3}}
	cfg := Config{Scale: Tiny, Seed: 21}
	var mu [2]synStat
	var pop [2]float64
	for i, spec := range degeneracySpectra(sz) {
		res, err := degeneracyUnit(context.Background(), cfg, sz, i, spec)
		require.NoError(t, err)
		rows := res.Seeds
		require.Len(t, rows, sz.Seeds)
		mu[i] = synSummary(degeneracyValues(rows, func(s degeneracySeed) float64 { return s.Mu }))
		pop[i] = rows[0].MuPop
		r2 := res.R2
		tol := 4*mu[i].SE + synBiasAllowance(pop[i], r2, sz.N)
		assert.InDelta(t, pop[i], mu[i].Mean, tol, spec)
		for _, r := range rows {
			assert.Equal(t, 2, r.K)
			assert.Greater(t, r.GTop, 0.5, spec)
		}
	}
	require.Greater(t, pop[1], pop[0], "population μ grows for this δ")
	assert.Greater(t, mu[1].Mean-mu[0].Mean, 0.0)
}

// TestDegeneracyPopulationG: for S = I the population g along e_j is
// 1 + δ_j²/(2L) with 2L = 1 + s² (δᵀSδ = 1); the unit's top-k population
// mean must equal that average.
func TestDegeneracyPopulationG(t *testing.T) {
	sz := degeneracySize{N: 16, D: 4, Seeds: 1, TopK: 2, Alphas: []float64{0}}
	cfg := Config{Scale: Tiny, Seed: 8}
	res, err := degeneracyUnit(context.Background(), cfg, sz, 0, "powerlaw:0")
	rows := res.Seeds
	require.NoError(t, err)
	sp, _ := muVsNSpectrumForTest("isotropic", 4)
	_, s, err := synInputs(sp, 1, 1)
	require.NoError(t, err)
	delta := synOffset(s, synSeed(cfg.Seed, synTag("degeneracy/delta")))
	twoL := 1 + synLabelNoise*synLabelNoise
	want := (2 + (delta[0]*delta[0]+delta[1]*delta[1])/twoL) / 2
	assert.InDelta(t, want, rows[0].GTopPop, 1e-12)
	assert.InDelta(t, 1+2*(delta[0]*delta[0]+delta[1]*delta[1]+delta[2]*delta[2]+delta[3]*delta[3])/(twoL*4), rows[0].MuPop, 1e-12)
}
