package verify

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/analysis"
)

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

func metricErr(m analysis.Metric, want float64) float64 {
	if !m.Defined {
		return math.NaN()
	}
	return relErr(m.Value, want)
}

// metricsCase compares analysis.FromObjective on one path (gram, dense,
// matrix-free) with numpy forming the per-sample gradients, Σ₁, Σ and G as
// p×p matrices.
//
// Tolerances (relative): Tr(Σ₁G), Tr Σ₁, Tr G and ‖G‖_F² are sums of
// nonnegative terms, each a product of sums of at most N = n·K·p terms, so
// each side is within γ_N and μ, μ_iso within 4·N·ε of the truth: tol
// 8·N·ε. μ_c subtracts ∇LᵀG∇L, which multiplies the relative error by
// Tr(Σ₁G)/Tr(ΣG). g along the k-th eigenvector u of G: the quadratic forms
// contribute 8·N·ε·(uᵀΣ₁u/uᵀΣu); an error of angle θ in u changes uᵀGu
// only to second order and uᵀΣu by at most 2·θ·‖Σu‖, with θ ≤ e/gap_k,
// e = 2·30·p·ε·‖G‖ for the backward-stable eigensolvers (dense and Gram
// paths, LAPACK's test constant) plus 1e-12·‖G‖ for the matrix-free
// path's Lanczos tolerance; λ_k itself is within e of the reference.
func metricsCase(f *fields) func() ([]Check, error) {
	build := objective(f)
	path := f.str("path")
	n, K, topk := f.dim("n", 1), f.dim("K", 1), f.dim("topk", 1)
	mu, muc, muiso := f.num("mu"), f.num("mu_c"), f.num("mu_iso")
	tr1g, trg := f.num("tr_sigma1_g"), f.num("tr_sigma_g")
	lam, gs := f.vec("top_lambda", topk), f.vec("top_g", topk)
	vsv, vs1v := f.vec("top_vsv", topk), f.vec("top_vs1v", topk)
	gaps, snorm := f.vec("top_gap", topk), f.vec("top_sigma_u_norm", topk)
	lmax := f.num("lambda_max")
	return func() ([]Check, error) {
		o, err := build()
		if err != nil {
			return nil, err
		}
		p := o.NumParams()
		res, err := analysis.FromObjective(o, analysis.Options{Path: path, TopK: topk, Flat: -1, Random: -1})
		if err != nil {
			return nil, err
		}
		if res.Path != path {
			return nil, fmt.Errorf("ran path %q, asked for %q", res.Path, path)
		}
		base := 8 * float64(n*K*p) * eps
		checks := []Check{
			{What: "μ: relative, tol 8·nKp·ε", Err: metricErr(res.Mu, mu), Tol: base},
			{What: "μ_iso: relative, tol 8·nKp·ε", Err: metricErr(res.MuIso, muiso), Tol: base},
			{What: "μ_c: relative, tol 8·nKp·ε·Tr(Σ₁G)/Tr(ΣG)", Err: metricErr(res.MuC, muc), Tol: base * math.Abs(tr1g/trg)},
		}
		e := 2 * lapackThreshold * float64(p) * eps * lmax
		if path == analysis.PathMatrixFree {
			e += 1e-12 * lmax
		}
		k := 0
		for _, dir := range res.Directional {
			if dir.Kind != "top" || dir.K < 1 || dir.K > topk {
				continue
			}
			i := dir.K - 1
			k++
			theta := e / gaps[i]
			checks = append(checks,
				Check{What: fmt.Sprintf("λ_%d of G: |Δλ|, tol 2·30·p·ε‖G‖ (+1e-12‖G‖ matrix-free)", dir.K), Err: math.Abs(dir.Lambda - lam[i]), Tol: e},
				Check{What: fmt.Sprintf("g(u_%d): relative, tol 8·nKp·ε·uᵀΣ₁u/uᵀΣu + 2θ‖Σu‖/uᵀΣu, θ = e/gap", dir.K),
					Err: metricErr(dir.G, gs[i]), Tol: base*vs1v[i]/vsv[i] + 2*theta*snorm[i]/vsv[i]})
		}
		if k != topk {
			return checks, fmt.Errorf("%d top directions computed, want %d", k, topk)
		}
		return checks, nil
	}
}

// populationCase evaluates analysis.LinearGaussian (the closed forms of
// docs/theory.md#gaussian-linear-regression) against exact Gauss–Hermite
// quadrature of the population expectations E[r²xxᵀ], E[rx], E[xxᵀ],
// E[r²] (numpy, 3^(d+1) nodes, exact for these degree-4 polynomials). The quadrature sums N = 3^(d+1)·d
// signed terms per entry and the closed forms O(d³) terms; the traces and
// quotients add a few roundings. With O(1) data (‖S‖ ≤ 3, ‖δ‖ ≤ 2) the sum
// of magnitudes is within a factor 4 of the result, and the centering
// Σ = Σ₁ − ∇L∇Lᵀ loses at most a factor 2: relative tol
// 2·4·2·(3^(d+1)·d + d³)·ε.
func populationCase(f *fields) func() ([]Check, error) {
	d := f.dim("d", 1)
	s := f.mat("s", d, d)
	delta, noise2 := f.vec("delta", d), f.num("noise2")
	nv := f.dim("nv", 0)
	v := f.vec("v", nv*d)
	loss, mu, muc, muiso := f.num("loss"), f.num("mu"), f.num("mu_c"), f.num("mu_iso")
	g := f.vec("g", nv)
	return func() ([]Check, error) {
		lg := analysis.LinearGaussian{S: s, Delta: delta, Noise2: noise2}
		th, err := lg.Evaluate()
		if err != nil {
			return nil, err
		}
		tol := 16 * (math.Pow(3, float64(d+1))*float64(d) + math.Pow(float64(d), 3)) * eps
		checks := []Check{
			{What: "L: relative", Err: relErr(th.Loss, loss), Tol: tol},
			{What: "μ: relative", Err: metricErr(th.Mu, mu), Tol: tol},
			{What: "μ_c: relative", Err: metricErr(th.MuC, muc), Tol: tol},
			{What: "μ_iso: relative", Err: metricErr(th.MuIso, muiso), Tol: tol},
		}
		for j := 0; j < nv; j++ {
			checks = append(checks, Check{What: fmt.Sprintf("g(v_%d): relative", j+1),
				Err: metricErr(lg.Directional(v[j*d:(j+1)*d]), g[j]), Tol: tol})
		}
		for i := range checks {
			checks[i].What += ", tol 16·(3^(d+1)·d + d³)·ε"
		}
		return checks, nil
	}
}
