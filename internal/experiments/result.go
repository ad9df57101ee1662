package experiments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// A unit's result is a struct of its experiment's own (the unit record's
// "result"), encoded by encodeResult and read back by decodeResult. Its
// fields may be float64, int, bool, string, slices of them and structs of
// them; every exported field is stored under its json tag (or its name).
// Floats keep their exact value; NaN, +Inf and -Inf are stored as the
// strings "NaN", "+Inf" and "-Inf", which encoding/json cannot do.

// newRecord returns a record holding result v (encodeResult).
func newRecord(v any) (Record, error) {
	b, err := encodeResult(v)
	return Record{Result: b}, err
}

// encodeResult returns v as JSON (see above).
func encodeResult(v any) (json.RawMessage, error) {
	return json.Marshal(toJSONValue(reflect.ValueOf(v)))
}

// toJSONValue converts v to what encoding/json writes as wanted: structs
// to maps by field name, non-finite floats to strings.
func toJSONValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Float64:
		return floatJSON(v.Float())
	case reflect.Struct:
		m := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				m[fieldName(f)] = toJSONValue(v.Field(i))
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		s := make([]any, v.Len())
		for i := range s {
			s[i] = toJSONValue(v.Index(i))
		}
		return s
	}
	return v.Interface()
}

// floatJSON returns x as a JSON value: a number, or "NaN", "+Inf", "-Inf".
func floatJSON(x float64) any {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return x
}

func fieldName(f reflect.StructField) string {
	if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
		return name
	}
	return f.Name
}

// decodeResult reads rec's result into *v. Every field of the struct must
// be there, with a value of its type, and nothing else.
func decodeResult(rec Record, v any) error {
	if len(rec.Result) == 0 {
		return fmt.Errorf("unit %s has no result", rec.Unit)
	}
	d := json.NewDecoder(bytes.NewReader(rec.Result))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return fmt.Errorf("unit %s: result: %w", rec.Unit, err)
	}
	if err := fromJSONValue(x, reflect.ValueOf(v).Elem()); err != nil {
		return fmt.Errorf("unit %s: result%w", rec.Unit, err)
	}
	return nil
}

// fromJSONValue stores x, as decoded with UseNumber, in v. Errors start
// with the path of the value at fault (".field[3]: ...").
func fromJSONValue(x any, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Float64:
		f, err := parseFloatJSON(x)
		v.SetFloat(f)
		return err
	case reflect.Int:
		n, ok := x.(json.Number)
		i, err := strconv.ParseInt(string(n), 10, 64)
		if !ok || err != nil {
			return fmt.Errorf(": %v is not an integer", x)
		}
		v.SetInt(i)
	case reflect.Bool, reflect.String:
		xv := reflect.ValueOf(x)
		if x == nil || xv.Kind() != v.Kind() {
			return fmt.Errorf(": %v is not a %s", x, v.Kind())
		}
		v.Set(xv)
	case reflect.Slice:
		return sliceFromJSON(x, v)
	case reflect.Struct:
		return structFromJSON(x, v)
	default:
		return fmt.Errorf(": unsupported field kind %s", v.Kind())
	}
	return nil
}

func parseFloatJSON(x any) (float64, error) {
	switch x := x.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return 0, fmt.Errorf(": %s is not a float64", x)
		}
		return f, nil
	case string:
		switch x {
		case "NaN":
			return math.NaN(), nil
		case "+Inf":
			return math.Inf(1), nil
		case "-Inf":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf(": %v is not a number", x)
}

func sliceFromJSON(x any, v reflect.Value) error {
	if x == nil {
		v.SetZero()
		return nil
	}
	xs, ok := x.([]any)
	if !ok {
		return fmt.Errorf(": %T is not a list", x)
	}
	s := reflect.MakeSlice(v.Type(), len(xs), len(xs))
	for i, e := range xs {
		if err := fromJSONValue(e, s.Index(i)); err != nil {
			return fmt.Errorf("[%d]%w", i, err)
		}
	}
	v.Set(s)
	return nil
}

func structFromJSON(x any, v reflect.Value) error {
	m, ok := x.(map[string]any)
	if !ok {
		return fmt.Errorf(": %T is not an object", x)
	}
	seen := 0
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name := fieldName(f)
		e, ok := m[name]
		if !ok {
			return fmt.Errorf(": field %q is missing", name)
		}
		if err := fromJSONValue(e, v.Field(i)); err != nil {
			return fmt.Errorf(".%s%w", name, err)
		}
		seen++
	}
	if seen != len(m) {
		return errors.New(": unknown fields (a record of another version?)")
	}
	return nil
}

// decodeResults returns the results of the units ids, in that order; the
// error names the experiment and the first missing or unreadable unit.
func decodeResults[T any](exp string, ids []string, records []Record) ([]T, error) {
	by, err := recordsByUnit(exp, ids, records)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(ids))
	for i, id := range ids {
		if err := decodeResult(by[id], &out[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", exp, err)
		}
	}
	return out, nil
}
