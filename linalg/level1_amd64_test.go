//go:build !purego && unix

package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Tests of the amd64 level-1/2 kernels (avx2, avx512) against the generic
// table. Results are compared with error bounds derived from the
// operation, never bit for bit, except for scal (one rounding either way).

const (
	l1U    = 0x1p-53                     // unit roundoff
	l1Tiny = math.SmallestNonzeroFloat64 // absolute slack per underflowing product
	l1Pad  = 8                           // canary elements on each side
	// l1Unroll is the longest main-loop step of any kernel under test
	// (AVX-512 dot/axpy: four ZMM vectors).
	l1Unroll = 32
)

// l1Canary is a signalling-NaN bit pattern no kernel writes.
const l1Canary = 0x7ff4_dead_beef_0000

// l1Tables lists the assembly tables this CPU can run.
func l1Tables(t testing.TB) []*kernels {
	f := detectFeatures()
	var ks []*kernels
	for _, k := range platformKernels() {
		if f.supports(k.name) {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		t.Skip("no assembly table runs on this CPU")
	}
	return ks
}

// l1Lengths: every length 0..2·unroll+3, then powers of two ±1 to 4096.
func l1Lengths() []int {
	var ns []int
	for n := 0; n <= 2*l1Unroll+3; n++ {
		ns = append(ns, n)
	}
	for p := 64; p <= 4096; p *= 2 {
		ns = append(ns, p-1, p, p+1)
	}
	slices.Sort(ns)
	return slices.Compact(ns)
}

// l1Guarded is an operand of n elements starting off elements past a
// 64-byte boundary, with canaries on both sides.
type l1Guarded struct {
	buf  []float64
	s, n int
}

func newL1Guarded(n, off int) *l1Guarded {
	buf := make([]float64, n+2*l1Pad+16)
	for i := range buf {
		buf[i] = math.Float64frombits(l1Canary + uint64(i))
	}
	s := l1Pad
	for uintptr(unsafe.Pointer(&buf[s]))%64 != 0 {
		s++
	}
	return &l1Guarded{buf: buf, s: s + off, n: n}
}

// v is the operand, with cap == len.
func (g *l1Guarded) v() []float64 { return g.buf[g.s : g.s+g.n : g.s+g.n] }

// check reports the first canary that changed.
func (g *l1Guarded) check() error {
	for i, v := range g.buf {
		if i >= g.s && i < g.s+g.n {
			continue
		}
		if math.Float64bits(v) != l1Canary+uint64(i) {
			return fmt.Errorf("canary at %d (operand is [%d, %d)) overwritten with %v", i, g.s, g.s+g.n, v)
		}
	}
	return nil
}

func l1Fill(rng *rand.Rand, x []float64) {
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
}

// l1Close reports whether got matches want within bound, with non-finite
// results required to agree exactly (NaN with NaN, ±Inf with the same).
func l1Close(got, want, bound float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	case math.IsNaN(got) || math.IsInf(got, 0):
		return false
	}
	return math.Abs(got-want) <= bound
}

// Checkers take the kernel function so that TestL1CheckersCatchBugs can
// feed them broken ones. Each fills its own operands from rng.

type l1DotFunc = func(x, y []float64) float64

func l1CheckDot(dot l1DotFunc, x, y []float64) error {
	got := dot(x, y)
	want := dotGeneric(x, y)
	var s float64
	for i := range x {
		s += math.Abs(x[i] * y[i])
	}
	n := float64(len(x))
	// Each result is within γ_n·Σ|x_i y_i| of the exact sum (plus half an
	// ulp of the smallest subnormal per underflowing product).
	bound := 2*(n+2)*l1U*s + n*l1Tiny
	if !l1Close(got, want, bound) {
		return fmt.Errorf("dot n=%d: got %v, want %v (bound %.3g)", len(x), got, want, bound)
	}
	return nil
}

type l1AsumFunc = func(x []float64) float64

func l1CheckAsum(asum l1AsumFunc, x []float64) error {
	got := asum(x)
	want := asumGeneric(x)
	bound := 2 * (float64(len(x)) + 2) * l1U * want
	if !l1Close(got, want, bound) {
		return fmt.Errorf("asum n=%d: got %v, want %v (bound %.3g)", len(x), got, want, bound)
	}
	return nil
}

// l1CheckElems compares elementwise results with per-element bounds.
func l1CheckElems(op string, got, want, bound []float64) error {
	for i := range got {
		if !l1Close(got[i], want[i], bound[i]) {
			return fmt.Errorf("%s n=%d: element %d: got %v, want %v (bound %.3g)", op, len(got), i, got[i], want[i], bound[i])
		}
	}
	return nil
}

type l1AxpbyFunc = func(alpha float64, x []float64, beta float64, y []float64)

// l1CheckAxpby runs y = alpha·x + beta·y (axpy when axpy != nil).
func l1CheckAxpby(axpy func(alpha float64, x, y []float64), axpby l1AxpbyFunc, alpha, beta float64, x, y []float64) error {
	want := slices.Clone(y)
	x0 := slices.Clone(x)
	bound := make([]float64, len(y))
	op := "axpby"
	if axpy != nil {
		op = "axpy"
		axpyGeneric(alpha, x, want)
		for i := range bound {
			// One rounding for FMA, two for multiply-then-add.
			bound[i] = 3*l1U*(math.Abs(y[i])+math.Abs(alpha*x[i])) + l1Tiny
		}
		axpy(alpha, x, y)
	} else {
		axpbyGeneric(alpha, x, beta, want)
		for i := range bound {
			bound[i] = 5*l1U*(math.Abs(beta*y[i])+math.Abs(alpha*x[i])) + 2*l1Tiny
		}
		axpby(alpha, x, beta, y)
	}
	if !slices.EqualFunc(x, x0, l1SameBits) {
		return fmt.Errorf("%s n=%d: x modified", op, len(x))
	}
	return l1CheckElems(op, y, want, bound)
}

func l1SameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// l1CheckScal: one multiplication per element, so results agree exactly
// (NaN payloads aside).
func l1CheckScal(scal func(alpha float64, x []float64), alpha float64, x []float64) error {
	want := slices.Clone(x)
	scalGeneric(alpha, want)
	scal(alpha, x)
	return l1CheckElems("scal", x, want, make([]float64, len(x)))
}

type l1GemvFunc = func(alpha float64, a []float64, lda int, x, y []float64)

// l1CheckGemv checks gemvN (trans false; A is len(y)×len(x)) or gemvT
// (trans true; A is len(x)×len(y)).
func l1CheckGemv(gemv l1GemvFunc, trans bool, alpha float64, a []float64, lda int, x, y []float64) error {
	m, n := len(y), len(x)
	op := "gemvN"
	ref := gemvNGeneric
	if trans {
		m, n = n, m
		op = "gemvT"
		ref = gemvTGeneric
	}
	// S[k] = |y_k| + |alpha|·Σ |a·x| over the terms of output k.
	s := make([]float64, len(y))
	for k := range y {
		s[k] = math.Abs(y[k])
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if trans {
				s[j] += math.Abs(alpha * a[i*lda+j] * x[i])
			} else {
				s[i] += math.Abs(alpha * a[i*lda+j] * x[j])
			}
		}
	}
	terms := n // summands per output
	if trans {
		terms = m
	}
	bound := make([]float64, len(y))
	for k := range bound {
		bound[k] = (2*float64(terms)+6)*l1U*s[k] + float64(terms+2)*l1Tiny
	}
	want := slices.Clone(y)
	a0, x0 := slices.Clone(a), slices.Clone(x)
	ref(alpha, a, lda, x, want)
	gemv(alpha, a, lda, x, y)
	if !slices.EqualFunc(a, a0, l1SameBits) || !slices.EqualFunc(x, x0, l1SameBits) {
		return fmt.Errorf("%s %d×%d lda=%d: a or x modified", op, m, n, lda)
	}
	if err := l1CheckElems(op, y, want, bound); err != nil {
		return fmt.Errorf("%d×%d lda=%d: %w", m, n, lda, err)
	}
	return nil
}

// TestL1Kernels runs every level-1 kernel of every assembly table over all
// lengths of l1Lengths and all pairs of start offsets 0..7, with canaries
// around each operand.
func TestL1Kernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range l1Tables(t) {
		t.Run(k.name, func(t *testing.T) {
			for _, n := range l1Lengths() {
				for ox := 0; ox < 8; ox++ {
					for oy := 0; oy < 8; oy++ {
						if err := l1RunLevel1(k, rng, n, ox, oy); err != nil {
							t.Fatalf("%s offsets x=%d y=%d: %v", k.name, ox, oy, err)
						}
					}
				}
			}
		})
	}
}

// l1RunLevel1 checks dot, axpy, axpby, scal and asum on fresh guarded
// operands of length n at offsets ox, oy.
func l1RunLevel1(k *kernels, rng *rand.Rand, n, ox, oy int) error {
	gx, gy := newL1Guarded(n, ox), newL1Guarded(n, oy)
	x, y := gx.v(), gy.v()
	refill := func() { l1Fill(rng, x); l1Fill(rng, y) }
	checks := []struct {
		name string
		run  func() error
	}{
		{"dot", func() error { return l1CheckDot(k.dot, x, y) }},
		{"asum", func() error { return l1CheckAsum(k.asum, x) }},
		{"axpy", func() error { return l1CheckAxpby(k.axpy, nil, -1.25, 0, x, y) }},
		{"axpby", func() error { return l1CheckAxpby(nil, k.axpby, 0.75, -1.5, x, y) }},
		{"scal", func() error { return l1CheckScal(k.scal, -0.3, x) }},
	}
	for _, c := range checks {
		refill()
		if err := c.run(); err != nil {
			return err
		}
		if err := gx.check(); err != nil {
			return fmt.Errorf("%s n=%d: x: %v", c.name, n, err)
		}
		if err := gy.check(); err != nil {
			return fmt.Errorf("%s n=%d: y: %v", c.name, n, err)
		}
	}
	return nil
}

// l1Specials are injected at random positions in TestL1SpecialValues.
var l1Specials = []float64{
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.SmallestNonzeroFloat64, -0x1p-1030, 0x1p-1022, 1e300, -1e300, 1e-300,
}

// TestL1SpecialValues mixes ±0, ±Inf, NaN, subnormals and huge and tiny
// values into the operands; non-finite results must agree exactly.
func TestL1SpecialValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var ns []int
	for n := 0; n <= 2*l1Unroll+3; n++ {
		ns = append(ns, n)
	}
	ns = append(ns, 127, 128, 129, 1023)
	inject := func(x []float64, density int) {
		for i := range x {
			if rng.IntN(density) == 0 {
				x[i] = l1Specials[rng.IntN(len(l1Specials))]
			}
		}
	}
	for _, k := range l1Tables(t) {
		for _, n := range ns {
			for rep := 0; rep < 8; rep++ {
				density := 1 + rep*4 // from all-special to sparse
				x, y := make([]float64, n), make([]float64, n)
				fill := func() { l1Fill(rng, x); l1Fill(rng, y); inject(x, density); inject(y, density) }
				var errs []error
				fill()
				errs = append(errs, l1CheckDot(k.dot, x, y), l1CheckAsum(k.asum, x))
				fill()
				errs = append(errs, l1CheckAxpby(k.axpy, nil, 1.5, 0, x, y))
				fill()
				errs = append(errs, l1CheckAxpby(nil, k.axpby, -0.75, 2.5, x, y))
				fill()
				errs = append(errs, l1CheckScal(k.scal, -3, x))
				fill()
				errs = append(errs, l1CheckScal(k.scal, math.Inf(1), x))
				for _, err := range errs {
					if err != nil {
						t.Fatalf("%s density 1/%d: %v", k.name, density, err)
					}
				}
			}
		}
	}
}

// TestL1Aliasing: axpy and axpby with x and y the same slice (allowed by
// the Axpy contract).
func TestL1Aliasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range l1Tables(t) {
		for _, n := range l1Lengths() {
			x := make([]float64, n)
			l1Fill(rng, x)
			want := slices.Clone(x)
			axpyGeneric(0.5, slices.Clone(want), want)
			k.axpy(0.5, x, x)
			bound := make([]float64, n)
			for i := range bound {
				bound[i] = 3 * l1U * 1.5 * math.Abs(want[i])
			}
			if err := l1CheckElems(k.name+" axpy(x, x)", x, want, bound); err != nil {
				t.Fatal(err)
			}
			l1Fill(rng, x)
			want = slices.Clone(x)
			axpbyGeneric(0.5, slices.Clone(want), -2, want)
			k.axpby(0.5, x, -2, x)
			for i := range bound {
				bound[i] = 5 * l1U * 2.5 * math.Abs(want[i]/1.5)
			}
			if err := l1CheckElems(k.name+" axpby(x, x)", x, want, bound); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// l1GemvShapes: every m, n in 0..20, then larger and lopsided shapes.
func l1GemvShapes() [][2]int {
	var sh [][2]int
	for m := 0; m <= 20; m++ {
		for n := 0; n <= 20; n++ {
			sh = append(sh, [2]int{m, n})
		}
	}
	return append(sh, [2]int{64, 64}, [2]int{100, 37}, [2]int{37, 100}, [2]int{5, 1000},
		[2]int{1000, 5}, [2]int{257, 259}, [2]int{33, 1031}, [2]int{1031, 33})
}

// TestL1Gemv checks gemvN and gemvT on every shape of l1GemvShapes with
// lda = n and lda > n (the gap elements are canaries too), matrix offsets
// 0..7, and canaries around x and y.
func TestL1Gemv(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, k := range l1Tables(t) {
		for si, sh := range l1GemvShapes() {
			m, n := sh[0], sh[1]
			for _, extra := range []int{0, 3, 8} {
				lda := n + extra
				off := (si + extra) % 8
				for _, trans := range []bool{false, true} {
					if err := l1RunGemv(k, rng, trans, m, n, lda, off); err != nil {
						t.Fatalf("%s: %v", k.name, err)
					}
				}
			}
		}
	}
}

// l1RunGemv checks one gemv call on an m×n matrix with row stride lda.
func l1RunGemv(k *kernels, rng *rand.Rand, trans bool, m, n, lda, off int) error {
	size := 0
	if m > 0 {
		size = (m-1)*lda + n
	}
	ga := newL1Guarded(size, off)
	a := ga.v()
	for i := 0; i < m; i++ {
		l1Fill(rng, a[i*lda:i*lda+n]) // the gaps keep their canaries
	}
	nx, ny := n, m
	gemv, op := k.gemvN, "gemvN"
	if trans {
		nx, ny = m, n
		gemv, op = k.gemvT, "gemvT"
	}
	gx, gy := newL1Guarded(nx, (off+3)%8), newL1Guarded(ny, (off+5)%8)
	x, y := gx.v(), gy.v()
	l1Fill(rng, x)
	l1Fill(rng, y)
	alpha := []float64{1, -0.7, 3}[rng.IntN(3)]
	if err := l1CheckGemv(gemv, trans, alpha, a, lda, x, y); err != nil {
		return err
	}
	for i := 0; i+1 < m; i++ { // gaps between rows
		for j := i*lda + n; j < (i+1)*lda; j++ {
			if math.Float64bits(a[j]) != l1Canary+uint64(ga.s+j) {
				return fmt.Errorf("%s %d×%d lda=%d: gap element %d written", op, m, n, lda, j)
			}
		}
	}
	for name, g := range map[string]*l1Guarded{"a": ga, "x": gx, "y": gy} {
		if err := g.check(); err != nil {
			return fmt.Errorf("%s %d×%d lda=%d: %s: %v", op, m, n, lda, name, err)
		}
	}
	return nil
}

// l1GuardPages maps count float64s with an inaccessible page right before
// and right after them, and returns them two ways: starting just after the
// leading guard page, and ending just before the trailing one.
type l1GuardPages struct {
	mem []byte
}

func newL1GuardPages(t *testing.T, maxN int) *l1GuardPages {
	page := unix.Getpagesize()
	data := (maxN*8 + page - 1) / page * page
	if data == 0 {
		data = page
	}
	mem, err := unix.Mmap(-1, 0, data+2*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	if err := unix.Mprotect(mem[:page], unix.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	if err := unix.Mprotect(mem[page+data:], unix.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	return &l1GuardPages{mem: mem[page : page+data]}
}

// head returns n elements starting at the leading guard page.
func (g *l1GuardPages) head(n int) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(&g.mem[0])), len(g.mem)/8)[:n:n]
}

// tail returns n elements ending at the trailing guard page.
func (g *l1GuardPages) tail(n int) []float64 {
	all := unsafe.Slice((*float64)(unsafe.Pointer(&g.mem[0])), len(g.mem)/8)
	return all[len(all)-n:]
}

// TestL1GuardPage places every operand against an inaccessible page, at
// its start and at its end: a kernel that touches one element too many
// (even a masked-off lane that is not fault-suppressed) crashes the test.
func TestL1GuardPage(t *testing.T) {
	const maxN = 600
	px, py, pa := newL1GuardPages(t, maxN), newL1GuardPages(t, maxN), newL1GuardPages(t, 64*64)
	rng := rand.New(rand.NewPCG(9, 10))
	var ns []int
	for n := 0; n <= 2*l1Unroll+3; n++ {
		ns = append(ns, n)
	}
	ns = append(ns, 127, 257, 511, 513)
	for _, k := range l1Tables(t) {
		for _, atEnd := range []bool{false, true} {
			get := func(p *l1GuardPages, n int) []float64 {
				if atEnd {
					return p.tail(n)
				}
				return p.head(n)
			}
			for _, n := range ns {
				x, y := get(px, n), get(py, n)
				var errs []error
				l1Fill(rng, x)
				l1Fill(rng, y)
				errs = append(errs, l1CheckDot(k.dot, x, y), l1CheckAsum(k.asum, x),
					l1CheckAxpby(k.axpy, nil, 2, 0, x, y), l1CheckAxpby(nil, k.axpby, 2, 3, x, y),
					l1CheckScal(k.scal, 0.5, x))
				for _, err := range errs {
					if err != nil {
						t.Fatalf("%s atEnd=%v: %v", k.name, atEnd, err)
					}
				}
			}
			for m := 0; m <= 13; m++ {
				for n := 0; n <= 13; n++ {
					for _, lda := range []int{n, n + 1} {
						size := 0
						if m > 0 {
							size = (m-1)*lda + n
						}
						a := get(pa, size)
						l1Fill(rng, a)
						for _, trans := range []bool{false, true} {
							gemv, nx, ny := k.gemvN, n, m
							if trans {
								gemv, nx, ny = k.gemvT, m, n
							}
							x, y := get(px, nx), get(py, ny)
							l1Fill(rng, x)
							l1Fill(rng, y)
							if err := l1CheckGemv(gemv, trans, 1.5, a, lda, x, y); err != nil {
								t.Fatalf("%s atEnd=%v: %v", k.name, atEnd, err)
							}
						}
					}
				}
			}
		}
	}
}

// TestL1CheckersCatchBugs feeds the checkers deliberately broken kernels:
// the tests above can fail.
func TestL1CheckersCatchBugs(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x, y := make([]float64, 37), make([]float64, 37)
	l1Fill(rng, x)
	l1Fill(rng, y)
	dropLast := func(x, y []float64) float64 { return dotGeneric(x[:len(x)-1], y[:len(y)-1]) }
	if l1CheckDot(dropLast, x, y) == nil {
		t.Error("dot checker accepted a dot that skips the last element")
	}
	// A sum in a different order with one ulp of error per step passes.
	reversed := func(x, y []float64) float64 {
		var s float64
		for i := len(x) - 1; i >= 0; i-- {
			s = math.FMA(x[i], y[i], s)
		}
		return s
	}
	if err := l1CheckDot(reversed, x, y); err != nil {
		t.Errorf("dot checker rejected a correct reordered sum: %v", err)
	}
	nanless := func(x []float64) float64 {
		var s float64
		for _, v := range x {
			if !math.IsNaN(v) {
				s += math.Abs(v)
			}
		}
		return s
	}
	x[5] = math.NaN()
	if l1CheckAsum(nanless, x) == nil {
		t.Error("asum checker accepted a result that drops a NaN")
	}
	g := newL1Guarded(9, 3)
	overrun := g.buf[g.s : g.s+g.n+1]
	axpyGeneric(1, slices.Clone(overrun), overrun)
	if g.check() == nil {
		t.Error("canary check missed a write one past the end")
	}
	skipRow := func(alpha float64, a []float64, lda int, x, y []float64) {
		gemvNGeneric(alpha, a, lda, x, y[:len(y)-1])
	}
	a := make([]float64, 5*7)
	l1Fill(rng, a)
	if l1CheckGemv(skipRow, false, 1, a, 7, x[:7], y[:5]) == nil {
		t.Error("gemv checker accepted a gemvN that skips the last row")
	}
}

// FuzzL1Dot decodes a length, two offsets and a scale from the input and
// checks dot and axpy of every table.
func FuzzL1Dot(f *testing.F) {
	f.Add(uint16(37), uint8(3), uint8(5), int8(0), uint64(1))
	f.Add(uint16(0), uint8(0), uint8(0), int8(100), uint64(2))
	f.Add(uint16(1025), uint8(7), uint8(1), int8(-100), uint64(3))
	f.Fuzz(func(t *testing.T, n uint16, ox, oy uint8, exp int8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, uint64(n)))
		ln := int(n % 4100)
		for _, k := range l1Tables(t) {
			gx, gy := newL1Guarded(ln, int(ox%8)), newL1Guarded(ln, int(oy%8))
			x, y := gx.v(), gy.v()
			l1Fill(rng, x)
			l1Fill(rng, y)
			scale := math.Ldexp(1, int(exp)*4)
			for i := range x {
				x[i] *= scale
			}
			if err := l1CheckDot(k.dot, x, y); err != nil {
				t.Fatalf("%s: %v", k.name, err)
			}
			if err := l1CheckAxpby(k.axpy, nil, 1/scale, 0, x, y); err != nil {
				t.Fatalf("%s: %v", k.name, err)
			}
			if err := gx.check(); err != nil {
				t.Fatal(err)
			}
			if err := gy.check(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzL1Gemv decodes a shape, stride and offset from the input and checks
// gemvN and gemvT of every table.
func FuzzL1Gemv(f *testing.F) {
	f.Add(uint8(7), uint8(9), uint8(2), uint8(1), uint64(1))
	f.Add(uint8(64), uint8(3), uint8(0), uint8(6), uint64(2))
	f.Fuzz(func(t *testing.T, m, n, extra, off uint8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, uint64(m)<<8|uint64(n)))
		for _, k := range l1Tables(t) {
			for _, trans := range []bool{false, true} {
				if err := l1RunGemv(k, rng, trans, int(m), int(n), int(n)+int(extra%16), int(off%8)); err != nil {
					t.Fatalf("%s: %v", k.name, err)
				}
			}
		}
	})
}
