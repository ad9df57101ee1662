package data

import (
	"fmt"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// BenchmarkGenerate measures synthetic generation per chunk of 256 rows
// (bytes = float64 inputs produced).
func BenchmarkGenerate(b *testing.B) {
	for _, c := range []struct {
		d      int
		rotate bool
	}{{100, false}, {1000, false}, {100, true}, {1000, true}} {
		b.Run(fmt.Sprintf("d=%d/rotate=%v", c.d, c.rotate), func(b *testing.B) {
			sp, _ := PowerLaw(c.d, 1)
			g, err := NewGenerator(GaussianSpec{N: 1 << 30, Spectrum: sp, Rotate: c.rotate, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			x := linalg.NewDense(256, c.d)
			b.SetBytes(int64(8 * 256 * c.d))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g.Fill(i*256, x, nil)
			}
		})
	}
}

// BenchmarkHaarRotation measures drawing the d×d rotation (O(d³)).
func BenchmarkHaarRotation(b *testing.B) {
	for _, d := range []int{100, 500} {
		b.Run(fmt.Sprint("d=", d), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				haarRotation(d, uint64(i))
			}
		})
	}
}

// BenchmarkNormal measures one standard normal deviate.
func BenchmarkNormal(b *testing.B) {
	s := newStream(1, roleInput, 0)
	b.SetBytes(8)
	var acc float64
	for i := 0; i < b.N; i++ {
		acc += s.normal()
	}
	_ = acc
}
