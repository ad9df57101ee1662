package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTridiagDC checks the divide-and-conquer solver on tridiagonal
// matrices of several kinds (random, Toeplitz with closed-form spectrum,
// graded, glued Wilkinson-like with clusters that deflate heavily, zero
// off-diagonals, a constant diagonal): ascending eigenvalues matching the
// QL solver within c·n·ε·‖T‖, ‖TZ − ZΛ‖ ≤ c·n·ε·‖T‖, ‖ZᵀZ − I‖ ≤ c·n·ε.
func TestTridiagDC(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	sizes := []int{49, 97, 150, 300}
	if testing.Short() {
		sizes = sizes[:3]
	}
	for _, n := range sizes {
		gens := map[string]func(d, e []float64){
			"random": func(d, e []float64) {
				for i := range d {
					d[i] = rng.NormFloat64()
				}
				for i := range e {
					e[i] = rng.NormFloat64()
				}
			},
			"toeplitz": func(d, e []float64) {
				for i := range d {
					d[i] = 2
				}
				for i := range e {
					e[i] = -1
				}
			},
			"graded": func(d, e []float64) {
				for i := range d {
					d[i] = math.Pow(10, -8*float64(i)/float64(n))
				}
				for i := range e {
					e[i] = 0.5 * math.Pow(10, -8*float64(i)/float64(n))
				}
			},
			"glued": func(d, e []float64) { // W21+ blocks glued by 1e-9
				for i := range d {
					d[i] = math.Abs(float64(i%21 - 10))
				}
				for i := range e {
					e[i] = 1
					if i%21 == 20 {
						e[i] = 1e-9
					}
				}
			},
			"split": func(d, e []float64) {
				for i := range d {
					d[i] = float64(i % 5)
				}
				for i := range e {
					if i%3 == 0 {
						e[i] = rng.NormFloat64()
					}
				}
			},
			"mixed": func(d, e []float64) { // off-diagonals over 12 decades
				for i := range d {
					d[i] = float64(rng.IntN(4))
				}
				for i := range e {
					e[i] = rng.NormFloat64() * math.Pow(10, -12*rng.Float64())
				}
			},
			"nearrep": func(d, e []float64) { // clusters of nearly equal poles
				for i := range d {
					d[i] = float64(i%3) + 1e-13*rng.NormFloat64()
				}
				for i := range e {
					e[i] = 1e-7 * rng.NormFloat64()
				}
			},
			"constant": func(d, e []float64) {
				for i := range d {
					d[i] = 3
				}
			},
		}
		for name, gen := range gens {
			d := make([]float64, n)
			e := make([]float64, n-1)
			gen(d, e)
			a := NewDense(n, n)
			for i := 0; i < n; i++ {
				a.Set(i, i, d[i])
				if i+1 < n {
					a.Set(i, i+1, e[i])
					a.Set(i+1, i, e[i])
				}
			}
			dq := append([]float64(nil), d...)
			eq := append([]float64(nil), e...)
			if err := EigenSymTridiag(dq, eq, nil); err != nil {
				t.Fatal(err)
			}
			q := NewDense(n, n)
			if err := tridiagDC(d, e, q); err != nil {
				t.Fatalf("%s n=%d: %v", name, n, err)
			}
			an := 0.0
			for i := 0; i < n; i++ {
				s := 0.0
				for j := max(i-1, 0); j <= min(i+1, n-1); j++ {
					s += math.Abs(a.At(i, j))
				}
				an = math.Max(an, s)
			}
			eigCheckValuesNorm(t, d, dq, an)
			eigCheckDecomp(t, a, d, q)
			if t.Failed() {
				t.Fatalf("%s n=%d failed", name, n)
			}
		}
	}
}
