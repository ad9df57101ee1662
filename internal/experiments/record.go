package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Record is what one unit measured: Result, the unit's result struct
// (newRecord, decodeResult), or rows of labelled values. The runner fills
// Experiment, Unit and Seconds.
type Record struct {
	Experiment string          `json:"experiment"`
	Unit       string          `json:"unit"`
	Seconds    float64         `json:"seconds"`
	Result     json.RawMessage `json:"result,omitempty"`
	Rows       []Row           `json:"rows,omitempty"`
}

// Row is one measurement: string labels (e.g. "spectrum": "power-law") and
// numeric values (e.g. "n": 256, "mu": 0.91). Values may be NaN or ±Inf;
// they survive the JSON round trip exactly, as does every finite float64.
type Row struct {
	Labels map[string]string  `json:"labels,omitempty"`
	Values map[string]float64 `json:"-"`
}

// maxRecordBytes bounds a unit record file. Records hold a few KB (the
// largest, at the full scale, tens of KB); a longer file is treated as
// corrupt instead of being decoded, which bounds the memory decodeRecord
// allocates (recordAllocBound).
const maxRecordBytes = 4 << 20

// recordJSON is a record as stored: its rows are decoded in one pass.
type recordJSON struct {
	Experiment string          `json:"experiment"`
	Unit       string          `json:"unit"`
	Seconds    float64         `json:"seconds"`
	Result     json.RawMessage `json:"result"`
	Rows       []rowJSON       `json:"rows"`
}

// decodeRecord parses a unit record file's bytes. Truncated, trailing or
// malformed input, a record without its experiment and unit names, and a
// negative time give an error. It allocates at most recordAllocBound(len(b))
// bytes (FuzzDecodeRecord checks this).
func decodeRecord(b []byte) (Record, error) {
	var in recordJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return Record{}, err
	}
	switch {
	case in.Experiment == "" || in.Unit == "":
		return Record{}, errors.New("no experiment or unit name")
	case in.Seconds < 0:
		return Record{}, fmt.Errorf("seconds %g is negative", in.Seconds)
	}
	rec := Record{Experiment: in.Experiment, Unit: in.Unit, Seconds: in.Seconds, Result: in.Result}
	if in.Rows != nil {
		rec.Rows = make([]Row, len(in.Rows))
	}
	for i, r := range in.Rows {
		var err error
		if rec.Rows[i], err = r.row(); err != nil {
			return Record{}, fmt.Errorf("row %d: %w", i, err)
		}
	}
	return rec, nil
}

// recordAllocBound is the most decodeRecord allocates for an input of n
// bytes: the worst inputs (many empty rows or one-character values) cost
// about 70 bytes of maps and slices per input byte.
func recordAllocBound(n int) uint64 { return 128*uint64(n) + 64<<10 }

// Value returns the named value, NaN if absent.
func (r Row) Value(name string) float64 {
	v, ok := r.Values[name]
	if !ok {
		return math.NaN()
	}
	return v
}

// Label returns the named label, "" if absent.
func (r Row) Label(name string) string { return r.Labels[name] }

type rowJSON struct {
	Labels map[string]string          `json:"labels,omitempty"`
	Values map[string]json.RawMessage `json:"values,omitempty"`
}

// MarshalJSON writes finite values as JSON numbers (shortest round-trip
// form) and NaN, +Inf, -Inf as the strings "NaN", "+Inf", "-Inf".
func (r Row) MarshalJSON() ([]byte, error) {
	out := rowJSON{Labels: r.Labels}
	if len(r.Values) > 0 {
		out.Values = make(map[string]json.RawMessage, len(r.Values))
		keys := make([]string, 0, len(r.Values))
		for k := range r.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := r.Values[k]
			var b []byte
			switch {
			case math.IsNaN(v):
				b = []byte(`"NaN"`)
			case math.IsInf(v, 1):
				b = []byte(`"+Inf"`)
			case math.IsInf(v, -1):
				b = []byte(`"-Inf"`)
			default:
				b, _ = json.Marshal(v)
			}
			out.Values[k] = b
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reverses MarshalJSON.
func (r *Row) UnmarshalJSON(b []byte) error {
	var in rowJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	row, err := in.row()
	if err != nil {
		return err
	}
	*r = row
	return nil
}

// row decodes the values; Values is nil when there are none.
func (in rowJSON) row() (Row, error) {
	r := Row{Labels: in.Labels}
	if in.Values != nil {
		r.Values = make(map[string]float64, len(in.Values))
	}
	for k, raw := range in.Values {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			switch s {
			case "NaN":
				r.Values[k] = math.NaN()
			case "+Inf":
				r.Values[k] = math.Inf(1)
			case "-Inf":
				r.Values[k] = math.Inf(-1)
			default:
				return Row{}, fmt.Errorf("value %q: unknown string %q", k, s)
			}
			continue
		}
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil {
			return Row{}, fmt.Errorf("value %q: %w", k, err)
		}
		r.Values[k] = v
	}
	return r, nil
}
