package data

import (
	"math"
	"sort"

	"github.com/noisegeom/noisegeom/linalg"
)

// jacobiEigen computes all eigenpairs of the small symmetric matrix a
// (q×q; only read, not modified) by the cyclic Jacobi method. It returns
// the eigenvalues in descending order and the matrix whose ROWS are the
// corresponding orthonormal eigenvectors. Cost O(q³) per sweep; quadratic
// convergence, typically under 10 sweeps. Meant for the q×q Rayleigh–Ritz
// problems of subspace iteration, not for large matrices.
func jacobiEigen(a *linalg.Dense) ([]float64, *linalg.Dense, error) {
	q := a.Rows
	m := a.Clone()
	v := linalg.Identity(q) // columns accumulate the rotations
	var norm float64
	for i := 0; i < q; i++ {
		for _, x := range m.Row(i) {
			norm += x * x
		}
	}
	norm = math.Sqrt(norm)
	converged := q <= 1 || norm == 0
	for sweep := 0; sweep < 60 && !converged; sweep++ {
		var off float64
		for i := 0; i < q; i++ {
			for j := 0; j < q; j++ {
				if i != j {
					off += m.At(i, j) * m.At(i, j)
				}
			}
		}
		if math.Sqrt(off) <= 0x1p-53*norm {
			converged = true
			break
		}
		for p := 0; p < q-1; p++ {
			for r := p + 1; r < q; r++ {
				apr := m.At(p, r)
				if apr == 0 {
					continue
				}
				app, arr := m.At(p, p), m.At(r, r)
				theta := (arr - app) / (2 * apr)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				// m ← Jᵀ m J with J the rotation in the (p, r) plane.
				for k := 0; k < q; k++ {
					mkp, mkr := m.At(k, p), m.At(k, r)
					m.Set(k, p, c*mkp-s*mkr)
					m.Set(k, r, s*mkp+c*mkr)
				}
				for k := 0; k < q; k++ {
					mpk, mrk := m.At(p, k), m.At(r, k)
					m.Set(p, k, c*mpk-s*mrk)
					m.Set(r, k, s*mpk+c*mrk)
				}
				m.Set(p, r, 0)
				m.Set(r, p, 0)
				for k := 0; k < q; k++ {
					vkp, vkr := v.At(k, p), v.At(k, r)
					v.Set(k, p, c*vkp-s*vkr)
					v.Set(k, r, s*vkp+c*vkr)
				}
			}
		}
	}
	if !converged {
		return nil, nil, ErrNoConverge
	}
	order := make([]int, q)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return m.At(order[x], order[x]) > m.At(order[y], order[y]) })
	vals := make([]float64, q)
	vecs := linalg.NewDense(q, q)
	for i, o := range order {
		vals[i] = m.At(o, o)
		for k := 0; k < q; k++ {
			vecs.Set(i, k, v.At(k, o))
		}
	}
	return vals, vecs, nil
}
