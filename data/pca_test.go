package data

import (
	"errors"
	"math"
	"sort"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"gonum.org/v1/gonum/mat"
)

// gonumTopK is an independent eigen-solver (gonum's EigenSym) in the
// EigenTopK shape, used as the oracle and to test the plug-in path.
func gonumTopK(c *linalg.Dense, k int) ([]float64, *linalg.Dense, error) {
	d := c.Rows
	s := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			s.SetSym(i, j, c.At(i, j))
		}
	}
	var e mat.EigenSym
	if !e.Factorize(s, true) {
		return nil, nil, errors.New("gonum EigenSym failed")
	}
	vals := e.Values(nil)
	var vecs mat.Dense
	e.VectorsTo(&vecs)
	idx := make([]int, d)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return vals[idx[a]] > vals[idx[b]] })
	out := linalg.NewDense(k, d)
	top := make([]float64, k)
	for r := 0; r < k; r++ {
		top[r] = vals[idx[r]]
		for j := 0; j < d; j++ {
			out.Set(r, j, vecs.At(j, idx[r]))
		}
	}
	return top, out, nil
}

func pcaData(t *testing.T, n int) *Dataset {
	d := 30
	ds, err := Generate(GaussianSpec{N: n, Spectrum: mustSpectrum(t, "powerlaw:1.2", d), Rotate: true, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	// Shift the mean so centring matters.
	for i := 0; i < n; i++ {
		for j := range ds.X.Row(i) {
			ds.X.Row(i)[j] += float64(j)
		}
	}
	return ds
}

func TestPCAAgainstGonum(t *testing.T) {
	ds := pcaData(t, 3000)
	k := 6
	c, _ := Covariance(ds.X)
	want, wvecs, err := gonumTopK(c, k)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		eig  EigenTopK
	}{{"default TopEigenSym", nil}, {"plug-in gonum", gonumTopK}} {
		p, err := FitPCA(ds.X, k, PCAOptions{Eigen: tc.eig})
		if err != nil {
			t.Fatal(err)
		}
		// With residual ‖Cv − θv‖ ≤ tol·λ₁ (tol = 1e-10) the eigenvalue error
		// is ≤ tol·λ₁ and the angle to the true vector ≤ tol·λ₁/gap; the
		// smallest gap among λ₁..λ₇ here is ≈ 0.02·λ₁, so the angle is
		// ≤ 5e-9 and 1 − |cos| ≤ 1.3e-17 plus rounding (≈ 1e-16).
		for i := 0; i < k; i++ {
			if math.Abs(p.Variances[i]-want[i]) > 1e-9*want[0] {
				t.Errorf("%s: λ_%d = %v want %v", tc.name, i, p.Variances[i], want[i])
			}
			cos := math.Abs(linalg.Dot(p.Components.Row(i), wvecs.Row(i)))
			if 1-cos > 1e-13 {
				t.Errorf("%s: component %d: |cos| = %v", tc.name, i, cos)
			}
		}
		// The projection has mean 0 and covariance diag(λ_1..λ_k).
		z := p.Transform(ds.X)
		zc, zm := Covariance(z)
		for i := 0; i < k; i++ {
			if math.Abs(zm[i]) > 1e-9*math.Sqrt(want[0]) {
				t.Errorf("%s: projected mean %v", tc.name, zm[i])
			}
			for j := 0; j < k; j++ {
				w := 0.0
				if i == j {
					w = p.Variances[i]
				}
				if math.Abs(zc.At(i, j)-w) > 1e-8*want[0] {
					t.Errorf("%s: projected covariance (%d,%d) = %v want %v", tc.name, i, j, zc.At(i, j), w)
				}
			}
		}
	}
}

func TestPCAEdgeCases(t *testing.T) {
	// Rank-deficient data (low rank 3 in d = 10): the top 3 are found and
	// the rest are zero; asking for 5 still converges.
	ds, _ := Generate(GaussianSpec{N: 200, Spectrum: mustSpectrum(t, "lowrank:3", 10), Rotate: true, Seed: 2})
	p, err := FitPCA(ds.X, 5, PCAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 3; i < 5; i++ {
		if math.Abs(p.Variances[i]) > 1e-12*p.Variances[0] {
			t.Errorf("λ_%d = %v, want 0", i, p.Variances[i])
		}
	}
	// Constant data: all variances zero, no error.
	x := linalg.NewDense(5, 4)
	for i := range x.Data {
		x.Data[i] = 3
	}
	if p, err := FitPCA(x, 2, PCAOptions{}); err != nil || p.Variances[0] != 0 {
		t.Errorf("constant data: %v %v", p, err)
	}
	// Solver errors propagate; bad k rejected; MaxIter exhaustion reported.
	bad := func(*linalg.Dense, int) ([]float64, *linalg.Dense, error) { return nil, nil, linalg.ErrNoConvergence }
	if _, err := FitPCA(ds.X, 2, PCAOptions{Eigen: bad}); !errors.Is(err, linalg.ErrNoConvergence) {
		t.Errorf("solver error: %v", err)
	}
	if _, err := FitPCA(ds.X, 11, PCAOptions{}); err == nil {
		t.Error("k > d accepted")
	}
	big := pcaData(t, 500)
	// ProjectPCA replaces the inputs.
	if _, err := ProjectPCA(big, 4, PCAOptions{}); err != nil || big.D() != 4 {
		t.Errorf("ProjectPCA: d=%d err=%v", big.D(), err)
	}
}
