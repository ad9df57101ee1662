package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// eps is the float64 machine epsilon (2·unit roundoff).
const eps = 0x1p-52

// canary fills the storage around views; any change to it is a write
// outside the view.
const canary = -7777.25

// withTables runs f once per kernel table this binary can run on this CPU
// (generic included), restoring the active table afterwards.
func withTables(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	prev := Implementation()
	t.Cleanup(func() { _ = SetImplementation(prev) })
	for _, name := range Implementations() {
		if err := SetImplementation(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
	_ = SetImplementation(prev)
}

// paddedView is an r×c view into a parent with a margin of canaries on
// every side (and a row stride larger than c when pad > 0).
type paddedView struct {
	parent *Dense
	view   *Dense
	pad    int
}

func newPadded(rng *rand.Rand, r, c, pad int) paddedView {
	p := NewDense(r+2*pad, c+2*pad)
	for i := range p.Data {
		p.Data[i] = canary
	}
	v := p.Slice(pad, pad+r, pad, pad+c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v.Set(i, j, 2*rng.Float64()-1)
		}
	}
	return paddedView{parent: p, view: v, pad: pad}
}

// checkCanaries fails the test if anything outside the view changed.
func (pv paddedView) checkCanaries(t *testing.T, what string) {
	t.Helper()
	for i := 0; i < pv.parent.Rows; i++ {
		for j := 0; j < pv.parent.Cols; j++ {
			in := i >= pv.pad && i < pv.pad+pv.view.Rows && j >= pv.pad && j < pv.pad+pv.view.Cols
			if !in && pv.parent.At(i, j) != canary {
				t.Fatalf("%s: element (%d, %d) outside the view changed to %v", what, i, j, pv.parent.At(i, j))
			}
		}
	}
}

// cloneDense is a compact copy made with At (Dense.Clone goes through Row,
// which rejects r×0 views with nil Data).
func cloneDense(x *Dense) *Dense {
	y := NewDense(x.Rows, x.Cols)
	for i := 0; i < x.Rows; i++ {
		for j := 0; j < x.Cols; j++ {
			y.Set(i, j, x.At(i, j))
		}
	}
	return y
}

// naiveGemm returns alpha·op(A)·op(B) + beta·C0 by the triple loop, with
// the elementwise error scale |alpha|·|op(A)||op(B)| + |beta|·|C0|.
func naiveGemm(tA, tB Trans, alpha float64, a, b *Dense, beta float64, c0 *Dense) (want, scale *Dense) {
	m, n := c0.Rows, c0.Cols
	k := a.Cols
	if tA {
		k = a.Rows
	}
	want, scale = NewDense(m, n), NewDense(m, n)
	// element (i, p) of op(A) is a.Data[i*ai+p*ap], likewise for B.
	ai, ap := a.Stride, 1
	if tA {
		ai, ap = 1, a.Stride
	}
	bp, bj := b.Stride, 1
	if tB {
		bp, bj = 1, b.Stride
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k; p++ {
				xy := a.Data[i*ai+p*ap] * b.Data[p*bp+j*bj]
				s += xy
				sa += math.Abs(xy)
			}
			v := alpha * s
			sc := math.Abs(alpha) * sa
			if beta != 0 {
				v += beta * c0.At(i, j)
				sc += math.Abs(beta * c0.At(i, j))
			}
			want.Set(i, j, v)
			scale.Set(i, j, sc)
		}
	}
	return want, scale
}

// checkClose compares got with want elementwise against the bound
// (k+4)·eps·scale: k+2 roundings in each of the two computations (the sum,
// the alpha product, the beta term), doubled by using eps = 2u.
func checkClose(t *testing.T, what string, got, want, scale *Dense, k int) {
	t.Helper()
	for i := 0; i < want.Rows; i++ {
		for j := 0; j < want.Cols; j++ {
			g, w := got.At(i, j), want.At(i, j)
			bound := float64(k+4) * eps * scale.At(i, j)
			if math.IsNaN(g) || math.Abs(g-w) > bound {
				t.Fatalf("%s: C(%d, %d) = %v, want %v (|diff| %.3g > bound %.3g)", what, i, j, g, w, math.Abs(g-w), bound)
			}
		}
	}
}

type gemmShape struct{ m, n, k int }

// gemmShapes are the shapes every table is tested on: empty, 1×1, skinny,
// fat, and sizes that are not multiples of any table's MR, NR, or KC.
func gemmShapes(short bool) []gemmShape {
	s := []gemmShape{
		{0, 0, 0}, {0, 5, 3}, {5, 0, 3}, {5, 3, 0}, {1, 1, 1}, {1, 1, 7},
		{2, 3, 1}, {4, 4, 4}, {6, 8, 5}, {12, 16, 9}, {13, 17, 19},
		{1, 70, 33}, {70, 1, 33}, {3, 5, 301}, {200, 2, 3}, {2, 200, 3},
		{37, 29, 131}, {25, 49, 64}, {7, 130, 129},
		// vector shapes (the level-2 path when stored contiguously)
		{1, 300, 200}, {300, 1, 200}, {40, 50, 1}, {1, 1, 300}, {1, 9, 1},
	}
	if !short {
		s = append(s, gemmShape{97, 101, 257}, gemmShape{130, 67, 515}, gemmShape{260, 170, 40})
	}
	return s
}

type gemmScalars struct{ alpha, beta float64 }

var gemmScalarCases = []gemmScalars{{1, 0}, {1, 1}, {-0.75, 0}, {2.5, -1.5}, {0, 0.5}, {0, 0}, {0.5, 1}}

var transCases = [][2]Trans{{NoTrans, NoTrans}, {NoTrans, T}, {T, NoTrans}, {T, T}}

// runGemmCase runs one Gemm on padded views and checks it against the
// naive loop. C starts as NaN when beta == 0, to check it is not read.
func runGemmCase(t *testing.T, rng *rand.Rand, sh gemmShape, tr [2]Trans, sc gemmScalars, pad int) {
	t.Helper()
	ar, ac := sh.m, sh.k
	if tr[0] {
		ar, ac = ac, ar
	}
	br, bc := sh.k, sh.n
	if tr[1] {
		br, bc = bc, br
	}
	a := newPadded(rng, ar, ac, pad)
	b := newPadded(rng, br, bc, pad)
	c := newPadded(rng, sh.m, sh.n, pad)
	if sc.beta == 0 {
		for i := 0; i < sh.m; i++ {
			for j := 0; j < sh.n; j++ {
				c.view.Set(i, j, math.NaN())
			}
		}
	}
	c0 := cloneDense(c.view)
	want, scale := naiveGemm(tr[0], tr[1], sc.alpha, a.view, b.view, sc.beta, c0)
	Gemm(tr[0], tr[1], sc.alpha, a.view, b.view, sc.beta, c.view)
	what := fmt.Sprintf("Gemm(%v%v) %d×%d×%d alpha=%v beta=%v pad=%d", tr[0], tr[1], sh.m, sh.n, sh.k, sc.alpha, sc.beta, pad)
	checkClose(t, what, c.view, want, scale, sh.k)
	c.checkCanaries(t, what)
	a.checkCanaries(t, what+" (A)")
	b.checkCanaries(t, what+" (B)")
}

func TestGemmNaive(t *testing.T) {
	withTables(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, sh := range gemmShapes(testing.Short()) {
			for _, tr := range transCases {
				for si, sc := range gemmScalarCases {
					if sh.m*sh.n*sh.k > 50000 && si%3 != 0 {
						continue // big shapes: a few scalar cases suffice
					}
					runGemmCase(t, rng, sh, tr, sc, si%2*3)
				}
			}
		}
	})
}

// TestGemmSmallBlocks forces tiny cache blocks so that modest shapes cross
// many jc, pc and ic block boundaries, serial and parallel.
func TestGemmSmallBlocks(t *testing.T) {
	withTables(t, func(t *testing.T) {
		k := impl()
		defer func(b gemmBlocking) { gemmBlockingOverride = b }(gemmBlockingOverride)
		gemmBlockingOverride = gemmBlocking{mc: 2 * k.gemmMR, kc: 5, nc: 3 * k.gemmNR}
		rng := rand.New(rand.NewPCG(3, 4))
		for _, sh := range []gemmShape{{1, 1, 1}, {2*k.gemmMR + 1, 3*k.gemmNR - 1, 11}, {53, 61, 23}, {5*k.gemmMR + 3, 7*k.gemmNR + 5, 17}} {
			for _, tr := range transCases {
				runGemmCase(t, rng, sh, tr, gemmScalars{1.25, -0.5}, 2)
			}
		}
		// The parallel path (3 workers) over many blocks.
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
		big := gemmShape{150, 170, 90}
		if float64(2*big.m*big.n*big.k) < gemmParallelMinFlops {
			t.Fatal("shape too small for the parallel path")
		}
		for _, tr := range transCases {
			runGemmCase(t, rng, big, tr, gemmScalars{-1, 2}, 1)
		}
	})
}

func TestGemmGonum(t *testing.T) {
	withTables(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		shapes := []gemmShape{{33, 47, 71}, {1, 64, 200}, {150, 3, 90}}
		if !testing.Short() {
			shapes = append(shapes, gemmShape{211, 190, 300})
		}
		for _, sh := range shapes {
			for _, tr := range transCases {
				ar, ac := sh.m, sh.k
				if tr[0] {
					ar, ac = ac, ar
				}
				br, bc := sh.k, sh.n
				if tr[1] {
					br, bc = bc, br
				}
				a := newPadded(rng, ar, ac, 1).view
				b := newPadded(rng, br, bc, 0).view
				c := newPadded(rng, sh.m, sh.n, 2).view
				alpha, beta := 0.7, -1.3
				ref := cloneDense(c)
				gen := func(d *Dense) blas64.General {
					return blas64.General{Rows: d.Rows, Cols: d.Cols, Stride: d.Stride, Data: d.Data}
				}
				bt := func(x Trans) blas.Transpose {
					if x {
						return blas.Trans
					}
					return blas.NoTrans
				}
				_, scale := naiveGemm(tr[0], tr[1], alpha, a, b, beta, c)
				blas64.Gemm(bt(tr[0]), bt(tr[1]), alpha, gen(a), gen(b), beta, gen(ref))
				Gemm(tr[0], tr[1], alpha, a, b, beta, c)
				checkClose(t, fmt.Sprintf("vs gonum %v%v %v", tr[0], tr[1], sh), c, ref, scale, sh.k)
			}
		}
	})
}

func TestGemmPanics(t *testing.T) {
	cases := []struct {
		name    string
		a, b, c *Dense
		tA, tB  Trans
	}{
		{"inner", NewDense(2, 3), NewDense(4, 2), NewDense(2, 2), NoTrans, NoTrans},
		{"rows", NewDense(2, 3), NewDense(3, 2), NewDense(3, 2), NoTrans, NoTrans},
		{"cols", NewDense(2, 3), NewDense(2, 4), NewDense(3, 3), T, NoTrans},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil {
					t.Fatal("no panic")
				}
			}()
			Gemm(tc.tA, tc.tB, 1, tc.a, tc.b, 0, tc.c)
		})
	}
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("Syrk: no panic on non-square C")
		}
	}()
	Syrk(NoTrans, 1, NewDense(3, 2), 0, NewDense(3, 2))
}

func TestSyrk(t *testing.T) {
	withTables(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		shapes := [][2]int{{0, 0}, {0, 3}, {3, 0}, {1, 1}, {5, 1}, {1, 9}, {13, 7}, {29, 131}, {50, 3}, {67, 40}}
		if !testing.Short() {
			shapes = append(shapes, [2]int{150, 301}, [2]int{301, 64})
		}
		for _, nk := range shapes {
			n, k := nk[0], nk[1]
			for _, tr := range []Trans{NoTrans, T} {
				for si, sc := range gemmScalarCases {
					if n*n*k > 50000 && si%3 != 0 {
						continue
					}
					ar, ac := n, k
					if tr {
						ar, ac = k, n
					}
					a := newPadded(rng, ar, ac, si%2)
					c := newPadded(rng, n, n, 1)
					if sc.beta == 0 {
						for i := range n {
							for j := range n {
								c.view.Set(i, j, math.NaN())
							}
						}
					} else { // symmetric start, as Syrk users have
						for i := range n {
							for j := range i {
								c.view.Set(j, i, c.view.At(i, j))
							}
						}
					}
					want, scale := naiveGemm(tr, !tr, sc.alpha, a.view, a.view, sc.beta, c.view)
					Syrk(tr, sc.alpha, a.view, sc.beta, c.view)
					what := fmt.Sprintf("Syrk(%v) n=%d k=%d alpha=%v beta=%v", tr, n, k, sc.alpha, sc.beta)
					checkClose(t, what, c.view, want, scale, k)
					for i := range n {
						for j := range i {
							if c.view.At(i, j) != c.view.At(j, i) {
								t.Fatalf("%s: not symmetric at (%d, %d)", what, i, j)
							}
						}
					}
					c.checkCanaries(t, what)
					a.checkCanaries(t, what+" (A)")
				}
			}
		}
	})
}

// TestSyrkMatchesGemm: the lower triangle of Syrk is computed by the same
// tiles and kernel calls as Gemm on (op(A), op(A)ᵀ), so it equals Gemm's
// lower triangle bit for bit.
func TestSyrkMatchesGemm(t *testing.T) {
	withTables(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		for _, nk := range [][2]int{{37, 50}, {130, 140}} {
			n, k := nk[0], nk[1]
			for _, tr := range []Trans{NoTrans, T} {
				ar, ac := n, k
				if tr {
					ar, ac = k, n
				}
				a := newPadded(rng, ar, ac, 0).view
				cs, cg := NewDense(n, n), NewDense(n, n)
				Syrk(tr, 1.5, a, 0, cs)
				Gemm(tr, !tr, 1.5, a, a, 0, cg)
				for i := range n {
					for j := 0; j <= i; j++ {
						if cs.At(i, j) != cg.At(i, j) {
							t.Fatalf("Syrk(%v) n=%d k=%d: (%d,%d) %v != Gemm %v", tr, n, k, i, j, cs.At(i, j), cg.At(i, j))
						}
					}
				}
			}
		}
	})
}

// TestGemmDeterministic checks that Gemm and Syrk give the same bits for
// every GOMAXPROCS, on shapes large enough for the parallel path.
func TestGemmDeterministic(t *testing.T) {
	withTables(t, func(t *testing.T) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
		rng := rand.New(rand.NewPCG(11, 12))
		// Every problem takes the parallel path (threshold lowered) with
		// small cache blocks (many (jc, pc) phases, many work units):
		// odd, skinny and fat shapes, then one at the real block sizes.
		defer func(f float64, b gemmBlocking) { gemmParallelMinFlops, gemmBlockingOverride = f, b }(gemmParallelMinFlops, gemmBlockingOverride)
		gemmParallelMinFlops = 0
		k := impl()
		small := gemmBlocking{mc: 3 * k.gemmMR, kc: 16, nc: 4 * k.gemmNR}
		shapes := []gemmShape{{61, 59, 53}, {3, 157, 41}, {149, 5, 43}}
		if !testing.Short() {
			shapes = append(shapes, gemmShape{201, 177, 299})
		}
		for si, sh := range shapes {
			gemmBlockingOverride = small
			if si == 3 {
				gemmBlockingOverride = gemmBlocking{}
			}
			for _, tr := range transCases {
				ar, ac := sh.m, sh.k
				if tr[0] {
					ar, ac = ac, ar
				}
				br, bc := sh.k, sh.n
				if tr[1] {
					br, bc = bc, br
				}
				a := newPadded(rng, ar, ac, 0).view
				b := newPadded(rng, br, bc, 0).view
				c0 := newPadded(rng, sh.m, sh.n, 0).view
				var ref, sref *Dense
				as := a.Slice(0, min(a.Rows, sh.m), 0, a.Cols) // Syrk operand
				sn := as.Rows
				if tr[0] {
					sn = as.Cols
				}
				for _, procs := range []int{1, 2, 3, 4, 7} {
					runtime.GOMAXPROCS(procs)
					c := cloneDense(c0)
					Gemm(tr[0], tr[1], 0.9, a, b, 0.3, c)
					s := NewDense(sn, sn)
					Syrk(tr[0], 1.1, as, 0, s)
					if ref == nil {
						ref, sref = c, s
						continue
					}
					for i := range c.Data {
						if math.Float64bits(c.Data[i]) != math.Float64bits(ref.Data[i]) {
							t.Fatalf("Gemm(%v%v) %v: GOMAXPROCS=%d differs from 1 at %d", tr[0], tr[1], sh, procs, i)
						}
					}
					for i := range s.Data {
						if math.Float64bits(s.Data[i]) != math.Float64bits(sref.Data[i]) {
							t.Fatalf("Syrk(%v) %v: GOMAXPROCS=%d differs from 1 at %d", tr[0], sh, procs, i)
						}
					}
				}
			}
		}
	})
}

func TestGemmAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	withTables(t, func(t *testing.T) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		rng := rand.New(rand.NewPCG(13, 14))
		a := newPadded(rng, 150, 170, 0).view
		b := newPadded(rng, 170, 150, 0).view
		c := NewDense(150, 150)
		as, bs := a.Slice(0, 150, 0, 150), b.Slice(0, 150, 0, 150)
		for _, tr := range transCases {
			f := func() { Gemm(tr[0], tr[1], 1, as, bs, 0.5, c) }
			f() // warm the buffer pool
			if n := testing.AllocsPerRun(10, f); n != 0 {
				t.Errorf("Gemm(%v%v) allocates %v times per call", tr[0], tr[1], n)
			}
		}
		for _, tr := range []Trans{NoTrans, T} {
			f := func() { Syrk(tr, 1, as, 0, c) }
			f()
			if n := testing.AllocsPerRun(10, f); n != 0 {
				t.Errorf("Syrk(%v) allocates %v times per call", tr, n)
			}
		}
	})
}

// TestMicroKernel calls each table's micro-kernel directly for kc = 0..20
// with ldc > NR, and checks it against the kernel formula, plus that the
// elements of C between and after the tile's rows are untouched.
func TestMicroKernel(t *testing.T) {
	for _, k := range compiledKernels() {
		if !detectFeatures().supports(k.name) {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			mr, nr := k.gemmMR, k.gemmNR
			rng := rand.New(rand.NewPCG(15, 16))
			for kc := 0; kc <= 20; kc++ {
				for _, ldc := range []int{nr, nr + 3} {
					a := make([]float64, kc*mr)
					b := make([]float64, kc*nr)
					for i := range a {
						a[i] = 2*rng.Float64() - 1
					}
					for i := range b {
						b[i] = 2*rng.Float64() - 1
					}
					c := make([]float64, (mr-1)*ldc+nr)
					for i := range c {
						c[i] = canary
						if i%ldc < nr {
							c[i] = 2*rng.Float64() - 1
						}
					}
					c0 := append([]float64(nil), c...)
					k.gemmKernel(kc, a, b, c, ldc)
					for i := 0; i < mr; i++ {
						for j := 0; j < ldc && i*ldc+j < len(c); j++ {
							got := c[i*ldc+j]
							if j >= nr {
								if got != canary {
									t.Fatalf("kc=%d ldc=%d: wrote outside the tile at (%d, %d)", kc, ldc, i, j)
								}
								continue
							}
							s, sa := c0[i*ldc+j], math.Abs(c0[i*ldc+j])
							for p := 0; p < kc; p++ {
								s += a[p*mr+i] * b[p*nr+j]
								sa += math.Abs(a[p*mr+i] * b[p*nr+j])
							}
							if d := math.Abs(got - s); d > float64(kc+2)*eps*sa {
								t.Fatalf("kc=%d ldc=%d: c(%d, %d) = %v, want %v", kc, ldc, i, j, got, s)
							}
						}
					}
				}
			}
		})
	}
}

func TestBlockSizes(t *testing.T) {
	for _, tc := range []struct {
		mr, nr, l1, l2, l3 int
	}{{4, 4, 32 << 10, 512 << 10, 8 << 20}, {6, 8, 32 << 10, 1 << 20, 32 << 20}, {12, 16, 32 << 10, 1 << 20, 32 << 20}, {8, 8, 1, 1, 1}, {12, 16, 1 << 30, 1 << 30, 1 << 30}} {
		bl := blockSizesFor(tc.mr, tc.nr, tc.l1, tc.l2, tc.l3)
		if bl.kc < 64 || bl.kc > 384 || bl.kc%8 != 0 || bl.mc < tc.mr || bl.mc%tc.mr != 0 || bl.nc < tc.nr || bl.nc%tc.nr != 0 || bl.nc > 8192 {
			t.Errorf("blockSizesFor%v = %+v", tc, bl)
		}
		if tc.l1 >= 32<<10 && tc.l1 < 1<<20 && bl.kc*tc.nr*8 > tc.l1 {
			t.Errorf("blockSizesFor%v: B micro-panel %d bytes > L1", tc, bl.kc*tc.nr*8)
		}
		if tc.l2 >= 512<<10 && tc.l2 < 1<<30 && bl.mc*bl.kc*8 > tc.l2/2 {
			t.Errorf("blockSizesFor%v: A block %d bytes > L2/2", tc, bl.mc*bl.kc*8)
		}
	}
}

// FuzzGemmMicroKernel decodes kc, an ldc padding and operand values from the
// input and checks every table's micro-kernel against the formula.
func FuzzGemmMicroKernel(f *testing.F) {
	f.Add(uint8(3), uint8(1), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(uint8(0), uint8(0), []byte{})
	f.Add(uint8(17), uint8(9), []byte{255, 0, 128, 7})
	f.Fuzz(func(t *testing.T, kcb, pad uint8, vals []byte) {
		kc := int(kcb % 40)
		val := func(i int) float64 {
			if len(vals) == 0 {
				return 1
			}
			return float64(int(vals[i%len(vals)])-128) / 16 // exact in binary
		}
		for _, k := range compiledKernels() {
			if !detectFeatures().supports(k.name) {
				continue
			}
			mr, nr := k.gemmMR, k.gemmNR
			ldc := nr + int(pad%8)
			a, b := make([]float64, kc*mr), make([]float64, kc*nr)
			for i := range a {
				a[i] = val(i)
			}
			for i := range b {
				b[i] = val(i + 3)
			}
			c := make([]float64, (mr-1)*ldc+nr)
			for i := range c {
				c[i] = val(i + 5)
			}
			c0 := append([]float64(nil), c...)
			k.gemmKernel(kc, a, b, c, ldc)
			for i := 0; i < mr; i++ {
				for j := 0; j < ldc && i*ldc+j < len(c); j++ {
					if j >= nr {
						if c[i*ldc+j] != c0[i*ldc+j] {
							t.Fatalf("%s: wrote outside the tile at (%d, %d)", k.name, i, j)
						}
						continue
					}
					s, sa := c0[i*ldc+j], math.Abs(c0[i*ldc+j])
					for p := 0; p < kc; p++ {
						s += a[p*mr+i] * b[p*nr+j]
						sa += math.Abs(a[p*mr+i] * b[p*nr+j])
					}
					if d := math.Abs(c[i*ldc+j] - s); d > float64(kc+2)*eps*sa {
						t.Fatalf("%s kc=%d: c(%d, %d) = %v, want %v", k.name, kc, i, j, c[i*ldc+j], s)
					}
				}
			}
		}
	})
}
