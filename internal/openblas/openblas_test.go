//go:build openblas && cgo

package openblas

import (
	"math"
	"testing"
)

// TestLinked checks the binding against hand-computed values, so a broken
// link or argument order shows up before any benchmark quotes it.
func TestLinked(t *testing.T) {
	x := []float64{1, 2, 3}
	y := []float64{4, 5, 6}
	if got := Ddot(x, y); got != 32 {
		t.Fatalf("Ddot = %v, want 32", got)
	}
	a := []float64{1, 2, 3, 4, 5, 6} // 2×3
	c := make([]float64, 4)
	Dgemm(false, true, 2, 2, 3, 1, a, 3, a, 3, 0, c, 2) // A·Aᵀ
	want := []float64{14, 32, 32, 77}
	for i := range c {
		if math.Abs(c[i]-want[i]) > 0 {
			t.Fatalf("Dgemm: c = %v, want %v", c, want)
		}
	}
}
