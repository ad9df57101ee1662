package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// matrixFreePath computes the Result from J·v, Jᵀ·u and H·v only: Tr G
// from diag(G), Tr Σ₁ from the per-sample gradient norms, ‖G‖_F² = Tr G²
// and Tr(Σ₁G) from the operators applied to the unit vectors (exact, p
// applications each) or to opt.Probes Gaussian probes (Hutchinson, with a
// standard error), the top eigenpairs of G by Lanczos (and the flattest
// nonzero ones, flatDirections) and g from the quadratic forms vᵀGv, vᵀΣ₁v = (1/n)Σ_i (r_iᵀ(Jv)_i)², vᵀ∇L.
func matrixFreePath(obj *models.Objective, opt Options) (*Result, error) {
	s := newState(obj)
	in := s.ingredients()
	res := &Result{Path: PathMatrixFree}
	p := s.p
	if s.n > 0 && p > 0 {
		diag := make([]float64, p)
		obj.DiagGaussNewton(diag)
		for _, v := range diag {
			in.TrG += v
		}
		norms := make([]float64, s.n)
		obj.PerSampleGradNorms(norms)
		for _, v := range norms {
			in.TrSigma1 += v
		}
		in.TrSigma1 /= float64(s.n)
		in.TrSigma = in.TrSigma1 - in.GradNorm2

		g := GaussNewton{obj}
		s1, err := NewCovariance(obj, CovarianceOptions{Uncentered: true})
		if err != nil {
			return nil, err
		}
		gv, sgv := make([]float64, p), make([]float64, p)
		g.Apply(gv, s.gradient())
		in.GradGGrad = linalg.Dot(s.gradient(), gv)
		z := make([]float64, p)
		var frob, ts1g float64
		if opt.Probes <= 0 {
			for j := 0; j < p; j++ {
				z[j] = 1
				g.Apply(gv, z)
				s1.Apply(sgv, gv)
				frob += linalg.Dot(gv, gv)
				ts1g += sgv[j]
				z[j] = 0
			}
		} else {
			rng := rand.New(rand.NewPCG(opt.Seed, 0x68757463680a))
			var sum2 float64
			for t := 0; t < opt.Probes; t++ {
				for j := range z {
					z[j] = rng.NormFloat64()
				}
				g.Apply(gv, z)
				s1.Apply(sgv, gv)
				frob += linalg.Dot(gv, gv)
				e := linalg.Dot(z, sgv)
				ts1g += e
				sum2 += e * e
			}
			np := float64(opt.Probes)
			frob /= np
			ts1g /= np
			if opt.Probes > 1 {
				in.TraceStdErr = math.Sqrt(math.Max(0, sum2/np-ts1g*ts1g) / (np - 1))
			}
			res.Notes = append(res.Notes, fmt.Sprintf("‖G‖_F² and Tr(Σ₁G) estimated with %d Gaussian probes", opt.Probes))
		}
		in.FrobG2, in.TrSigma1G = frob, ts1g
		in.TrSigmaG = ts1g - in.GradGGrad
	}
	if opt.Hessian {
		s.hessianTraces(&in, opt.HessianProbes, opt.Seed)
	}
	res.Ingredients = in
	res.finish()
	if s.n == 0 || p == 0 {
		return res, nil
	}
	k := min(opt.TopK, p, s.n*s.k)
	lr, err := linalg.Lanczos(GaussNewton{obj}, linalg.LanczosOptions{K: k, Seed: opt.Seed, Tol: 1e-12})
	if err != nil {
		return res, fmt.Errorf("analysis: Lanczos on G: %w", err)
	}
	jv := linalg.NewDense(s.n, s.k)
	for t, lam := range lr.Values {
		if lam <= rankTol(lr.Values[0], s.n*s.k, p) {
			break
		}
		res.Eigenvalues = append(res.Eigenvalues, lam)
		vGv, vS1v, vg := s.quad(lr.Vectors.Row(t), jv)
		res.Directional = append(res.Directional, directional("top", t+1, vGv, vS1v, vg, s.twoL))
	}
	if len(res.Eigenvalues) > 0 {
		if err := flatDirections(res, s, nil, opt, res.Eigenvalues[0]); err != nil {
			return res, err
		}
	}
	if opt.Angles > 0 && len(res.Eigenvalues) > 0 {
		gv, _, err := topVectors(GaussNewton{obj}, min(opt.Angles, len(res.Eigenvalues)), opt.Seed)
		if err != nil {
			return res, fmt.Errorf("analysis: Lanczos on G: %w", err)
		}
		if err := subspaceAngles(res, obj, gv, gv.Rows, opt.Seed); err != nil {
			return res, err
		}
	}
	s.addRandom(res, opt)
	return res, nil
}
