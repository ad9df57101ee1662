package experiments

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

var fileSafeID = regexp.MustCompile(`^[a-z0-9._-]+$`)

// runAllUnits runs every unit of e at cfg and fills the runner's fields.
func runAllUnits(t *testing.T, e *Experiment, cfg Config) ([]Unit, []Record) {
	t.Helper()
	units, err := e.Plan(cfg)
	require.NoError(t, err)
	recs := make([]Record, len(units))
	for i, u := range units {
		r, err := u.Run(context.Background())
		require.NoError(t, err, u.ID)
		require.NotEmpty(t, r.Result, u.ID)
		r.Experiment, r.Unit = e.Name, u.ID
		recs[i] = r
	}
	return units, recs
}

// rerunConcurrently runs the units listed in which (all when nil) again,
// concurrently, and checks that each gives the rows it gave before.
func rerunConcurrently(t *testing.T, units []Unit, recs []Record, which []int) {
	t.Helper()
	if which == nil {
		for i := range units {
			which = append(which, i)
		}
	}
	again := make([]Record, len(units))
	errs := make([]error, len(units))
	var wg sync.WaitGroup
	for _, i := range which {
		wg.Add(1)
		go func() {
			defer wg.Done()
			again[i], errs[i] = units[i].Run(context.Background())
		}()
	}
	wg.Wait()
	for _, i := range which {
		require.NoError(t, errs[i], units[i].ID)
		assert.JSONEq(t, string(recs[i].Result), string(again[i].Result), units[i].ID)
	}
}

// roundTrip passes records through JSON as the runner does.
func roundTrip(t *testing.T, recs []Record) []Record {
	t.Helper()
	b, err := json.Marshal(recs)
	require.NoError(t, err)
	var out []Record
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestDirectionalPlanIDs(t *testing.T) {
	e, err := Lookup("directional")
	require.NoError(t, err)
	for _, tc := range []struct {
		scale Scale
		units int
	}{
		{Tiny, len(dirModels) * directionalSizes(Tiny).seeds},
		{Quick, len(dirModels) * directionalSizes(Quick).seeds},
		{Full, len(dirModels) * directionalSizes(Full).seeds},
	} {
		t.Run(tc.scale.String(), func(t *testing.T) {
			units, err := e.Plan(Config{Scale: tc.scale, Seed: 1})
			require.NoError(t, err)
			assert.Len(t, units, tc.units)
			seen := map[string]bool{}
			for _, u := range units {
				assert.Regexp(t, fileSafeID, u.ID)
				assert.False(t, seen[u.ID], "duplicate unit %s", u.ID)
				seen[u.ID] = true
			}
		})
	}
}

func TestDirectionalUnitsDeterministicAndSummary(t *testing.T) {
	e, err := Lookup("directional")
	require.NoError(t, err)
	cfg := Config{Scale: Tiny, Seed: 3}
	units, recs := runAllUnits(t, e, cfg)

	// Determinism: the same unit run again, all of them concurrently,
	// gives identical rows.
	rerunConcurrently(t, units, recs, nil)

	sec, err := e.Summarize(cfg, roundTrip(t, recs))
	require.NoError(t, err)
	assert.Equal(t, "directional", sec.Name)
	assert.NotEmpty(t, sec.Claim)
	assert.NotEmpty(t, sec.Method)
	require.Len(t, sec.Figures, len(dirModels))
	for _, f := range sec.Figures {
		assert.Contains(t, f.XLabel, "(", f.Name)
		assert.Contains(t, f.YLabel, "(dimensionless)", f.Name)
		assert.True(t, f.XLog, f.Name)
		assert.NotEmpty(t, f.Series, f.Name)
		for _, s := range f.Series {
			assert.Len(t, s.Y, len(s.X), s.Label)
			if s.ErrLo != nil {
				assert.Len(t, s.ErrLo, len(s.X), s.Label)
				assert.Len(t, s.ErrHi, len(s.X), s.Label)
			}
		}
	}
	require.Len(t, sec.Verdicts, len(dirModels)+1)
	for _, v := range sec.Verdicts {
		assert.NotEmpty(t, v.Statement)
		assert.NotEmpty(t, v.Measured)
		assert.NotEmpty(t, v.Expected)
	}
	require.Len(t, sec.Tables, 2)

	// A missing record is an error naming the unit.
	for _, drop := range []int{0, len(recs) - 1} {
		short := append(append([]Record(nil), recs[:drop]...), recs[drop+1:]...)
		_, err := e.Summarize(cfg, short)
		require.Error(t, err)
		assert.Contains(t, err.Error(), units[drop].ID)
	}
}

// refDirectional computes, from explicit per-sample gradients formed in the
// test (not by package models or analysis), the eigenvalues of
// G = (1/n)Σ∇f_i∇f_iᵀ (descending) and g along each eigenvector,
// g = vᵀΣv/(2L·vᵀGv) with Σ = (1/n)Σ r_i²∇f_i∇f_iᵀ − ∇L∇Lᵀ.
func refDirectional(grads [][]float64, r []float64) (lambda, g []float64) {
	n, p := len(grads), len(grads[0])
	G := mat.NewSymDense(p, nil)
	S := mat.NewSymDense(p, nil)
	grad := make([]float64, p)
	var twoL float64
	for i, gi := range grads {
		twoL += r[i] * r[i] / float64(n)
		for a := 0; a < p; a++ {
			grad[a] += r[i] * gi[a] / float64(n)
			for b := a; b < p; b++ {
				G.SetSym(a, b, G.At(a, b)+gi[a]*gi[b]/float64(n))
				S.SetSym(a, b, S.At(a, b)+r[i]*r[i]*gi[a]*gi[b]/float64(n))
			}
		}
	}
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			S.SetSym(a, b, S.At(a, b)-grad[a]*grad[b])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(G, true) {
		panic("eigen")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	for j := p - 1; j >= 0; j-- {
		v := mat.NewVecDense(p, nil)
		v.CopyVec(vecs.ColView(j))
		vSv := mat.Inner(v, S, v)
		vGv := mat.Inner(v, G, v)
		lambda = append(lambda, vals[j])
		g = append(g, vSv/(twoL*vGv))
	}
	return lambda, g
}

// perSampleGrads forms ∇_θ f(x_i) by hand for the three families.
func perSampleGrads(t *testing.T, model string, obj *models.Objective) [][]float64 {
	t.Helper()
	x := obj.X
	n, d := x.Rows, x.Cols
	out := make([][]float64, n)
	switch model {
	case "linear":
		for i := range out {
			out[i] = append([]float64(nil), x.Row(i)...)
		}
	case "twolayer", "twolayer-trained":
		net := obj.Model.(*models.Network)
		layers := net.Layers()
		c1, c2 := layers[0].Scale, layers[1].Scale
		if c1 == 0 {
			c1 = 1
		}
		require.False(t, layers[0].Bias)
		m := layers[0].Out
		w, a := net.Params(), net.FrozenWeights()
		require.Len(t, w, m*d)
		require.Len(t, a, m)
		for i := range out {
			xi := x.Row(i)
			gi := make([]float64, m*d)
			for k := 0; k < m; k++ {
				var z float64
				for j := 0; j < d; j++ {
					z += w[k*d+j] * xi[j]
				}
				th := math.Tanh(c1 * z)
				for j := 0; j < d; j++ {
					gi[k*d+j] = c2 * a[k] * (1 - th*th) * c1 * xi[j]
				}
			}
			out[i] = gi
		}
	case "diagonal":
		th := obj.Model.Params()
		u, v := th[:d], th[d:]
		for i := range out {
			xi := x.Row(i)
			gi := make([]float64, 2*d)
			for j := 0; j < d; j++ {
				gi[j] = v[j] * xi[j]
				gi[d+j] = u[j] * xi[j]
			}
			out[i] = gi
		}
	default:
		t.Fatalf("unknown model %s", model)
	}
	return out
}

// TestDirectionalMatchesDenseReference checks the g and λ the experiment
// records along the top and flattest nonzero eigen-directions against the
// dense reference built from hand-written per-sample gradients.
func TestDirectionalMatchesDenseReference(t *testing.T) {
	z := directionalSizes(Tiny)
	for _, model := range dirModels {
		t.Run(model, func(t *testing.T) {
			seed := uint64(11)
			pb, err := buildDirProblem(model, z, seed)
			require.NoError(t, err)
			res, err := directionalPoint(model, pb.obj, z.top, z.flat, z.random, seed)
			require.NoError(t, err)

			n := pb.obj.N()
			pred := make([]float64, n)
			pm := linalg.NewDenseData(n, 1, pred)
			pb.obj.Model.Predict(pm, pb.obj.X)
			r := make([]float64, n)
			for i := range r {
				r[i] = pred[i] - pb.obj.Y.Data[i]
			}
			lam, g := refDirectional(perSampleGrads(t, model, pb.obj), r)
			// Nonzero eigenvalues (the diagonal network's G has rank d).
			var nzL, nzG []float64
			for i := range lam {
				if lam[i] > 1e-9*lam[0] {
					nzL, nzG = append(nzL, lam[i]), append(nzG, g[i])
				}
			}
			checked := 0
			for _, row := range res.Directions {
				k := row.K
				var wantL, wantG float64
				switch row.Kind {
				case "top":
					wantL, wantG = nzL[k-1], nzG[k-1]
				case "flat":
					wantL, wantG = nzL[len(nzL)-k], nzG[len(nzG)-k]
				default:
					continue
				}
				assert.InDelta(t, wantL, row.Lambda, 1e-9*nzL[0], "%s k=%d λ", row.Kind, k)
				assert.InEpsilon(t, wantG, row.G, 1e-7, "%s k=%d g", row.Kind, k)
				checked++
			}
			assert.Equal(t, z.top+z.flat, checked)
		})
	}
}

// TestLinearPopulationOracle is the science check at a moderate n: along the
// sample top eigenvectors the finite-sample g agrees with the population
// closed form 1 + (vᵀSδ)²/(2L·vᵀSv) within 4 delta-method standard
// errors, and that standard error matches the spread of g − g_pop over
// independent data sets (within the sampling error of a standard
// deviation estimated from 24 replicates).
func TestLinearPopulationOracle(t *testing.T) {
	z := directionalSizes(Tiny)
	z.linD, z.linN, z.top = 8, 3000, 4
	const reps = 24
	diffs := make([][]float64, z.top)
	ses := make([][]float64, z.top)
	for s := 0; s < reps; s++ {
		pb, err := buildDirProblem("linear", z, 500+uint64(s))
		require.NoError(t, err)
		rows, err := linearPopulation(pb, z.top)
		require.NoError(t, err)
		require.Len(t, rows, z.top)
		for _, r := range rows {
			k := r.K
			gp, g, se := r.GPop, r.G, r.SE
			// Population bounds: 1 ≤ g_pop < 1 + δᵀSδ/(δᵀSδ + s²).
			assert.GreaterOrEqual(t, gp, 1-1e-12)
			assert.Less(t, gp, 1+1/(1+z.linNoise*z.linNoise))
			assert.LessOrEqual(t, math.Abs(g-gp), dirZMax*se, "seed %d k %d", s, k)
			diffs[k-1] = append(diffs[k-1], g-gp)
			ses[k-1] = append(ses[k-1], se)
		}
	}
	for k := range diffs {
		var m, m2, seBar float64
		for i, d := range diffs[k] {
			m += d / reps
			m2 += d * d / reps
			seBar += ses[k][i] / reps
		}
		sd := math.Sqrt((m2 - m*m) * reps / (reps - 1))
		// An SD from 24 replicates has relative error ≈ 1/√46 ≈ 0.15; allow
		// a factor 1.6 either way (4 of its standard errors).
		assert.InDelta(t, 1, sd/seBar, 0.6, "k=%d sd %g vs SE %g", k+1, sd, seBar)
		// No bias beyond 4 standard errors of the mean difference.
		assert.LessOrEqual(t, math.Abs(m), 4*seBar/math.Sqrt(reps), "k=%d mean diff", k+1)
	}
}

func TestRdHelpers(t *testing.T) {
	for _, tc := range []struct {
		in            []float64
		mean, se      float64
		lo, med, hi   float64
		count         int
		seNaN, allNaN bool
	}{
		{in: []float64{1, 2, 3, 4}, mean: 2.5, se: math.Sqrt(5.0/3) / 2, lo: 1, med: 2.5, hi: 4, count: 4},
		{in: []float64{5, math.NaN(), 1, 3}, mean: 3, se: 2 / math.Sqrt(3), lo: 1, med: 3, hi: 5, count: 3},
		{in: []float64{7}, mean: 7, lo: 7, med: 7, hi: 7, count: 1, seNaN: true},
		{in: nil, allNaN: true},
	} {
		m, se := meanSE(tc.in)
		lo, med, hi, c := rdQuantiles(tc.in)
		if tc.allNaN {
			assert.True(t, math.IsNaN(m) && math.IsNaN(se) && math.IsNaN(med))
			assert.Zero(t, c)
			continue
		}
		assert.InDelta(t, tc.mean, m, 1e-12)
		if tc.seNaN {
			assert.True(t, math.IsNaN(se))
		} else {
			assert.InDelta(t, tc.se, se, 1e-12)
		}
		assert.Equal(t, []float64{tc.lo, tc.med, tc.hi}, []float64{lo, med, hi})
		assert.Equal(t, tc.count, c)
	}
	assert.True(t, strings.HasPrefix(dirUnitID("linear", 2), "linear-"))
}
