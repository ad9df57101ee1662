package analysis

import (
	"encoding/json"
	"math"
	"strconv"
)

// Metric is a derived quantity that may be undefined. When Defined is
// false, Value is 0 and Reason says why (e.g. "L = 0: interpolating
// point"). It marshals to JSON as its value, or null when undefined.
type Metric struct {
	Value   float64
	Defined bool
	Reason  string
}

// defined returns a defined metric, or an undefined one saying so when v
// is not finite (an overflow upstream).
func defined(v float64) Metric {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return undefined("not finite: " + strconv.FormatFloat(v, 'g', -1, 64) + " (an overflow in the inputs or parameters)")
	}
	return Metric{Value: v, Defined: true}
}

// undefined returns an undefined metric with its reason.
func undefined(reason string) Metric { return Metric{Reason: reason} }

// ratio returns num/den, undefined with reason when den is zero, or saying
// which operand is not finite.
func ratio(num, den float64, reason string) Metric {
	if den == 0 {
		return undefined(reason)
	}
	v := num / den
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return undefined("not finite: " + strconv.FormatFloat(num, 'g', 6, 64) + " / " +
			strconv.FormatFloat(den, 'g', 6, 64) + " (an overflow in the inputs or parameters)")
	}
	return defined(v)
}

// MarshalJSON writes the value or null.
func (m Metric) MarshalJSON() ([]byte, error) {
	if !m.Defined {
		return []byte("null"), nil
	}
	return json.Marshal(m.Value)
}

// String prints the value or "undefined (reason)".
func (m Metric) String() string {
	if !m.Defined {
		return "undefined (" + m.Reason + ")"
	}
	b, _ := json.Marshal(m.Value)
	return string(b)
}
