package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNPYNumpyFixtures(t *testing.T) {
	// Expected values from the formulas in testdata/make_fixtures.py.
	seq := func(n int, f func(i int) float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = f(i)
		}
		return v
	}
	cases := []struct {
		file  string
		dtype string
		shape []int
		data  []float64
	}{
		{"f8_3x4.npy", "<f8", []int{3, 4}, seq(12, func(i int) float64 { return float64(i)/7 - 0.5 })},
		{"f4_5.npy", "<f4", []int{5}, seq(5, func(i int) float64 { return float64(float32(i)*1.5 - 2) })},
		{"u1_2x3.npy", "|u1", []int{2, 3}, seq(6, func(i int) float64 { return float64(i * 50) })},
		{"f8_scalar.npy", "<f8", []int{}, []float64{3.25}},
		{"f8_empty_0x3.npy", "<f8", []int{0, 3}, []float64{}},
		{"f8be_2x2.npy", ">f8", []int{2, 2}, seq(4, func(i int) float64 { return float64(i) + 0.125 })},
		{"f8_v2_2x3.npy", "<f8", []int{2, 3}, seq(6, func(i int) float64 { return float64(i) - 2.5 })},
	}
	for _, c := range cases {
		path := filepath.Join("testdata", c.file)
		a, err := ReadNPYFile(path)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if a.DType != c.dtype || !slicesEqual(a.Shape, c.shape) || len(a.Data) != len(c.data) {
			t.Errorf("%s: dtype %s shape %v len %d", c.file, a.DType, a.Shape, len(a.Data))
			continue
		}
		for i, v := range c.data {
			if math.Float64bits(a.Data[i]) != math.Float64bits(v) {
				t.Errorf("%s[%d] = %v want %v", c.file, i, a.Data[i], v)
			}
		}
		// Our writer reproduces numpy's bytes exactly for the dtypes it
		// writes (little-endian, version 1.0).
		if c.dtype == "<f8" || c.dtype == "<f4" || c.dtype == "|u1" {
			if strings.Contains(c.file, "v2") {
				continue
			}
			var b bytes.Buffer
			if err := WriteNPY(&b, c.shape, c.dtype, c.data); err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(path)
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s: our bytes differ from numpy's:\n%q\n%q", c.file, b.Bytes(), want)
			}
		}
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := newStream(1, 99, 0)
	for _, shape := range [][]int{{7}, {3, 5}, {2, 3, 4}, {1, 1}, {0}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float64, n)
		s.normals(data)
		for _, dt := range []string{NPYFloat64, NPYFloat32, NPYUint8} {
			in := append([]float64(nil), data...)
			for i := range in {
				switch dt {
				case NPYFloat32:
					in[i] = float64(float32(in[i]))
				case NPYUint8:
					in[i] = float64(int(math.Abs(in[i])*80) % 256)
				}
			}
			p := filepath.Join(dir, "a.npy")
			if err := WriteNPYFile(p, shape, dt, in); err != nil {
				t.Fatal(err)
			}
			a, err := ReadNPYFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !slicesEqual(a.Shape, shape) || a.DType != dt {
				t.Fatalf("shape %v dtype %s, want %v %s", a.Shape, a.DType, shape, dt)
			}
			for i := range in {
				if a.Data[i] != in[i] {
					t.Fatalf("%s %v: element %d = %v want %v", dt, shape, i, a.Data[i], in[i])
				}
			}
			raw, _ := os.ReadFile(p)
			hl := int(binary.LittleEndian.Uint16(raw[8:]))
			if (10+hl)%64 != 0 || raw[10+hl-1] != '\n' {
				t.Errorf("header of %d bytes not 64-aligned or not newline-terminated", hl)
			}
		}
	}
	// Writer rejections.
	for _, c := range []struct {
		dt string
		v  float64
	}{{NPYFloat64, math.NaN()}, {NPYFloat32, 1e300}, {NPYUint8, 256}, {NPYUint8, 1.5}, {NPYUint8, -1}, {"<i8", 1}} {
		if err := WriteNPY(&bytes.Buffer{}, []int{1}, c.dt, []float64{c.v}); err == nil {
			t.Errorf("WriteNPY(%s, %v) accepted", c.dt, c.v)
		}
	}
	if err := WriteNPY(&bytes.Buffer{}, []int{2, 2}, NPYFloat64, []float64{1}); err == nil {
		t.Error("shape mismatch accepted")
	}
}

func npyWithHeader(h string, payload []byte) []byte {
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(append(b, h...), payload...)
}

func TestNPYBadInput(t *testing.T) {
	for _, c := range []struct {
		file string
		want error
		msg  string
	}{
		{"bad_fortran_2x3.npy", ErrUnsupported, "Fortran"},
		{"bad_i8_3.npy", ErrUnsupported, "<i8"},
		{"bad_nan_3.npy", ErrNonFinite, "NaN"},
	} {
		_, err := ReadNPYFile(filepath.Join("testdata", c.file))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.file) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v", c.file, err)
		}
	}
	good := npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", make([]byte, 16))
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"bad magic", append([]byte("\x93NUMPX"), good[6:]...), ErrBadMagic},
		{"version 9", append(append([]byte{}, good[:6]...), append([]byte{9, 0}, good[8:]...)...), ErrUnsupported},
		{"truncated header", good[:20], ErrTruncated},
		{"truncated data", good[:len(good)-1], ErrTruncated},
		{"trailing", append(append([]byte{}, good...), 0), ErrFormat},
		{"10^12", npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", nil), ErrTooLarge},
		{"structured", npyWithHeader("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", nil), ErrFormat},
		{"missing key", npyWithHeader("{'descr': '<f8', 'shape': (1,), }", nil), ErrFormat},
		{"bad shape", npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", nil), ErrFormat},
		{"complex", npyWithHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", make([]byte, 16)), ErrUnsupported},
		{"inf f4", npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", []byte{0, 0, 0x80, 0x7f}), ErrNonFinite},
	}
	for _, c := range cases {
		_, err := ReadNPY(bytes.NewReader(c.in), "x.npy")
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), "x.npy") {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}
