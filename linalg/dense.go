package linalg

import "fmt"

// Dense is a row-major matrix: element (i, j) is Data[i*Stride+j].
// Views made by Slice, RowView and friends share Data with their parent.
// The zero value is an empty 0×0 matrix.
type Dense struct {
	Rows, Cols int
	Stride     int // distance between rows, ≥ Cols (≥ 1 when Rows > 0)
	Data       []float64
}

// NewDense returns an r×c matrix backed by a new zeroed slice.
func NewDense(r, c int) *Dense {
	if r < 0 || c < 0 {
		panic(fmt.Sprintf("linalg: NewDense(%d, %d): negative dimension", r, c))
	}
	return &Dense{Rows: r, Cols: c, Stride: max(c, 1), Data: make([]float64, r*c)}
}

// NewDenseData wraps data (row-major, stride c) as an r×c matrix without
// copying; len(data) must be r*c.
func NewDenseData(r, c int, data []float64) *Dense {
	if r < 0 || c < 0 {
		panic(fmt.Sprintf("linalg: NewDenseData(%d, %d): negative dimension", r, c))
	}
	if len(data) != r*c {
		panic(fmt.Sprintf("linalg: NewDenseData(%d, %d): len(data) = %d, want %d", r, c, len(data), r*c))
	}
	return &Dense{Rows: r, Cols: c, Stride: max(c, 1), Data: data}
}

// NewDenseStride wraps data as an r×c matrix with the given row stride;
// len(data) must be at least (r-1)*stride + c.
func NewDenseStride(r, c, stride int, data []float64) *Dense {
	m := &Dense{Rows: r, Cols: c, Stride: stride, Data: data}
	m.check("NewDenseStride")
	return m
}

// Identity returns the n×n identity matrix.
func Identity(n int) *Dense {
	m := NewDense(n, n)
	for i := 0; i < n; i++ {
		m.Data[i*m.Stride+i] = 1
	}
	return m
}

// check panics unless the matrix's fields describe valid storage.
func (m *Dense) check(op string) {
	switch {
	case m.Rows < 0 || m.Cols < 0:
		panic(fmt.Sprintf("linalg: %s: negative dimension %d×%d", op, m.Rows, m.Cols))
	case m.Rows > 0 && m.Stride < max(m.Cols, 1):
		panic(fmt.Sprintf("linalg: %s: stride %d < columns %d", op, m.Stride, m.Cols))
	case m.Rows > 0 && m.Cols > 0 && len(m.Data) < (m.Rows-1)*m.Stride+m.Cols:
		panic(fmt.Sprintf("linalg: %s: %d×%d matrix with stride %d needs %d elements, has %d",
			op, m.Rows, m.Cols, m.Stride, (m.Rows-1)*m.Stride+m.Cols, len(m.Data)))
	}
}

// Dims returns the number of rows and columns.
func (m *Dense) Dims() (r, c int) { return m.Rows, m.Cols }

// At returns element (i, j).
func (m *Dense) At(i, j int) float64 {
	m.checkIndex("At", i, j)
	return m.Data[i*m.Stride+j]
}

// Set sets element (i, j) to v.
func (m *Dense) Set(i, j int, v float64) {
	m.checkIndex("Set", i, j)
	m.Data[i*m.Stride+j] = v
}

func (m *Dense) checkIndex(op string, i, j int) {
	if uint(i) >= uint(m.Rows) || uint(j) >= uint(m.Cols) {
		panic(fmt.Sprintf("linalg: %s(%d, %d) out of range for %d×%d matrix", op, i, j, m.Rows, m.Cols))
	}
}

// Row returns row i as a slice sharing the matrix's storage.
func (m *Dense) Row(i int) []float64 {
	if uint(i) >= uint(m.Rows) {
		panic(fmt.Sprintf("linalg: Row(%d) out of range for %d rows", i, m.Rows))
	}
	if m.Cols == 0 {
		return nil // an r×0 matrix may have no storage at all
	}
	return m.Data[i*m.Stride : i*m.Stride+m.Cols : i*m.Stride+m.Cols]
}

// Col copies column j into dst (len(dst) == Rows) and returns dst.
func (m *Dense) Col(dst []float64, j int) []float64 {
	if uint(j) >= uint(m.Cols) {
		panic(fmt.Sprintf("linalg: Col(%d) out of range for %d columns", j, m.Cols))
	}
	if len(dst) != m.Rows {
		panic(fmt.Sprintf("linalg: Col: len(dst) = %d, want %d", len(dst), m.Rows))
	}
	for i := range dst {
		dst[i] = m.Data[i*m.Stride+j]
	}
	return dst
}

// SetCol copies src (len(src) == Rows) into column j.
func (m *Dense) SetCol(j int, src []float64) {
	if uint(j) >= uint(m.Cols) {
		panic(fmt.Sprintf("linalg: SetCol(%d) out of range for %d columns", j, m.Cols))
	}
	if len(src) != m.Rows {
		panic(fmt.Sprintf("linalg: SetCol: len(src) = %d, want %d", len(src), m.Rows))
	}
	for i, v := range src {
		m.Data[i*m.Stride+j] = v
	}
}

// Slice returns the view of rows [i0, i1) and columns [j0, j1), sharing
// storage with m.
func (m *Dense) Slice(i0, i1, j0, j1 int) *Dense {
	if i0 < 0 || i1 < i0 || i1 > m.Rows || j0 < 0 || j1 < j0 || j1 > m.Cols {
		panic(fmt.Sprintf("linalg: Slice(%d, %d, %d, %d) out of range for %d×%d matrix",
			i0, i1, j0, j1, m.Rows, m.Cols))
	}
	r, c := i1-i0, j1-j0
	if r == 0 || c == 0 {
		return &Dense{Rows: r, Cols: c, Stride: m.Stride}
	}
	start := i0*m.Stride + j0
	end := (i1-1)*m.Stride + j1
	return &Dense{Rows: r, Cols: c, Stride: m.Stride, Data: m.Data[start:end:end]}
}

// RowsView returns the view of rows [i0, i1).
func (m *Dense) RowsView(i0, i1 int) *Dense { return m.Slice(i0, i1, 0, m.Cols) }

// ColsView returns the view of columns [j0, j1).
func (m *Dense) ColsView(j0, j1 int) *Dense { return m.Slice(0, m.Rows, j0, j1) }

// Clone returns a compact copy of m.
func (m *Dense) Clone() *Dense {
	c := NewDense(m.Rows, m.Cols)
	c.Copy(m)
	return c
}

// Copy copies src into m; the shapes must match. The two may not overlap
// partially.
func (m *Dense) Copy(src *Dense) {
	if m.Rows != src.Rows || m.Cols != src.Cols {
		panic(fmt.Sprintf("linalg: Copy: shape %d×%d into %d×%d", src.Rows, src.Cols, m.Rows, m.Cols))
	}
	for i := 0; i < m.Rows; i++ {
		copy(m.Row(i), src.Row(i))
	}
}

// Zero sets every element of m to zero.
func (m *Dense) Zero() {
	for i := 0; i < m.Rows; i++ {
		clear(m.Row(i))
	}
}

// Scale multiplies every element of m by alpha.
func (m *Dense) Scale(alpha float64) {
	for i := 0; i < m.Rows; i++ {
		Scal(alpha, m.Row(i))
	}
}

// T returns a new compact matrix holding the transpose of m.
func (m *Dense) T() *Dense {
	t := NewDense(m.Cols, m.Rows)
	Transpose(t, m)
	return t
}

// Transpose writes srcᵀ into dst (dst is Cols×Rows of src). They may not
// overlap.
func Transpose(dst, src *Dense) {
	if dst.Rows != src.Cols || dst.Cols != src.Rows {
		panic(fmt.Sprintf("linalg: Transpose: %d×%d into %d×%d", src.Rows, src.Cols, dst.Rows, dst.Cols))
	}
	const blk = 32
	for i0 := 0; i0 < src.Rows; i0 += blk {
		for j0 := 0; j0 < src.Cols; j0 += blk {
			for i := i0; i < min(i0+blk, src.Rows); i++ {
				row := src.Data[i*src.Stride:]
				for j := j0; j < min(j0+blk, src.Cols); j++ {
					dst.Data[j*dst.Stride+i] = row[j]
				}
			}
		}
	}
}
