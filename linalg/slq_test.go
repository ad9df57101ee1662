package linalg

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// slqIntegrate returns the trapezoid integral of f on the grid.
func slqIntegrate(grid, f []float64) float64 {
	s := 0.0
	for i := 1; i < len(grid); i++ {
		s += 0.5 * (f[i] + f[i-1]) * (grid[i] - grid[i-1])
	}
	return s
}

// slqBinMass integrates the density over [lo, hi) on a fine grid.
func slqBinMass(r *SLQResult, lo, hi, sigma float64, log bool) float64 {
	g := LinGrid(lo, hi, 400)
	var d []float64
	if log {
		d = r.LogDensity(g, sigma, 1e-300)
	} else {
		d = r.Density(g, sigma)
	}
	return slqIntegrate(g, d)
}

func TestSLQDensity(t *testing.T) {
	n, probes := 200, 20
	if testing.Short() {
		n, probes = 120, 10
	}
	rng := rand.New(rand.NewPCG(31, 32))
	q := eigRandOrthogonal(n, rng)
	lam := make([]float64, n)
	for i := range lam {
		// Two bumps: a bulk near 1 and a cluster near 5, with some negatives.
		switch {
		case i < 120:
			lam[i] = 1 + 0.3*rng.NormFloat64()
		case i < 180:
			lam[i] = 5 + 0.2*rng.NormFloat64()
		default:
			lam[i] = -2 + 0.1*rng.NormFloat64()
		}
	}
	op := NewDenseOperator(eigConjugate(q, lam))
	r, err := SLQ(op, SLQOptions{Probes: probes, Steps: 40, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Applies != probes*40 {
		t.Errorf("applies %d, want %d", r.Applies, probes*40)
	}
	for p := range r.Nodes {
		s := 0.0
		for _, w := range r.Weights[p] {
			if w < 0 {
				t.Fatalf("negative weight %g", w)
			}
			s += w
		}
		if math.Abs(s-1) > 10*float64(len(r.Weights[p]))*eigEps {
			t.Errorf("probe %d: weights sum to %.17g", p, s)
		}
	}
	sigma := 0.05
	g := LinGrid(-4, 8, 3000)
	if m := slqIntegrate(g, r.Density(g, sigma)); math.Abs(m-1) > 1e-6 {
		t.Errorf("density integrates to %.9f", m)
	}
	// Bin masses against the fraction of exact eigenvalues per bin. The
	// probe noise of a bin with fraction f is about √(2f/(n·P)); bins are
	// wide against sigma, so edge smearing is below one eigenvalue's share
	// times φ tail mass; allow 5 noise sd plus one eigenvalue (1/n).
	edges := []float64{-4, 0, 3, 8}
	for b := 0; b+1 < len(edges); b++ {
		cnt := 0
		for _, l := range lam {
			if l >= edges[b] && l < edges[b+1] {
				cnt++
			}
		}
		f := float64(cnt) / float64(n)
		got := slqBinMass(r, edges[b], edges[b+1], sigma, false)
		tol := 5*math.Sqrt(2*f/float64(n*probes)) + 1/float64(n)
		if math.Abs(got-f) > tol {
			t.Errorf("bin [%g, %g): SLQ mass %.4f, eigenvalue fraction %.4f (tol %.4f)", edges[b], edges[b+1], got, f, tol)
		}
	}
	// tr(A) and tr(A²) through the quadrature: Hutchinson-like error.
	tr, tr2 := 0.0, 0.0
	for _, l := range lam {
		tr += l
		tr2 += l * l
	}
	if got := r.TraceFunc(func(x float64) float64 { return x * x }); math.Abs(got-tr2) > 5*math.Sqrt(2.0/float64(probes))*tr2 {
		t.Errorf("tr(A²) via SLQ %g, exact %g", got, tr2)
	}
}

// TestSLQLogDensity: a PSD spectrum over ten decades, density of log10 λ.
func TestSLQLogDensity(t *testing.T) {
	n := 150
	probes := 16
	d := make(diagOp, n)
	for i := range d {
		d[i] = math.Pow(10, -10*float64(i)/float64(n-1))
	}
	r, err := SLQ(d, SLQOptions{Probes: probes, Steps: 60, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	g := LinGrid(-13, 3, 2000)
	if m := slqIntegrate(g, r.LogDensity(g, 0.1, 1e-300)); math.Abs(m-1) > 1e-6 {
		t.Errorf("log density integrates to %.9f", m)
	}
	lg := make([]float64, n)
	for i, v := range d {
		lg[i] = math.Log10(v)
	}
	sort.Float64s(lg)
	// The top decades are resolved by Lanczos; the bottom ones (below
	// Steps' resolution) pool into few nodes, so compare coarse bins.
	edges := []float64{-13, -5, -2, 3}
	for b := 0; b+1 < len(edges); b++ {
		cnt := 0
		for _, l := range lg {
			if l >= edges[b] && l < edges[b+1] {
				cnt++
			}
		}
		f := float64(cnt) / float64(n)
		got := slqBinMass(r, edges[b], edges[b+1], 0.1, true)
		tol := 5*math.Sqrt(2*f/float64(n*probes)) + 2/float64(n)
		if math.Abs(got-f) > tol {
			t.Errorf("log bin [%g, %g): mass %.4f, fraction %.4f (tol %.4f)", edges[b], edges[b+1], got, f, tol)
		}
	}
}

// TestSLQInvariant: three distinct eigenvalues make the Krylov space
// invariant after three steps; the rule is then exact in its nodes.
func TestSLQInvariant(t *testing.T) {
	d := make(diagOp, 30)
	for i := range d {
		d[i] = float64(i%3) - 1
	}
	r, err := SLQ(d, SLQOptions{Probes: 4, Steps: 20, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for p, nodes := range r.Nodes {
		if len(nodes) != 3 {
			t.Fatalf("probe %d: %d nodes, want 3", p, len(nodes))
		}
		for i, want := range []float64{-1, 0, 1} {
			if math.Abs(nodes[i]-want) > 1e-13 {
				t.Errorf("node %g, want %g", nodes[i], want)
			}
		}
	}
}
