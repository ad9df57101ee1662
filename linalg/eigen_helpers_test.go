package linalg

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

const eigEps = 0x1p-52

// eigRandOrthogonal returns a seeded random n×n orthogonal matrix, formed
// naively as a product of n Householder reflectors with Gaussian vectors
// (independent of the code under test).
func eigRandOrthogonal(n int, rng *rand.Rand) *Dense {
	q := NewDense(n, n)
	for i := 0; i < n; i++ {
		q.Data[i*n+i] = 1
	}
	u := make([]float64, n)
	for r := 0; r < n; r++ {
		s := 0.0
		for i := range u {
			u[i] = rng.NormFloat64()
			s += u[i] * u[i]
		}
		if s == 0 {
			continue
		}
		// q = q·(I − 2uuᵀ/s)
		for i := 0; i < n; i++ {
			row := q.Data[i*n : i*n+n]
			t := 0.0
			for j := range row {
				t += row[j] * u[j]
			}
			t *= 2 / s
			for j := range row {
				row[j] -= t * u[j]
			}
		}
	}
	return q
}

// eigConjugate returns Q·diag(lambda)·Qᵀ with both triangles, naive loops.
func eigConjugate(q *Dense, lambda []float64) *Dense {
	n := len(lambda)
	a := NewDense(n, n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := 0.0
			for k := 0; k < n; k++ {
				s += q.Data[i*n+k] * lambda[k] * q.Data[j*n+k]
			}
			a.Data[i*n+j] = s
			a.Data[j*n+i] = s
		}
	}
	return a
}

// eigToeplitz returns the tridiagonal Toeplitz matrix (diag a, off b) and its
// eigenvalues a + 2b·cos(kπ/(n+1)), ascending.
func eigToeplitz(n int, a, b float64) (*Dense, []float64) {
	m := NewDense(n, n)
	for i := 0; i < n; i++ {
		m.Data[i*n+i] = a
		if i+1 < n {
			m.Data[i*n+i+1] = b
			m.Data[(i+1)*n+i] = b
		}
	}
	lam := make([]float64, n)
	for k := 1; k <= n; k++ {
		lam[k-1] = a + 2*b*math.Cos(float64(k)*math.Pi/float64(n+1))
	}
	sort.Float64s(lam)
	return m, lam
}

// eigFrob returns the Frobenius norm of a (both triangles as stored).
func eigFrob(a *Dense) float64 {
	s := 0.0
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			s += a.At(i, j) * a.At(i, j)
		}
	}
	return math.Sqrt(s)
}

// eigCheckDecomp checks ‖AZ − ZΛ‖_F ≤ c·n·ε·‖A‖_F and ‖ZᵀZ − I‖_F ≤ c·n·ε
// (c = 10, LAPACK's tests use 30) with naive loops, and ascending order.
func eigCheckDecomp(t *testing.T, a *Dense, vals []float64, z *Dense) {
	t.Helper()
	const c = 10
	n := a.Rows
	for i := 1; i < n; i++ {
		if vals[i] < vals[i-1] {
			t.Fatalf("eigenvalues not ascending at %d: %g < %g", i, vals[i], vals[i-1])
		}
	}
	if z == nil {
		return
	}
	an := eigFrob(a)
	res, orth := 0.0, 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			o := 0.0
			for k := 0; k < n; k++ {
				s += a.Data[i*a.Stride+k] * z.Data[k*z.Stride+j]
				o += z.Data[k*z.Stride+i] * z.Data[k*z.Stride+j]
			}
			s -= z.Data[i*z.Stride+j] * vals[j]
			if i == j {
				o--
			}
			res += s * s
			orth += o * o
		}
	}
	res, orth = math.Sqrt(res), math.Sqrt(orth)
	fn := float64(max(n, 1))
	if res > c*fn*eigEps*an {
		t.Errorf("n=%d: ‖AZ−ZΛ‖ = %g > %g = c·n·ε·‖A‖", n, res, c*fn*eigEps*an)
	}
	if orth > c*fn*eigEps {
		t.Errorf("n=%d: ‖ZᵀZ−I‖ = %g > %g = c·n·ε", n, orth, c*fn*eigEps)
	}
}

// eigCheckValues checks |vals[i] − want[i]| ≤ c·n·ε·‖A‖₂ (Weyl), with
// ‖A‖₂ = max|want|.
func eigCheckValues(t *testing.T, vals, want []float64) {
	t.Helper()
	an := 0.0
	for _, w := range want {
		an = math.Max(an, math.Abs(w))
	}
	eigCheckValuesNorm(t, vals, want, an)
}

// eigCheckValuesNorm is eigCheckValues with ‖A‖ given (for closed forms
// whose own rounding is relative to ‖A‖).
func eigCheckValuesNorm(t *testing.T, vals, want []float64, an float64) {
	t.Helper()
	const c = 10
	n := len(want)
	tol := c * float64(max(n, 1)) * eigEps * an
	for i := range want {
		if math.Abs(vals[i]-want[i]) > tol {
			t.Errorf("n=%d: λ[%d] = %.17g, want %.17g (|diff| %g > %g)", n, i, vals[i], want[i], math.Abs(vals[i]-want[i]), tol)
		}
	}
}
