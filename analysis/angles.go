package analysis

import (
	"fmt"
	"math"
	"slices"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// PrincipalAngles returns the principal angles (radians, ascending)
// between the spans of the rows of u (k₁×p) and v (k₂×p), each with
// orthonormal rows: arccos of the singular values of u·vᵀ, min(k₁, k₂) of
// them. The singular values come from the eigenvalues of (uvᵀ)ᵀ(uvᵀ)
// (clamped to [0, 1]), so angles below about √ε are resolved only to
// √ε.
func PrincipalAngles(u, v *linalg.Dense) []float64 {
	if u.Cols != v.Cols {
		panic(fmt.Sprintf("analysis: PrincipalAngles: %d and %d columns", u.Cols, v.Cols))
	}
	if u.Rows > v.Rows {
		u, v = v, u
	}
	k := u.Rows
	if k == 0 {
		return nil
	}
	m := linalg.NewDense(u.Rows, v.Rows)
	linalg.Gemm(linalg.NoTrans, linalg.T, 1, u, v, 0, m)
	mm := linalg.NewDense(k, k)
	linalg.Syrk(linalg.NoTrans, 1, m, 0, mm)
	vals, _, err := linalg.EigenSym(mm, false)
	if err != nil {
		panic(err) // a k×k matrix of finite entries
	}
	out := make([]float64, k)
	for i, s2 := range vals {
		out[i] = math.Acos(min(1, math.Sqrt(max(0, s2))))
	}
	slices.Sort(out)
	return out
}

// topVectors runs Lanczos for the top k eigenvectors of op (rows of the
// result, orthonormal).
func topVectors(op linalg.Operator, k int, seed uint64) (*linalg.Dense, []float64, error) {
	k = min(k, op.Dim())
	res, err := linalg.Lanczos(op, linalg.LanczosOptions{K: k, Seed: seed, Tol: 1e-12})
	if err != nil {
		return nil, nil, err
	}
	return res.Vectors, res.Values, nil
}

// subspaceAngles sets res.Angles: the principal angles between the top-k
// eigenspaces of Σ (centered, by Lanczos on the Covariance operator) and
// of G (rows of gvec), and res.SigmaEigenvalues.
func subspaceAngles(res *Result, obj *models.Objective, gvec *linalg.Dense, k int, seed uint64) error {
	cov, err := NewCovariance(obj, CovarianceOptions{})
	if err != nil {
		return err
	}
	sv, svals, err := topVectors(cov, k, seed)
	if err != nil {
		return fmt.Errorf("analysis: Lanczos on Σ: %w", err)
	}
	res.SigmaEigenvalues = svals
	res.Angles = PrincipalAngles(sv, gvec)
	noteCut(res, "G", res.Eigenvalues, gvec.Rows)
	return nil
}

// noteCut adds a note when the top-k eigenspace is not unique because the
// k-th and (k+1)-th eigenvalues (vals, largest first) coincide to 1e-8
// relative.
func noteCut(res *Result, what string, vals []float64, k int) {
	if k < len(vals) && k > 0 && vals[k-1]-vals[k] <= 1e-8*math.Abs(vals[0]) {
		res.Notes = append(res.Notes, fmt.Sprintf("top-%d eigenspace of %s is not unique (λ_%d = λ_%d): the angles depend on the basis chosen", k, what, k, k+1))
	}
}
