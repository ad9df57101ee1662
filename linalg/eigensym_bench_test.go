package linalg

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkEigenSym compares EigenSym (values and vectors) with gonum's
// mat.EigenSym in the same run. The kernel table is in the name.
func BenchmarkEigenSym(b *testing.B) {
	for _, n := range []int{100, 500, 1000} {
		rng := rand.New(rand.NewPCG(uint64(n), 1))
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
		b.Run(fmt.Sprintf("impl=%s/n=%d/noisegeom", Implementation(), n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(8 * n * n))
			for b.Loop() {
				if _, _, err := EigenSym(a, true); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/gonum", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(8 * n * n))
			for b.Loop() {
				var es mat.EigenSym
				if !es.Factorize(sym, true) {
					b.Fatal("gonum failed")
				}
			}
		})
	}
}
