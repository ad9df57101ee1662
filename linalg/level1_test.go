package linalg

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	ft "github.com/noisegeom/noisegeom/internal/floattest"
)

// vtForEachImpl runs f as a subtest once per table usable here, with that
// table active, and restores the original table afterwards. Tests that use
// it must not run in parallel (SetImplementation is not concurrent-safe).
func vtForEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	orig := Implementation()
	defer func() {
		if err := SetImplementation(orig); err != nil {
			t.Fatal(err)
		}
	}()
	for _, name := range Implementations() {
		if err := SetImplementation(name); err != nil {
			t.Fatalf("SetImplementation(%q): %v", name, err)
		}
		t.Run(name, f)
	}
}

// vtL1Lengths are the lengths the exported routines are tried at.
var vtL1Lengths = []int{0, 1, 2, 3, 5, 8, 13, 31, 64, 100, 257, 1000, 4097}

func TestDot(t *testing.T) {
	vtForEachImpl(t, func(t *testing.T) {
		g := ft.New(11)
		for _, n := range vtL1Lengths {
			for _, wide := range []bool{false, true} {
				x, y := g.Normal(n), g.Normal(n)
				if wide {
					x, y = g.Wide(n), g.Wide(n)
				}
				var ref ft.Sum
				naive := 0.0
				for i := range x {
					ref.AddProd(x[i], y[i])
					naive += float64(x[i] * y[i])
				}
				got := Dot(x, y)
				if err := ref.Check(got, ft.Gamma(n), vtProdSlack(n)); err != nil {
					t.Errorf("Dot n=%d wide=%v: %v", n, wide, err)
				}
				if err := ref.Check(naive, ft.Gamma(n), vtProdSlack(n)); err != nil {
					t.Errorf("naive loop n=%d wide=%v (oracle check): %v", n, wide, err)
				}
			}
		}
		if got := Dot(nil, nil); math.Float64bits(got) != 0 {
			t.Errorf("Dot(nil, nil) = %v, want +0", got)
		}
		if got := Dot([]float64{1, math.NaN()}, []float64{2, 3}); !math.IsNaN(got) {
			t.Errorf("Dot with NaN = %v", got)
		}
		if got := Dot([]float64{1, math.Inf(1)}, []float64{2, 3}); !math.IsInf(got, 1) {
			t.Errorf("Dot with +Inf = %v", got)
		}
		if got := Dot([]float64{math.Inf(1), 1}, []float64{0, 3}); !math.IsNaN(got) {
			t.Errorf("Dot with Inf·0 = %v", got)
		}
		vtPanics(t, "Dot lengths", func() { Dot(make([]float64, 3), make([]float64, 4)) })
	})
}

func TestAxpyAxpby(t *testing.T) {
	vtForEachImpl(t, func(t *testing.T) {
		g := ft.New(12)
		for _, n := range vtL1Lengths {
			for _, sc := range [][2]float64{{2.5, 0}, {-1, 1}, {0.75, -1.5}, {0, 3}, {0, 0}, {1, 0.5}} {
				alpha, beta := sc[0], sc[1]
				x, y := g.Normal(n), g.Normal(n)
				// Axpy, y += alpha·x
				ya := append([]float64(nil), y...)
				Axpy(alpha, x, ya)
				for i := range ya {
					var r ft.Sum
					r.Add(y[i])
					r.AddProd(alpha, x[i])
					if err := r.Check(ya[i], ft.Gamma(2), vtProdSlack(1)); err != nil {
						t.Fatalf("Axpy(%v) n=%d [%d]: %v", alpha, n, i, err)
					}
				}
				// Axpby, y = alpha·x + beta·y; with beta == 0, y is not
				// read: a NaN there must not propagate.
				yb := append([]float64(nil), y...)
				if beta == 0 && n > 0 {
					yb[n/2] = math.NaN()
				}
				Axpby(alpha, x, beta, yb)
				for i := range yb {
					var r ft.Sum
					r.AddProd(alpha, x[i])
					if beta != 0 {
						r.AddProd(beta, y[i])
					}
					if err := r.Check(yb[i], ft.Gamma(2), vtProdSlack(2)); err != nil {
						t.Fatalf("Axpby(%v, %v) n=%d [%d]: %v", alpha, beta, n, i, err)
					}
				}
			}
		}
		// alpha == 0 leaves y alone even when x holds Inf or NaN.
		y := []float64{1, 2}
		Axpy(0, []float64{math.Inf(1), math.NaN()}, y)
		if y[0] != 1 || y[1] != 2 {
			t.Errorf("Axpy(0, ...) changed y to %v", y)
		}
		// Aliasing x == y is allowed.
		x := []float64{1, -2, 3, 4, 5, 6, 7, 8, 9}
		Axpy(2, x, x)
		Axpby(0.5, x, -1, x)
		for i, v := range x {
			if want := []float64{1, -2, 3, 4, 5, 6, 7, 8, 9}[i] * 3 * -0.5; v != want {
				t.Errorf("aliased Axpy/Axpby: x[%d] = %v, want %v", i, v, want)
			}
		}
		vtPanics(t, "Axpy lengths", func() { Axpy(1, make([]float64, 3), make([]float64, 2)) })
		vtPanics(t, "Axpby lengths", func() { Axpby(1, make([]float64, 3), 0, make([]float64, 2)) })
	})
}

func TestScalCopyAsum(t *testing.T) {
	vtForEachImpl(t, func(t *testing.T) {
		g := ft.New(13)
		for _, n := range vtL1Lengths {
			x := g.WithSpecials(n, 0.1, nil)
			for _, alpha := range []float64{0, 1, -1, 0.3, 1e-300} {
				got := append([]float64(nil), x...)
				Scal(alpha, got)
				for i := range got {
					want := alpha * x[i]
					if alpha == 0 {
						want = 0 // not read: NaN and Inf become 0
					}
					if !ft.SameBits(got[i], want) {
						t.Fatalf("Scal(%v) n=%d: x[%d] = %v·%v → %v, want %v", alpha, n, i, alpha, x[i], got[i], want)
					}
				}
			}
			dst := make([]float64, n)
			Copy(dst, x)
			for i := range dst {
				if !ft.SameBits(dst[i], x[i]) {
					t.Fatalf("Copy n=%d [%d]", n, i)
				}
			}
			w := g.Wide(n)
			var r ft.Sum
			for _, v := range w {
				r.Add(math.Abs(v))
			}
			if err := r.Check(Asum(w), ft.Gamma(n-1), 0); err != nil {
				t.Errorf("Asum n=%d: %v", n, err)
			}
		}
		if got := Asum([]float64{-1, math.NaN()}); !math.IsNaN(got) {
			t.Errorf("Asum with NaN = %v", got)
		}
		if got := Asum([]float64{-1, math.Inf(-1)}); !math.IsInf(got, 1) {
			t.Errorf("Asum with -Inf = %v", got)
		}
		if got := Asum([]float64{math.Copysign(0, -1)}); math.Float64bits(got) != 0 {
			t.Errorf("Asum(-0) = %v, want +0", got)
		}
		vtPanics(t, "Copy lengths", func() { Copy(make([]float64, 3), make([]float64, 2)) })
	})
}

// vtNrm2Exact returns ‖x‖₂ computed in arbitrary precision and rounded to
// float64 (+Inf when it overflows). x must be finite.
func vtNrm2Exact(x []float64) float64 {
	s := new(big.Float).SetPrec(ft.ExactPrec)
	var v, sq big.Float
	v.SetPrec(ft.ExactPrec)
	sq.SetPrec(ft.ExactPrec)
	for _, xi := range x {
		v.SetFloat64(xi)
		sq.Mul(&v, &v)
		s.Add(s, &sq)
	}
	s.Sqrt(s)
	f, _ := s.Float64()
	return f
}

func TestNrm2(t *testing.T) {
	g := ft.New(14)
	scaled := func(n int, scale float64) []float64 {
		x := g.Normal(n)
		for i := range x {
			x[i] *= scale
		}
		return x
	}
	mixed := func(n int) []float64 {
		x := g.Normal(n)
		for i := range x {
			x[i] *= []float64{1e300, 1e-300, 1, 5e-324, 1e150}[i%5]
		}
		return x
	}
	type tc struct {
		name string
		x    []float64
	}
	cases := []tc{
		{"empty", nil},
		{"zeros", []float64{0, math.Copysign(0, -1), 0}},
		{"3-4-5", []float64{3, -4}},
		{"3e300-4e300", []float64{3e300, -4e300}},
		{"3e-300-4e-300", []float64{3e-300, 4e-300}},
		{"max", []float64{math.MaxFloat64}},
		{"-max", []float64{-math.MaxFloat64, 0}},
		{"min subnormal", []float64{5e-324}},
		{"subnormals", []float64{5e-324, -1e-320, 2.5e-310}},
		{"smallest normal", []float64{0x1p-1022, 0x1p-1022}},
		{"at the fast path's edges", []float64{0x1p-450, 0x1p450, 0x1p-451}},
	}
	for _, n := range []int{1, 2, 7, 100, 1000} {
		cases = append(cases,
			tc{fmt.Sprintf("normal-%d", n), g.Normal(n)},
			tc{fmt.Sprintf("huge-%d", n), scaled(n, 1e300)},
			tc{fmt.Sprintf("tiny-%d", n), scaled(n, 1e-300)},
			tc{fmt.Sprintf("subnormal-%d", n), scaled(n, 1e-315)},
			tc{fmt.Sprintf("mixed-%d", n), mixed(n)},
			tc{fmt.Sprintf("wide-%d", n), g.Wide(n)},
		)
	}
	vtForEachImpl(t, func(t *testing.T) {
		for _, c := range cases {
			got := Nrm2(c.x)
			want := vtNrm2Exact(c.x)
			// The sum of squares is off by γₙ relative (plus underflowed
			// squares: at most n·2⁻¹⁷⁴ relative, as the sum is ≥ 2⁻⁹⁰⁰ on
			// the fast path and ≥ 1/4 after scaling); the square root
			// halves that and adds one rounding; a subnormal result may
			// be off by Eta. One more ULP covers the rounding of want.
			n := len(c.x)
			rel := ft.Gamma(n+1) + float64(n)*0x1p-174
			if math.IsInf(want, 1) {
				if !math.IsInf(got, 1) {
					t.Errorf("%s: Nrm2 = %v, want +Inf (overflow)", c.name, got)
				}
				continue
			}
			if d := math.Abs(got - want); !(d <= rel*want+ft.ULP(want)+ft.Eta) {
				t.Errorf("%s: Nrm2 = %v, want %v (%d ulps)", c.name, got, want, ft.ULPDistance(got, want))
			}
			if got == 0 && math.Signbit(got) {
				t.Errorf("%s: Nrm2 = -0", c.name)
			}
		}
		nan, inf := math.NaN(), math.Inf(1)
		for _, c := range []struct {
			x    []float64
			want float64
		}{
			{[]float64{1, nan}, nan},
			{[]float64{nan, inf}, nan},
			{[]float64{inf, nan}, nan},
			{[]float64{-inf, 1e300}, inf},
			{[]float64{1, inf, 0}, inf},
			{[]float64{math.MaxFloat64, math.MaxFloat64}, inf}, // √2·max overflows
			{[]float64{1e300, 1e300, nan}, nan},
		} {
			if got := Nrm2(c.x); !ft.SameBits(got, c.want) {
				t.Errorf("Nrm2(%v) = %v, want %v", c.x, got, c.want)
			}
		}
	})
}

func TestLevel1NoAllocs(t *testing.T) {
	x, y := ft.New(15).Normal(1000), ft.New(16).Normal(1000)
	vtForEachImpl(t, func(t *testing.T) {
		for name, f := range map[string]func(){
			"Dot":   func() { vtSink = Dot(x, y) },
			"Axpy":  func() { Axpy(1e-9, x, y) },
			"Axpby": func() { Axpby(1e-9, x, 1, y) },
			"Scal":  func() { Scal(1, y) },
			"Asum":  func() { vtSink = Asum(x) },
			"Nrm2":  func() { vtSink = Nrm2(x) },
		} {
			if a := testing.AllocsPerRun(10, f); a != 0 {
				t.Errorf("%s allocates %v times per call", name, a)
			}
		}
	})
}
