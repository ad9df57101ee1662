package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// finiteJSON marshals v like json.MarshalIndent (two-space indent) except
// that a non-finite float, which encoding/json rejects, is written as null
// and listed in nonFinite as "path = value" (path the JSON keys and
// indices, e.g. "eigenvalues[0]"). Values implementing json.Marshaler use
// it (a failing one is also null). It follows encoding/json's rules for
// the field names, omitempty, "-" and embedded structs (an outer field
// shadows an embedded one of the same name).
func finiteJSON(v any) (js []byte, nonFinite []string, err error) {
	e := &finiteEncoder{}
	e.value(reflect.ValueOf(v), "")
	if e.err != nil {
		return nil, nil, e.err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, e.buf.Bytes(), "", "  "); err != nil {
		return nil, nil, err
	}
	return out.Bytes(), e.nonFinite, nil
}

type finiteEncoder struct {
	buf       bytes.Buffer
	nonFinite []string
	err       error
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

func (e *finiteEncoder) value(v reflect.Value, path string) {
	if !v.IsValid() {
		e.buf.WriteString("null")
		return
	}
	if v.Type().Implements(marshalerType) && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			e.null(path, err.Error())
			return
		}
		e.buf.Write(b)
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.buf.WriteString("null")
			return
		}
		e.value(v.Elem(), path)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			e.null(path, strconv.FormatFloat(f, 'g', -1, 64))
			return
		}
		e.marshal(v.Interface())
	case reflect.Struct:
		e.buf.WriteByte('{')
		first := true
		for _, f := range jsonFields(v.Type()) {
			fv, ok := fieldByIndex(v, f.index)
			if !ok || (f.omitEmpty && isEmptyValue(fv)) {
				continue
			}
			if !first {
				e.buf.WriteByte(',')
			}
			first = false
			e.marshal(f.name)
			e.buf.WriteByte(':')
			e.value(fv, joinPath(path, f.name))
		}
		e.buf.WriteByte('}')
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			e.buf.WriteString("null")
			return
		}
		e.buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				e.buf.WriteByte(',')
			}
			e.value(v.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
		e.buf.WriteByte(']')
	case reflect.Map: // string keys, sorted as encoding/json does
		if v.IsNil() {
			e.buf.WriteString("null")
			return
		}
		names := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			names = append(names, k.String())
		}
		slices.Sort(names)
		e.buf.WriteByte('{')
		for i, name := range names {
			if i > 0 {
				e.buf.WriteByte(',')
			}
			e.marshal(name)
			e.buf.WriteByte(':')
			e.value(v.MapIndex(reflect.ValueOf(name).Convert(v.Type().Key())), joinPath(path, name))
		}
		e.buf.WriteByte('}')
	default:
		e.marshal(v.Interface())
	}
}

// null writes null for the value at path and records it.
func (e *finiteEncoder) null(path, value string) {
	e.buf.WriteString("null")
	e.nonFinite = append(e.nonFinite, path+" = "+value)
}

// marshal appends encoding/json's encoding of a plain value.
func (e *finiteEncoder) marshal(x any) {
	b, err := json.Marshal(x)
	if err != nil && e.err == nil {
		e.err = err
	}
	e.buf.Write(b)
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// isEmptyValue is encoding/json's test for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	}
	return false
}

type jsonField struct {
	name      string
	index     []int
	omitEmpty bool
}

// jsonFields lists the JSON fields of struct type t in encoding/json's
// order, promoting the fields of embedded structs (shallower names win).
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	seen := map[string]int{} // name → depth
	var walk func(t reflect.Type, index []int, depth int)
	walk = func(t reflect.Type, index []int, depth int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				walk(ft, idx, depth+1)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if d, ok := seen[name]; ok && d <= depth {
				continue
			}
			seen[name] = depth
			out = append(out, jsonField{name: name, index: idx, omitEmpty: strings.Contains(opts, "omitempty")})
		}
	}
	walk(t, nil, 0)
	// Drop fields shadowed by a shallower one found later.
	kept := out[:0]
	for _, f := range out {
		if seen[f.name] == len(f.index)-1 {
			kept = append(kept, f)
		}
	}
	return kept
}

// fieldByIndex is reflect.Value.FieldByIndex that reports a nil embedded
// pointer instead of panicking.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 {
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return reflect.Value{}, false
				}
				v = v.Elem()
			}
		}
		v = v.Field(x)
	}
	return v, true
}
