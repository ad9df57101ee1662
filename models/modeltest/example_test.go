package modeltest_test

import (
	"errors"
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/models/modeltest"
)

// neuron is a user-defined model outside package models: one hidden unit,
// f(x; θ) = a·tanh(wᵀx) with θ = (w, a), p = d + 1, K = 1. It implements
// the core methods of models.Model only.
type neuron struct{ theta []float64 }

func (m *neuron) NumParams() int          { return len(m.theta) }
func (m *neuron) InputDim() int           { return len(m.theta) - 1 }
func (m *neuron) NumOutputs() int         { return 1 }
func (m *neuron) Params() []float64       { return m.theta }
func (m *neuron) Clone() models.Model     { return &neuron{append([]float64(nil), m.theta...)} }
func (m *neuron) w() ([]float64, float64) { return m.theta[:m.InputDim()], m.theta[m.InputDim()] }

// grad writes ∇θ f(x) = (a(1 − t²)x, t) into dst and returns f(x).
func (m *neuron) grad(dst, x []float64) float64 {
	w, a := m.w()
	t := math.Tanh(linalg.Dot(w, x))
	for j, xj := range x {
		dst[j] = a * (1 - t*t) * xj
	}
	dst[len(x)] = t
	return a * t
}

func (m *neuron) Predict(dst, x *linalg.Dense) {
	w, a := m.w()
	for i := 0; i < x.Rows; i++ {
		dst.Set(i, 0, a*math.Tanh(linalg.Dot(w, x.Row(i))))
	}
}

func (m *neuron) JVP(dst, x *linalg.Dense, v []float64) {
	g := make([]float64, m.NumParams())
	for i := 0; i < x.Rows; i++ {
		m.grad(g, x.Row(i))
		dst.Set(i, 0, linalg.Dot(g, v))
	}
}

func (m *neuron) PerSampleVJP(dst, x *linalg.Dense, h models.Head) {
	f := linalg.NewDense(x.Rows, 1)
	m.Predict(f, x)
	u := linalg.NewDense(x.Rows, 1)
	h.Cotangent(u, f, 0)
	for i := 0; i < x.Rows; i++ {
		m.grad(dst.Row(i), x.Row(i))
		linalg.Scal(u.At(i, 0), dst.Row(i))
	}
}

func (m *neuron) VJP(dst []float64, x *linalg.Dense, h models.Head) {
	rows := linalg.NewDense(x.Rows, m.NumParams())
	m.PerSampleVJP(rows, x, h)
	clear(dst)
	for i := 0; i < x.Rows; i++ {
		linalg.Axpy(1, rows.Row(i), dst)
	}
}

// A model of one's own: checked by modeltest, then measured by analysis.
// The optional capabilities come from the generic fallbacks (Gram matrix,
// diag(G), G·v from J·v and Jᵀ·u); the exact Hessian needs second
// derivatives, so analysis refuses the Hessian options with
// models.ErrNoHessian instead of giving a wrong number.
func Example() {
	m := &neuron{theta: []float64{0.8, -0.5, 1.5}}
	if errs := modeltest.Run(m, modeltest.Options{}); len(errs) > 0 {
		fmt.Println(errs)
		return
	}
	fmt.Println("derivatives: ok")

	const n = 40
	x, y := linalg.NewDense(n, 2), linalg.NewDense(n, 1)
	for i := 0; i < n; i++ {
		x.Set(i, 0, math.Cos(float64(i)))
		x.Set(i, 1, math.Sin(2*float64(i)))
		y.Set(i, 0, math.Sin(float64(i)))
	}
	obj := models.NewObjective(m, models.Square{}, x, y)
	res, err := analysis.FromObjective(obj, analysis.Options{TopK: 1, Flat: -1, Random: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("μ = %.3f, g along the top eigenvector of G = %.3f\n", res.Mu.Value, res.Directional[0].G.Value)

	_, err = analysis.FromObjective(obj, analysis.Options{Hessian: true})
	fmt.Println("Hessian unavailable:", errors.Is(err, models.ErrNoHessian))
	// Output:
	// derivatives: ok
	// μ = 0.703, g along the top eigenvector of G = 0.496
	// Hessian unavailable: true
}
