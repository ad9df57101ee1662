package experiments

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc;
// the test runs one input at a time, so little else allocates meanwhile).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// repeatJSON is head, n copies of item separated by commas, and tail.
func repeatJSON(head, item, tail string, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = strings.ReplaceAll(item, "#", fmt.Sprint(i))
	}
	return head + strings.Join(items, ",") + tail
}

const recHead = `{"experiment":"e","unit":"u","seconds":1,"result":[`

// TestDecodeRecordAllocBound feeds the shapes that cost the most memory per
// input byte and checks recordAllocBound holds for each.
func TestDecodeRecordAllocBound(t *testing.T) {
	const n = 20000
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"empty objects", repeatJSON(recHead, `{}`, `]}`, n), true},
		{"nulls", repeatJSON(recHead, `null`, `]}`, n), true},
		{"objects of one value", repeatJSON(recHead, `{"a":1}`, `]}`, n), true},
		{"objects of NaN", repeatJSON(recHead, `{"a":"NaN"}`, `]}`, n), true},
		{"many fields", repeatJSON(recHead+`{`, `"#":1`, `}]}`, n), true},
		{"unknown fields", repeatJSON(`{"experiment":"e","unit":"u","result":{},`, `"x#":[[{}]]`, `}`, n), true},
		{"no result", repeatJSON(`{"experiment":"e","unit":"u",`, `"x#":[[{}]]`, `}`, n), false},
		{"truncated", repeatJSON(recHead, `{"a":1}`, ``, n), false},
		{"deep nesting", strings.Repeat("[", 100000), false},
	} {
		var err error
		got := allocated(func() { _, err = decodeRecord([]byte(tc.in)) })
		assert.Equal(t, tc.ok, err == nil, "%s: %v", tc.name, err)
		assert.LessOrEqual(t, got, recordAllocBound(len(tc.in)), "%s: %d bytes allocated for %d input bytes", tc.name, got, len(tc.in))
	}
}

func TestDecodeRecordRoundTrip(t *testing.T) {
	rec, err := newRecord(struct {
		A, N, I float64
		K       string
		B       []float64
	}{1.0 / 3, math.NaN(), math.Inf(-1), "v", []float64{-2}})
	require.NoError(t, err)
	rec.Experiment, rec.Unit, rec.Seconds = "e", "u", 0.25
	b, err := json.Marshal(rec)
	require.NoError(t, err)
	back, err := decodeRecord(b)
	require.NoError(t, err)
	b2, err := json.Marshal(back)
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2))
	for _, bad := range []string{`{"experiment":"e","unit":"u"}`, `{"experiment":"e","unit":"u","result":null}`} {
		_, err := decodeRecord([]byte(bad))
		assert.ErrorContains(t, err, "no result", bad)
	}
}

// FuzzDecodeRecord: any bytes give a record or an error, never a panic,
// and never allocate more than recordAllocBound of the input's length.
func FuzzDecodeRecord(f *testing.F) {
	esc, _ := newRecord(escUnitResult{Loss: []escLossPoint{{Step: 3, Loss: math.Inf(1)}}})
	esc.Experiment, esc.Unit, esc.Seconds = "escape", "linear-gd-f1.1", 0.012
	good, _ := json.Marshal(esc)
	typed, _ := newRecord(cycUnitResult{Repeats: []cycRepeat{{Repeat: 1, Cycles: []cycValues{{LambdaMax: math.NaN(), Loss: 1}}}}})
	typed.Experiment, typed.Unit = "cyclical", "gd-cyclical-r0-1"
	typedJSON, _ := json.Marshal(typed)
	f.Add(typedJSON)
	for _, s := range []string{string(good), string(good[:len(good)/2]), "", "{}", "null", `{"rows":null}`,
		`{"experiment":"e","unit":"u","seconds":-1}`, `{"experiment":"e","unit":"u","seconds":1e400}`,
		`{"experiment":"e","unit":"u","result":{"a":"-Inf","b":1e-320}}`,
		`{"experiment":"e","unit":"u","result":{"summary":{"lr":"Inf"}}}`,
		`{"experiment":"e","unit":"u","result":{"setup":{},"repeats":[{"repeat":1.5,"cycles":null}]}}`,
		repeatJSON(recHead, `{}`, `]}`, 100), strings.Repeat("[", 1000), "\x00\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var rec Record
		var err error
		got := allocated(func() { rec, err = decodeRecord(b) })
		if got > recordAllocBound(len(b)) {
			t.Fatalf("%d bytes allocated for %d input bytes (bound %d)", got, len(b), recordAllocBound(len(b)))
		}
		if err != nil {
			return
		}
		if rec.Experiment == "" || rec.Unit == "" || rec.Seconds < 0 {
			t.Fatalf("accepted %+v", rec)
		}
		// What is accepted survives the round trip the runner relies on.
		out, err := json.Marshal(rec)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", rec, err)
		}
		if _, err := decodeRecord(out); err != nil {
			t.Fatalf("re-encoded record %s does not decode: %v", out, err)
		}
		// A result is read into a struct or refused, without a panic.
		var esc escUnitResult
		var cyc cycUnitResult
		_, _ = decodeResult(rec, &esc), decodeResult(rec, &cyc)
	})
}
