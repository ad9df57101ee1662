package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestOperatorApplyBlock: DenseOperator's Apply and ApplyBlock and the
// row-by-row fallback of ApplyBlock agree with a naive product.
func TestOperatorApplyBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, n := range []int{1, 2, 7, 33} {
		a := NewDense(n, n)
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				v := rng.NormFloat64()
				a.Set(i, j, v)
				a.Set(j, i, v)
			}
		}
		op := NewDenseOperator(a)
		if op.Dim() != n {
			t.Fatalf("Dim = %d", op.Dim())
		}
		src := NewDense(3, n)
		for i := range src.Data {
			src.Data[i] = rng.NormFloat64()
		}
		naive := NewDense(3, n)
		bound := make([]float64, 3*n)
		for r := 0; r < 3; r++ {
			for i := 0; i < n; i++ {
				s, sa := 0.0, 0.0
				for j := 0; j < n; j++ {
					s += a.At(i, j) * src.At(r, j)
					sa += math.Abs(a.At(i, j) * src.At(r, j))
				}
				naive.Set(r, i, s)
				bound[r*n+i] = 2 * float64(n) * eigEps * sa
			}
		}
		check := func(name string, got *Dense) {
			for r := 0; r < 3; r++ {
				for i := 0; i < n; i++ {
					if d := math.Abs(got.At(r, i) - naive.At(r, i)); d > bound[r*n+i] {
						t.Errorf("%s n=%d (%d,%d): off by %g > %g", name, n, r, i, d, bound[r*n+i])
					}
				}
			}
		}
		dst := NewDense(3, n)
		for r := 0; r < 3; r++ {
			op.Apply(dst.Row(r), src.Row(r))
		}
		check("Apply", dst)
		dst.Zero()
		ApplyBlock(op, dst, src)
		check("ApplyBlock", dst)
		// A plain Operator goes row by row.
		dst.Zero()
		ApplyBlock(struct{ Operator }{op}, dst, src)
		check("fallback", dst)
	}
}

func TestOperatorPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("non-square", func() { NewDenseOperator(NewDense(2, 3)) })
	op := NewDenseOperator(Identity(3))
	mustPanic("block shape", func() { ApplyBlock(op, NewDense(2, 3), NewDense(3, 3)) })
	mustPanic("K=0", func() { Lanczos(op, LanczosOptions{K: 0}) })
	mustPanic("K>n", func() { Lanczos(op, LanczosOptions{K: 4}) })
	mustPanic("basis", func() { Lanczos(diagOp(make([]float64, 50)), LanczosOptions{K: 5, BasisSize: 5}) })
	mustPanic("Hutchinson", func() { Hutchinson(op, 1, 0) })
	mustPanic("Hutch++", func() { HutchPlusPlus(op, 3, 0) })
}
