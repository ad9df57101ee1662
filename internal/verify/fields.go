package verify

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// maxLen bounds every array and dimension read from a reference file, so a
// corrupted file cannot make us allocate without bound.
const maxLen = 1 << 22

// fields reads typed values from a case's data. The first error sticks:
// later reads return zero values of the right size (so building code never
// indexes out of range) and the case fails with that error.
type fields struct {
	data map[string]json.RawMessage
	err  error
}

func (f *fields) fail(format string, args ...any) {
	if f.err == nil {
		f.err = fmt.Errorf(format, args...)
	}
}

func (f *fields) raw(key string, v any) bool {
	r, ok := f.data[key]
	if !ok {
		f.fail("field %q missing", key)
		return false
	}
	if err := json.Unmarshal(r, v); err != nil {
		f.fail("field %q: %v", key, err)
		return false
	}
	return true
}

// num reads a finite number.
func (f *fields) num(key string) float64 {
	var v float64
	if f.raw(key, &v) && (math.IsNaN(v) || math.IsInf(v, 0)) {
		f.fail("field %q is not finite", key)
	}
	return v
}

// dim reads an integer in [lo, maxLen].
func (f *fields) dim(key string, lo int) int {
	var v int
	if f.raw(key, &v) && (v < lo || v > maxLen) {
		f.fail("field %q = %d out of range [%d, %d]", key, v, lo, maxLen)
		v = lo
	}
	if f.err != nil && v < lo {
		v = lo
	}
	return v
}

func (f *fields) boolean(key string) bool {
	var v bool
	f.raw(key, &v)
	return v
}

func (f *fields) str(key string) string {
	var v string
	f.raw(key, &v)
	return v
}

// vec reads an array of n finite numbers (n < 0: any length ≤ maxLen).
func (f *fields) vec(key string, n int) []float64 {
	var v []float64
	if f.raw(key, &v) {
		switch {
		case n >= 0 && len(v) != n:
			f.fail("field %q has %d values, want %d", key, len(v), n)
		case len(v) > maxLen:
			f.fail("field %q has %d values", key, len(v))
		default:
			for i, x := range v {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					f.fail("field %q[%d] is not finite", key, i)
					break
				}
			}
		}
	}
	if f.err != nil || (n >= 0 && len(v) != n) {
		if n < 0 {
			n = 0
		}
		v = make([]float64, n)
	}
	return v
}

// mat reads an r×c matrix stored row-major as r·c numbers.
func (f *fields) mat(key string, r, c int) *linalg.Dense {
	if r*c > maxLen {
		f.fail("field %q: %d×%d too large", key, r, c)
		r, c = 0, 0
	}
	return linalg.NewDenseData(r, c, f.vec(key, r*c))
}
