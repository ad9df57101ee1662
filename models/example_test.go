package models_test

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// Linear regression: for a model linear in θ, H = G = XᵀX/n.
func ExampleNewLinear() {
	x := linalg.NewDenseData(3, 2, []float64{
		1, 0,
		0, 2,
		1, 1,
	})
	y := linalg.NewDenseData(3, 1, []float64{1, 2, 3})
	m := models.NewLinear(2, 1) // θ = 0
	o := models.NewObjective(m, models.Square{}, x, y)

	g := make([]float64, 2)
	L := o.Gradient(g)
	hv := make([]float64, 2)
	o.HessianVec(hv, []float64{1, 0})
	fmt.Printf("L = %.4f, ∇L = %.4f, H e₁ = %.4f\n", L, g, hv)
	// Output: L = 2.3333, ∇L = [-1.3333 -2.3333], H e₁ = [0.6667 0.3333]
}

// A two-layer network with a fixed ±1/√m second layer: gradient, per-sample
// gradient norms and the exact Hessian-vector product.
func ExampleNewTwoLayer() {
	m := models.NewTwoLayer(models.TwoLayerConfig{D: 3, M: 4, Act: models.Tanh})
	m.Init(1)
	x := linalg.NewDenseData(2, 3, []float64{1, 0, -1, 0.5, 2, 0})
	y := linalg.NewDenseData(2, 1, []float64{1, -1})
	o := models.NewObjective(m, models.Square{}, x, y)
	fmt.Println("p =", o.NumParams())

	norms := make([]float64, o.N())
	o.PerSampleGradNorms(norms)
	v := make([]float64, o.NumParams())
	v[0] = 1
	hv, gv := make([]float64, len(v)), make([]float64, len(v))
	o.HessianVec(hv, v)
	o.GaussNewtonVec(gv, v)
	fmt.Println("per-sample norms positive:", norms[0] > 0 && norms[1] > 0)
	fmt.Println("H differs from G off interpolation:", hv[0] != gv[0])
	// Output:
	// p = 12
	// per-sample norms positive: true
	// H differs from G off interpolation: true
}

// The Jacobian of a K-output MLP in blocks of samples, never all at once.
func ExampleObjective_JacobianBlocks() {
	m := models.NewMLP([]int{4, 8, 3}, models.GELU)
	m.Init(7)
	x := linalg.NewDense(10, 4)
	for i := range x.Data {
		x.Data[i] = float64(i%7) - 3
	}
	y := linalg.NewDense(10, 3)
	for i := 0; i < 10; i++ {
		y.Set(i, i%3, 1)
	}
	o := models.NewObjective(m, models.CrossEntropy{}, x, y)
	o.JacobianBlocks(4, func(i0 int, block *linalg.Dense) {
		fmt.Printf("samples %d.. : J block %d×%d\n", i0, block.Rows, block.Cols)
	})
	// Output:
	// samples 0.. : J block 12×67
	// samples 4.. : J block 12×67
	// samples 8.. : J block 6×67
}

// A diagonal linear network f = ⟨u⊙u − v⊙v, x⟩ and its effective predictor.
func ExampleNewDiagonalLinear() {
	m := models.NewDiagonalLinear(3, models.Difference)
	copy(m.Params(), []float64{1, 2, 0, 0, 1, 1}) // u, then v
	F := make([]float64, 3)
	m.EffectiveWeights(F)
	fmt.Println(F, m.NumParams())
	// Output: [1 3 -1] 6
}
