package data

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// EigenTopK returns the k largest eigenvalues (descending) of the symmetric
// d×d matrix c and a k×d matrix whose rows are the corresponding
// orthonormal eigenvectors. It must not modify c. FitPCA uses it to plug in
// the linalg eigen-solvers; nil selects the built-in subspace iteration
// (TopEigenSym).
type EigenTopK func(c *linalg.Dense, k int) (values []float64, vectors *linalg.Dense, err error)

// PCAOptions configures FitPCA.
type PCAOptions struct {
	Eigen EigenTopK // nil: TopEigenSym with the options below
	Seed  uint64    // start vectors of the subspace iteration
	Tol   float64   // relative residual ‖Cv − λv‖ ≤ Tol·λ₁; 0 means 1e-10
	// MaxIter bounds the subspace iterations; 0 means 2000.
	MaxIter int
}

// PCA is a fitted projection onto the top-k principal components. Unlike
// the synthetic generators, PCA runs on the linalg kernels, so its results
// agree across kernel tables and architectures to rounding, not bit for bit.
type PCA struct {
	Mean       []float64     // feature means (length d)
	Components *linalg.Dense // k×d, orthonormal rows, by decreasing variance
	Variances  []float64     // variance along each component (covariance eigenvalues)
	Total      float64       // total variance Tr(C)
}

// pcaChunk is the row block in which data are centred, bounding the extra
// memory to pcaChunk×d.
const pcaChunk = 2048

// Covariance returns the population covariance (1/n)·Σ(x−μ)(x−μ)ᵀ of the
// rows of x and their mean, accumulating centred row blocks with Gemm.
func Covariance(x *linalg.Dense) (*linalg.Dense, []float64) {
	n, d := x.Rows, x.Cols
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		linalg.Axpy(1, x.Row(i), mean)
	}
	linalg.Scal(1/float64(n), mean)
	c := linalg.NewDense(d, d)
	buf := linalg.NewDense(min(pcaChunk, n), d)
	for i0 := 0; i0 < n; i0 += pcaChunk {
		r := min(pcaChunk, n-i0)
		b := buf.RowsView(0, r)
		for i := 0; i < r; i++ {
			row := b.Row(i)
			copy(row, x.Row(i0+i))
			linalg.Axpy(-1, mean, row)
		}
		linalg.Gemm(linalg.T, linalg.NoTrans, 1/float64(n), b, b, 1, c)
	}
	return c, mean
}

// FitPCA fits the top-k principal components of the rows of x.
func FitPCA(x *linalg.Dense, k int, opt PCAOptions) (*PCA, error) {
	n, d := x.Rows, x.Cols
	if n < 2 || k < 1 || k > d {
		return nil, specErr("PCA of %d×%d data to k = %d (need n ≥ 2, 1 ≤ k ≤ d)", n, d, k)
	}
	c, mean := Covariance(x)
	eig := opt.Eigen
	if eig == nil {
		eig = func(c *linalg.Dense, k int) ([]float64, *linalg.Dense, error) {
			return TopEigenSym(c, k, opt.Seed, opt.Tol, opt.MaxIter)
		}
	}
	vals, vecs, err := eig(c, k)
	if err != nil {
		return nil, fmt.Errorf("data: PCA: %w", err)
	}
	if len(vals) != k || vecs == nil || vecs.Rows != k || vecs.Cols != d {
		return nil, fmt.Errorf("data: PCA: eigen-solver returned %d values and a %d×%d matrix, want %d and %d×%d",
			len(vals), vecs.Rows, vecs.Cols, k, k, d)
	}
	p := &PCA{Mean: mean, Components: vecs, Variances: vals}
	for i := 0; i < d; i++ {
		p.Total += c.At(i, i)
	}
	return p, nil
}

// Transform returns the n×k projection (x − mean)·Vᵀ.
func (p *PCA) Transform(x *linalg.Dense) *linalg.Dense {
	n, d, k := x.Rows, x.Cols, p.Components.Rows
	if d != len(p.Mean) {
		panic(fmt.Sprintf("data: PCA.Transform: %d features, fitted on %d", d, len(p.Mean)))
	}
	z := linalg.NewDense(n, k)
	buf := linalg.NewDense(min(pcaChunk, max(n, 1)), d)
	for i0 := 0; i0 < n; i0 += pcaChunk {
		r := min(pcaChunk, n-i0)
		b := buf.RowsView(0, r)
		for i := 0; i < r; i++ {
			row := b.Row(i)
			copy(row, x.Row(i0+i))
			linalg.Axpy(-1, p.Mean, row)
		}
		linalg.Gemm(linalg.NoTrans, linalg.T, 1, b, p.Components, 0, z.RowsView(i0, i0+r))
	}
	return z
}

// ProjectPCA fits PCA to ds and replaces its inputs by the k-dimensional
// projection; it returns the fitted PCA for use on other splits.
func ProjectPCA(ds *Dataset, k int, opt PCAOptions) (*PCA, error) {
	p, err := FitPCA(ds.X, k, opt)
	if err != nil {
		return nil, err
	}
	ds.X = p.Transform(ds.X)
	ds.Shape, ds.Range, ds.Population = nil, nil, nil
	return p, nil
}

// TopEigenSym returns the k largest eigenvalues of the symmetric positive
// semi-definite d×d matrix c (descending) and the k×d matrix of their
// eigenvectors (rows), by subspace (orthogonal) iteration with
// Rayleigh–Ritz on a block of q = min(d, k+max(8, k/4)) vectors:
//
//	Z = V·C;  H = Z·Vᵀ (q×q);  H = U Θ Uᵀ (Jacobi);  W = UᵀV, CW = UᵀZ;
//	stop when ‖(CW)_i − θ_i W_i‖ ≤ tol·θ_1 for i < k;  else V = orth(CW).
//
// Vectors converge at the rate (λ_{q+1}/λ_k)^iter. Only Gemm from linalg
// is used, plus a small Jacobi solver. It returns an error wrapping
// ErrNoConverge when maxIter iterations do not reach tol.
func TopEigenSym(c *linalg.Dense, k int, seed uint64, tol float64, maxIter int) ([]float64, *linalg.Dense, error) {
	d := c.Rows
	if c.Cols != d || k < 1 || k > d {
		return nil, nil, specErr("TopEigenSym: %d×%d matrix, k = %d", c.Rows, c.Cols, k)
	}
	if tol <= 0 {
		tol = 1e-10
	}
	if maxIter <= 0 {
		maxIter = 2000
	}
	q := min(d, k+max(8, k/4))
	v := linalg.NewDense(q, d)
	gaussianRows(v, seed)
	orthonormalizeRows(v)
	z := linalg.NewDense(q, d)
	h := linalg.NewDense(q, q)
	w := linalg.NewDense(q, d)
	cw := linalg.NewDense(q, d)
	res := make([]float64, d)
	for it := 0; it < maxIter; it++ {
		linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, v, c, 0, z) // Z = V C (C symmetric)
		linalg.Gemm(linalg.NoTrans, linalg.T, 1, z, v, 0, h)
		// Symmetrise H against rounding before the Jacobi solve.
		for i := 0; i < q; i++ {
			for j := 0; j < i; j++ {
				s := 0.5 * (h.At(i, j) + h.At(j, i))
				h.Set(i, j, s)
				h.Set(j, i, s)
			}
		}
		theta, u, err := jacobiEigen(h)
		if err != nil {
			return nil, nil, fmt.Errorf("TopEigenSym: Rayleigh–Ritz: %w", err)
		}
		linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, u, v, 0, w)  // Ritz vectors
		linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, u, z, 0, cw) // C times them
		scale := math.Max(math.Abs(theta[0]), math.SmallestNonzeroFloat64)
		worst := 0.0
		for i := 0; i < k; i++ {
			copy(res, cw.Row(i))
			linalg.Axpy(-theta[i], w.Row(i), res)
			worst = math.Max(worst, linalg.Nrm2(res)/scale)
		}
		if worst <= tol || theta[0] == 0 {
			vecs := linalg.NewDense(k, d)
			vecs.Copy(w.RowsView(0, k))
			return append([]float64(nil), theta[:k]...), vecs, nil
		}
		v.Copy(cw)
		orthonormalizeRows(v)
	}
	return nil, nil, fmt.Errorf("TopEigenSym: %w after %d iterations (k = %d, d = %d)", ErrNoConverge, maxIter, k, d)
}

func gaussianRows(m *linalg.Dense, seed uint64) {
	s := newStream(seed, rolePCA, 0)
	for i := 0; i < m.Rows; i++ {
		s.normals(m.Row(i))
	}
}

// orthonormalizeRows makes the rows of m orthonormal by Gram–Schmidt done
// twice; a row that vanishes (rank deficiency) is replaced by a fresh
// random direction orthogonal to the others.
func orthonormalizeRows(m *linalg.Dense) {
	s := newStream(0x5eed, rolePCA, 1)
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		orig := linalg.Nrm2(row)
		for attempt := 0; ; attempt++ {
			for pass := 0; pass < 2; pass++ {
				for j := 0; j < i; j++ {
					linalg.Axpy(-linalg.Dot(m.Row(j), row), m.Row(j), row)
				}
			}
			nrm := linalg.Nrm2(row)
			if nrm > 1e-10*orig && nrm > 0 || attempt == 8 {
				if nrm > 0 {
					linalg.Scal(1/nrm, row)
				}
				break
			}
			s.normals(row)
			orig = linalg.Nrm2(row)
		}
	}
}
