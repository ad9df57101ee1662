package linalg

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// diagOp is the operator diag(d), independent of Gemv.
type diagOp []float64

func (d diagOp) Dim() int { return len(d) }
func (d diagOp) Apply(dst, src []float64) {
	for i, v := range d {
		dst[i] = v * src[i]
	}
}

// lanczosWant returns the exact eigenvalues Lanczos should report, in its
// output order, from the ascending spectrum lam.
func lanczosWant(lam []float64, k int, which Which) []float64 {
	n := len(lam)
	var out []float64
	switch which {
	case Largest:
		for q := 0; q < k; q++ {
			out = append(out, lam[n-1-q])
		}
	case Smallest:
		out = append(out, lam[:k]...)
	case BothEnds:
		for q := 0; q < (k+1)/2; q++ {
			out = append(out, lam[n-1-q])
		}
		out = append(out, lam[:k/2]...)
	}
	return out
}

// lanczosCheck verifies a Lanczos result against the known spectrum lam
// (ascending) of op: every pair converged, |θ − λ| ≤ residual + c·n·ε·‖A‖
// (a symmetric matrix has an eigenvalue within the residual of every Ritz
// value; matching by rank holds for converged extreme pairs), the true
// residual ‖Au − θu‖ ≤ reported + c·n·ε·‖A‖, and orthonormal vectors.
func lanczosCheck(t *testing.T, name string, op Operator, lam []float64, opt LanczosOptions, r *LanczosResult) {
	t.Helper()
	n := op.Dim()
	k := opt.K
	tol := opt.Tol
	if tol == 0 {
		tol = 1e-10
	}
	an := math.Max(math.Abs(lam[0]), math.Abs(lam[n-1]))
	slack := 10 * float64(n) * eigEps * an
	want := lanczosWant(lam, k, opt.Which)
	au := make([]float64, n)
	for i := 0; i < k; i++ {
		if !r.Converged[i] {
			t.Errorf("%s: pair %d not converged (res %g)", name, i, r.Residuals[i])
		}
		if r.Residuals[i] > tol*r.NormEst {
			t.Errorf("%s: residual %g > tol·‖A‖ = %g", name, r.Residuals[i], tol*r.NormEst)
		}
		if d := math.Abs(r.Values[i] - want[i]); d > r.Residuals[i]+slack {
			t.Errorf("%s: θ[%d] = %.17g, want %.17g (diff %g, residual %g)", name, i, r.Values[i], want[i], d, r.Residuals[i])
		}
		u := r.Vectors.Row(i)
		op.Apply(au, u)
		s := 0.0
		for c := range au {
			d := au[c] - r.Values[i]*u[c]
			s += d * d
		}
		if tr := math.Sqrt(s); tr > r.Residuals[i]+slack {
			t.Errorf("%s: true residual %g > reported %g + %g", name, tr, r.Residuals[i], slack)
		}
		for j := 0; j <= i; j++ {
			d := Dot(u, r.Vectors.Row(j))
			if i == j {
				d--
			}
			if math.Abs(d) > 10*float64(n)*eigEps {
				t.Errorf("%s: u%d·u%d off by %g", name, i, j, d)
			}
		}
	}
}

func TestLanczosKnownSpectrum(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	n := 150
	if testing.Short() {
		n = 80
	}
	q := eigRandOrthogonal(n, rng)
	spectra := map[string][]float64{}
	g := make([]float64, n)
	for i := range g {
		g[i] = rng.NormFloat64()
	}
	spectra["indefinite"] = g
	pl := make([]float64, n)
	for i := range pl {
		pl[i] = math.Pow(float64(i+1), -1.5)
	}
	spectra["powerlaw"] = pl
	clu := make([]float64, n)
	for i := range clu {
		clu[i] = float64(i) / float64(n)
	}
	clu[n-1], clu[n-2], clu[n-3] = 2, 2+1e-9, 2+2e-9 // tight cluster at the top
	spectra["cluster"] = clu
	for name, sp := range spectra {
		lam := append([]float64(nil), sp...)
		sort.Float64s(lam)
		op := NewDenseOperator(eigConjugate(q, sp))
		whiches := []Which{Largest, Smallest, BothEnds}
		if name == "powerlaw" {
			// The bottom of a power-law spectrum has relative gaps of 1e-5:
			// not a Lanczos problem.
			whiches = whiches[:1]
		}
		for _, which := range whiches {
			for _, k := range []int{1, 3, 6} {
				for _, local := range []bool{false, true} {
					opt := LanczosOptions{K: k, Which: which, BasisSize: 2*k + 12, Seed: uint64(k), LocalFirstPass: local}
					r, err := Lanczos(op, opt)
					if err != nil {
						t.Fatalf("%s %v k=%d local=%v: %v", name, which, k, local, err)
					}
					lanczosCheck(t, name+"/"+which.String(), op, lam, opt, r)
				}
			}
		}
	}
}

// TestLanczosSmallDims covers p = 1, p = 2 and K = p, where the basis spans
// the whole space.
func TestLanczosSmallDims(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{1, 2, 3, 7} {
		q := eigRandOrthogonal(n, rng)
		lam := make([]float64, n)
		for i := range lam {
			lam[i] = rng.NormFloat64()
		}
		a := eigConjugate(q, lam)
		sort.Float64s(lam)
		op := NewDenseOperator(a)
		dense, _, err := EigenSym(a, false)
		if err != nil {
			t.Fatal(err)
		}
		eigCheckValues(t, dense, lam)
		for _, which := range []Which{Largest, Smallest, BothEnds} {
			for k := 1; k <= n; k++ {
				opt := LanczosOptions{K: k, Which: which, Seed: 5, LocalFirstPass: k%2 == 0}
				r, err := Lanczos(op, opt)
				if err != nil {
					t.Fatalf("n=%d k=%d %v: %v", n, k, which, err)
				}
				lanczosCheck(t, "small", op, lam, opt, r)
			}
		}
	}
}

// TestLanczosInvariant: operators whose Krylov spaces are exhausted early
// (zero, rank-deficient, few distinct repeated eigenvalues, start vector
// in an eigenspace) still give every wanted pair with multiplicity.
func TestLanczosInvariant(t *testing.T) {
	n := 60
	rng := rand.New(rand.NewPCG(25, 26))
	q := eigRandOrthogonal(n, rng)
	cases := map[string][]float64{}
	cases["zero"] = make([]float64, n)
	rk := make([]float64, n)
	rk[0], rk[1], rk[2] = 3, -1, 0.5 // rank 3, indefinite
	cases["rank3"] = rk
	rep := make([]float64, n)
	for i := range rep {
		rep[i] = float64(i%3) - 1 // -1, 0, 1 each 20 times
	}
	cases["repeated"] = rep
	for name, sp := range cases {
		lam := append([]float64(nil), sp...)
		sort.Float64s(lam)
		ops := map[string]Operator{"dense": NewDenseOperator(eigConjugate(q, sp)), "diag": diagOp(sp)}
		for on, op := range ops {
			for _, which := range []Which{Largest, Smallest, BothEnds} {
				for _, local := range []bool{false, true} {
					opt := LanczosOptions{K: 5, Which: which, BasisSize: 12, Seed: 9, LocalFirstPass: local}
					r, err := Lanczos(op, opt)
					if err != nil {
						t.Fatalf("%s/%s %v: %v", name, on, which, err)
					}
					lanczosCheck(t, name+"/"+on+"/"+which.String(), op, lam, opt, r)
				}
			}
		}
	}
	// Start vector e_0, an eigenvector of a diagonal operator.
	d := make(diagOp, n)
	for i := range d {
		d[i] = float64(i)
	}
	start := make([]float64, n)
	start[0] = 1
	opt := LanczosOptions{K: 4, Which: Largest, BasisSize: 10, Start: start}
	r, err := Lanczos(d, opt)
	if err != nil {
		t.Fatal(err)
	}
	lanczosCheck(t, "eigen-start", d, []float64(d), opt, r)
}

func TestLanczosDeterministicAndCap(t *testing.T) {
	n := 300
	d := make(diagOp, n)
	for i := range d {
		d[i] = 1 + float64(i)*1e-3 // slow convergence
	}
	opt := LanczosOptions{K: 5, BasisSize: 11, Seed: 3, MaxApplies: 40}
	r1, err := Lanczos(d, opt)
	if !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("err = %v, want ErrNoConvergence", err)
	}
	if r1 == nil || r1.Applies > 40 || len(r1.Values) != 5 {
		t.Fatalf("capped result %+v", r1)
	}
	r2, _ := Lanczos(d, opt)
	for i := range r1.Values {
		if r1.Values[i] != r2.Values[i] || r1.Residuals[i] != r2.Residuals[i] {
			t.Fatal("same seed, different result")
		}
	}
}

// TestLanczosVerifyRepeated: a triple eigenvalue at each end of a rich
// spectrum whose neighbours converge fast. From one start vector Lanczos
// sees one copy only (in exact arithmetic); Verify must recover all.
func TestLanczosVerifyRepeated(t *testing.T) {
	n := 120
	sp := make([]float64, n)
	for i := range sp {
		sp[i] = float64(i) / float64(n)
	}
	sp[10], sp[50], sp[100], sp[110], sp[111] = 5, 5, 5, 4, 3
	sp[20], sp[60], sp[90], sp[30], sp[31] = -5, -5, -5, -4, -3
	lam := append([]float64(nil), sp...)
	sort.Float64s(lam)
	rng := rand.New(rand.NewPCG(41, 42))
	q := eigRandOrthogonal(n, rng)
	ops := map[string]Operator{"diag": diagOp(sp), "dense": NewDenseOperator(eigConjugate(q, sp))}
	for on, op := range ops {
		for _, c := range []struct {
			which Which
			k     int
		}{{Largest, 3}, {Largest, 4}, {Smallest, 3}, {BothEnds, 6}, {BothEnds, 5}} {
			for _, local := range []bool{false, true} {
				opt := LanczosOptions{K: c.k, Which: c.which, BasisSize: 16, Seed: 2, LocalFirstPass: local, Verify: true}
				r, err := Lanczos(op, opt)
				if err != nil {
					t.Fatalf("%s %v k=%d: %v", on, c.which, c.k, err)
				}
				lanczosCheck(t, fmt.Sprintf("%s/%v/k=%d/local=%v", on, c.which, c.k, local), op, lam, opt, r)
			}
		}
	}
}
