package experiments

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Record is what one unit measured: rows of labelled values. The runner
// fills Experiment, Unit and Seconds.
type Record struct {
	Experiment string  `json:"experiment"`
	Unit       string  `json:"unit"`
	Seconds    float64 `json:"seconds"`
	Rows       []Row   `json:"rows"`
}

// Row is one measurement: string labels (e.g. "spectrum": "power-law") and
// numeric values (e.g. "n": 256, "mu": 0.91). Values may be NaN or ±Inf;
// they survive the JSON round trip exactly, as does every finite float64.
type Row struct {
	Labels map[string]string  `json:"labels,omitempty"`
	Values map[string]float64 `json:"-"`
}

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
	r.Labels = in.Labels
	r.Values = make(map[string]float64, len(in.Values))
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
				return fmt.Errorf("value %q: unknown string %q", k, s)
			}
			continue
		}
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("value %q: %w", k, err)
		}
		r.Values[k] = v
	}
	return nil
}
