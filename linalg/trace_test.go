package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// traceTestMatrix returns a dense symmetric matrix with a power-law spectrum
// (plus an indefinite tail) conjugated by a random orthogonal matrix, and
// its exact trace.
func traceTestMatrix(n int, seed uint64) (*Dense, float64) {
	rng := rand.New(rand.NewPCG(seed, 77))
	q := eigRandOrthogonal(n, rng)
	lam := make([]float64, n)
	tr := 0.0
	for i := range lam {
		lam[i] = 10 * math.Pow(float64(i+1), -1.2)
		if i%4 == 3 {
			lam[i] = -0.3
		}
		tr += lam[i]
	}
	return eigConjugate(q, lam), tr
}

// traceCoverage runs est over seeds and checks that |est − tr| ≤ 2·SE holds
// at the rate the Student t distribution with df degrees of freedom gives
// (within four binomial standard deviations).
func traceCoverage(t *testing.T, name string, seeds int, want float64, df int, est func(seed uint64) TraceEstimate) float64 {
	t.Helper()
	// P(|T_df| ≤ 2) for the degrees of freedom used below.
	nominal := map[int]float64{9: 0.92344, 19: 0.94000, 29: 0.94514}[df]
	if nominal == 0 {
		t.Fatalf("no nominal coverage for df=%d", df)
	}
	hit := 0
	meanSE := 0.0
	for s := 0; s < seeds; s++ {
		e := est(uint64(s))
		if e.Probes != df+1 {
			t.Fatalf("%s: %d probes, want %d", name, e.Probes, df+1)
		}
		if math.Abs(e.Trace-want) <= 2*e.StdErr {
			hit++
		}
		meanSE += e.StdErr / float64(seeds)
	}
	cov := float64(hit) / float64(seeds)
	t.Logf("%s: coverage %.3f (nominal %.3f), mean SE %.4g", name, cov, nominal, meanSE)
	sd := math.Sqrt(nominal * (1 - nominal) / float64(seeds))
	if math.Abs(cov-nominal) > 4*sd {
		t.Errorf("%s: coverage of ±2·SE = %.3f, nominal %.3f ± %.3f (4 sd)", name, cov, nominal, 4*sd)
	}
	return meanSE
}

func TestTraceEstimatorsCoverage(t *testing.T) {
	n, seeds := 60, 400
	if testing.Short() {
		n, seeds = 30, 200
	}
	a, tr := traceTestMatrix(n, 1)
	op := NewDenseOperator(a)
	// Exact per-probe variance of Hutchinson: 2(‖A‖_F² − Σ a_ii²).
	v := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				v += a.At(i, j) * a.At(i, j)
			}
		}
	}
	seH := traceCoverage(t, "Hutchinson", seeds, tr, 29, func(s uint64) TraceEstimate { return Hutchinson(op, 30, s) })
	if want := math.Sqrt(2 * v / 30); math.Abs(seH-want) > 0.1*want {
		t.Errorf("Hutchinson mean SE %g, theory %g", seH, want)
	}
	seP := traceCoverage(t, "Hutch++", seeds, tr, 9, func(s uint64) TraceEstimate { return HutchPlusPlus(op, 30, s) })
	if seP >= seH {
		t.Errorf("Hutch++ SE %g not below Hutchinson's %g on a decaying spectrum", seP, seH)
	}
}

func TestTraceEstimatorsExactCases(t *testing.T) {
	// Diagonal: every Rademacher quadratic form equals the trace.
	d := diagOp{1, -2, 3.5, 0, 7}
	e := Hutchinson(d, 5, 1)
	if math.Abs(e.Trace-9.5) > 1e-14 || e.StdErr > 1e-14 {
		t.Errorf("diagonal Hutchinson: %+v", e)
	}
	// Rank ≤ budget/3: Hutch++'s sketch captures the whole range.
	n := 40
	rng := rand.New(rand.NewPCG(3, 3))
	q := eigRandOrthogonal(n, rng)
	lam := make([]float64, n)
	lam[0], lam[1], lam[2] = 5, -2, 1
	op := NewDenseOperator(eigConjugate(q, lam))
	h := HutchPlusPlus(op, 12, 2)
	if math.Abs(h.Trace-4) > 1e-12 || h.StdErr > 1e-12 {
		t.Errorf("rank-3 Hutch++: %+v", h)
	}
	if h.Applies > 12 {
		t.Errorf("Hutch++ used %d applications, budget 12", h.Applies)
	}
}
