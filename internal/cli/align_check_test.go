package cli

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAlignMemoryBudget: --memory must be a finite positive number of MB
// large enough for the problem; a forced --path is checked against it too,
// and the refusal names the estimate, the limit and the paths that fit.
func TestAlignMemoryBudget(t *testing.T) {
	small := []string{"--n", "20", "--d", "4", "--k", "2"}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--memory", "0"}, []string{"--memory", "> 0"}},
		{[]string{"--memory", "-5"}, []string{"--memory", "-5"}},
		{[]string{"--memory", "Inf"}, []string{"--memory"}},
		{[]string{"--memory", "0.0001"}, []string{"0.0001 MB"}},
		// K of 5000² values (200 MB) does not fit 100 MB; dense does.
		{[]string{"--n", "5000", "--d", "5", "--path", "gram", "--memory", "100"}, []string{"--path gram", "200 MB", "100 MB", "--path dense"}},
		// Dense needs 3p² values (p = 3000: 216 MB) beside the 144 MB of
		// the population covariance; Gram and matrix-free fit.
		{[]string{"--n", "50", "--d", "3000", "--path", "dense", "--memory", "300"}, []string{"--path dense", "300 MB", "--path gram or --path matrixfree"}},
	} {
		code, _, errOut := callAlign(append(append([]string(nil), small...), tt.args...)...)
		assert.Equal(t, 2, code, "%q: stderr %q", tt.args, errOut)
		for _, w := range tt.want {
			assert.Contains(t, errOut, w, "%q", tt.args)
		}
	}
	// Within the budget the forced path runs.
	code, _, errOut := callAlign("--n", "200", "--d", "5", "--path", "gram", "--memory", "100", "--k", "2")
	assert.Equal(t, 0, code, errOut)
}

// TestAlignNonFinite: values that overflow (inputs of variance 1e300) are
// reported, not a crash: text mode prints them with the reason, JSON
// writes null and lists them under non_finite; exit 0 both ways.
func TestAlignNonFinite(t *testing.T) {
	args := []string{"--n", "20", "--d", "2", "--spectrum", "list:1e300,1e300", "--at", "teacher+1", "--k", "1"}
	code, out, errOut := callAlign(args...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "not finite")
	assert.Contains(t, out, "frob_g2: non-finite (+Inf)")

	code, out, errOut = callAlign(append(args, "--json")...)
	require.Equal(t, 0, code, errOut)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	v, ok := doc["frob_g2"]
	assert.True(t, ok && v == nil, "frob_g2 = %v", v)
	assert.Equal(t, "non-finite (+Inf)", doc["frob_g2_note"])
}

// TestAlignFiniteJSON: for a finite document the non-finite-safe encoder
// writes exactly what encoding/json writes.
func TestAlignFiniteJSON(t *testing.T) {
	for _, model := range []string{"linear", "twolayer", "mlp"} {
		f := alignTestFlags(model)
		pl, err := checkAlign(f)
		require.NoError(t, err)
		out, err := alignMain(f, pl)
		require.NoError(t, err)
		want, err := json.MarshalIndent(out, "", "  ")
		require.NoError(t, err)
		got, err := marshalJSONSafe(out)
		require.NoError(t, err)
		assert.Empty(t, nonFiniteFields(out))
		assert.Equal(t, string(want), string(got), model)
	}
	assert.Equal(t, []string{"a: non-finite (NaN)", "b: [1] non-finite (-Inf)"}, nonFiniteFields(struct {
		A float64   `json:"a"`
		B []float64 `json:"b,omitempty"`
		C float64   `json:"c,omitempty"`
	}{A: math.NaN(), B: []float64{1, math.Inf(-1)}}))
}

// alignTestFlags are align's defaults for a small synthetic problem.
func alignTestFlags(model string) *alignFlags {
	return &alignFlags{model: model, data: "synthetic", n: 60, d: 5, spectrum: "isotropic", noise: 0.1, width: 4,
		activation: "tanh", targets: "onehot", at: "teacher+0.5", path: "auto", loss: "square", seed: 1,
		batch: 1, k: 2, flat: -1, random: 2, probes: -1, memoryMB: defaultMemoryMB}
}

// TestAlignMatrixFreeCost: exact matrix-free traces on a large model are
// predicted and refused without --force (before anything is computed);
// by default a large p gets the probe estimator with its standard error.
func TestAlignMatrixFreeCost(t *testing.T) {
	big := []string{"--model", "mlp", "--n", "2000", "--d", "200", "--width", "500", "--path", "matrixfree"}
	code, _, errOut := callAlign(append(big, "--probes", "0")...)
	assert.Equal(t, 2, code, errOut)
	for _, w := range []string{"predicted time", "p = 101001", "--probes 100", "--force"} {
		assert.Contains(t, errOut, w)
	}
	// The exact Hessian traces (p + n products) on the auto path too.
	code, _, errOut = callAlign("--model", "mlp", "--n", "2000", "--d", "200", "--width", "500", "--hessian")
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "--hessian-probes 100")
	f := alignTestFlags("mlp")
	f.n, f.d, f.width, f.path, f.probes, f.force = 2000, 200, 500, analysis.PathMatrixFree, 0, true
	pl, err := checkAlign(f)
	require.NoError(t, err, "--force")
	assert.Greater(t, pl.seconds, float64(costLimitSeconds))

	// p = 5201 > AutoExactMax: 100 probes, reported with their error.
	code, out, errOut := callAlign("--model", "mlp", "--n", "100", "--d", "50", "--width", "100", "--path", "matrixfree",
		"--k", "2", "--random", "0", "--json")
	require.Equal(t, 0, code, errOut)
	var doc struct {
		Config      map[string]any `json:"config"`
		TraceStdErr float64        `json:"trace_stderr"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, float64(analysis.AutoProbes), doc.Config["probes"])
	assert.Greater(t, doc.TraceStdErr, 0.0)
}

// TestAlignFlatDefault: on the matrix-free path with p > nK the flattest
// directions are not searched by default (a note says why, and the
// output how many were resolved); asked for explicitly they are.
func TestAlignFlatDefault(t *testing.T) {
	base := []string{"--model", "twolayer", "--n", "30", "--d", "20", "--width", "10", "--path", "matrixfree", "--k", "2", "--random", "0", "--json"}
	for _, tt := range []struct {
		flat  []string
		found bool
		note  string
	}{
		{nil, false, "not searched"},
		{[]string{"--flat", "2"}, true, "flattest directions by Lanczos"},
	} {
		code, out, errOut := callAlign(append(base, tt.flat...)...)
		require.Equal(t, 0, code, errOut)
		var doc struct {
			FlatWanted int      `json:"flat_wanted"`
			FlatFound  int      `json:"flat_found"`
			Notes      []string `json:"notes"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &doc))
		assert.Equal(t, 2, doc.FlatWanted, "%q", tt.flat)
		assert.Equal(t, tt.found, doc.FlatFound > 0, "%q: found %d", tt.flat, doc.FlatFound)
		assert.Contains(t, strings.Join(doc.Notes, " "), tt.note, "%q", tt.flat)
	}
}
