package linalg

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestEigenSymTridiagToeplitz(t *testing.T) {
	sizes := []int{1, 2, 3, 10, 57, 120}
	if testing.Short() {
		sizes = sizes[:5]
	}
	for _, n := range sizes {
		for _, ab := range [][2]float64{{2, -1}, {0, 1}, {1e200, 3e199}, {1e-200, -1e-201}} {
			d := make([]float64, n)
			e := make([]float64, max(n-1, 0))
			for i := range d {
				d[i] = ab[0]
			}
			for i := range e {
				e[i] = ab[1]
			}
			_, want := eigToeplitz(n, ab[0], ab[1])
			an := math.Abs(ab[0]) + 2*math.Abs(ab[1])
			dv := append([]float64(nil), d...)
			ev := append([]float64(nil), e...)
			if err := EigenSymTridiag(dv, ev, nil); err != nil {
				t.Fatal(err)
			}
			eigCheckValuesNorm(t, dv, want, an)
			zt := NewDense(n, n)
			if err := EigenSymTridiag(d, e, zt); err != nil {
				t.Fatal(err)
			}
			eigCheckValuesNorm(t, d, want, an)
			if ab[0] == 2 || ab[0] == 0 {
				a, _ := eigToeplitz(n, ab[0], ab[1])
				eigCheckDecomp(t, a, d, zt.T())
			}
		}
	}
}

// TestEigenSymTridiagSplit: zero off-diagonals split the matrix into blocks,
// including 1×1 blocks and a zero matrix.
func TestEigenSymTridiagSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 40
	d := make([]float64, n)
	e := make([]float64, n-1)
	a := NewDense(n, n)
	for i := range d {
		d[i] = rng.NormFloat64()
		a.Set(i, i, d[i])
	}
	for i := range e {
		if i%7 != 3 && i%11 != 0 {
			e[i] = rng.NormFloat64()
		}
		a.Set(i, i+1, e[i])
		a.Set(i+1, i, e[i])
	}
	zt := NewDense(n, n)
	if err := EigenSymTridiag(d, e, zt); err != nil {
		t.Fatal(err)
	}
	eigCheckDecomp(t, a, d, zt.T())
	z := make([]float64, 5)
	if err := EigenSymTridiag(z, make([]float64, 4), nil); err != nil {
		t.Fatal(err)
	}
	for _, v := range z {
		if v != 0 {
			t.Fatal("zero matrix: nonzero eigenvalue")
		}
	}
}

func TestEigenSymTridiagIterationCap(t *testing.T) {
	old := tridiagMaxIterPerEig
	tridiagMaxIterPerEig = 0
	defer func() { tridiagMaxIterPerEig = old }()
	d := []float64{1, 2, 3}
	e := []float64{1, 1}
	err := EigenSymTridiag(d, e, nil)
	if !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("err = %v, want ErrNoConvergence", err)
	}
	_, _, err = EigenSym(Identity(3), true) // diagonal: no iteration needed
	if err != nil {
		t.Fatalf("diagonal matrix needs no iterations, got %v", err)
	}
}

func TestEigenSymTridiagWilkinson(t *testing.T) {
	// Wilkinson's W21+: pairs of nearly equal eigenvalues.
	n := 21
	d := make([]float64, n)
	e := make([]float64, n-1)
	a := NewDense(n, n)
	for i := range d {
		d[i] = math.Abs(float64(i - 10))
		a.Set(i, i, d[i])
	}
	for i := range e {
		e[i] = 1
		a.Set(i, i+1, 1)
		a.Set(i+1, i, 1)
	}
	zt := NewDense(n, n)
	if err := EigenSymTridiag(d, e, zt); err != nil {
		t.Fatal(err)
	}
	if !sort.Float64sAreSorted(d) {
		t.Fatal("not sorted")
	}
	eigCheckDecomp(t, a, d, zt.T())
	// Largest two agree to about 1e-14 (known property of W21+).
	if diff := d[n-1] - d[n-2]; diff < 0 || diff > 1e-13 {
		t.Errorf("W21+: top pair differ by %g", diff)
	}
}

// TestEigenSymTridiagParallelRotations: the rotations split among
// goroutines give bitwise the same vectors as the serial path, with the
// SIMD-style (crosswise) and the fused updates.
func TestEigenSymTridiagParallelRotations(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{20, 300} {
		d0 := make([]float64, n)
		e0 := make([]float64, n-1)
		for i := range d0 {
			d0[i] = rng.NormFloat64()
		}
		for i := range e0 {
			e0[i] = rng.NormFloat64()
		}
		run := func(parMin int) ([]float64, *Dense) {
			old := rotParallelMin
			rotParallelMin = parMin
			defer func() { rotParallelMin = old }()
			d := append([]float64(nil), d0...)
			e := append([]float64(nil), e0...)
			zt := NewDense(n, n)
			if err := EigenSymTridiag(d, e, zt); err != nil {
				t.Fatal(err)
			}
			return d, zt
		}
		d1, z1 := run(1 << 62)
		d2, z2 := run(0)
		for i := range d1 {
			if d1[i] != d2[i] {
				t.Fatalf("n=%d: eigenvalue %d differs", n, i)
			}
		}
		for i := range z1.Data {
			if z1.Data[i] != z2.Data[i] {
				t.Fatalf("n=%d: vectors differ at %d", n, i)
			}
		}
		a := NewDense(n, n)
		for i := 0; i < n; i++ {
			a.Set(i, i, d0[i])
			if i+1 < n {
				a.Set(i, i+1, e0[i])
				a.Set(i+1, i, e0[i])
			}
		}
		if n <= 100 || !testing.Short() {
			eigCheckDecomp(t, a, d2, z2.T())
		}
	}
}
