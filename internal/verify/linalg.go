package verify

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// lapackThreshold is LAPACK's pass threshold for its eigensolver test
// ratios (dsyt21: ‖A − ZΛZᵀ‖/(n‖A‖ε) and ‖ZᵀZ − I‖/(nε) must stay below
// 30 in LAPACK's own test suite); we use it as the constant of the
// backward-error bound p(n)·ε·‖A‖ = 30·n·ε·‖A‖ of a stable eigensolver.
const lapackThreshold = 30

// absProduct returns |α|·(|op(A)||op(B)|)_ij + |β||C0_ij|: the scale of the
// componentwise error bound of C = α·op(A)op(B) + β·C0. Plain loops.
func absProduct(m, n, k int, alpha, beta float64, opA, opB func(i, j int) float64, c0 []float64) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for l := 0; l < k; l++ {
				s += math.Abs(opA(i, l) * opB(l, j))
			}
			out[i*n+j] = math.Abs(alpha)*s + math.Abs(beta)*math.Abs(c0[i*n+j])
		}
	}
	return out
}

// componentwise returns max_ij |got − want|/scale_ij (exact equality
// required where the scale is 0).
func componentwise(got, want, scale []float64) float64 {
	e := 0.0
	for i := range got {
		d := math.Abs(got[i] - want[i])
		switch {
		case math.IsNaN(d):
			return math.NaN()
		case scale[i] > 0:
			e = math.Max(e, d/scale[i])
		case d > 0:
			return math.Inf(1)
		}
	}
	return e
}

// productTol is the tolerance of a componentwise product check with inner
// dimension k: each side is within γ_{k+2} ≈ (k+2)·u of the exact value
// relative to the scale (k products summed, the α scaling and the β·C0
// term), so they differ by at most 2γ_{k+2} ≈ (k+2)·ε; the extra factor 2
// covers 1/(1 − ku) and the summation order.
func productTol(k int) float64 { return 2 * float64(k+2) * eps }

func gemmCase(f *fields) func() ([]Check, error) {
	ta, tb := f.boolean("ta"), f.boolean("tb")
	m, n, k := f.dim("m", 1), f.dim("n", 1), f.dim("k", 1)
	alpha, beta := f.num("alpha"), f.num("beta")
	ar, ac := m, k
	if ta {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb {
		br, bc = n, k
	}
	a, b := f.mat("a", ar, ac), f.mat("b", br, bc)
	c0, want := f.vec("c0", m*n), f.vec("c", m*n)
	return func() ([]Check, error) {
		c := linalg.NewDenseData(m, n, append([]float64(nil), c0...))
		linalg.Gemm(linalg.Trans(ta), linalg.Trans(tb), alpha, a, b, beta, c)
		opA := func(i, l int) float64 {
			if ta {
				return a.At(l, i)
			}
			return a.At(i, l)
		}
		opB := func(l, j int) float64 {
			if tb {
				return b.At(j, l)
			}
			return b.At(l, j)
		}
		scale := absProduct(m, n, k, alpha, beta, opA, opB, c0)
		return []Check{{What: "C: max_ij |ΔC_ij| / (|α||A||B| + |β||C0|)_ij, tol 2(k+2)ε",
			Err: componentwise(c.Data, want, scale), Tol: productTol(k)}}, nil
	}
}

func gemvCase(f *fields) func() ([]Check, error) {
	t := f.boolean("t")
	rows, cols := f.dim("rows", 1), f.dim("cols", 1)
	alpha, beta := f.num("alpha"), f.num("beta")
	a := f.mat("a", rows, cols)
	m, k := rows, cols
	if t {
		m, k = cols, rows
	}
	x, y0, want := f.vec("x", k), f.vec("y0", m), f.vec("y", m)
	return func() ([]Check, error) {
		y := append([]float64(nil), y0...)
		linalg.Gemv(linalg.Trans(t), alpha, a, x, beta, y)
		opA := func(i, l int) float64 {
			if t {
				return a.At(l, i)
			}
			return a.At(i, l)
		}
		scale := absProduct(m, 1, k, alpha, beta, opA, func(l, _ int) float64 { return x[l] }, y0)
		return []Check{{What: "y: max_i |Δy_i| / (|α||A||x| + |β||y0|)_i, tol 2(k+2)ε",
			Err: componentwise(y, want, scale), Tol: productTol(k)}}, nil
	}
}

// nrm2Case: the sum of n squares of one sign has relative error ≤ γ_{n+1}
// (also after the scaling that avoids over- and underflow, by powers of
// two or by Blue's constants, which costs at most a few more u); the square
// root halves it and adds u. The reference is exact to within u (the
// correctly rounded square root of the exact rational sum). So
// |Δ|/‖x‖ ≤ (n + 4)·u = (n + 4)·ε/2.
func nrm2Case(f *fields) func() ([]Check, error) {
	x := f.vec("x", -1)
	want := f.num("norm")
	return func() ([]Check, error) {
		got := linalg.Nrm2(x)
		return []Check{{What: "‖x‖: |Δ| / ‖x‖, tol (n+4)ε/2",
			Err: math.Abs(got-want) / want, Tol: float64(len(x)+4) * eps / 2}}, nil
	}
}

// symFromLower builds the full symmetric matrix from its packed lower
// triangle (row by row, j ≤ i).
func symFromLower(n int, lower []float64) *linalg.Dense {
	a := linalg.NewDense(n, n)
	l := 0
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			a.Set(i, j, lower[l])
			a.Set(j, i, lower[l])
			l++
		}
	}
	return a
}

// norm1 is the maximum absolute column sum.
func norm1(a *linalg.Dense) float64 {
	s := make([]float64, a.Cols)
	for i := 0; i < a.Rows; i++ {
		for j, v := range a.Row(i) {
			s[j] += math.Abs(v)
		}
	}
	m := 0.0
	for _, v := range s {
		m = math.Max(m, v)
	}
	return m
}

// eigenSymCase compares linalg.EigenSym with LAPACK dsyevd. Both are
// backward stable: their eigenvalues are exact for A + E with
// ‖E‖₂ ≤ 30·n·ε·‖A‖₂ (LAPACK's test threshold, lapackThreshold), so by
// Weyl |Δλ_i| ≤ 2·30·n·ε·‖A‖₂. The eigenvectors are checked by LAPACK's
// own test ratios (residual and orthogonality, each < 30·n·ε) and, where
// the reference vectors are stored, per cluster of (numerically) equal
// eigenvalues by the sine of the largest principal angle between the
// computed and the reference invariant subspaces: Davis–Kahan bounds it by
// ‖E‖/gap per side, so the Frobenius sine (≤ √k times the largest) must be
// ≤ √k·2·30·n·ε·‖A‖₂/gap, gap the distance of the cluster to the rest of
// the spectrum.
func eigenSymCase(f *fields) func() ([]Check, error) {
	n := f.dim("n", 1)
	a := symFromLower(n, f.vec("lower", n*(n+1)/2))
	want := f.vec("values", n)
	var zref *linalg.Dense
	if _, ok := f.data["vectors"]; ok {
		zref = f.mat("vectors", n, n)
	}
	return func() ([]Check, error) {
		vals, z, err := linalg.EigenSym(a, true)
		if err != nil {
			return nil, err
		}
		anorm := 0.0
		for _, v := range want {
			anorm = math.Max(anorm, math.Abs(v))
		}
		nf := float64(n)
		dl := 0.0
		for i := range vals {
			dl = math.Max(dl, math.Abs(vals[i]-want[i]))
		}
		checks := []Check{{What: "values: max|Δλ| / ‖A‖₂, tol 2·30·n·ε",
			Err: dl / anorm, Tol: 2 * lapackThreshold * nf * eps}}
		// Residual ‖AZ − ZΛ‖₁/‖A‖₁ and orthogonality ‖ZᵀZ − I‖₁.
		az := linalg.NewDense(n, n)
		linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, a, z, 0, az)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				az.Set(i, j, az.At(i, j)-z.At(i, j)*vals[j])
			}
		}
		ztz := linalg.NewDense(n, n)
		linalg.Gemm(linalg.T, linalg.NoTrans, 1, z, z, 0, ztz)
		for i := 0; i < n; i++ {
			ztz.Set(i, i, ztz.At(i, i)-1)
		}
		checks = append(checks,
			Check{What: "residual: ‖AZ − ZΛ‖₁ / ‖A‖₁, tol 30·n·ε (LAPACK dsyt21)", Err: norm1(az) / norm1(a), Tol: lapackThreshold * nf * eps},
			Check{What: "orthogonality: ‖ZᵀZ − I‖₁, tol 30·n·ε (LAPACK dsyt21)", Err: norm1(ztz), Tol: lapackThreshold * nf * eps})
		if zref == nil {
			return checks, nil
		}
		for _, cl := range clusters(want, math.Sqrt(eps)*anorm) {
			k := cl[1] - cl[0]
			gap := math.Inf(1)
			if cl[0] > 0 {
				gap = want[cl[0]] - want[cl[0]-1]
			}
			if cl[1] < n {
				gap = math.Min(gap, want[cl[1]]-want[cl[1]-1])
			}
			s := subspaceSine(z.ColsView(cl[0], cl[1]), zref.ColsView(cl[0], cl[1]))
			checks = append(checks, Check{
				What: fmt.Sprintf("vectors %d..%d: ‖sin Θ‖_F vs reference subspace, tol √k·2·30·n·ε·‖A‖₂/gap", cl[0], cl[1]-1),
				Err:  s, Tol: math.Sqrt(float64(k)) * 2 * lapackThreshold * nf * eps * anorm / gap})
		}
		return checks, nil
	}
}

// clusters splits ascending values into runs whose neighbours differ by at
// most tol: half-open index ranges [lo, hi).
func clusters(vals []float64, tol float64) [][2]int {
	var out [][2]int
	lo := 0
	for i := 1; i <= len(vals); i++ {
		if i == len(vals) || vals[i]-vals[i-1] > tol {
			out = append(out, [2]int{lo, i})
			lo = i
		}
	}
	return out
}

// subspaceSine returns ‖(I − ZZᵀ)W‖_F for orthonormal columns Z and W
// (n×k): the Frobenius norm of the sines of the principal angles, computed
// without the cancellation of 1 − cos².
func subspaceSine(z, w *linalg.Dense) float64 {
	k := z.Cols
	ztw := linalg.NewDense(k, k)
	linalg.Gemm(linalg.T, linalg.NoTrans, 1, z, w, 0, ztw)
	r := w.Clone()
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, -1, z, ztw, 1, r)
	s := 0.0
	for i := 0; i < r.Rows; i++ {
		for _, v := range r.Row(i) {
			s += v * v
		}
	}
	return math.Sqrt(s)
}

// tridiagCase compares linalg.EigenSymTridiag (implicit QL) with LAPACK's
// tridiagonal solvers through scipy. Both are backward stable in the
// normwise sense (QL is not guaranteed to deliver small eigenvalues of a
// graded matrix to high relative accuracy), so by Weyl
// |Δλ_i| ≤ 2·30·n·ε·‖T‖₂.
func tridiagCase(f *fields) func() ([]Check, error) {
	n := f.dim("n", 1)
	d, e, want := f.vec("d", n), f.vec("e", n-1), f.vec("values", n)
	return func() ([]Check, error) {
		dd, ee := append([]float64(nil), d...), append(append([]float64(nil), e...), 0)
		if err := linalg.EigenSymTridiag(dd, ee, nil); err != nil {
			return nil, err
		}
		tn, dl := 0.0, 0.0
		for i := range want {
			tn = math.Max(tn, math.Abs(want[i]))
			dl = math.Max(dl, math.Abs(dd[i]-want[i]))
		}
		return []Check{{What: "values: max|Δλ| / ‖T‖₂, tol 2·30·n·ε", Err: dl / tn, Tol: 2 * lapackThreshold * float64(n) * eps}}, nil
	}
}

// lanczosCase runs linalg.Lanczos (K = 5, Tol 1e-12, Verify) on
// A = diag(d) + UUᵀ, formed here by plain loops, and compares with the
// top eigenpairs of LAPACK dsyevd. For each Ritz pair (θ, u) with explicit
// residual ρ = ‖Au − θu‖ there is an eigenvalue within ρ of θ
// (Krylov–Bogoliubov), and the angle to its eigenvector is at most ρ/gap
// (Davis–Kahan); the reference adds its own backward error 30·n·ε·‖A‖.
// So |θ_i − λ_i| ≤ ρ_i + 2·30·n·ε‖A‖ and sin∠(u_i, z_i) ≤
// (ρ_i + 2·30·n·ε‖A‖)/gap_i; matching by index also checks that no
// eigenvalue among the top 5 was missed.
func lanczosCase(f *fields) func() ([]Check, error) {
	n, r, k := f.dim("n", 1), f.dim("r", 1), f.dim("k", 1)
	d, u := f.vec("d", n), f.mat("u", n, r)
	want, zref := f.vec("values", k), f.mat("vectors", k, n)
	gaps, anorm := f.vec("gaps", k), f.num("norm")
	return func() ([]Check, error) {
		a := linalg.NewDense(n, n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for l := 0; l < r; l++ {
					s += u.At(i, l) * u.At(j, l)
				}
				if i == j {
					s += d[i]
				}
				a.Set(i, j, s)
			}
		}
		res, err := linalg.Lanczos(linalg.NewDenseOperator(a), linalg.LanczosOptions{K: k, Tol: 1e-12, Seed: 1, Verify: true})
		if err != nil {
			return nil, err
		}
		base := 2 * lapackThreshold * float64(n) * eps * anorm
		var checks []Check
		ax := make([]float64, n)
		for i := 0; i < k; i++ {
			v := res.Vectors.Row(i)
			linalg.Gemv(linalg.NoTrans, 1, a, v, 0, ax)
			linalg.Axpy(-res.Values[i], v, ax)
			rho := linalg.Nrm2(ax)
			w := zref.Row(i)
			c := linalg.Dot(v, w)
			s := 0.0
			for j := range v {
				t := w[j] - c*v[j]
				s += t * t
			}
			checks = append(checks,
				Check{What: fmt.Sprintf("λ_%d: |θ − λ|, tol ‖Au − θu‖ + 2·30·n·ε‖A‖", i+1), Err: math.Abs(res.Values[i] - want[i]), Tol: rho + base},
				Check{What: fmt.Sprintf("u_%d: sin∠(u, z), tol (‖Au − θu‖ + 2·30·n·ε‖A‖)/gap", i+1), Err: math.Sqrt(s), Tol: (rho + base) / gaps[i]})
		}
		return checks, nil
	}
}
