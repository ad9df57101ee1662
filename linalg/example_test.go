package linalg_test

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
)

// The examples use small integers, whose sums and products are exact in
// any order, so their output is the same whatever kernel table runs.

func ExampleDot() {
	x := []float64{1, 2, 3}
	y := []float64{4, -5, 6}
	fmt.Println(linalg.Dot(x, y))
	// Output: 12
}

func ExampleGemv() {
	// y = 2·A·x + 1·y with A = [1 2 3; 4 5 6].
	a := linalg.NewDenseData(2, 3, []float64{
		1, 2, 3,
		4, 5, 6,
	})
	x := []float64{1, 0, -1}
	y := []float64{10, 20}
	linalg.Gemv(linalg.NoTrans, 2, a, x, 1, y)
	fmt.Println(y)

	// Aᵀ·z, with beta = 0: y is overwritten, not read.
	z := []float64{1, 1}
	w := make([]float64, 3)
	linalg.Gemv(linalg.T, 1, a, z, 0, w)
	fmt.Println(w)
	// Output:
	// [6 16]
	// [5 7 9]
}

func ExampleGemm() {
	a := linalg.NewDenseData(2, 3, []float64{
		1, 2, 3,
		4, 5, 6,
	})
	b := linalg.NewDenseData(3, 2, []float64{
		7, 8,
		9, 10,
		11, 12,
	})
	c := linalg.NewDense(2, 2)
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, a, b, 0, c) // C = A·B
	for i := 0; i < c.Rows; i++ {
		fmt.Println(c.Row(i))
	}
	g := linalg.NewDense(3, 3)
	linalg.Gemm(linalg.T, linalg.NoTrans, 1, a, a, 0, g) // G = Aᵀ·A
	fmt.Println(g.Row(0), g.Row(2))
	// Output:
	// [58 64]
	// [139 154]
	// [17 22 27] [27 36 45]
}

func ExampleNrm2() {
	fmt.Println(linalg.Nrm2([]float64{3, 4}))
	// No overflow although the squares are far beyond float64, and no
	// underflow although they vanish (printed to 6 digits: the last bit
	// may differ between kernel tables).
	fmt.Printf("%.6g\n", linalg.Nrm2([]float64{3e300, 4e300}))
	fmt.Printf("%.6g\n", linalg.Nrm2([]float64{3e-300, 4e-300}))
	// Output:
	// 5
	// 5e+300
	// 5e-300
}
