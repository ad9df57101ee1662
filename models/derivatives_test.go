package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// Central differences with step h have truncation error h²/6·|f”'| and
// rounding error ≈ eps·|f|/h; with h = 1e-5 both are ≈ 1e-11 relative to the
// O(1) quantities here, so 1e-7 is a bound with four orders of margin that
// still catches any wrong term (those are O(1) relative).
const (
	fdStep = 1e-5
	fdTol  = 1e-7
)

func TestGradientFiniteDifferences(t *testing.T) {
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			p := o.NumParams()
			theta := o.Model.Params()
			theta0 := append([]float64(nil), theta...)
			g := make([]float64, p)
			L := o.Gradient(g)
			if L0 := o.Value(); math.Abs(L-L0) > 1e-14*max(1, math.Abs(L0)) {
				t.Fatalf("Gradient returned L = %g, Value = %g", L, L0)
			}
			fd := make([]float64, p)
			e := make([]float64, p)
			for j := 0; j < p; j++ {
				e[j] = 1
				shift(theta, theta0, e, fdStep)
				lp := o.Value()
				shift(theta, theta0, e, -fdStep)
				lm := o.Value()
				e[j] = 0
				fd[j] = (lp - lm) / (2 * fdStep)
			}
			copy(theta, theta0)
			if r := relErr(g, fd, 1e-3); r > fdTol {
				t.Fatalf("gradient vs central differences: relative error %.3g\n got %v\nwant %v", r, g, fd)
			}
		})
	}
}

func TestJVPFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			n, K := o.N(), o.Model.NumOutputs()
			theta := o.Model.Params()
			theta0 := append([]float64(nil), theta...)
			v := randVec(rng, o.NumParams())
			jv := linalg.NewDense(n, K)
			o.JVP(jv, v)
			fp, fm := linalg.NewDense(n, K), linalg.NewDense(n, K)
			shift(theta, theta0, v, fdStep)
			o.Model.Predict(fp, o.X)
			shift(theta, theta0, v, -fdStep)
			o.Model.Predict(fm, o.X)
			copy(theta, theta0)
			fd := make([]float64, n*K)
			for i := range fd {
				fd[i] = (fp.Data[i] - fm.Data[i]) / (2 * fdStep)
			}
			if r := relErr(jv.Data, fd, 1e-3); r > fdTol {
				t.Fatalf("Jv vs central differences: relative error %.3g", r)
			}
		})
	}
}

func TestHessianFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			p := o.NumParams()
			theta := o.Model.Params()
			theta0 := append([]float64(nil), theta...)
			v := randVec(rng, p)
			hv := make([]float64, p)
			o.HessianVec(hv, v)
			gp, gm := make([]float64, p), make([]float64, p)
			shift(theta, theta0, v, fdStep)
			o.Gradient(gp)
			shift(theta, theta0, v, -fdStep)
			o.Gradient(gm)
			copy(theta, theta0)
			fd := make([]float64, p)
			for i := range fd {
				fd[i] = (gp[i] - gm[i]) / (2 * fdStep)
			}
			if r := relErr(hv, fd, 1e-3); r > fdTol {
				t.Fatalf("Hv vs central differences of the gradient: relative error %.3g\n got %v\nwant %v", r, hv, fd)
			}
		})
	}
}

// dot returns ⟨a, b⟩ and Σ|a_i b_i| (for rounding bounds).
func dot(a, b []float64) (s, abs float64) {
	for i := range a {
		s += a[i] * b[i]
		abs += math.Abs(a[i] * b[i])
	}
	return
}

func TestAdjointness(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			n, K, p := o.N(), o.Model.NumOutputs(), o.NumParams()
			v := randVec(rng, p)
			u := randDense(rng, n, K, 1)
			jv := linalg.NewDense(n, K)
			o.JVP(jv, v)
			jtu := make([]float64, p)
			o.VJP(jtu, u)
			a, aa := dot(jv.Data, u.Data)
			b, ba := dot(v, jtu)
			// Both sides are sums of the same n·K·p products in different
			// orders; each product passes through ≤ depth·(width+p) roundings.
			bound := 1e3 * 2.2e-16 * float64(p+n*K) * (aa + ba)
			if math.Abs(a-b) > bound {
				t.Fatalf("⟨Jv,u⟩ = %.17g, ⟨v,Jᵀu⟩ = %.17g, difference %.3g > %.3g", a, b, a-b, bound)
			}
		})
	}
}

func TestHessianSymmetry(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			p := o.NumParams()
			u, v := randVec(rng, p), randVec(rng, p)
			hu, hv := make([]float64, p), make([]float64, p)
			for _, gn := range []bool{false, true} {
				if gn {
					o.GaussNewtonVec(hu, u)
					o.GaussNewtonVec(hv, v)
				} else {
					o.HessianVec(hu, u)
					o.HessianVec(hv, v)
				}
				a, aa := dot(u, hv)
				b, ba := dot(v, hu)
				bound := 1e3 * 2.2e-16 * float64(p) * (aa + ba)
				if math.Abs(a-b) > bound {
					t.Fatalf("gaussNewton=%v: ⟨u,Hv⟩ = %.17g, ⟨v,Hu⟩ = %.17g", gn, a, b)
				}
			}
		})
	}
}

// explicitJacobian returns J ((nK)×p) through the Jacobian blocks.
func explicitJacobian(o *Objective, samples int) *linalg.Dense {
	K, p := o.Model.NumOutputs(), o.NumParams()
	J := linalg.NewDense(o.N()*K, p)
	o.JacobianBlocks(samples, func(i0 int, b *linalg.Dense) {
		J.Slice(i0*K, i0*K+b.Rows, 0, p).Copy(b)
	})
	return J
}

func TestJacobianMatchesJVP(t *testing.T) {
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			n, K, p := o.N(), o.Model.NumOutputs(), o.NumParams()
			J := explicitJacobian(o, 4)
			e := make([]float64, p)
			jv := linalg.NewDense(n, K)
			col := make([]float64, n*K)
			for j := 0; j < p; j++ {
				e[j] = 1
				o.JVP(jv, e)
				e[j] = 0
				J.Col(col, j)
				if r := relErr(col, jv.Data, 1e-300); r > 1e-12 {
					t.Fatalf("column %d of J differs from J·e_%d: relative error %.3g", j, j, r)
				}
			}
		})
	}
}

func TestGaussNewtonAndDiagonal(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			n, K, p := o.N(), o.Model.NumOutputs(), o.NumParams()
			J := explicitJacobian(o, 3)
			f := linalg.NewDense(n, K)
			o.Model.Predict(f, o.X)
			// G v = Jᵀ Λ (J v) / n from the explicit J and the loss's Λ.
			v := randVec(rng, p)
			jv := make([]float64, n*K)
			linalg.Gemv(linalg.NoTrans, 1, J, v, 0, jv)
			ljv := linalg.NewDense(n, K)
			o.Loss.HessProd(ljv, f, o.Y, linalg.NewDenseData(n, K, jv))
			want := make([]float64, p)
			linalg.Gemv(linalg.T, 1/float64(n), J, ljv.Data, 0, want)
			got := make([]float64, p)
			o.GaussNewtonVec(got, v)
			if r := relErr(got, want, 1e-300); r > 1e-12 {
				t.Fatalf("G v: relative error %.3g", r)
			}
			// diag(G)_j = e_jᵀ G e_j from J's column j.
			col := make([]float64, n*K)
			lcol := linalg.NewDense(n, K)
			for j := 0; j < p; j++ {
				J.Col(col, j)
				o.Loss.HessProd(lcol, f, o.Y, linalg.NewDenseData(n, K, col))
				want[j] = linalg.Dot(col, lcol.Data) / float64(n)
			}
			o.DiagGaussNewton(got)
			if r := relErr(got, want, 1e-300); r > 1e-12 {
				t.Fatalf("diag(G): relative error %.3g\n got %v\nwant %v", r, got, want)
			}
		})
	}
}

func TestPerSampleGradients(t *testing.T) {
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o := fx.obj
			n, p := o.N(), o.NumParams()
			g := make([]float64, p)
			o.Gradient(g)
			ps := linalg.NewDense(n, p)
			o.PerSampleGradients(ps.RowsView(0, 4), 0)
			o.PerSampleGradients(ps.RowsView(4, n), 4)
			sum := make([]float64, p)
			for i := 0; i < n; i++ {
				linalg.Axpy(1/float64(n), ps.Row(i), sum)
			}
			if r := relErr(sum, g, 1e-300); r > 1e-12 {
				t.Fatalf("mean of per-sample gradients vs gradient: relative error %.3g", r)
			}
			norms := make([]float64, n)
			o.PerSampleGradNorms(norms)
			want := make([]float64, n)
			for i := range want {
				want[i] = linalg.Dot(ps.Row(i), ps.Row(i))
			}
			if r := relErr(norms, want, 1e-300); r > 1e-12 {
				t.Fatalf("per-sample gradient norms: relative error %.3g\n got %v\nwant %v", r, norms, want)
			}
		})
	}
}

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
