package linalg

import (
	"fmt"
	"strings"
	"testing"

	ft "github.com/noisegeom/noisegeom/internal/floattest"
)

// vtPanics runs f and returns the panic message, or fails the test if f
// does not panic or panics without the "linalg:" prefix.
func vtPanics(t *testing.T, what string, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", what)
			return
		}
		msg = fmt.Sprint(r)
		if !strings.HasPrefix(msg, "linalg: ") {
			t.Errorf("%s: panic %q lacks the \"linalg: \" prefix", what, msg)
		}
	}()
	f()
	return ""
}

// vtDenseSeq returns an r×c matrix with stride ≥ c whose element (i, j)
// is 100·i + j, and whose padding between rows holds canaries.
func vtDenseSeq(r, c, stride int) *Dense {
	data := make([]float64, max((r-1)*stride+c, 0))
	ft.SetCanaries(data)
	m := NewDenseStride(r, c, stride, data)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, float64(100*i+j))
		}
	}
	return m
}

func TestDenseConstructors(t *testing.T) {
	m := NewDense(3, 4)
	if r, c := m.Dims(); r != 3 || c != 4 || m.Stride != 4 || len(m.Data) != 12 {
		t.Errorf("NewDense(3, 4) = %d×%d stride %d len %d", r, c, m.Stride, len(m.Data))
	}
	for _, v := range m.Data {
		if v != 0 {
			t.Fatal("NewDense not zeroed")
		}
	}
	for _, sh := range [][2]int{{0, 0}, {0, 5}, {5, 0}} {
		e := NewDense(sh[0], sh[1])
		if e.Rows != sh[0] || e.Cols != sh[1] || e.Stride < 1 || len(e.Data) != 0 {
			t.Errorf("NewDense(%d, %d) = %+v", sh[0], sh[1], e)
		}
	}
	data := []float64{1, 2, 3, 4, 5, 6}
	d := NewDenseData(2, 3, data)
	if d.At(1, 0) != 4 || d.At(0, 2) != 3 {
		t.Errorf("NewDenseData: At(1,0) = %v, At(0,2) = %v", d.At(1, 0), d.At(0, 2))
	}
	data[4] = 50
	if d.At(1, 1) != 50 {
		t.Error("NewDenseData copied its data")
	}
	s := NewDenseStride(2, 2, 3, []float64{1, 2, -1, 3, 4})
	if s.At(1, 0) != 3 || s.At(1, 1) != 4 {
		t.Errorf("NewDenseStride: %v %v", s.At(1, 0), s.At(1, 1))
	}
	id := Identity(4)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			if want := map[bool]float64{true: 1, false: 0}[i == j]; id.At(i, j) != want {
				t.Errorf("Identity(4)[%d,%d] = %v", i, j, id.At(i, j))
			}
		}
	}
	if z := Identity(0); z.Rows != 0 || z.Cols != 0 {
		t.Errorf("Identity(0) = %+v", z)
	}
	var zero Dense
	if r, c := zero.Dims(); r != 0 || c != 0 {
		t.Error("zero Dense is not 0×0")
	}
	vtPanics(t, "NewDense(-1, 2)", func() { NewDense(-1, 2) })
	vtPanics(t, "NewDense(2, -1)", func() { NewDense(2, -1) })
	vtPanics(t, "NewDenseData short", func() { NewDenseData(2, 3, make([]float64, 5)) })
	vtPanics(t, "NewDenseData long", func() { NewDenseData(2, 3, make([]float64, 7)) })
	vtPanics(t, "NewDenseData(-1, 0)", func() { NewDenseData(-1, 0, nil) })
	vtPanics(t, "NewDenseStride stride < cols", func() { NewDenseStride(2, 3, 2, make([]float64, 10)) })
	vtPanics(t, "NewDenseStride short data", func() { NewDenseStride(2, 3, 4, make([]float64, 6)) })
	vtPanics(t, "NewDenseStride negative", func() { NewDenseStride(-2, 3, 4, nil) })
}

func TestDenseAccess(t *testing.T) {
	m := vtDenseSeq(3, 4, 6)
	if m.At(2, 3) != 203 {
		t.Errorf("At(2, 3) = %v", m.At(2, 3))
	}
	row := m.Row(1)
	if len(row) != 4 || cap(row) != 4 || row[0] != 100 || row[3] != 103 {
		t.Errorf("Row(1) = %v (cap %d)", row, cap(row))
	}
	row[2] = -7
	if m.At(1, 2) != -7 {
		t.Error("Row does not share storage")
	}
	_ = append(row, 99) // cap == len: must not clobber the padding
	if err := ft.CheckCanaries(m.Data[1*6+4:2*6], "padding after row 1"); err != nil {
		t.Error(err)
	}
	for _, ij := range [][2]int{{-1, 0}, {3, 0}, {0, -1}, {0, 4}} {
		i, j := ij[0], ij[1]
		vtPanics(t, fmt.Sprintf("At(%d, %d)", i, j), func() { m.At(i, j) })
		vtPanics(t, fmt.Sprintf("Set(%d, %d)", i, j), func() { m.Set(i, j, 1) })
	}
	vtPanics(t, "Row(3)", func() { m.Row(3) })
	vtPanics(t, "Row(-1)", func() { m.Row(-1) })
}

func TestDenseColSetCol(t *testing.T) {
	m := vtDenseSeq(4, 3, 5)
	col := m.Col(make([]float64, 4), 2)
	for i, v := range col {
		if v != float64(100*i+2) {
			t.Errorf("Col(2)[%d] = %v", i, v)
		}
	}
	m.SetCol(1, []float64{-1, -2, -3, -4})
	for i := 0; i < 4; i++ {
		if m.At(i, 1) != float64(-1-i) || m.At(i, 0) != float64(100*i) || m.At(i, 2) != float64(100*i+2) {
			t.Errorf("after SetCol(1): row %d = %v", i, m.Row(i))
		}
	}
	for i := 0; i < 3; i++ {
		if err := ft.CheckCanaries(m.Data[i*5+3:(i+1)*5], "padding"); err != nil {
			t.Error(err)
		}
	}
	vtPanics(t, "Col(3)", func() { m.Col(make([]float64, 4), 3) })
	vtPanics(t, "Col(-1)", func() { m.Col(make([]float64, 4), -1) })
	vtPanics(t, "Col short dst", func() { m.Col(make([]float64, 3), 0) })
	vtPanics(t, "SetCol(3)", func() { m.SetCol(3, make([]float64, 4)) })
	vtPanics(t, "SetCol long src", func() { m.SetCol(0, make([]float64, 5)) })
}

func TestDenseViews(t *testing.T) {
	m := vtDenseSeq(5, 6, 8)
	v := m.Slice(1, 4, 2, 5)
	if v.Rows != 3 || v.Cols != 3 || v.Stride != 8 {
		t.Fatalf("Slice(1, 4, 2, 5) = %d×%d stride %d", v.Rows, v.Cols, v.Stride)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if v.At(i, j) != m.At(i+1, j+2) {
				t.Errorf("view (%d,%d) = %v, want %v", i, j, v.At(i, j), m.At(i+1, j+2))
			}
		}
	}
	v.Set(2, 1, 42)
	if m.At(3, 3) != 42 {
		t.Error("Slice does not share storage")
	}
	// A view of a view, and the full-range views.
	w := v.Slice(1, 3, 1, 2)
	w.Set(0, 0, -5)
	if m.At(2, 3) != -5 {
		t.Error("nested Slice does not share storage")
	}
	r := m.RowsView(2, 4)
	if r.Rows != 2 || r.Cols != 6 || r.At(0, 5) != m.At(2, 5) {
		t.Errorf("RowsView(2, 4) = %+v", r)
	}
	c := m.ColsView(4, 6)
	if c.Rows != 5 || c.Cols != 2 || c.At(4, 1) != m.At(4, 5) {
		t.Errorf("ColsView(4, 6) = %+v", c)
	}
	c.Set(0, 0, 77)
	if m.At(0, 4) != 77 {
		t.Error("ColsView does not share storage")
	}
	// A view's data ends at its last element: appending to a row or the
	// data cannot clobber the parent.
	if last := c.Data[len(c.Data)-1]; last != m.At(4, 5) || cap(c.Data) != len(c.Data) {
		t.Errorf("view data ends at %v (cap %d, len %d)", last, cap(c.Data), len(c.Data))
	}
	for _, e := range []*Dense{m.Slice(2, 2, 0, 6), m.Slice(0, 5, 3, 3), m.Slice(5, 5, 6, 6)} {
		if e.Rows*e.Cols != 0 || len(e.Data) != 0 {
			t.Errorf("empty view %+v", e)
		}
	}
	for _, b := range [][4]int{
		{-1, 2, 0, 1}, {0, 6, 0, 1}, {3, 2, 0, 1}, {0, 1, -1, 1}, {0, 1, 0, 7}, {0, 1, 4, 3},
	} {
		msg := vtPanics(t, fmt.Sprint("Slice", b), func() { m.Slice(b[0], b[1], b[2], b[3]) })
		if msg != "" && !strings.Contains(msg, "Slice") {
			t.Errorf("Slice%v: message %q does not name Slice", b, msg)
		}
	}
	vtPanics(t, "RowsView out of range", func() { m.RowsView(0, 6) })
	vtPanics(t, "ColsView out of range", func() { m.ColsView(5, 7) })
	if err := ft.CheckCanaries(m.Data[6:8], "padding after row 0"); err != nil {
		t.Error(err)
	}
}

// vtNaiveT is the reference transpose.
func vtNaiveT(m *Dense) [][]float64 {
	t := make([][]float64, m.Cols)
	for j := range t {
		t[j] = make([]float64, m.Rows)
		for i := range t[j] {
			t[j][i] = m.At(i, j)
		}
	}
	return t
}

func TestTranspose(t *testing.T) {
	// Shapes around the 32×32 blocking, strided views and empty matrices.
	for _, sh := range [][3]int{
		{0, 0, 1}, {0, 3, 3}, {3, 0, 1}, {1, 1, 1}, {1, 7, 7}, {7, 1, 3}, {3, 5, 9},
		{31, 33, 40}, {32, 32, 32}, {33, 65, 70}, {64, 1, 1}, {70, 45, 45},
	} {
		r, c, stride := sh[0], sh[1], sh[2]
		src := vtDenseSeq(r, c, stride)
		want := vtNaiveT(src)
		dstBig := vtDenseSeq(c+2, r+3, r+5) // write into a strided view
		dst := dstBig.Slice(1, 1+c, 2, 2+r)
		Transpose(dst, src)
		tt := src.T()
		if tt.Rows != c || tt.Cols != r || tt.Stride != max(r, 1) {
			t.Errorf("%v: T() is %d×%d stride %d", sh, tt.Rows, tt.Cols, tt.Stride)
		}
		for j := 0; j < c; j++ {
			for i := 0; i < r; i++ {
				if dst.At(j, i) != want[j][i] || tt.At(j, i) != want[j][i] {
					t.Fatalf("%v: (%d,%d): Transpose %v, T %v, want %v", sh, j, i, dst.At(j, i), tt.At(j, i), want[j][i])
				}
			}
		}
		// Outside the view nothing changed.
		for i := 0; i < dstBig.Rows; i++ {
			for j := 0; j < dstBig.Cols; j++ {
				inside := i >= 1 && i < 1+c && j >= 2 && j < 2+r
				if !inside && dstBig.At(i, j) != float64(100*i+j) {
					t.Fatalf("%v: Transpose wrote outside the destination view at (%d,%d)", sh, i, j)
				}
			}
		}
		if err := ft.CheckCanaries(dstBig.Data[dstBig.Cols:dstBig.Stride], "padding"); r > 0 && c > 0 && err != nil {
			t.Errorf("%v: %v", sh, err)
		}
	}
	vtPanics(t, "Transpose shape", func() { Transpose(NewDense(2, 3), NewDense(2, 3)) })
}

func TestDenseCopyCloneZeroScale(t *testing.T) {
	src := vtDenseSeq(4, 5, 7)
	dstBig := vtDenseSeq(6, 8, 9)
	dst := dstBig.Slice(1, 5, 2, 7)
	dst.Copy(src)
	for i := 0; i < 4; i++ {
		for j := 0; j < 5; j++ {
			if dst.At(i, j) != src.At(i, j) {
				t.Fatalf("Copy: (%d,%d) = %v, want %v", i, j, dst.At(i, j), src.At(i, j))
			}
		}
	}
	if dstBig.At(0, 2) != 2 || dstBig.At(1, 1) != 101 || dstBig.At(5, 7) != 507 || dstBig.At(1, 7) != 107 {
		t.Error("Copy wrote outside the destination view")
	}
	vtPanics(t, "Copy shape", func() { dst.Copy(NewDense(4, 4)) })

	c := src.Clone()
	if c.Stride != 5 || len(c.Data) != 20 || c.At(3, 4) != src.At(3, 4) {
		t.Errorf("Clone = %d×%d stride %d len %d", c.Rows, c.Cols, c.Stride, len(c.Data))
	}
	c.Set(0, 0, -1)
	if src.At(0, 0) == -1 {
		t.Error("Clone shares storage")
	}

	v := dstBig.Slice(2, 4, 1, 3)
	before := dstBig.Clone()
	inView := func(i, j int) bool { return i >= 2 && i < 4 && j >= 1 && j < 3 }
	v.Scale(-2)
	for i := 0; i < dstBig.Rows; i++ {
		for j := 0; j < dstBig.Cols; j++ {
			want := before.At(i, j)
			if inView(i, j) {
				want *= -2
			}
			if dstBig.At(i, j) != want {
				t.Errorf("Scale on a view: (%d,%d) = %v, want %v", i, j, dstBig.At(i, j), want)
			}
		}
	}
	v.Zero()
	for i := 0; i < dstBig.Rows; i++ {
		for j := 0; j < dstBig.Cols; j++ {
			want := before.At(i, j)
			if inView(i, j) {
				want = 0
			}
			if dstBig.At(i, j) != want {
				t.Errorf("Zero on a view: (%d,%d) = %v, want %v", i, j, dstBig.At(i, j), want)
			}
		}
	}
	for i := 0; i < dstBig.Rows-1; i++ {
		if err := ft.CheckCanaries(dstBig.Data[i*9+8:(i+1)*9], "padding"); err != nil {
			t.Errorf("row %d: %v", i, err)
		}
	}
	// Empty matrices, including r×0 ones whose storage is empty.
	for _, sh := range [][2]int{{0, 3}, {3, 0}, {0, 0}} {
		e := NewDense(sh[0], sh[1])
		e.Copy(NewDense(sh[0], sh[1]))
		e.Zero()
		e.Scale(2)
		if c := e.Clone(); c.Rows != sh[0] || c.Cols != sh[1] {
			t.Errorf("Clone of %v: %d×%d", sh, c.Rows, c.Cols)
		}
		for i := 0; i < e.Rows; i++ {
			if len(e.Row(i)) != 0 {
				t.Errorf("Row(%d) of %v not empty", i, sh)
			}
		}
		if tt := e.T(); tt.Rows != sh[1] || tt.Cols != sh[0] {
			t.Errorf("T of %v: %d×%d", sh, tt.Rows, tt.Cols)
		}
	}
}
