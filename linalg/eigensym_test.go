package linalg

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// eigSizes returns the matrix orders to test: across the unblocked/blocked
// crossover, several panels and strips, and the back-transform block.
func eigSizes(t *testing.T) []int {
	if testing.Short() {
		return []int{0, 1, 2, 3, 5, 17, 65, 98}
	}
	return []int{0, 1, 2, 3, 4, 5, 17, 33, 64, 65, 97, 130, 200}
}

func TestEigenSymKnownSpectrum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range eigSizes(t) {
		q := eigRandOrthogonal(n, rng)
		spectra := map[string][]float64{}
		lam := make([]float64, n)
		for i := range lam {
			lam[i] = rng.NormFloat64()
		}
		spectra["gaussian"] = append([]float64(nil), lam...)
		rep := make([]float64, n)
		for i := range rep {
			rep[i] = float64(i % 3) // repeated: 0, 1, 2
		}
		spectra["repeated"] = rep
		clu := make([]float64, n)
		for i := range clu {
			clu[i] = 1 + 1e-12*float64(i%4) // tight cluster
			if i%5 == 0 {
				clu[i] = -3
			}
		}
		spectra["cluster"] = clu
		spectra["zero"] = make([]float64, n)
		grad := make([]float64, n)
		for i := range grad {
			grad[i] = math.Pow(10, -12*float64(i)/float64(max(n-1, 1))) // 1 … 1e-12
		}
		spectra["graded"] = grad
		for name, sp := range spectra {
			a := eigConjugate(q, sp)
			want := append([]float64(nil), sp...)
			sort.Float64s(want)
			vals, z, err := EigenSym(a, true)
			if err != nil {
				t.Fatalf("%s n=%d: %v", name, n, err)
			}
			eigCheckValues(t, vals, want)
			eigCheckDecomp(t, a, vals, z)
			v2, z2, err := EigenSym(a, false)
			if err != nil || z2 != nil {
				t.Fatalf("%s n=%d values only: err %v, vectors %v", name, n, err, z2)
			}
			eigCheckValues(t, v2, want)
		}
	}
}

func TestEigenSymToeplitzAndDiagonal(t *testing.T) {
	for _, n := range eigSizes(t) {
		for _, ab := range [][2]float64{{2, -1}, {0, 1}, {-3, 0.5}} {
			a, want := eigToeplitz(n, ab[0], ab[1])
			vals, z, err := EigenSym(a, true)
			if err != nil {
				t.Fatal(err)
			}
			eigCheckValuesNorm(t, vals, want, math.Abs(ab[0])+2*math.Abs(ab[1]))
			eigCheckDecomp(t, a, vals, z)
		}
		a := NewDense(n, n)
		want := make([]float64, n)
		for i := 0; i < n; i++ {
			a.Set(i, i, float64((i*7)%11)-5)
			want[i] = a.At(i, i)
		}
		sort.Float64s(want)
		vals, z, err := EigenSym(a, true)
		if err != nil {
			t.Fatal(err)
		}
		eigCheckValues(t, vals, want)
		eigCheckDecomp(t, a, vals, z)
	}
}

// TestEigenSymLowerOnly checks that only the lower triangle is read.
func TestEigenSymLowerOnly(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 70
	q := eigRandOrthogonal(n, rng)
	lam := make([]float64, n)
	for i := range lam {
		lam[i] = float64(i) - 20
	}
	a := eigConjugate(q, lam)
	b := a.Clone()
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			b.Set(i, j, math.NaN())
		}
	}
	vals, z, err := EigenSym(b, true)
	if err != nil {
		t.Fatal(err)
	}
	eigCheckValues(t, vals, lam)
	eigCheckDecomp(t, a, vals, z)
	for i := 0; i < n; i++ {
		if !math.IsNaN(b.At(0, 1)) || a.At(i, i) != b.At(i, i) {
			t.Fatal("input modified")
		}
	}
}

func TestEigenSymScaling(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 40
	q := eigRandOrthogonal(n, rng)
	for _, s := range []float64{0x1p+1000, 0x1p-1000, 1e-310} {
		lam := make([]float64, n)
		for i := range lam {
			lam[i] = s * (float64(i) - 7.5)
		}
		a := eigConjugate(q, lam)
		// eigConjugate is not exact for subnormal scales; compare against
		// the spectrum of the scaled-up matrix instead.
		vals, z, err := EigenSym(a, true)
		if err != nil {
			t.Fatal(err)
		}
		if s < 1e-300 {
			for i, v := range vals {
				if math.Abs(v-lam[i]) > 1e-3*s*8 {
					t.Errorf("scale %g: λ[%d] = %g, want %g", s, i, v, lam[i])
				}
			}
			continue
		}
		eigCheckValues(t, vals, lam)
		eigCheckDecomp(t, a, vals, z)
	}
}

func TestEigenSymNonFinite(t *testing.T) {
	a := Identity(5)
	a.Set(3, 1, math.NaN())
	if _, _, err := EigenSym(a, true); !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("NaN: err = %v, want ErrNoConvergence", err)
	}
	a.Set(3, 1, math.Inf(1))
	if _, _, err := EigenSym(a, false); !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("Inf: err = %v, want ErrNoConvergence", err)
	}
}

// TestEigenSymGonum compares with gonum's mat.EigenSym on random matrices:
// values within c·n·ε·‖A‖, eigenvectors up to sign where the gap allows
// (sin θ ≤ c·n·ε·‖A‖/gap).
func TestEigenSymGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range eigSizes(t) {
		if n == 0 {
			continue
		}
		a := NewDense(n, n)
		sym := mat.NewSymDense(n, nil)
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				v := rng.NormFloat64()
				a.Set(i, j, v)
				a.Set(j, i, v)
				sym.SetSym(i, j, v)
			}
		}
		var es mat.EigenSym
		if !es.Factorize(sym, true) {
			t.Fatal("gonum failed")
		}
		want := es.Values(nil)
		var gz mat.Dense
		es.VectorsTo(&gz)
		vals, z, err := EigenSym(a, true)
		if err != nil {
			t.Fatal(err)
		}
		anorm := math.Max(math.Abs(want[0]), math.Abs(want[n-1]))
		tol := 10 * float64(n) * eigEps * anorm
		for i := range want {
			if math.Abs(vals[i]-want[i]) > 2*tol {
				t.Errorf("n=%d λ[%d]: %g vs gonum %g", n, i, vals[i], want[i])
			}
			gap := math.Inf(1)
			if i > 0 {
				gap = want[i] - want[i-1]
			}
			if i+1 < n {
				gap = math.Min(gap, want[i+1]-want[i])
			}
			dot := 0.0
			for k := 0; k < n; k++ {
				dot += z.At(k, i) * gz.At(k, i)
			}
			// ‖z − sign·g‖ ≈ sin θ without the cancellation of 1 − dot².
			sgn := math.Copysign(1, dot)
			sinTheta := 0.0
			for k := 0; k < n; k++ {
				d := z.At(k, i) - sgn*gz.At(k, i)
				sinTheta += d * d
			}
			sinTheta = math.Sqrt(sinTheta)
			if bound := 2 * tol / gap; bound < 0.1 && sinTheta > bound+10*float64(n)*eigEps {
				t.Errorf("n=%d vector %d: sin θ = %g > %g", n, i, sinTheta, bound)
			}
		}
		eigCheckDecomp(t, a, vals, z)
	}
}
