package data

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCSVRead(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		opt     CSVOptions
		n, d    int
		x11     float64 // X[1][1]
		labels  []int   // nil: no class labels expected
		y       []float64
		classes int
	}{
		{"header, label first", "label,a,b\n1,0.5,2\n0,1.5,-3\n2,1e-3,4\n", CSVOptions{}, 3, 2, -3, []int{1, 0, 2}, []float64{1, 0, 2}, 3},
		{"no header, label last", "0.5,2,1\n1.5,-3,0\n", CSVOptions{LabelColumn: -2}, 2, 2, -3, []int{1, 0}, []float64{1, 0}, 2},
		{"no label", "1,2,3\n4,5,6\n", CSVOptions{LabelColumn: NoLabel}, 2, 3, 5, nil, nil, 0},
		{"by name, regression", "a;t;b\n1;0.25;2\n3;-1;4\n", CSVOptions{Comma: ';', LabelName: "t"}, 2, 2, 4, nil, []float64{0.25, -1}, 0},
		{"forced header numeric", "1,2\n3,4\n5,6\n", CSVOptions{Header: HeaderYes, LabelColumn: NoLabel}, 2, 2, 6, nil, nil, 0},
		{"byte-order mark", "\xef\xbb\xbf1,2\n3,4\n", CSVOptions{LabelColumn: NoLabel}, 2, 2, 4, nil, nil, 0},
		{"spaces", " 1 , 2\n3,  4\n", CSVOptions{LabelColumn: NoLabel, Header: HeaderNo}, 2, 2, 4, nil, nil, 0},
	}
	for _, c := range cases {
		ds, err := ReadCSV(strings.NewReader(c.in), "t.csv", c.opt)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if ds.N() != c.n || ds.D() != c.d || ds.X.At(1, 1) != c.x11 {
			t.Errorf("%s: n=%d d=%d x11=%v", c.name, ds.N(), ds.D(), ds.X.At(1, 1))
		}
		if (ds.Labels == nil) != (c.labels == nil) || ds.Classes != c.classes {
			t.Errorf("%s: labels %v classes %d", c.name, ds.Labels, ds.Classes)
		}
		for i, l := range c.labels {
			if ds.Labels[i] != l {
				t.Errorf("%s: label %d", c.name, i)
			}
		}
		if (ds.Y == nil) != (c.y == nil) {
			t.Errorf("%s: Y presence", c.name)
		}
		for i, v := range c.y {
			if ds.Y.At(i, 0) != v {
				t.Errorf("%s: y %d", c.name, i)
			}
		}
	}
}

func TestCSVBadInput(t *testing.T) {
	cases := []struct {
		name, in string
		opt      CSVOptions
		want     error
		msg      string
	}{
		{"ragged", "1,2,3\n4,5\n", CSVOptions{}, ErrRagged, "line 2"},
		{"ragged after header", "a,b\n1,2\n3,4,5\n", CSVOptions{}, ErrRagged, "line 3"},
		{"nan", "1,2\n3,NaN\n", CSVOptions{}, ErrNonFinite, "line 2, column 2"},
		{"inf", "1,inf\n", CSVOptions{}, ErrNonFinite, "column 2"},
		{"overflow", "1,1e999\n", CSVOptions{}, ErrNonFinite, "overflows"},
		{"text in data", "a,b\n1,x\n", CSVOptions{}, ErrFormat, "not a number"},
		{"empty", "", CSVOptions{}, ErrEmpty, ""},
		{"header only", "a,b\n", CSVOptions{}, ErrEmpty, ""},
		{"only label column", "1\n2\n", CSVOptions{}, ErrEmpty, ""},
		{"label out of range", "1,2\n", CSVOptions{LabelColumn: 5}, ErrFormat, "out of range"},
		{"label name without header", "1,2\n", CSVOptions{LabelName: "y"}, ErrFormat, "no header"},
		{"label name missing", "a,b\n1,2\n", CSVOptions{LabelName: "y"}, ErrFormat, "no column"},
		{"bad quote", "a,b\n1,\"2\n", CSVOptions{}, ErrFormat, "line"},
	}
	for _, c := range cases {
		_, err := ReadCSV(strings.NewReader(c.in), "bad.csv", c.opt)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), "bad.csv") || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want %v containing %q", c.name, err, c.want, c.msg)
		}
	}
}

func TestCSVRoundTrip(t *testing.T) {
	te, _ := NewLinearTeacher(4, 2, 1)
	ds, err := Generate(GaussianSpec{N: 9, Spectrum: mustSpectrum(t, "powerlaw:1", 4), Seed: 3, Teacher: te, Noise: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, ds); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(&b, "rt.csv", CSVOptions{LabelColumn: NoLabel})
	if err != nil {
		t.Fatal(err)
	}
	if back.N() != 9 || back.D() != 6 {
		t.Fatalf("n=%d d=%d", back.N(), back.D())
	}
	for i := 0; i < 9; i++ {
		for j := 0; j < 6; j++ {
			want := 0.0
			if j < 4 {
				want = ds.X.At(i, j)
			} else {
				want = ds.Y.At(i, j-4)
			}
			if math.Float64bits(back.X.At(i, j)) != math.Float64bits(want) {
				t.Fatalf("(%d,%d) %v != %v", i, j, back.X.At(i, j), want)
			}
		}
	}
}
