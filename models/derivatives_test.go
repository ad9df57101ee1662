package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// The derivative checks against finite differences and against each other
// (gradient, J·v, H·v, adjointness, symmetry, the explicit Jacobian, G·v,
// diag(G), per-sample gradients) run on every fixture through package
// modeltest: TestModeltestFamilies in modeltest_test.go.

// TestHessianEqualsGaussNewton: H = G for models linear in θ everywhere, and
// for any square-loss model at an interpolating point (targets = outputs).
func TestHessianEqualsGaussNewton(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, fx := range fixtures(t) {
		o := fx.obj
		if o.Loss.Name() != "square" {
			continue
		}
		t.Run(fx.name, func(t *testing.T) {
			p := o.NumParams()
			v := randVec(rng, p)
			hv, gv := make([]float64, p), make([]float64, p)
			check := func(what string) {
				o.HessianVec(hv, v)
				o.GaussNewtonVec(gv, v)
				if r := relErr(hv, gv, 1e-300); r > 1e-12 {
					t.Fatalf("%s: H v ≠ G v, relative error %.3g", what, r)
				}
			}
			if fx.linear {
				check("linear model")
			}
			interp := NewObjective(o.Model, o.Loss, o.X, linalg.NewDense(o.N(), o.Model.NumOutputs()))
			o.Model.Predict(interp.Y, o.X)
			saved := o
			o = interp
			check("interpolating point")
			o = saved
			// Away from interpolation the curvature term must matter for
			// non-linear models (the test can fail).
			if !fx.linear && !fx.flat {
				o.HessianVec(hv, v)
				o.GaussNewtonVec(gv, v)
				if relErr(hv, gv, 1e-300) < 1e-6 {
					t.Fatalf("H v = G v for a nonlinear model off interpolation")
				}
			}
		})
	}
}

// TestBlockSizeInvariance: results do not depend on Network.BlockRows
// beyond rounding.
func TestBlockSizeInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, fx := range fixtures(t) {
		nw, ok := fx.obj.Model.(*Network)
		if !ok {
			continue
		}
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			p := o.NumParams()
			v := randVec(rng, p)
			run := func(br int) []float64 {
				nw.BlockRows = br
				out := make([]float64, 3*p)
				o.Gradient(out[:p])
				o.HessianVec(out[p:2*p], v)
				o.DiagGaussNewton(out[2*p:])
				return out
			}
			a, b := run(1), run(100)
			nw.BlockRows = 4
			if r := relErr(a, b, 1e-300); r > 1e-13 {
				t.Fatalf("BlockRows 1 vs 100: relative error %.3g", r)
			}
		})
	}
}

// TestRowsSplit: the loss and gradient on the whole set are the weighted
// means of those on a split into two mini-batches.
func TestRowsSplit(t *testing.T) {
	for _, fx := range fixtures(t) {
		o := fx.obj
		p, n := o.NumParams(), o.N()
		g, g1, g2 := make([]float64, p), make([]float64, p), make([]float64, p)
		L := o.Gradient(g)
		L1 := o.Rows(0, 4).Gradient(g1)
		L2 := o.Rows(4, n).Gradient(g2)
		w1, w2 := 4/float64(n), float64(n-4)/float64(n)
		if math.Abs(L-(w1*L1+w2*L2)) > 1e-14*L {
			t.Errorf("%s: loss %g vs split %g", fx.name, L, w1*L1+w2*L2)
		}
		for i := range g1 {
			g1[i] = w1*g1[i] + w2*g2[i]
		}
		if r := relErr(g1, g, 1e-300); r > 1e-13 {
			t.Errorf("%s: gradient of the split: relative error %.3g", fx.name, r)
		}
	}
}
