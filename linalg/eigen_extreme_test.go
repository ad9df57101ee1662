package linalg

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eigExtremeCase is a symmetric matrix built at scale s with its
// eigenvalues in closed form, computed from the stored entries (so that
// rounding of s times a small integer, which is exact for subnormal s, does
// not enter the comparison).
type eigExtremeCase struct {
	name  string
	build func(s float64) (*Dense, []float64)
}

// eigRankOne is s·u·uᵀ for u = (1, 2, 2, 4, 1, 2, …) of length n:
// eigenvalues 0 (n−1 times) and s·‖u‖², exact in integers.
func eigRankOne(n int) func(s float64) (*Dense, []float64) {
	return func(s float64) (*Dense, []float64) {
		u := make([]float64, n)
		norm2 := 0.0
		for i := range u {
			u[i] = []float64{1, 2, 2, 4}[i%4]
			norm2 += u[i] * u[i]
		}
		a := NewDense(n, n)
		for i := range n {
			for j := range n {
				a.Set(i, j, s*(u[i]*u[j]))
			}
		}
		want := make([]float64, n)
		want[n-1] = s * norm2
		return a, want
	}
}

var eigExtremeCases = []eigExtremeCase{
	{"2×2 [[s, −s], [−s, s]]", func(s float64) (*Dense, []float64) {
		return NewDenseData(2, 2, []float64{s, -s, -s, s}), []float64{0, 2 * s}
	}},
	{"2×2 [[3s, s], [s, 3s]]", func(s float64) (*Dense, []float64) {
		a := NewDenseData(2, 2, []float64{3 * s, s, s, 3 * s})
		return a, []float64{a.At(0, 0) - s, a.At(0, 0) + s}
	}},
	{"diagonal", func(s float64) (*Dense, []float64) {
		d := []float64{3 * s, -s, 2 * s, 0, s / 2, -7 * s}
		a := NewDense(len(d), len(d))
		for i, v := range d {
			a.Set(i, i, v)
		}
		want := slices.Clone(d)
		slices.Sort(want)
		return a, want
	}},
	{"rank one, n = 4", eigRankOne(4)},
	{"rank one, n = 120 (divide and conquer)", eigRankOne(120)},
}

// TestEigenSymExtremeScales checks EigenSym against closed forms for
// matrices near overflow, near underflow and of subnormal numbers (which
// are scaled like any other): eigenvalues within c·n·ε·‖A‖ plus the
// subnormal spacing, eigenvectors orthonormal and A·Z = Z·Λ, the residual
// taken on A and Λ scaled by the same exact power of two into the normal
// range.
func TestEigenSymExtremeScales(t *testing.T) {
	for _, s := range []float64{1e300, 1e-300, 1e-310, 0x1p-1060} {
		for _, tc := range eigExtremeCases {
			for _, wantVectors := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/s=%g/vectors=%v", tc.name, s, wantVectors), func(t *testing.T) {
					a, want := tc.build(s)
					vals, z, err := EigenSym(a, wantVectors)
					require.NoError(t, err)
					an := 0.0
					for _, w := range want {
						an = math.Max(an, math.Abs(w))
					}
					tol := 10*float64(a.Rows)*eigEps*an + 0x1p-1074
					for i := range want {
						assert.InDelta(t, want[i], vals[i], tol, "λ[%d]", i)
					}
					if !wantVectors {
						return
					}
					// Scale by 2^e so that max|entry| is about 1: exact.
					_, e := math.Frexp(an)
					as := NewDense(a.Rows, a.Cols)
					for i := range a.Rows {
						for j := range a.Cols {
							as.Set(i, j, math.Ldexp(a.At(i, j), -e))
						}
					}
					vs := make([]float64, len(vals))
					for i, v := range vals {
						vs[i] = math.Ldexp(v, -e)
					}
					eigCheckDecomp(t, as, vs, z)
				})
			}
		}
	}
}

// TestEigenSymOverflow: an eigenvalue beyond MaxFloat64 of a finite
// matrix is an error wrapping ErrOverflow, not a silent +Inf; one just
// inside the range is computed.
func TestEigenSymOverflow(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    *Dense
		want []float64 // nil: ErrOverflow
	}{
		{"[[1e308, −1e308], [−1e308, 1e308]]", NewDenseData(2, 2, []float64{1e308, -1e308, -1e308, 1e308}), nil},
		{"−[[1e308, −1e308], [−1e308, 1e308]]", NewDenseData(2, 2, []float64{-1e308, 1e308, 1e308, -1e308}), nil},
		{"diag(MaxFloat64) + 1e308 coupling", NewDenseData(2, 2, []float64{math.MaxFloat64, 1e308, 1e308, math.MaxFloat64}), nil},
		{"[[8e307, −8e307], [−8e307, 8e307]]", NewDenseData(2, 2, []float64{8e307, -8e307, -8e307, 8e307}), []float64{0, 1.6e308}},
		{"diag(±MaxFloat64)", NewDenseData(2, 2, []float64{math.MaxFloat64, 0, 0, -math.MaxFloat64}), []float64{-math.MaxFloat64, math.MaxFloat64}},
	} {
		for _, wantVectors := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/vectors=%v", tc.name, wantVectors), func(t *testing.T) {
				vals, _, err := EigenSym(tc.a, wantVectors)
				if tc.want == nil {
					require.Error(t, err, "values %v", vals)
					assert.True(t, errors.Is(err, ErrOverflow), "%v", err)
					assert.Contains(t, err.Error(), "EigenSym")
					return
				}
				require.NoError(t, err)
				eigCheckValues(t, vals, tc.want)
			})
		}
	}
	// The tridiagonal solver on its own.
	d, e := []float64{1e308, 1e308}, []float64{-1e308}
	err := EigenSymTridiag(d, e, nil)
	assert.True(t, errors.Is(err, ErrOverflow), "EigenSymTridiag: %v, d = %v", err, d)
}

// TestIterativeSubnormal: Lanczos, SLQ and Hutch++ on a matrix of
// subnormal numbers (normalizing a vector of norm below 1/MaxFloat64 used
// to multiply by an infinite reciprocal, and Lanczos reported a
// "non-finite matrix entry") agree with EigenSym, which scales.
func TestIterativeSubnormal(t *testing.T) {
	const n = 8
	a, _ := eigRankOne(n)(1e-313)
	for i := range n {
		a.Set(i, i, a.At(i, i)+float64(i)*1e-314)
	}
	want, _, err := EigenSym(a, false)
	require.NoError(t, err)
	slices.Reverse(want) // descending, as Lanczos returns the largest
	// Backward error c·n·ε·‖A‖, plus the absolute error of the operator's
	// products, which are subnormal: at most 2⁻¹⁰⁷⁵ per product, n per
	// element of A·v, carried through the n steps.
	tol := 10*n*eigEps*want[0] + 10*n*n*0x1p-1074

	r, err := Lanczos(NewDenseOperator(a), LanczosOptions{K: 3, Which: Largest, Seed: 1})
	require.NoError(t, err)
	for i, v := range r.Values {
		assert.InDelta(t, want[i], v, tol+r.Residuals[i], "Lanczos λ[%d]", i)
		assert.InDelta(t, 1, Nrm2(r.Vectors.Row(i)), 10*n*eigEps, "Ritz vector %d", i)
	}

	q, err := SLQ(NewDenseOperator(a), SLQOptions{Probes: 2, Steps: n, Seed: 1})
	require.NoError(t, err)
	for p, nodes := range q.Nodes {
		sum := 0.0
		for j, w := range q.Weights[p] {
			sum += w
			assert.False(t, math.IsNaN(nodes[j]) || math.IsNaN(w), "SLQ probe %d node %d: %v, %v", p, j, nodes[j], w)
		}
		assert.InDelta(t, 1, sum, 1e-12, "SLQ probe %d weights", p)
		assert.InDelta(t, want[0], nodes[len(nodes)-1], tol, "SLQ probe %d top node", p)
	}

	trace := 0.0
	for i := range n {
		trace += a.At(i, i)
	}
	// With budget 3n+2 the sketch spans the space: only rounding remains.
	est := HutchPlusPlus(NewDenseOperator(a), 3*n+2, 1)
	assert.InDelta(t, trace, est.Trace, tol, "Hutch++")
}
