package experiments

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testResult has every kind of field a unit result may hold.
type testResult struct {
	X     float64   `json:"x"`
	N     int       `json:"n"`
	Ok    bool      `json:"ok"`
	Name  string    `json:"name"`
	Xs    []float64 `json:"xs"`
	Inner []struct {
		K int     `json:"k"`
		V float64 `json:"v"`
	} `json:"inner"`
	NoTag float64
}

// TestResultRoundTripsEveryValue: every float64, NaN and ±Inf included,
// survives the record's JSON round trip exactly, as do ints, bools,
// strings, nil and non-nil slices and nested structs.
func TestResultRoundTripsEveryValue(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1.0 / 3, -2.5e-310, 1e-310, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, 123456789.123456789, math.NaN(), math.Inf(1), math.Inf(-1)} {
		in := testResult{X: x, N: -7, Ok: true, Name: "a\"b", Xs: []float64{x, 1}, NoTag: x}
		in.Inner = append(in.Inner, struct {
			K int     `json:"k"`
			V float64 `json:"v"`
		}{3, x})
		rec, err := newRecord(in)
		require.NoError(t, err)
		rec.Experiment, rec.Unit = "e", "u"
		b, err := json.Marshal(rec)
		require.NoError(t, err)
		back, err := decodeRecord(b)
		require.NoError(t, err)
		var out testResult
		require.NoError(t, decodeResult(back, &out))
		for _, pair := range [][2]float64{{in.X, out.X}, {in.Xs[0], out.Xs[0]}, {in.Inner[0].V, out.Inner[0].V}, {in.NoTag, out.NoTag}} {
			assert.Equal(t, math.Float64bits(pair[0]), math.Float64bits(pair[1]), "%g", x)
		}
		// The rest compared as a whole, the (bit-equal) floats set to 0
		// since NaN ≠ NaN.
		for _, r := range []*testResult{&in, &out} {
			r.X, r.Xs[0], r.Inner[0].V, r.NoTag = 0, 0, 0, 0
		}
		assert.Equal(t, in, out)
	}
	var empty testResult
	rec, err := newRecord(empty)
	require.NoError(t, err)
	var out testResult
	require.NoError(t, decodeResult(rec, &out))
	assert.Nil(t, out.Xs)
}

// TestDecodeResultRefusesMismatches: a result that does not fit the
// struct (a record of another version or experiment, or a damaged one)
// is an error naming the unit and the field, never a silent zero.
func TestDecodeResultRefusesMismatches(t *testing.T) {
	good := `{"x":1,"n":2,"ok":true,"name":"s","xs":[1],"inner":[{"k":1,"v":2}],"NoTag":0}`
	var out testResult
	require.NoError(t, decodeResult(Record{Unit: "u", Result: json.RawMessage(good)}, &out))
	for _, tc := range []struct{ name, in, want string }{
		{"missing field", `{"x":1,"n":2,"ok":true,"name":"s","xs":[1],"inner":[]}`, `"NoTag" is missing`},
		{"unknown field", `{"x":1,"n":2,"ok":true,"name":"s","xs":[1],"inner":[],"NoTag":0,"y":1}`, "unknown fields"},
		{"string for float", `{"x":"Inf","n":2,"ok":true,"name":"s","xs":[1],"inner":[],"NoTag":0}`, ".x: Inf is not a number"},
		{"unknown string", `{"x":"nope","n":2,"ok":true,"name":"s","xs":[1],"inner":[],"NoTag":0}`, ".x: nope is not a number"},
		{"fraction for int", `{"x":1,"n":2.5,"ok":true,"name":"s","xs":[1],"inner":[],"NoTag":0}`, ".n: 2.5 is not an integer"},
		{"number for bool", `{"x":1,"n":2,"ok":1,"name":"s","xs":[1],"inner":[],"NoTag":0}`, ".ok: 1 is not a bool"},
		{"nested", `{"x":1,"n":2,"ok":true,"name":"s","xs":[1],"inner":[{"k":1,"v":null}],"NoTag":0}`, ".inner[0].v"},
		{"not an object", `[1]`, "is not an object"},
		{"no result", ``, "has no result"},
		{"bad JSON", `{"x":`, "unit u"},
	} {
		err := decodeResult(Record{Unit: "u", Result: json.RawMessage(tc.in)}, &out)
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.Contains(t, err.Error(), "unit u", tc.name)
	}
}

// TestOldRecordFormatIsRefused: a run directory of the previous record
// format (rows of labelled values, manifest format 1) is refused by
// --resume with a message naming the format.
func TestOldRecordFormatIsRefused(t *testing.T) {
	captureReports(t)
	f := &fakeExperiment{name: "steady", units: 2}
	dir := t.TempDir()
	opts := Options{Out: dir, Experiments: []*Experiment{f.experiment()}, Config: Config{Seed: 7}, Jobs: 1}
	_, err := Run(context.Background(), opts)
	require.NoError(t, err)
	path := filepath.Join(dir, "manifest.json")
	m, err := readManifest(dir)
	require.NoError(t, err)
	m.Format = 1
	b, err := json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
	opts.Resume = true
	_, err = Run(context.Background(), opts)
	require.ErrorContains(t, err, "record format 1 vs 2")
	require.ErrorContains(t, err, "start a new run")
}
