package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRotKernels compares every rotation path (the rot kernel of every
// usable table, the two-axpby crosswise update) with a
// naive unfused rotation: |error| ≤ 4ε·(|c·x| + |s·y|) per element (two
// roundings each way, and the crosswise form's divisor ≥ 1/√2 adds a few
// more: bound 8ε for it), for all lengths 0…70, offsets 0…3, with canaries
// around both operands and special values.
func TestRotKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	type path struct {
		name  string
		f     func(x, y []float64, c, s float64) bool
		bound float64
	}
	paths := []path{
		{"axpby", func(x, y []float64, c, s float64) bool { return rotate(x, y, c, s) }, 8},
	}
	for _, k := range vtTables() {
		paths = append(paths, path{"rot-" + k.name, func(x, y []float64, c, s float64) bool { k.rot(x, y, c, s); return false }, 4})
	}
	const canary = -7.25e300
	angles := []float64{0, 0.3, math.Pi / 4, 1.2, math.Pi / 2, 2.5, -0.7, math.Pi}
	for _, p := range paths {
		for n := 0; n <= 70; n++ {
			for off := 0; off < 4; off++ {
				for _, th := range angles {
					c, s := math.Cos(th), math.Sin(th)
					bx := make([]float64, n+off+4)
					by := make([]float64, n+off+4)
					for i := range bx {
						bx[i], by[i] = canary, canary
					}
					x, y := bx[off:off+n], by[off:off+n]
					for i := range x {
						x[i] = rng.NormFloat64()
						y[i] = rng.NormFloat64()
						if i%17 == 5 {
							x[i] = 0
							y[i] = math.Copysign(0, -1)
						}
						if i%13 == 7 {
							x[i] *= 1e-310 // subnormal
						}
					}
					x0 := append([]float64(nil), x...)
					y0 := append([]float64(nil), y...)
					swapped := p.f(x, y, c, s)
					if swapped {
						x, y = y, x
					}
					for i := range x0 {
						wx := c*x0[i] - s*y0[i]
						wy := s*x0[i] + c*y0[i]
						scale := math.Abs(c*x0[i]) + math.Abs(s*y0[i]) + math.Abs(s*x0[i]) + math.Abs(c*y0[i])
						tol := p.bound*eigEps*scale + 0x1p-1070
						if math.Abs(x[i]-wx) > tol || math.Abs(y[i]-wy) > tol {
							t.Fatalf("%s n=%d off=%d θ=%g i=%d: got (%g, %g), want (%g, %g)", p.name, n, off, th, i, x[i], y[i], wx, wy)
						}
					}
					for i := range bx {
						if i >= off && i < off+n {
							continue
						}
						if bx[i] != canary || by[i] != canary {
							t.Fatalf("%s n=%d off=%d: canary at %d overwritten", p.name, n, off, i)
						}
					}
				}
			}
		}
	}
	// NaN propagates.
	for _, p := range paths {
		x := []float64{1, math.NaN(), 2, 3, 4, 5, 6, 7, 8, 9}
		y := make([]float64, len(x))
		if p.f(x, y, 0.6, 0.8) {
			x, y = y, x
		}
		if !math.IsNaN(x[1]) || !math.IsNaN(y[1]) {
			t.Errorf("%s: NaN lost", p.name)
		}
	}
}
