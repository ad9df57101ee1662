package analysis

import (
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// TestDiagonalGram compares K = X·diag(w)·Xᵀ of the diagonal linear
// network with Syrk on its explicit Jacobian, entry by entry, for both
// reparameterisations.
func TestDiagonalGram(t *testing.T) {
	rng := newRng(23)
	for _, kind := range []models.DiagonalKind{models.Product, models.Difference} {
		m := models.NewDiagonalLinear(9, kind)
		m.Init(3, 0.8, 0.6)
		n := 40
		x := randDense(rng, n, 9, 1)
		obj := models.NewObjective(m, models.Square{}, x, linalg.NewDense(n, 1))
		got := DiagonalGram(m, x)
		want, _ := Gram(obj, 1<<40)
		var dmax float64
		for i := 0; i < n; i++ {
			dmax = max(dmax, want.At(i, i))
		}
		// Dot products of Jacobian rows (p = 18 terms) against a sum of 9
		// terms of the same products.
		tol := 16 * float64(m.NumParams()+9) * eps * dmax
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if !closeTo(got.At(i, j), want.At(i, j), tol) {
					t.Fatalf("kind %d: K[%d,%d] = %.17g, Syrk on J %.17g", kind, i, j, got.At(i, j), want.At(i, j))
				}
			}
		}
		r, err := FromObjective(obj, Options{Path: PathGram, TopK: 1, Random: -1})
		if err != nil || len(r.Notes) == 0 {
			t.Fatalf("notes %q, %v", r.Notes, err)
		}
	}
}
