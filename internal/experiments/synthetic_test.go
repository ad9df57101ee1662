package experiments

import (
	"context"
	"flag"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/internal/report"
)

// go test ./experiments -run TestSynthTiming -synth-timing=quick prints
// the wall time of Plan + every unit (one at a time) + Summarize of the
// synthetic experiments at that scale, with their verdicts.
var (
	synthTiming = flag.String("synth-timing", "", "scale (tiny, quick, full) at which TestSynthTiming runs mu-vs-n, mu-vs-p and degeneracy")
	synthOnly   = flag.String("synth-only", "", "comma-separated subset of mu-vs-n, mu-vs-p, degeneracy for TestSynthTiming")
)

var synIDPattern = regexp.MustCompile(`^[a-z0-9._-]+$`)

// synRunAll plans and runs every unit of an experiment sequentially.
func synRunAll(t testing.TB, e *Experiment, cfg Config) ([]Unit, []Record) {
	t.Helper()
	units, err := e.Plan(cfg)
	require.NoError(t, err)
	records := make([]Record, len(units))
	for i, u := range units {
		rec, err := u.Run(context.Background())
		require.NoError(t, err, "unit %s", u.ID)
		rec.Unit = u.ID
		rec.Experiment = e.Name
		records[i] = rec
	}
	return units, records
}

// synCheckSection checks the structure every section of these experiments
// must have.
func synCheckSection(t *testing.T, name string, sec report.Section) {
	t.Helper()
	assert.Equal(t, name, sec.Name)
	assert.NotEmpty(t, sec.Title)
	assert.NotEmpty(t, sec.Claim)
	assert.NotEmpty(t, sec.Method)
	require.NotEmpty(t, sec.Figures)
	require.NotEmpty(t, sec.Verdicts)
	names := map[string]bool{}
	for _, f := range sec.Figures {
		assert.True(t, synIDPattern.MatchString(f.Name), "figure name %q", f.Name)
		assert.False(t, names[f.Name], "duplicate figure %q", f.Name)
		names[f.Name] = true
		assert.NotEmpty(t, f.Title)
		for _, lab := range []string{f.XLabel, f.YLabel} {
			assert.Contains(t, lab, "(", "axis label %q of %s names no unit", lab, f.Name)
			assert.Contains(t, lab, ")", "axis label %q of %s names no unit", lab, f.Name)
		}
		require.NotEmpty(t, f.Series, f.Name)
		for _, s := range f.Series {
			assert.NotEmpty(t, s.Label)
			require.Equal(t, len(s.X), len(s.Y), "%s/%s", f.Name, s.Label)
			if s.ErrLo != nil || s.ErrHi != nil {
				require.Equal(t, len(s.X), len(s.ErrLo), "%s/%s", f.Name, s.Label)
				require.Equal(t, len(s.X), len(s.ErrHi), "%s/%s", f.Name, s.Label)
				for i := range s.Y {
					if !math.IsNaN(s.Y[i]) {
						assert.LessOrEqual(t, s.ErrLo[i], s.Y[i]+1e-12)
						assert.GreaterOrEqual(t, s.ErrHi[i], s.Y[i]-1e-12)
					}
				}
			}
			if f.XLog {
				for _, x := range s.X {
					assert.Greater(t, x, 0.0, "log axis of %s", f.Name)
				}
			}
		}
		for _, l := range append(append([]report.RefLine{}, f.HLines...), f.VLines...) {
			assert.NotEmpty(t, l.Label)
		}
	}
	for _, v := range sec.Verdicts {
		assert.NotEmpty(t, v.Statement)
		assert.NotEmpty(t, v.Measured)
		assert.NotEmpty(t, v.Expected)
	}
	for _, tb := range sec.Tables {
		for _, r := range tb.Rows {
			assert.Len(t, r, len(tb.Columns))
		}
	}
}

// TestSynthExperimentsTiny runs the three experiments at Tiny: unique,
// file-safe IDs, every unit runs, Summarize gives a complete section, and
// names the missing unit when a record is dropped.
func TestSynthExperimentsTiny(t *testing.T) {
	for _, name := range []string{"mu-vs-n", "mu-vs-p", "degeneracy"} {
		t.Run(name, func(t *testing.T) {
			e, err := Lookup(name)
			require.NoError(t, err)
			cfg := Config{Scale: Tiny, Seed: 3}
			start := time.Now()
			units, records := synRunAll(t, e, cfg)
			ids := map[string]bool{}
			for _, u := range units {
				assert.True(t, synIDPattern.MatchString(u.ID), "unit ID %q", u.ID)
				assert.False(t, ids[u.ID], "duplicate unit ID %q", u.ID)
				ids[u.ID] = true
			}
			for _, r := range records {
				assert.NotEmpty(t, r.Result, r.Unit)
			}
			sec, err := e.Summarize(cfg, records)
			require.NoError(t, err)
			t.Logf("%s tiny: %d units in %v", name, len(units), time.Since(start))
			synCheckSection(t, name, sec)

			// A missing record is an error naming that unit.
			missing := len(records) / 2
			_, err = e.Summarize(cfg, append(append([]Record{}, records[:missing]...), records[missing+1:]...))
			require.Error(t, err)
			assert.Contains(t, err.Error(), units[missing].ID)
		})
	}
}

// TestSynthDeterministic runs one unit of each experiment twice: the rows
// are identical, and so are those of a second Plan's unit.
func TestSynthDeterministic(t *testing.T) {
	for _, name := range []string{"mu-vs-n", "mu-vs-p", "degeneracy"} {
		t.Run(name, func(t *testing.T) {
			e, err := Lookup(name)
			require.NoError(t, err)
			cfg := Config{Scale: Tiny, Seed: 11}
			u1, err := e.Plan(cfg)
			require.NoError(t, err)
			u2, err := e.Plan(cfg)
			require.NoError(t, err)
			require.Equal(t, len(u1), len(u2))
			k := len(u1) - 1
			require.Equal(t, u1[k].ID, u2[k].ID)
			a, err := u1[k].Run(context.Background())
			require.NoError(t, err)
			b, err := u2[k].Run(context.Background())
			require.NoError(t, err)
			require.NotEmpty(t, a.Result)
			assert.Equal(t, a.Result, b.Result)
			// Another base seed changes the data.
			u3, err := e.Plan(Config{Scale: Tiny, Seed: 12})
			require.NoError(t, err)
			c, err := u3[k].Run(context.Background())
			require.NoError(t, err)
			assert.NotEqual(t, a.Result, c.Result)
		})
	}
}

func TestSynthCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, name := range []string{"mu-vs-n", "mu-vs-p", "degeneracy"} {
		e, err := Lookup(name)
		require.NoError(t, err)
		units, err := e.Plan(Config{Scale: Tiny, Seed: 1})
		require.NoError(t, err)
		_, err = units[0].Run(ctx)
		assert.ErrorIs(t, err, context.Canceled, name)
	}
}

func TestSynStat(t *testing.T) {
	tests := []struct {
		in            []float64
		mean, se, min float64
		n             int
	}{
		{[]float64{1, 2, 3}, 2, math.Sqrt(1.0 / 3), 1, 3},
		{[]float64{4, math.NaN(), 2}, 3, 1, 2, 2},
		{[]float64{5}, 5, 0, 5, 1},
	}
	for _, tc := range tests {
		st := synSummary(tc.in)
		assert.InDelta(t, tc.mean, st.Mean, 1e-15)
		assert.InDelta(t, tc.se, st.SE, 1e-15)
		assert.Equal(t, tc.min, st.Min)
		assert.Equal(t, tc.n, st.N)
	}
	assert.True(t, math.IsNaN(synSummary(nil).Mean))
	// Seeds depend on every part.
	assert.NotEqual(t, synSeed(1, 2, 3), synSeed(1, 3, 2))
	assert.NotEqual(t, synSeed(1, 2), synSeed(2, 2))
	assert.Equal(t, synSeed(7, 1, 2), synSeed(7, 1, 2))
}

// TestSynthTiming is the budget driver (skipped unless -synth-timing).
func TestSynthTiming(t *testing.T) {
	if *synthTiming == "" {
		t.Skip("run with -synth-timing=quick")
	}
	scale := map[string]Scale{"tiny": Tiny, "quick": Quick, "full": Full}[*synthTiming]
	names := []string{"mu-vs-n", "mu-vs-p", "degeneracy"}
	if *synthOnly != "" {
		names = strings.Split(*synthOnly, ",")
	}
	for _, name := range names {
		e, err := Lookup(name)
		if err != nil {
			t.Logf("%s: %v", name, err)
			continue
		}
		cfg := Config{Scale: scale, Seed: 1}
		start := time.Now()
		units, err := e.Plan(cfg)
		require.NoError(t, err)
		records := make([]Record, len(units))
		var slowest time.Duration
		slowID := ""
		for i, u := range units {
			t0 := time.Now()
			rec, err := u.Run(context.Background())
			require.NoError(t, err)
			if d := time.Since(t0); d > slowest {
				slowest, slowID = d, u.ID
			}
			rec.Unit = u.ID
			records[i] = rec
		}
		sec, err := e.Summarize(cfg, records)
		require.NoError(t, err)
		t.Logf("%s at %s: %d units, total %.2f s, slowest unit %s %.2f s", name, scale, len(units), time.Since(start).Seconds(), slowID, slowest.Seconds())
		for _, v := range sec.Verdicts {
			t.Logf("  [%v] %s\n      measured: %s\n      expected: %s", v.Held, v.Statement, v.Measured, v.Expected)
		}
		for _, f := range sec.Figures {
			t.Logf("  figure %s: %s vs %s", f.Name, f.YLabel, f.XLabel)
			for _, s := range f.Series {
				var b strings.Builder
				for i := range s.X {
					fmt.Fprintf(&b, " (%.4g, %.4g)", s.X[i], s.Y[i])
				}
				t.Logf("    %s:%s", s.Label, b.String())
			}
		}
		for _, tb := range sec.Tables {
			t.Logf("  table %s: %s", tb.Name, strings.Join(tb.Columns, " | "))
			for _, r := range tb.Rows {
				t.Logf("    %s", strings.Join(r, " | "))
			}
		}
	}
}
