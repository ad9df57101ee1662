package verify

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/escape"
)

// criticalCase compares analysis.SGDCriticalRate (the largest eigenvalue
// of 𝓛^{-1/2}Q𝓛^{-1/2} by Lanczos) with bisection on the spectral radius
// of the explicit linear map T_η = E_B[(I−ηA_B)⊗(I−ηA_B)] over every
// minibatch (numpy). Relative tolerance: Lanczos stops at a residual of
// 1e-12 times the operator norm, which for this positive operator bounds
// the relative error of its largest eigenvalue 1/η*; the bisection
// brackets η* to 4ε; numpy's eigenvalues of the r²×r² map are within
// 2·30·r²·ε of ρ, which moves the crossing ρ(η) = 1 by that much divided
// by the sensitivity η·dρ/dη (stored by the script); the factor 2 covers
// the eigen-decomposition of A on the Go side. GD's 2/λ_max is within
// 2·30·p·ε relatively (backward-stable eigenvalues, as for EigenSym).
func criticalCase(f *fields) func() ([]Check, error) {
	n, p := f.dim("n", 1), f.dim("p", 1)
	F := f.mat("f", n, p)
	batch, repl := f.dim("batch", 1), f.boolean("replacement")
	sgd, gd := f.num("eta_sgd"), f.num("eta_gd")
	rank, sens := f.dim("rank", 0), f.num("sensitivity")
	return func() ([]Check, error) {
		cr, err := analysis.SGDCriticalRate(F, batch, repl)
		if err != nil {
			return nil, err
		}
		r2 := float64(rank * rank)
		tol := 2 * (1e-12 + 4*eps + 2*lapackThreshold*r2*eps/math.Abs(sens))
		return []Check{
			{What: "η*_SGD: relative, tol 2(1e-12 + 4ε + 2·30·r²·ε/(η dρ/dη))", Err: relErr(cr.SGD, sgd), Tol: tol},
			{What: "η_GD = 2/λ_max: relative, tol 2·30·p·ε", Err: relErr(cr.GD, gd), Tol: 2 * lapackThreshold * float64(p) * eps},
			{What: "rank of A: |Δ|, tol 0", Err: math.Abs(float64(cr.Rank - rank)), Tol: 0},
		}, nil
	}
}

// recursionCase compares escape.Quadratic.Exact (the recursion in the
// eigenbasis of A with E[A_B M A_B] = α·Dg(M) + β·AMA) with numpy
// iterating M_{t+1} = E_B[(I−ηA_B) M_t (I−ηA_B)] by enumerating every
// minibatch and projecting D_k = u_kᵀMu_k.
//
// The map T is Frobenius-self-adjoint with spectral radius ρ (stored), so
// ‖M_t‖_F ≤ ρ^t‖M_0‖_F. Each step rounds with error at most
// γ_{np}·max_B‖I−ηA_B‖²·‖M_t‖ on each side, and the Go side works in a
// computed eigenbasis of A (backward error e = 30·p·ε‖A‖), which perturbs
// each X_B = I−ηA_B by η·e; these errors propagate through T, so
//
//	|ΔD_k(t)| / (ρ^t‖M_0‖_F) ≤ 2·t·ε·(n·p·x² + 2·η·30·p‖A‖·x)/ρ + 2·sinθ,
//
// x² = max_B‖X_B‖² (stored), sinθ ≤ 2·30·p·ε‖A‖/gap_min the angle
// between the two sides' eigenvectors u_k. Directions outside the range
// of A (zero eigenvalue, possibly repeated) carry D_k(0) on both sides.
func recursionCase(f *fields) func() ([]Check, error) {
	n, p := f.dim("n", 1), f.dim("p", 1)
	F := f.mat("f", n, p)
	batch, repl := f.dim("batch", 1), f.boolean("replacement")
	eta, steps, every := f.num("eta"), f.dim("steps", 1), f.dim("every", 1)
	lawName, radius := f.str("law"), f.num("radius")
	recSteps := f.vec("rec_steps", -1)
	want := f.mat("d", len(recSteps), p)
	rho, x2, rank := f.num("rho"), f.num("xnorm2"), f.dim("rank", 1)
	lambdas, gaps := f.vec("lambdas", p), f.vec("gaps", p)
	return func() ([]Check, error) {
		law, err := escape.ParsePerturbation(lawName)
		if err != nil {
			return nil, err
		}
		q, err := escape.NewQuadratic(F)
		if err != nil {
			return nil, err
		}
		s, err := q.Exact(eta, batch, repl, law, radius, steps, every)
		if err != nil {
			return nil, err
		}
		if len(s.Steps) != len(recSteps) {
			return nil, fmt.Errorf("recorded %d steps, reference %d", len(s.Steps), len(recSteps))
		}
		lmax := lambdas[0]
		gapMin := math.Inf(1)
		for k := 0; k < rank; k++ { // range directions; the null space is degenerate but inert
			gapMin = math.Min(gapMin, gaps[k])
		}
		sin := 2 * lapackThreshold * float64(p) * eps * lmax / gapMin
		m0 := radius * radius / math.Sqrt(float64(rank))
		if law == escape.Isotropic {
			m0 = radius * radius / math.Sqrt(float64(p))
		}
		tolAt := func(t int) float64 {
			return 2*float64(t)*eps*(float64(n*p)*x2+2*eta*lapackThreshold*float64(p)*lmax*math.Sqrt(x2))/rho + 2*sin
		}
		worst := Check{What: "D_k(t): max |ΔD_k(t)|/(ρ^t‖M_0‖_F), tol 2tε(npx² + 60pη‖A‖x)/ρ + 2 sinθ"}
		worstRatio := -1.0
		for i, t := range s.Steps {
			if float64(t) != recSteps[i] {
				return nil, fmt.Errorf("step %d recorded as %d, reference %g", i, t, recSteps[i])
			}
			if len(s.D[i]) != p {
				return nil, fmt.Errorf("D has %d entries, want %d", len(s.D[i]), p)
			}
			scale := math.Pow(rho, float64(t)) * m0
			tol := tolAt(t)
			for k := 0; k < p; k++ {
				c := Check{Err: math.Abs(s.D[i][k]-want.At(i, k)) / scale, Tol: tol}
				if r := c.ratio(); r > worstRatio || math.IsNaN(c.Err) {
					worstRatio = r
					worst.Err, worst.Tol = c.Err, c.Tol
					if math.IsNaN(c.Err) {
						worstRatio = math.Inf(1)
					}
				}
			}
		}
		// E L = ½Σλ_k D_k: |ΔL| ≤ ½Σλ_k·max_k|ΔD_k| + the eigenvalues' own
		// relative error 2·30·p·ε.
		last := len(s.Steps) - 1
		trA, lref := 0.0, halfDot(lambdas, want.Row(last))
		for _, l := range lambdas {
			trA += l
		}
		return []Check{worst,
			{What: fmt.Sprintf("E L(t=%d) = ½Σλ_k D_k: relative, tol ½Tr A·(D_k tol)·ρ^t‖M_0‖_F/L + 2·30·p·ε", s.Steps[last]),
				Err: relErr(s.Loss[last], lref),
				Tol: 0.5*trA*tolAt(s.Steps[last])*math.Pow(rho, float64(s.Steps[last]))*m0/lref + 2*lapackThreshold*float64(p)*eps},
		}, nil
	}
}

func halfDot(l, d []float64) float64 {
	s := 0.0
	for k := range l {
		s += 0.5 * l[k] * d[k]
	}
	return s
}
