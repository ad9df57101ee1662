package experiments

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMuVsPTwoLayerTanhBounded: the claim at a small scale where it holds,
// μ ≥ 0.5 for every seed of a two-layer tanh network at two widths 16× apart,
// at initialisation and after 20 GD steps (which lower the loss).
func TestMuVsPTwoLayerTanhBounded(t *testing.T) {
	sz := muVsPSize{N: 64, D: 8, Seeds: 3, Widths: []int{16, 256}, Steps: 20}
	fam := muVsPFamilies[5]
	require.Equal(t, "twolayer-tanh", fam.key)
	cfg := Config{Scale: Tiny, Seed: 9}
	means := map[int]float64{}
	for _, w := range sz.Widths {
		res, err := muVsPUnit(context.Background(), cfg, sz, 5, fam, w)
		require.NoError(t, err)
		rows := res.Measures
		require.Len(t, rows, 2*sz.Seeds)
		var init []muVsPMeasure
		for _, r := range rows {
			if r.Point == "init" {
				init = append(init, r)
				assert.Equal(t, 1.0, r.LossRatio)
			} else {
				assert.Equal(t, "gd", r.Point)
				assert.Less(t, r.LossRatio, 1.0, "GD lowers the loss")
			}
			assert.Equal(t, w*sz.D, r.P)
			assert.GreaterOrEqual(t, r.Mu, muVsPBound, "width %d seed %v", w, r.Seed)
			// μ_iso ≤ μ·Tr Σ₁·Tr G/(p·Tr(Σ₁G)) is small once p ≫ n.
			assert.Greater(t, r.MuOverIso, 1.0)
			assert.Equal(t, "gram", r.Path)
		}
		means[w] = synSummary(muVsPValues(init, muVsPMu)).Mean
	}
	assert.GreaterOrEqual(t, means[256]/means[16], muVsPRatio)
}

// TestMuVsPParams checks the parameter counts of every family against
// their formulas.
func TestMuVsPParams(t *testing.T) {
	const d, w = 5, 7
	want := map[string]int{
		"linear": d, "diagonal": 2 * d, "deeplinear2": d*w + w, "deeplinear3": d*w + w*w + w,
		"randomfeatures": w, "twolayer-tanh": d * w, "twolayer-softplus": d * w,
		"twolayer-leaky_relu": d * w, "twolayer-relu": d * w,
	}
	require.Len(t, muVsPFamilies, len(want))
	for _, fam := range muVsPFamilies {
		m, err := muVsPModel(fam, d, w, 1)
		require.NoError(t, err)
		assert.Equal(t, want[fam.key], m.NumParams(), fam.key)
	}
}

// TestMuVsPSummaryShape: one verdict per family, ReLU marked vacuous, the
// width figure has μ and μ_iso per activation with one point per width.
func TestMuVsPSummaryShape(t *testing.T) {
	e, err := Lookup("mu-vs-p")
	require.NoError(t, err)
	cfg := Config{Scale: Tiny, Seed: 4}
	_, records := synRunAll(t, e, cfg)
	sec, err := e.Summarize(cfg, records)
	require.NoError(t, err)
	require.Len(t, sec.Verdicts, len(muVsPFamilies))
	assert.Contains(t, sec.Verdicts[len(sec.Verdicts)-1].Statement, "vacuous for ReLU")
	for _, v := range sec.Verdicts[:len(sec.Verdicts)-1] {
		assert.NotContains(t, v.Statement, "vacuous")
	}
	var width bool
	assert.Len(t, sec.Figures, 4)
	for _, f := range sec.Figures {
		if f.Name == "mu-width" {
			width = true
			assert.Len(t, f.Series, 8)
		}
		if strings.HasPrefix(f.Name, "mu-width") {
			for _, s := range f.Series {
				assert.Len(t, s.X, len(muVsPSizes(Tiny).Widths))
			}
		}
	}
	assert.True(t, width)
}
