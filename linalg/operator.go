package linalg

import "fmt"

// Operator is a symmetric linear operator v ↦ A·v known only through its
// action. Models and analyses implement it for G, H, Σ and the like.
type Operator interface {
	// Dim returns the dimension p of the space A acts on.
	Dim() int
	// Apply sets dst = A·src. len(dst) == len(src) == Dim(); dst and src do
	// not overlap. Apply must not retain either slice.
	Apply(dst, src []float64)
}

// BlockOperator is an Operator that can apply itself to several vectors at
// once, e.g. through Gemm. Row i of src is the i-th input vector and row i
// of dst receives A times it; src.Cols == dst.Cols == Dim(),
// src.Rows == dst.Rows; they do not overlap.
type BlockOperator interface {
	Operator
	ApplyBlock(dst, src *Dense)
}

// ApplyBlock sets dst.Row(i) = A·src.Row(i) for every row, through the
// operator's ApplyBlock if it has one and row by row otherwise.
func ApplyBlock(op Operator, dst, src *Dense) {
	n := op.Dim()
	if src.Cols != n || dst.Cols != n || src.Rows != dst.Rows {
		panic(fmt.Sprintf("linalg: ApplyBlock: operator dimension %d, src %d×%d, dst %d×%d",
			n, src.Rows, src.Cols, dst.Rows, dst.Cols))
	}
	if b, ok := op.(BlockOperator); ok {
		b.ApplyBlock(dst, src)
		return
	}
	for i := 0; i < src.Rows; i++ {
		op.Apply(dst.Row(i), src.Row(i))
	}
}

// DenseOperator adapts a symmetric n×n matrix to Operator and
// BlockOperator. The whole matrix is read (both triangles), so that Apply
// is one Gemv and ApplyBlock one Gemm; symmetry is the caller's promise.
type DenseOperator struct {
	A *Dense
}

// NewDenseOperator returns the operator of the square matrix a (not
// copied).
func NewDenseOperator(a *Dense) *DenseOperator {
	a.check("NewDenseOperator")
	if a.Rows != a.Cols {
		panic(fmt.Sprintf("linalg: NewDenseOperator: matrix is %d×%d, not square", a.Rows, a.Cols))
	}
	return &DenseOperator{A: a}
}

// Dim returns the order of the matrix.
func (o *DenseOperator) Dim() int { return o.A.Rows }

// Apply sets dst = A·src with one Gemv.
func (o *DenseOperator) Apply(dst, src []float64) {
	Gemv(NoTrans, 1, o.A, src, 0, dst)
}

// ApplyBlock sets dst = src·Aᵀ (row i of dst = A·row i of src) with one
// Gemm.
func (o *DenseOperator) ApplyBlock(dst, src *Dense) {
	Gemm(NoTrans, T, 1, src, o.A, 0, dst)
}
