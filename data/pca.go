package data

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
)

// EigenTopK returns the k largest eigenvalues (descending) of the symmetric
// d×d matrix c and a k×d matrix whose rows are the corresponding
// orthonormal eigenvectors. It must not modify c. FitPCA uses it to plug in
// another eigen-solver; nil selects TopEigenSym.
type EigenTopK func(c *linalg.Dense, k int) (values []float64, vectors *linalg.Dense, err error)

// PCAOptions configures FitPCA.
type PCAOptions struct {
	Eigen EigenTopK // nil: TopEigenSym (dense linalg.EigenSym)
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
		eig = TopEigenSym
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

// TopEigenSym returns the k largest eigenvalues of the symmetric d×d
// matrix c in descending order and the k×d matrix whose rows are their
// orthonormal eigenvectors, from the dense eigen-decomposition
// linalg.EigenSym (which reads only the lower triangle of c).
func TopEigenSym(c *linalg.Dense, k int) ([]float64, *linalg.Dense, error) {
	d := c.Rows
	if c.Cols != d || k < 1 || k > d {
		return nil, nil, specErr("TopEigenSym: %d×%d matrix, k = %d", c.Rows, c.Cols, k)
	}
	vals, z, err := linalg.EigenSym(c, true)
	if err != nil {
		return nil, nil, fmt.Errorf("TopEigenSym: %w", err)
	}
	top := make([]float64, k)
	vecs := linalg.NewDense(k, d)
	for r := range k {
		top[r] = vals[d-1-r]
		z.Col(vecs.Row(r), d-1-r)
	}
	return top, vecs, nil
}
