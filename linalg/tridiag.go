package linalg

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoConvergence is returned (wrapped) by the eigen-solvers when an
// iteration cap is reached before convergence. Test with errors.Is.
var ErrNoConvergence = errors.New("linalg: eigen-solver did not converge")

// tridiagMaxIterPerEig caps the implicit QL iterations at this many per
// eigenvalue (LAPACK's dsteqr uses 30 as well).
var tridiagMaxIterPerEig = 30

// EigenSymTridiag computes the eigenvalues, and optionally the
// eigenvectors, of the symmetric tridiagonal matrix with diagonal d (length
// n) and off-diagonal e (length n-1, or n with e[n-1] ignored), by implicit
// QL iteration with Wilkinson shifts on each unreduced block, scaled into
// a safe range.
//
// On return d holds the eigenvalues in ascending order and e is destroyed.
// If zt is not nil it must be n×n; row i of zt is overwritten with the unit
// eigenvector of d[i] (so zt holds Zᵀ; T = Zᵀᵀ·diag(d)·Zᵀ). Passing zt =
// nil computes values only, in O(n²) operations.
//
// It returns an error wrapping ErrNoConvergence if more than 30·n
// iterations are needed, or ErrOverflow if an eigenvalue is beyond
// ±math.MaxFloat64; d then holds the values found so far, unsorted, and zt
// is unspecified.
func EigenSymTridiag(d, e []float64, zt *Dense) error {
	n := len(d)
	if len(e) != max(n-1, 0) && len(e) != n {
		panic(fmt.Sprintf("linalg: EigenSymTridiag: len(d) = %d, len(e) = %d, want %d or %d", n, len(e), n-1, n))
	}
	if zt != nil {
		zt.check("EigenSymTridiag")
		if zt.Rows != n || zt.Cols != n {
			panic(fmt.Sprintf("linalg: EigenSymTridiag: zt is %d×%d, want %d×%d", zt.Rows, zt.Cols, n, n))
		}
		zt.Zero()
		for i := 0; i < n; i++ {
			zt.Data[i*zt.Stride+i] = 1
		}
	}
	if n == 0 {
		return nil
	}
	// Work on an off-diagonal of length n with a zero sentinel at the end.
	ee := make([]float64, n)
	copy(ee, e[:n-1])
	var rows [][]float64
	if zt != nil {
		rows = make([][]float64, n)
		for i := range rows {
			rows[i] = zt.Row(i)
		}
	}
	err := tridiagQL(d, ee, rows)
	copy(e[:n-1], ee)
	if err != nil {
		return err
	}
	sortEigen(d, rows)
	if zt != nil {
		// Materialize the row order the references ended in.
		tmp := NewDense(n, n)
		for i, r := range rows {
			copy(tmp.Row(i), r)
		}
		zt.Copy(tmp)
	}
	return nil
}

// tridiagQL runs the implicit QL iteration. e has length n with e[n-1] = 0;
// e[i] couples i and i+1. zt (may be nil) accumulates the rotations in its
// rows.
func tridiagQL(d, e []float64, zt [][]float64) error {
	n := len(d)
	const eps = 0x1p-53
	// Safe range for the scaled block: squares of entries must neither
	// overflow nor underflow (LAPACK's ssfmax/ssfmin idea).
	const ssfmax = 0x1p+480
	const ssfmin = 0x1p-480
	maxIter := tridiagMaxIterPerEig * n
	iter := 0
	var cs, sn []float64
	if zt != nil {
		cs = make([]float64, n)
		sn = make([]float64, n)
	}
	var batch *rotBatch
	if zt != nil {
		batch = newRotBatch(zt)
		defer batch.flush()
	}
	for l0 := 0; l0 < n; {
		// Split off the unreduced block [l0, l1]. (ε·|d| summed, not ε times
		// the sum, which overflows for entries near MaxFloat64.)
		l1 := l0
		for ; l1 < n-1; l1++ {
			if math.Abs(e[l1]) <= eps*math.Abs(d[l1])+eps*math.Abs(d[l1+1]) || e[l1] == 0 {
				e[l1] = 0
				break
			}
		}
		if l1 == l0 {
			l0++
			continue
		}
		// Scale the block by a power of two if it is out of the safe range.
		anorm := 0.0
		for i := l0; i <= l1; i++ {
			anorm = math.Max(anorm, math.Abs(d[i]))
			if i < l1 {
				anorm = math.Max(anorm, math.Abs(e[i]))
			}
		}
		if math.IsNaN(anorm) || math.IsInf(anorm, 0) {
			return fmt.Errorf("%w: non-finite entry in tridiagonal matrix", ErrNoConvergence)
		}
		scale := 0
		if anorm > ssfmax || anorm < ssfmin {
			_, scale = math.Frexp(anorm)
			for i := l0; i <= l1; i++ {
				d[i] = math.Ldexp(d[i], -scale)
				if i < l1 {
					e[i] = math.Ldexp(e[i], -scale)
				}
			}
		}
		// QL on the block: deflate at the top (l) until the block is done.
		for l := l0; l <= l1; {
			m := l
			for ; m < l1; m++ {
				if math.Abs(e[m]) <= eps*math.Abs(d[m])+eps*math.Abs(d[m+1]) {
					e[m] = 0
					break
				}
			}
			if m == l {
				l++
				continue
			}
			iter++
			if iter > maxIter {
				for i := l0; i <= l1; i++ {
					d[i] = math.Ldexp(d[i], scale)
				}
				return fmt.Errorf("%w: tridiagonal QL exceeded %d iterations (n = %d)", ErrNoConvergence, maxIter, n)
			}
			// Wilkinson shift from the leading 2×2 of the block [l, m].
			g := (d[l+1] - d[l]) / (2 * e[l])
			r := math.Hypot(g, 1)
			g = d[m] - d[l] + e[l]/(g+math.Copysign(r, g))
			s, c, p := 1.0, 1.0, 0.0
			i := m - 1
			underflow := false
			for ; i >= l; i-- {
				f := s * e[i]
				b := c * e[i]
				r = math.Hypot(f, g)
				e[i+1] = r
				if r == 0 {
					// Recover from underflow: deflate and restart.
					d[i+1] -= p
					e[m] = 0
					underflow = true
					break
				}
				s = f / r
				c = g / r
				g = d[i+1] - p
				r = (d[i]-g)*s + 2*c*b
				p = s * r
				d[i+1] = g + p
				g = c*r - b
				if zt != nil {
					cs[i], sn[i] = c, s
				}
			}
			if zt != nil {
				lo := i + 1
				if !underflow {
					lo = l
				}
				// Rotation i mixes rows i and i+1 of zt, applied from i = m-1
				// down to lo; batched so that several sweeps pass over the
				// rows together.
				batch.add(lo, m, cs, sn)
			}
			if underflow {
				continue
			}
			d[l] -= p
			e[l] = g
			e[m] = 0
		}
		if scale != 0 {
			for i := l0; i < l1; i++ {
				e[i] = math.Ldexp(e[i], scale)
			}
			if err := unscaleEigen("EigenSymTridiag", d[l0:l1+1], scale); err != nil {
				return err
			}
		}
		l0 = l1 + 1
	}
	return nil
}

// sortEigen sorts d ascending, permuting the row references zt (if not
// nil) along.
func sortEigen(d []float64, zt [][]float64) {
	n := len(d)
	for i := 0; i < n-1; i++ {
		k := i
		for j := i + 1; j < n; j++ {
			if d[j] < d[k] {
				k = j
			}
		}
		if k != i {
			d[i], d[k] = d[k], d[i]
			if zt != nil {
				zt[i], zt[k] = zt[k], zt[i]
			}
		}
	}
}
