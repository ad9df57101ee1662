package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type jsInner struct {
	A     float64 `json:"a"`
	Shade int     `json:"shade"`
}

type jsOuter struct {
	jsInner
	*jsPtr
	Config map[string]any `json:"config"`
	Vals   []float64      `json:"vals"`
	Opt    float64        `json:"opt,omitempty"`
	Skip   float64        `json:"-"`
	Shade  string         `json:"shade"` // hides jsInner's
	Plain  float32
	hidden float64
}

type jsPtr struct {
	B float64 `json:"b"`
}

// TestMarshalJSONSafeFinite: with finite values the output is exactly
// json.MarshalIndent's.
func TestMarshalJSONSafeFinite(t *testing.T) {
	v := jsOuter{jsInner: jsInner{A: 1.5, Shade: 2}, jsPtr: &jsPtr{B: 3}, Config: map[string]any{"z": 1, "a": "x"},
		Vals: []float64{1, 2}, Shade: "s", Plain: 0.25, hidden: 7}
	want, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	got, err := marshalJSONSafe(v)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// TestMarshalJSONSafeNonFinite: every non-finite value, wherever it sits,
// is null with a reason, where encoding/json fails; the keys keep
// encoding/json's names, order and promotion rules.
func TestMarshalJSONSafeNonFinite(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	v := &jsOuter{jsInner: jsInner{A: inf, Shade: 2}, jsPtr: &jsPtr{B: nan},
		Config: map[string]any{"loss": math.Inf(-1), "n": 3}, Vals: []float64{1, nan, inf}, Opt: inf, Skip: nan,
		Shade: "s", Plain: float32(math.NaN()), hidden: nan}
	_, err := json.Marshal(v)
	var unsupported *json.UnsupportedValueError
	require.True(t, errors.As(err, &unsupported), "encoding/json must fail here, else the test shows nothing")

	got, err := marshalJSONSafe(v)
	require.NoError(t, err)
	want := `{
  "a": null,
  "a_note": "non-finite (+Inf)",
  "b": null,
  "b_note": "non-finite (NaN)",
  "config": {
    "loss": null,
    "loss_note": "non-finite (-Inf)",
    "n": 3
  },
  "vals": [
    1,
    null,
    null
  ],
  "vals_note": "[1] non-finite (NaN); [2] non-finite (+Inf)",
  "opt": null,
  "opt_note": "non-finite (+Inf)",
  "shade": "s",
  "Plain": null,
  "Plain_note": "non-finite (NaN)"
}`
	assert.Equal(t, want, string(got))
}

// jsPanics fails the test if it is ever marshalled.
type jsPanics struct{ t *testing.T }

func (p jsPanics) MarshalJSON() ([]byte, error) {
	p.t.Error("JSON made in text mode")
	return nil, errors.New("no")
}

// TestWriteOutputNonFinite: a non-finite value no longer fails a command
// ("json: unsupported value", exit 1): text mode makes no JSON at all,
// --json and --out write null with the reason.
func TestWriteOutputNonFinite(t *testing.T) {
	text := func(w io.Writer) error {
		_, err := io.WriteString(w, fmtNonFinite("%.3g", math.Inf(1))+"\n")
		return err
	}
	var out, errOut bytes.Buffer
	env := &Env{Prog: "noisegeom", Stdout: &out, Stderr: &errOut}

	require.Equal(t, ExitOK, writeOutput(env, "train", false, "", jsPanics{t}, text), errOut.String())
	assert.Equal(t, "+Inf (non-finite)\n", out.String())

	doc := map[string]any{"loss": math.Inf(1), "seconds": 0.5}
	path := filepath.Join(t.TempDir(), "o.json")
	out.Reset()
	require.Equal(t, ExitOK, writeOutput(env, "escape", true, path, doc, text), errOut.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	assert.Equal(t, map[string]any{"loss": nil, "loss_note": "non-finite (+Inf)", "seconds": 0.5}, got)
	file, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, out.String(), string(file))
}
