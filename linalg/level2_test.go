package linalg

import (
	"fmt"
	"math"
	"testing"

	ft "github.com/noisegeom/noisegeom/internal/floattest"
)

// vtStrided returns an r×c view with row stride c+pad inside a larger
// matrix whose padding holds canaries, filled with vals (row-major, r·c).
func vtStrided(r, c, pad int, vals []float64) *Dense {
	stride := max(c+pad, 1)
	data := make([]float64, max((r-1)*stride+c, 0))
	ft.SetCanaries(data)
	m := NewDenseStride(r, c, stride, data)
	for i := 0; i < r; i++ {
		copy(m.Row(i), vals[i*c:(i+1)*c])
	}
	return m
}

// vtCheckPadding checks the canaries between the rows of a vtStrided
// matrix.
func vtCheckPadding(m *Dense) error {
	for i := 0; i+1 < m.Rows; i++ {
		if err := ft.CheckCanaries(m.Data[i*m.Stride+m.Cols:(i+1)*m.Stride], fmt.Sprintf("padding after row %d", i)); err != nil {
			return err
		}
	}
	return nil
}

// vtL2Shapes are the matrix shapes of the level-2 tests (fewer with -short).
func vtL2Shapes() [][2]int {
	sh := [][2]int{{0, 0}, {0, 3}, {3, 0}, {1, 1}, {1, 9}, {9, 1}, {4, 4}, {5, 7}, {7, 5}, {16, 33}, {33, 16}}
	if !testing.Short() {
		sh = append(sh, [2]int{64, 65}, [2]int{37, 131})
	}
	return sh
}

// vtL2Scalars are the (alpha, beta) pairs tried: the BLAS special cases
// alpha = 0, beta = 0 and beta = 1, and general values.
var vtL2Scalars = [][2]float64{{1, 0}, {-0.5, 0}, {0, 0}, {0, 2}, {1.5, 1}, {-2, 0.25}, {0.5, -1}}

func TestGemv(t *testing.T) {
	vtForEachImpl(t, func(t *testing.T) {
		g := ft.New(21)
		for _, sh := range vtL2Shapes() {
			m, n := sh[0], sh[1]
			for _, pad := range []int{0, 3} {
				vals := g.Normal(m * n)
				a := vtStrided(m, n, pad, vals)
				for _, tr := range []Trans{NoTrans, T} {
					lx, ly := n, m
					if tr {
						lx, ly = m, n
					}
					for _, sc := range vtL2Scalars {
						alpha, beta := sc[0], sc[1]
						x, y := g.Normal(lx), g.Normal(ly)
						got := append([]float64(nil), y...)
						if beta == 0 && ly > 0 {
							got[0] = math.NaN() // must not be read
						}
						before := append([]float64(nil), got...)
						Gemv(tr, alpha, a, x, beta, got)
						if m == 0 || n == 0 {
							// Reference dgemv's quick return: y untouched.
							for i := range got {
								if math.Float64bits(got[i]) != math.Float64bits(before[i]) {
									t.Fatalf("Gemv(%v, %v, %d×%d, beta %v) changed y[%d]", tr, alpha, m, n, beta, i)
								}
							}
							continue
						}
						for i := 0; i < ly; i++ {
							var r ft.Sum
							if beta != 0 {
								r.AddProd(beta, y[i])
							}
							for j := 0; j < lx; j++ {
								var aij float64
								if tr {
									aij = vals[j*n+i]
								} else {
									aij = vals[i*n+j]
								}
								if alpha != 0 {
									r.AddProd(alpha, aij, x[j])
								}
							}
							slack := ft.Eta * float64(lx+2) * (3 + math.Abs(alpha) + math.Abs(beta) + vtAbsMax(vals) + vtAbsMax(x))
							if err := r.Check(got[i], ft.Gamma(lx+2), slack); err != nil {
								t.Fatalf("Gemv(%v, %v, %d×%d pad %d, beta %v): y[%d]: %v", tr, alpha, m, n, pad, beta, i, err)
							}
						}
						if err := vtCheckPadding(a); err != nil {
							t.Fatalf("Gemv(%v) %d×%d: %v", tr, m, n, err)
						}
					}
				}
			}
		}
		a := NewDense(3, 4)
		vtPanics(t, "Gemv N x", func() { Gemv(NoTrans, 1, a, make([]float64, 3), 0, make([]float64, 3)) })
		vtPanics(t, "Gemv N y", func() { Gemv(NoTrans, 1, a, make([]float64, 4), 0, make([]float64, 4)) })
		vtPanics(t, "Gemv T x", func() { Gemv(T, 1, a, make([]float64, 4), 0, make([]float64, 4)) })
		vtPanics(t, "Gemv T y", func() { Gemv(T, 1, a, make([]float64, 3), 0, make([]float64, 3)) })
		bad := &Dense{Rows: 2, Cols: 3, Stride: 2, Data: make([]float64, 6)}
		vtPanics(t, "Gemv bad stride", func() { Gemv(NoTrans, 1, bad, make([]float64, 3), 0, make([]float64, 2)) })
		short := &Dense{Rows: 2, Cols: 3, Stride: 3, Data: make([]float64, 5)}
		vtPanics(t, "Gemv short data", func() { Gemv(NoTrans, 1, short, make([]float64, 3), 0, make([]float64, 2)) })
	})
}

func TestGer(t *testing.T) {
	vtForEachImpl(t, func(t *testing.T) {
		g := ft.New(22)
		for _, sh := range vtL2Shapes() {
			m, n := sh[0], sh[1]
			for _, alpha := range []float64{0, 1, -0.75} {
				vals := g.Normal(m * n)
				a := vtStrided(m, n, 2, vals)
				x, y := g.Normal(m), g.Normal(n)
				if m > 1 {
					x[1] = 0
				}
				Ger(alpha, x, y, a)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						var r ft.Sum
						r.Add(vals[i*n+j])
						r.AddProd(alpha, x[i], y[j])
						slack := 2 * ft.Eta * (2 + math.Abs(alpha) + vtAbsMax(x) + vtAbsMax(y))
						if err := r.Check(a.At(i, j), ft.Gamma(3), slack); err != nil {
							t.Fatalf("Ger(%v) %d×%d (%d,%d): %v", alpha, m, n, i, j, err)
						}
					}
				}
				if err := vtCheckPadding(a); err != nil {
					t.Fatalf("Ger %d×%d: %v", m, n, err)
				}
			}
		}
		a := NewDense(2, 2)
		Ger(0, []float64{math.NaN(), 1}, []float64{1, 1}, a) // alpha == 0: no-op
		if a.At(0, 0) != 0 {
			t.Error("Ger(0, ...) touched A")
		}
		vtPanics(t, "Ger x", func() { Ger(1, make([]float64, 3), make([]float64, 2), a) })
		vtPanics(t, "Ger y", func() { Ger(1, make([]float64, 2), make([]float64, 3), a) })
	})
}

func TestSymv(t *testing.T) {
	vtForEachImpl(t, func(t *testing.T) {
		g := ft.New(23)
		ns := []int{0, 1, 2, 3, 4, 5, 8, 9, 17, 33, 64, 100}
		if testing.Short() {
			ns = ns[:len(ns)-2]
		}
		for _, n := range ns {
			for _, pad := range []int{0, 5} {
				vals := g.Normal(n * n)
				// Only the lower triangle is read: NaN in the strict upper
				// triangle must not show.
				for i := 0; i < n; i++ {
					for j := i + 1; j < n; j++ {
						vals[i*n+j] = math.NaN()
					}
				}
				a := vtStrided(n, n, pad, vals)
				for _, sc := range vtL2Scalars {
					alpha, beta := sc[0], sc[1]
					x, y := g.Normal(n), g.Normal(n)
					got := append([]float64(nil), y...)
					if beta == 0 && n > 0 {
						got[n-1] = math.Inf(1) // must not be read
					}
					Symv(alpha, a, x, beta, got)
					for i := 0; i < n; i++ {
						var r ft.Sum
						if beta != 0 {
							r.AddProd(beta, y[i])
						}
						for j := 0; j < n && alpha != 0; j++ {
							lo := vals[max(i, j)*n+min(i, j)]
							r.AddProd(alpha, lo, x[j])
						}
						slack := ft.Eta * float64(n+3) * (3 + math.Abs(alpha) + math.Abs(beta) + vtAbsMax(vals) + vtAbsMax(x))
						if err := r.Check(got[i], ft.Gamma(n+3), slack); err != nil {
							t.Fatalf("Symv(%v, n=%d pad %d, beta %v): y[%d]: %v", alpha, n, pad, beta, i, err)
						}
					}
					if err := vtCheckPadding(a); err != nil {
						t.Fatalf("Symv n=%d: %v", n, err)
					}
				}
			}
		}
		vtPanics(t, "Symv not square", func() { Symv(1, NewDense(2, 3), make([]float64, 3), 0, make([]float64, 2)) })
		vtPanics(t, "Symv x", func() { Symv(1, NewDense(3, 3), make([]float64, 2), 0, make([]float64, 3)) })
		vtPanics(t, "Symv y", func() { Symv(1, NewDense(3, 3), make([]float64, 3), 0, make([]float64, 4)) })
	})
}

func TestLevel2NoAllocs(t *testing.T) {
	g := ft.New(24)
	a := NewDenseData(64, 64, g.Normal(64*64))
	x, y := g.Normal(64), g.Normal(64)
	vtForEachImpl(t, func(t *testing.T) {
		for name, f := range map[string]func(){
			"GemvN": func() { Gemv(NoTrans, 1, a, x, 0.5, y) },
			"GemvT": func() { Gemv(T, 1, a, x, 0.5, y) },
			"Ger":   func() { Ger(1e-9, x, y, a) },
			"Symv":  func() { Symv(1, a, x, 0, y) },
		} {
			if n := testing.AllocsPerRun(10, f); n != 0 {
				t.Errorf("%s allocates %v times per call", name, n)
			}
		}
	})
}
