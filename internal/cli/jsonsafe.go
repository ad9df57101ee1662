package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Non-finite numbers in output.
//
// encoding/json refuses NaN and ±Inf ("json: unsupported value"), so one
// diverged metric used to fail a whole command. A command's JSON document
// goes through marshalJSONSafe, which writes exactly what
// json.MarshalIndent writes when every float is finite; otherwise each
// non-finite float is written as null and the reason as a sibling key
// "<key>_note":
//
//	"loss": null, "loss_note": "non-finite (+Inf)"
//
// For elements of an array the note is on the array's key and lists the
// indices: "g": [1, null], "g_note": "[1] non-finite (NaN)". Text output
// formats numbers itself (Go prints NaN, +Inf, -Inf); fmtNonFinite adds
// the same reason there.

// nonFiniteNote is the reason written for a non-finite v ("" if finite).
func nonFiniteNote(v float64) string {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		return ""
	}
	return "non-finite (" + strconv.FormatFloat(v, 'g', -1, 64) + ")"
}

// fmtNonFinite formats v with format for text output, and a non-finite v
// as its value with the reason, e.g. "+Inf (non-finite)".
func fmtNonFinite(format string, v float64) string {
	if nonFiniteNote(v) != "" {
		return strconv.FormatFloat(v, 'g', -1, 64) + " (non-finite)"
	}
	return fmt.Sprintf(format, v)
}

// marshalJSONSafe is json.MarshalIndent(v, "", "  ") with non-finite
// floats written as null plus a "<key>_note" (see above). Values whose
// own MarshalJSON fails on a non-finite float are written field by field.
func marshalJSONSafe(v any) ([]byte, error) {
	js, err := json.MarshalIndent(v, "", "  ")
	var unsupported *json.UnsupportedValueError
	if err == nil || !errors.As(err, &unsupported) {
		return js, err
	}
	safe, _ := safeJSON(reflect.ValueOf(v))
	return json.MarshalIndent(safe, "", "  ")
}

// safeJSON returns a value encoding/json can marshal to what it would
// write for v, non-finite floats replaced by nil, and the note for v's
// key ("" if none). Subtrees that marshal as they are are kept as raw
// JSON, so only the path to a non-finite value is rebuilt.
func safeJSON(v reflect.Value) (any, string) {
	if !v.IsValid() {
		return nil, ""
	}
	if v.CanInterface() {
		if js, err := json.Marshal(v.Interface()); err == nil {
			return json.RawMessage(js), ""
		}
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return nil, nonFiniteNote(v.Float())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, ""
		}
		return safeJSON(v.Elem())
	case reflect.Struct:
		return safeStruct(v), ""
	case reflect.Map:
		return safeMap(v), ""
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, ""
		}
		out := make([]any, v.Len())
		var notes []string
		for i := range out {
			var note string
			if out[i], note = safeJSON(v.Index(i)); note != "" {
				notes = append(notes, fmt.Sprintf("[%d] %s", i, note))
			}
		}
		return out, strings.Join(notes, "; ")
	}
	// Channels, functions and the like: let encoding/json say why.
	return nil, ""
}

// jsonMember is one key of a jsonObject.
type jsonMember struct {
	key   string
	value any
}

// jsonObject is a JSON object whose keys keep their order.
type jsonObject []jsonMember

// MarshalJSON writes the members in order.
func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		js, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(js)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// add appends key (and key_note if note is set and the key is free).
func (o jsonObject) add(key string, value any, note string, taken func(string) bool) jsonObject {
	o = append(o, jsonMember{key, value})
	if note != "" && !taken(key+"_note") {
		o = append(o, jsonMember{key + "_note", note})
	}
	return o
}

// safeMap is safeJSON of a map: keys sorted as encoding/json sorts them.
func safeMap(v reflect.Value) any {
	if v.IsNil() {
		return nil
	}
	keys := make(map[string]reflect.Value, v.Len())
	for it := v.MapRange(); it.Next(); {
		keys[mapKey(it.Key())] = it.Value()
	}
	var o jsonObject
	for k, val := range keys {
		value, note := safeJSON(val)
		o = o.add(k, value, note, func(s string) bool { _, ok := keys[s]; return ok })
	}
	sort.SliceStable(o, func(i, j int) bool { return o[i].key < o[j].key })
	return o
}

// mapKey is the JSON key of a map key (strings, integers, TextMarshalers).
func mapKey(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	if js, err := json.Marshal(k.Interface()); err == nil {
		if s, err := strconv.Unquote(string(js)); err == nil {
			return s
		}
		return string(js)
	}
	return fmt.Sprint(k.Interface())
}

// jsonField is an exported field as encoding/json sees it.
type jsonField struct {
	name      string
	depth     int
	tagged    bool
	omitempty bool
	value     reflect.Value
}

// safeStruct is safeJSON of a struct: its fields, with those of embedded
// structs promoted by encoding/json's rules (the shallowest name wins; a
// tie is broken by a tag, else the name is dropped).
func safeStruct(v reflect.Value) any {
	var all []jsonField
	collectFields(v, 0, &all)
	byName := map[string][]int{} // indices in all of the shallowest fields of a name
	for i, f := range all {
		if cur := byName[f.name]; len(cur) == 0 || f.depth < all[cur[0]].depth {
			byName[f.name] = []int{i}
		} else if f.depth == all[cur[0]].depth {
			byName[f.name] = append(cur, i)
		}
	}
	taken := func(s string) bool { return len(byName[s]) > 0 }
	var o jsonObject
	for i, f := range all {
		if winner(all, byName[f.name]) != i || f.omitempty && isEmptyJSON(f.value) {
			continue
		}
		value, note := safeJSON(f.value)
		o = o.add(f.name, value, note, taken)
	}
	return o
}

// winner is the index of the field a name refers to among the candidates
// of equal depth, or -1 if the name is ambiguous.
func winner(all []jsonField, cands []int) int {
	if len(cands) == 1 {
		return cands[0]
	}
	win := -1
	for _, c := range cands {
		if all[c].tagged {
			if win >= 0 {
				return -1
			}
			win = c
		}
	}
	return win
}

// collectFields appends v's JSON fields in encoding/json's order.
func collectFields(v reflect.Value, depth int, out *[]jsonField) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue
					}
					fv = fv.Elem()
				}
				collectFields(fv, depth+1, out)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		f := jsonField{name: name, depth: depth, tagged: name != "", value: fv,
			omitempty: strings.Contains(","+opts+",", ",omitempty,")}
		if f.name == "" {
			f.name = sf.Name
		}
		*out = append(*out, f)
	}
}

// isEmptyJSON is encoding/json's notion of empty for omitempty.
func isEmptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// nonFiniteFields lists the non-finite floats of v as "path: reason"
// (path the JSON keys and indices, e.g. "eigenvalues: [0] non-finite
// (NaN)"), for a warning in text output; nil when every float is finite.
func nonFiniteFields(v any) []string {
	js, err := marshalJSONSafe(v)
	if err != nil {
		return nil
	}
	var doc any
	if json.Unmarshal(js, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(path string, x any)
	walk = func(path string, x any) {
		switch x := x.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if note, ok := x[k].(string); ok && strings.HasSuffix(k, "_note") && strings.Contains(note, "non-finite") {
					out = append(out, strings.TrimSuffix(p, "_note")+": "+note)
					continue
				}
				walk(p, x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("", doc)
	return out
}
