package experiments

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/data"
)

// TestMuVsNConvergesToPopulation is the oracle test: at n = 4096 ≫ d = 6
// the mean over seeds of the sample μ and μ_c at θ* + δ and at θ* is within
// 4 SE + the leading-order bias allowance of the Gaussian closed form, whose
// value the test recomputes independently for the diagonal S.
func TestMuVsNConvergesToPopulation(t *testing.T) {
	const d, n = 6, 4096
	tests := []struct{ spec string }{{"isotropic"}, {"powerlaw:1"}, {"spiked:1,25"}}
	for si, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			cfg := Config{Scale: Tiny, Seed: 5}
			sz := muVsNSize{D: d, Ns: []int{n}, Seeds: 8, Spectra: []string{tc.spec}}
			res, err := muVsNUnit(context.Background(), cfg, sz, si, tc.spec, n)
			require.NoError(t, err)
			rows := res.Measures
			require.Len(t, rows, 2*sz.Seeds)

			// Independent closed form: S = diag(λ), δ from synOffset.
			sp, err := data.ParseSpectrum(tc.spec, d)
			require.NoError(t, err)
			_, s, err := synInputs(sp, 1, 1)
			require.NoError(t, err)
			delta := synOffset(s, synSeed(cfg.Seed, synTag("mu-vs-n/delta"), uint64(si)))
			var dsd, ds3d, f2, tr float64
			for j, l := range sp.Values {
				dsd += l * delta[j] * delta[j]
				ds3d += l * l * l * delta[j] * delta[j]
				f2 += l * l
				tr += l
			}
			s2 := synLabelNoise * synLabelNoise
			r2 := tr * tr / f2
			want := map[string]map[string]float64{
				"offset":  {"mu": 1 + 2*ds3d/((dsd+s2)*f2), "mu_c": 1 + ds3d/((dsd+s2)*f2)},
				"minimum": {"mu": 1, "mu_c": 1},
			}
			val := map[string]func(muVsNMeasure) float64{"mu": muVsNMu, "mu_c": muVsNMuC}
			popOf := map[string]func(muVsNMeasure) float64{"mu": muVsNMuPop, "mu_c": muVsNMuCPop}
			assert.InDelta(t, 1, dsd, 1e-12, "δᵀSδ = 1 by construction")
			for pt, ms := range want {
				var sel []muVsNMeasure
				for _, r := range rows {
					if r.Point == pt {
						sel = append(sel, r)
					}
				}
				for m, pop := range ms {
					assert.InDelta(t, pop, popOf[m](sel[0]), 1e-12, "%s %s population", pt, m)
					st := synSummary(muVsNValues(sel, val[m]))
					tol := 4*st.SE + synBiasAllowance(pop, r2, n)
					assert.InDelta(t, pop, st.Mean, tol, "%s %s: mean %v ± %v", pt, m, st.Mean, st.SE)
				}
			}
		})
	}
}

// TestMuVsNSummarizeJSON: records that went through JSON (as the runner
// writes them) give the same section.
func TestMuVsNSummarizeJSON(t *testing.T) {
	e, err := Lookup("mu-vs-n")
	require.NoError(t, err)
	cfg := Config{Scale: Tiny, Seed: 2}
	_, records := synRunAll(t, e, cfg)
	b, err := json.Marshal(records)
	require.NoError(t, err)
	var back []Record
	require.NoError(t, json.Unmarshal(b, &back))
	a, err := e.Summarize(cfg, records)
	require.NoError(t, err)
	c, err := e.Summarize(cfg, back)
	require.NoError(t, err)
	assert.Equal(t, a, c)
	// One figure per spectrum plus μ_c, one convergence verdict per
	// spectrum plus the bound.
	sz := muVsNSizes(Tiny)
	assert.Len(t, a.Figures, len(sz.Spectra)+1)
	assert.Len(t, a.Verdicts, len(sz.Spectra)+1)
	for _, f := range a.Figures {
		for _, s := range f.Series {
			assert.Len(t, s.X, len(sz.Ns))
		}
	}
	require.Len(t, a.Tables, 1)
	assert.Len(t, a.Tables[0].Rows, len(sz.Spectra))
}

// TestMuVsNEffDims checks the table's effective dimensions against hand
// values: isotropic r₂ = r₁ = d; spiked:1,25 at d = 8: Tr = 32, ‖S‖_F² = 632.
func TestMuVsNEffDims(t *testing.T) {
	tests := []struct {
		spec   string
		r2, r1 float64
	}{
		{"isotropic", 8, 8},
		{"spiked:1,25", 32.0 * 32 / 632, 32.0 / 25},
		{"powerlaw:0", 8, 8},
	}
	for _, tc := range tests {
		cfg := Config{Scale: Tiny, Seed: 1}
		sz := muVsNSize{D: 8, Ns: []int{16}, Seeds: 1, Spectra: []string{tc.spec}}
		res, err := muVsNUnit(context.Background(), cfg, sz, 0, tc.spec, 16)
		require.NoError(t, err)
		assert.InDelta(t, tc.r2, res.R2, 1e-12, tc.spec)
		assert.InDelta(t, tc.r1, res.R1, 1e-12, tc.spec)
		assert.False(t, math.IsNaN(res.Measures[0].Mu))
	}
}

func muVsNSpectrumForTest(spec string, d int) (data.Spectrum, error) {
	return data.ParseSpectrum(spec, d)
}
