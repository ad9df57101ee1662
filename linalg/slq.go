package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SLQOptions configures stochastic Lanczos quadrature.
type SLQOptions struct {
	// Probes is the number of random start vectors (default 10).
	Probes int
	// Steps is the number of Lanczos steps per probe, i.e. the number of
	// quadrature nodes (default min(80, Dim)). Memory is Steps·Dim values.
	Steps int
	// Seed seeds the Rademacher probes.
	Seed uint64
}

// SLQResult holds the Gauss quadrature rules of stochastic Lanczos
// quadrature: for probe p, the spectral measure of A seen from the unit
// probe vector v_p, μ_p = Σ_i (u_iᵀv_p)²·δ(λ_i), is approximated by
// Σ_j Weights[p][j]·δ(Nodes[p][j]). The average over probes estimates the
// spectral density (1/n)·Σ_i δ(λ_i).
type SLQResult struct {
	Dim     int
	Nodes   [][]float64 // ascending Ritz values per probe
	Weights [][]float64 // non-negative, summing to one per probe
	Applies int
}

// SLQ runs Steps Lanczos steps with full reorthogonalization (two-pass
// classical Gram–Schmidt through Gemv) from each of Probes normalized
// Rademacher vectors and returns the Gauss quadrature nodes and weights.
// A probe whose Krylov space is invariant before Steps stops early with an
// exact rule of fewer nodes. Tiny operators are scaled as in Lanczos.
func SLQ(op Operator, opt SLQOptions) (*SLQResult, error) {
	n := op.Dim()
	if n == 0 {
		panic("linalg: SLQ: operator of dimension 0")
	}
	probes := opt.Probes
	if probes == 0 {
		probes = 10
	}
	steps := opt.Steps
	if steps == 0 {
		steps = 80
	}
	steps = min(steps, n)
	if probes < 1 || steps < 1 {
		panic(fmt.Sprintf("linalg: SLQ: Probes = %d, Steps = %d", opt.Probes, opt.Steps))
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5851f42d4c957f2d))
	res := &SLQResult{Dim: n, Nodes: make([][]float64, probes), Weights: make([][]float64, probes)}
	v := NewDense(steps+1, n)
	alpha := make([]float64, steps)
	beta := make([]float64, steps)
	coef := make([]float64, steps+1)
	tmp := make([]float64, steps+1)
	scale := 1 / math.Sqrt(float64(n))
	shift := 0 // products are scaled by 2^shift (tinyShift)
	for p := 0; p < probes; p++ {
		v0 := v.Row(0)
		rademacher(v0, rng)
		Scal(scale, v0)
		j := 0
		for j < steps {
			w := v.Row(j + 1)
			op.Apply(w, v.Row(j))
			if res.Applies == 0 {
				shift = tinyShift(Nrm2(w))
			}
			if shift != 0 {
				ldexpAll(w, shift)
			}
			res.Applies++
			normW := Nrm2(w)
			b := cgs2(v.RowsView(0, j+1), w, coef[:j+1], tmp[:j+1])
			alpha[j] = coef[j]
			j++
			if j == steps || b <= lanczosInvariant*normW || b == 0 {
				break
			}
			beta[j-1] = b
			scalInv(b, w)
		}
		d := append([]float64(nil), alpha[:j]...)
		e := append([]float64(nil), beta[:max(j-1, 0)]...)
		zt := NewDense(j, j)
		if err := EigenSymTridiag(d, e, zt); err != nil {
			return nil, fmt.Errorf("linalg: SLQ: %w", err)
		}
		w := make([]float64, j)
		for i := range w {
			z0 := zt.Data[i*zt.Stride]
			w[i] = z0 * z0
		}
		for i := range d {
			d[i] = math.Ldexp(d[i], -shift)
		}
		res.Nodes[p], res.Weights[p] = d, w
	}
	return res, nil
}

// Density returns the Gaussian-broadened spectral density at each grid
// point t: (1/P)·Σ_p Σ_j w_pj·φ_σ(t − θ_pj), with φ_σ the normal density of
// standard deviation sigma > 0. It integrates to one over the real line.
func (r *SLQResult) Density(grid []float64, sigma float64) []float64 {
	return r.density(grid, sigma, func(x float64) float64 { return x })
}

// LogDensity returns the density of log10|λ| for spectra spanning many
// decades: nodes are mapped to log10(max(|θ|, floor)) (floor > 0) and
// broadened by sigma (in decades) on the grid (in log10 units).
func (r *SLQResult) LogDensity(grid []float64, sigma, floor float64) []float64 {
	if !(floor > 0) {
		panic(fmt.Sprintf("linalg: SLQResult.LogDensity: floor = %g", floor))
	}
	return r.density(grid, sigma, func(x float64) float64 { return math.Log10(math.Max(math.Abs(x), floor)) })
}

func (r *SLQResult) density(grid []float64, sigma float64, f func(float64) float64) []float64 {
	if !(sigma > 0) {
		panic(fmt.Sprintf("linalg: SLQResult.Density: sigma = %g", sigma))
	}
	out := make([]float64, len(grid))
	c := 1 / (sigma * math.Sqrt(2*math.Pi) * float64(len(r.Nodes)))
	for p, nodes := range r.Nodes {
		for j, th := range nodes {
			x := f(th)
			wj := r.Weights[p][j] * c
			for g, t := range grid {
				u := (t - x) / sigma
				if u < 40 && u > -40 {
					out[g] += wj * math.Exp(-0.5*u*u)
				}
			}
		}
	}
	return out
}

// TraceFunc estimates tr(f(A)) = Dim · mean over probes of Σ_j w_j·f(θ_j).
func (r *SLQResult) TraceFunc(f func(float64) float64) float64 {
	s := 0.0
	for p, nodes := range r.Nodes {
		for j, th := range nodes {
			s += r.Weights[p][j] * f(th)
		}
	}
	return s * float64(r.Dim) / float64(len(r.Nodes))
}

// LinGrid returns n ≥ 2 equally spaced points from lo to hi inclusive.
func LinGrid(lo, hi float64, n int) []float64 {
	if n < 2 {
		panic(fmt.Sprintf("linalg: LinGrid: n = %d", n))
	}
	g := make([]float64, n)
	for i := range g {
		g[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return g
}
