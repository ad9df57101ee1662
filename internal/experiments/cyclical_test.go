package experiments

import (
	"context"
	"math"
	"testing"

	"github.com/noisegeom/noisegeom/escape"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCyclicalTiny runs every unit at Tiny, checks determinism, the shared
// start of the arms, the section and the error for a missing record.
func TestCyclicalTiny(t *testing.T) {
	e, err := Lookup("cyclical")
	require.NoError(t, err)
	cfg := Config{Scale: Tiny, Seed: 1}
	units, recs := escRunAll(t, e, cfg)
	require.Len(t, units, 3*2)

	for _, i := range []int{0, len(units) - 1} {
		a, err := units[i].Run(context.Background())
		require.NoError(t, err)
		b, err := units[i].Run(context.Background())
		require.NoError(t, err)
		assert.Equal(t, string(a.Result), string(b.Result), "unit %s not deterministic", units[i].ID)
	}

	// Cycle 0 (the perturbed start) is the same in every arm, repeat by
	// repeat.
	start := map[int]cycValues{}
	for _, rec := range recs {
		var res cycUnitResult
		require.NoError(t, decodeResult(rec, &res))
		for _, rep := range res.Repeats {
			r, row := rep.Repeat, rep.Cycles[0]
			if prev, ok := start[r]; ok {
				assert.Equal(t, prev, row, "repeat %v starts differ (%s)", r, rec.Unit)
			} else {
				start[r] = row
			}
		}
	}
	assert.Len(t, start, cyclicalScale(Tiny).Repeats)

	sec, err := e.Summarize(cfg, recs)
	require.NoError(t, err)
	assert.Equal(t, "cyclical", sec.Name)
	assert.NotEmpty(t, sec.Method)
	require.Len(t, sec.Figures, 3)
	for _, f := range sec.Figures {
		assert.Contains(t, f.XLabel, "(", f.Name)
		assert.Contains(t, f.YLabel, "(", f.Name)
		require.Len(t, f.Series, 3, f.Name)
		for _, s := range f.Series {
			require.Len(t, s.Y, cyclicalScale(Tiny).Cycles+1)
			require.Len(t, s.ErrLo, len(s.Y))
			require.Len(t, s.ErrHi, len(s.Y))
		}
	}
	assert.True(t, sec.Figures[1].YLog, "loss on a log axis")
	require.Len(t, sec.Verdicts, 3)
	for _, v := range sec.Verdicts {
		assert.NotEmpty(t, v.Measured)
		assert.NotEmpty(t, v.Expected)
	}

	for _, drop := range []int{0, 3, len(recs) - 1} {
		partial := append(append([]Record(nil), recs[:drop]...), recs[drop+1:]...)
		_, err := e.Summarize(cfg, partial)
		require.Error(t, err)
		assert.Contains(t, err.Error(), units[drop].ID)
	}
}

// TestCyclicalMeasureOracle: the sharpness measured at θ* (Lanczos on the
// matrix-free or Gram path) equals the dense eigen-decomposition of
// A = FᵀF/n: λ_max, Tr A = Σλ, ‖A‖_F = √Σλ², and L = 0 at the
// interpolating minimum.
func TestCyclicalMeasureOracle(t *testing.T) {
	for _, m := range []escModel{
		{Name: "diagonal", N: 10, D: 16, Spectrum: "isotropic", Unbalance: 3, Index: 3},
		{Name: "diagonal", N: 12, D: 8, Spectrum: "powerlaw:1", Unbalance: 1, Index: 4},
	} {
		pb, err := escBuildProblem(Config{Seed: 7}, m)
		require.NoError(t, err)
		// Radius 0: cycle 0 is measured at θ* itself.
		c := &escape.Cyclical{Objective: pb.Obj, High: 1e-9, Low: 1e-9, HighSteps: 1, Cycles: 1, Batch: 1, Workers: 1}
		reps, err := c.RunArm(context.Background(), escape.ArmGDCyclical, 0, 1)
		require.NoError(t, err)
		v := reps[0].Cycles[0]
		got := [4]float64{v.LambdaMax, v.TrG, v.FrobG, v.Loss}
		tr, fr := 0.0, 0.0
		for _, l := range pb.Q.Lambda {
			tr += l
			fr += l * l
		}
		assert.InDelta(t, pb.Q.Lambda[0], got[0], 1e-8*pb.Q.Lambda[0])
		assert.InDelta(t, tr, got[1], 1e-10*tr)
		assert.InDelta(t, math.Sqrt(fr), got[2], 1e-10*math.Sqrt(fr))
		if m.N <= m.D {
			assert.Less(t, got[3], 1e-20)
		}
	}
}

// TestCyclicalEffect is the claim at the smallest size where it holds
// (n = 20, d = 30, 8 repeats, 3 cycles): SGD with the cyclical rate ends
// flatter by more than 2 SEs, GD with the same rate and SGD at the low
// rate stay within 5% of the start.
func TestCyclicalEffect(t *testing.T) {
	sc := cycScale{Model: escModel{Name: "diagonal", N: 20, D: 30, Spectrum: "isotropic", Unbalance: 3, Index: 3},
		Batch: 2, HighFactor: 1.5, LowFactor: 0.1, HighSteps: 100, LowSteps: 300, Cycles: 3, Repeats: 8, Group: 8,
		Radius: 0.1}
	cfg := Config{Seed: 1}
	ends := map[string]cycStat{}
	var start cycStat
	for _, arm := range cycArms {
		res, err := cycRun(context.Background(), cfg, sc, cycUnit{Arm: arm, From: 0, To: sc.Repeats})
		require.NoError(t, err)
		setup := res.Setup
		require.Less(t, setup.High, setup.GDThreshold, "high phase not below GD's threshold")
		require.Greater(t, setup.High, setup.SGDCritical)
		var first, last []float64
		for _, rep := range res.Repeats {
			for cy, row := range rep.Cycles {
				switch cy {
				case 0:
					first = append(first, row.LambdaMax)
				case sc.Cycles:
					last = append(last, row.LambdaMax)
				}
			}
		}
		require.Len(t, last, sc.Repeats)
		start, ends[arm] = cycMeanSE(first), cycMeanSE(last)
	}
	for _, tc := range []struct {
		arm  string
		stay bool
	}{{"sgd-cyclical", false}, {"sgd-constant", true}, {"gd-cyclical", true}} {
		e := ends[tc.arm]
		if tc.stay {
			assert.InDelta(t, start.Mean, e.Mean, cycStayFrac*start.Mean, tc.arm)
			continue
		}
		for _, other := range []cycStat{start, ends["sgd-constant"], ends["gd-cyclical"]} {
			assert.Less(t, e.Mean, other.Mean-cycSEs*math.Hypot(e.SE, other.SE), tc.arm)
		}
	}
	// cycMeanSE against a hand computation.
	s := cycMeanSE([]float64{1, 2, 3, 6})
	assert.Equal(t, 3.0, s.Mean)
	assert.InDelta(t, math.Sqrt(14.0/3/4), s.SE, 1e-15)
}
