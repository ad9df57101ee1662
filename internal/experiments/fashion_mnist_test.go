package experiments

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// needFashion skips the test when Fashion-MNIST is not installed.
func needFashion(t *testing.T) {
	t.Helper()
	for _, split := range []string{"train", "test"} {
		if _, err := data.LocateNamed("fashion-mnist", data.NamedOptions{Split: split}); err != nil {
			t.Skipf("Fashion-MNIST not installed: %v", err)
		}
	}
}

func TestFashionPlanIDs(t *testing.T) {
	needFashion(t)
	e, err := Lookup("fashion-mnist")
	require.NoError(t, err)
	for _, sc := range []Scale{Tiny, Quick, Full} {
		t.Run(sc.String(), func(t *testing.T) {
			units, err := e.Plan(Config{Scale: sc, Seed: 1})
			require.NoError(t, err)
			z := fashionSizes(sc)
			assert.Len(t, units, z.seeds*len(z.steps))
			seen := map[string]bool{}
			for _, u := range units {
				assert.Regexp(t, fileSafeID, u.ID)
				assert.False(t, seen[u.ID], "duplicate unit %s", u.ID)
				seen[u.ID] = true
			}
		})
	}
}

func TestFashionMissingDataset(t *testing.T) {
	e, err := Lookup("fashion-mnist")
	require.NoError(t, err)
	dir := t.TempDir()
	_, err = e.Plan(Config{Scale: Tiny, Seed: 1, DataDir: dir})
	require.Error(t, err)
	assert.True(t, errors.Is(err, data.ErrNotFound), "%v", err)
	assert.Contains(t, err.Error(), dir, "the error names where it looked")
}

func TestFashionUnitsDeterministicAndSummary(t *testing.T) {
	needFashion(t)
	e, err := Lookup("fashion-mnist")
	require.NoError(t, err)
	cfg := Config{Scale: Tiny, Seed: 2}
	units, recs := runAllUnits(t, e, cfg)
	// Determinism: units of both replicates run again, concurrently, give
	// identical rows.
	rerunConcurrently(t, units, recs, []int{0, len(units) - 1})
	// Each unit records one checkpoint row and top and random directions.
	z := fashionSizes(Tiny)
	for i, r := range recs {
		var res fmResult
		require.NoError(t, decodeResult(r, &res))
		kinds := map[string]int{"checkpoint": 1}
		for _, row := range res.Directions {
			kinds[row.Kind]++
		}
		assert.Equal(t, map[string]int{"checkpoint": 1, "top": z.top, "random": z.random}, kinds, units[i].ID)
	}

	sec, err := e.Summarize(cfg, roundTrip(t, recs))
	require.NoError(t, err)
	assert.Equal(t, "fashion-mnist", sec.Name)
	assert.NotEmpty(t, sec.Method)
	names := map[string]bool{}
	for _, f := range sec.Figures {
		names[f.Name] = true
		assert.Contains(t, f.XLabel, "(steps)", f.Name)
		assert.Regexp(t, `\(.+\)`, f.YLabel, f.Name)
		assert.True(t, f.XLog, f.Name)
		for _, s := range f.Series {
			require.Len(t, s.X, len(z.steps), s.Label)
			require.Len(t, s.Y, len(z.steps), s.Label)
			require.NotNil(t, s.ErrLo, "%s: %d replicates give error bars", s.Label, z.seeds)
		}
	}
	for _, n := range []string{"loss", "accuracy", "mu", "mu-ratio", "g-top"} {
		assert.True(t, names[n], "figure %s", n)
	}
	require.Len(t, sec.Verdicts, 3)
	for _, v := range sec.Verdicts {
		assert.NotEmpty(t, v.Measured)
		assert.NotEmpty(t, v.Expected)
	}
	_, err = e.Summarize(cfg, recs[1:])
	require.Error(t, err)
	assert.Contains(t, err.Error(), units[0].ID)
}

// TestFashionMatchesDenseReference recomputes μ, μ_iso and g along the top
// eigenvectors of G at a Tiny checkpoint from explicit per-sample gradients
// ∇ℓ_i = J_iᵀr_i (J from the model's Jacobian, everything else formed here
// with gonum) and compares with the rows of the unit, whose matrix-free
// analysis uses exact traces at Tiny scale.
func TestFashionMatchesDenseReference(t *testing.T) {
	needFashion(t)
	cfg := Config{Scale: Tiny, Seed: 2} // the seed of TestFashionUnitsDeterministicAndSummary: one data load
	z := fashionSizes(Tiny)
	require.Zero(t, z.probes, "Tiny uses exact traces")
	const s = 1
	step := z.steps[len(z.steps)-1]
	res, err := fashionUnit(context.Background(), cfg, z, s, step)
	require.NoError(t, err)
	obj, _, err := fashionTrain(context.Background(), cfg, z, s, step)
	require.NoError(t, err)

	n, K, p := obj.N(), obj.Model.NumOutputs(), obj.NumParams()
	jac := linalg.NewDense(n*K, p)
	obj.Jacobian(jac, 0)
	pred := linalg.NewDense(n, K)
	obj.Model.Predict(pred, obj.X)
	J := mat.NewDense(n*K, p, jac.Data)
	G := mat.NewSymDense(p, nil)
	G.SymOuterK(1/float64(n), J.T())
	P := mat.NewDense(n, p, nil) // per-sample gradients
	var twoL float64
	for i := 0; i < n; i++ {
		for k := 0; k < K; k++ {
			r := pred.At(i, k) - obj.Y.At(i, k)
			twoL += r * r / float64(n)
			for a := 0; a < p; a++ {
				P.Set(i, a, P.At(i, a)+r*J.At(i*K+k, a))
			}
		}
	}
	S1 := mat.NewSymDense(p, nil)
	S1.SymOuterK(1/float64(n), P.T())
	grad := mat.NewVecDense(p, nil)
	for i := 0; i < n; i++ {
		grad.AddScaledVec(grad, 1/float64(n), P.RowView(i))
	}
	var trS1G, frob, trS1, trG float64
	for a := 0; a < p; a++ {
		trS1 += S1.At(a, a)
		trG += G.At(a, a)
		for b := 0; b < p; b++ {
			trS1G += S1.At(a, b) * G.At(a, b)
			frob += G.At(a, b) * G.At(a, b)
		}
	}
	mu := trS1G / (twoL * frob)
	muIso := trS1 * trG / (float64(p) * twoL * frob)

	var es mat.EigenSym
	require.True(t, es.Factorize(G, true))
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)

	checked := 0
	c := res.Checkpoint
	assert.InEpsilon(t, mu, c.Mu, 1e-9)
	assert.InEpsilon(t, muIso, c.MuIso, 1e-9)
	assert.InEpsilon(t, twoL/2, c.Loss, 1e-12)
	for _, r := range res.Directions {
		switch r.Kind {
		case "top":
			k := r.K
			j := p - k
			v := mat.NewVecDense(p, nil)
			v.CopyVec(vecs.ColView(j))
			vS1v := mat.Inner(v, S1, v)
			vg := mat.Dot(v, grad)
			g := (vS1v - vg*vg) / (twoL * vals[j])
			assert.InEpsilon(t, vals[j], r.Lambda, 1e-9, "k=%d λ", k)
			assert.InDelta(t, g, r.G, 1e-7*math.Max(1, g), "k=%d g", k)
			// The diagnostics are fractions.
			f := r.SumFrac
			assert.True(t, f >= 0 && f <= 1+1e-12, "k=%d sum_frac %g", k, f)
			go_ := r.GOut
			assert.True(t, go_ > 0 && go_ <= 1+1e-12, "k=%d g_out %g", k, go_)
			checked++
		}
	}
	assert.Equal(t, z.top, checked)
}

func TestFmAccuracy(t *testing.T) {
	// An MLP with all-zero parameters predicts 0 everywhere: the loss of a
	// one-hot target is ½ and the largest output is (the first) class 0.
	for _, tc := range []struct {
		labels []int
		acc    float64
	}{
		{[]int{0, 0, 0, 0}, 1},
		{[]int{0, 3, 0, 9}, 0.5},
		{[]int{1, 2, 3, 4}, 0},
	} {
		n := len(tc.labels)
		x := linalg.NewDense(n, 3)
		y := linalg.NewDense(n, fmClasses)
		for i, l := range tc.labels {
			y.Set(i, l, 1)
			x.Set(i, i%3, 1)
		}
		net := newZeroMLP(3, 4)
		acc, loss := fmAccuracy(net, x, y, tc.labels)
		assert.InDelta(t, tc.acc, acc, 1e-15)
		assert.InDelta(t, 0.5, loss, 1e-15)
	}
}

// newZeroMLP is a d → h → 10 tanh MLP with every parameter zero.
func newZeroMLP(d, h int) models.Model {
	net := models.NewMLP([]int{d, h, fmClasses}, models.Tanh)
	for i := range net.Params() {
		net.Params()[i] = 0
	}
	return net
}
