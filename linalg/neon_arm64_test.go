//go:build !purego

package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Focused tests of the NEON table (level1_arm64.go, gemm_arm64.go) against
// the generic table and the formulas of kernels.go. Run under qemu-user:
//
//	GOARCH=arm64 go test -exec qemu-aarch64 ./linalg/
//	QEMU_CPU=cortex-a72 GOARCH=arm64 go test -exec qemu-aarch64 ./linalg/
//
// Floats are compared with error bounds derived from the computation, with
// u = 2⁻⁵³ the unit roundoff and γ_k = k·u/(1−k·u) (Higham, ch. 3): a sum of
// k rounded operations (products fused or not) has error ≤ γ_k·Σ|terms|.
// Both the NEON and the generic result lie within that bound of the exact
// value, so they differ by at most twice the bound.

const neonU = 0x1p-53

// neonEta bounds the absolute error that gradual underflow adds to one
// operation (half the smallest subnormal, doubled for safety).
const neonEta = 0x1p-1074

func neonGamma(k int) float64 { return float64(k) * neonU / (1 - float64(k)*neonU) }

// neonCanary is a signalling-NaN bit pattern that no kernel produces; it
// fills the space around every operand and the gaps between matrix rows.
const neonCanary = 0x7ff4dead0badbeef

// neonLengths are every length from 0 to two unrolled iterations (8
// elements each) plus 3, and the powers of two ± 1 up to 4096.
func neonLengths() []int {
	var ls []int
	for n := 0; n <= 2*8+3; n++ {
		ls = append(ls, n)
	}
	for p := 32; p <= 4096; p *= 2 {
		ls = append(ls, p-1, p, p+1)
	}
	return ls
}

// neonBuf is an operand of n elements starting pre elements into buf; the
// rest of buf holds canaries. orig is a copy of buf taken before the call.
type neonBuf struct {
	buf, orig []float64
	pre, n    int
}

const neonPad = 8

// neonNew makes an operand of n elements at offset off (0..7 elements past
// the allocation's first canary block), with values from fill.
func neonNew(n, off int, fill func(i int) float64) *neonBuf {
	g := &neonBuf{buf: make([]float64, neonPad+off+n+neonPad), pre: neonPad + off, n: n}
	for i := range g.buf {
		g.buf[i] = math.Float64frombits(neonCanary)
	}
	for i := 0; i < n; i++ {
		g.buf[g.pre+i] = fill(i)
	}
	g.orig = append([]float64(nil), g.buf...)
	return g
}

// s is the operand, its capacity cut at its length.
func (g *neonBuf) s() []float64 { return g.buf[g.pre : g.pre+g.n : g.pre+g.n] }

// want is the operand's original contents.
func (g *neonBuf) want() []float64 { return append([]float64(nil), g.orig[g.pre:g.pre+g.n]...) }

// checkPads fails unless everything outside the operand is bitwise unchanged.
func (g *neonBuf) checkPads(t *testing.T, what string) {
	t.Helper()
	for i, v := range g.buf {
		if (i < g.pre || i >= g.pre+g.n) && math.Float64bits(v) != math.Float64bits(g.orig[i]) {
			t.Fatalf("%s: element %d outside the operand (which is [%d, %d)) changed to %v", what, i, g.pre, g.pre+g.n, v)
		}
	}
}

// checkAll fails unless the whole buffer, operand included, is bitwise
// unchanged (read-only operands).
func (g *neonBuf) checkAll(t *testing.T, what string) {
	t.Helper()
	for i, v := range g.buf {
		if math.Float64bits(v) != math.Float64bits(g.orig[i]) {
			t.Fatalf("%s: read-only element %d changed from %v to %v", what, i, g.orig[i], v)
		}
	}
}

// neonRandom returns values of both signs spread over 2⁻⁸..2⁸, so sums
// cancel and rounding is exercised.
func neonRandom(r *rand.Rand) func(int) float64 {
	return func(int) float64 {
		return (2*r.Float64() - 1) * math.Ldexp(1, r.IntN(17)-8)
	}
}

// neonClose reports whether got agrees with want within bound, NaN with NaN
// and an infinity with the same infinity.
func neonClose(got, want, bound float64) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want || math.IsInf(bound, 0) || math.IsNaN(bound)
	}
	return math.Abs(got-want) <= bound
}

func neonSumAbsProd(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		s += math.Abs(x[i] * y[i])
	}
	return s
}

func TestNEONTableInstalled(t *testing.T) {
	k := neonKernels
	if k.name != "neon" || k.gemmMR != 6 || k.gemmNR != 8 || k.fmaLoopFlops != 96 {
		t.Fatalf("neon table: name %q MR %d NR %d flops %d", k.name, k.gemmMR, k.gemmNR, k.fmaLoopFlops)
	}
	if !detectFeatures().ASIMD {
		t.Fatal("ASIMD not detected on arm64")
	}
	if Implementation() != "neon" && Implementation() != "generic" {
		t.Fatalf("Implementation() = %q on arm64", Implementation())
	}
}

func TestNEONDot(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range neonLengths() {
		for off := 0; off < 8; off++ {
			xb := neonNew(n, off, neonRandom(r))
			yb := neonNew(n, 7-off, neonRandom(r))
			got := neonKernels.dot(xb.s(), yb.s())
			want := dotGeneric(xb.want(), yb.want())
			bound := 2 * neonGamma(n) * neonSumAbsProd(xb.want(), yb.want())
			if !neonClose(got, want, bound) {
				t.Fatalf("dot n=%d off=%d: got %v, generic %v, |diff| %g > bound %g", n, off, got, want, math.Abs(got-want), bound)
			}
			xb.checkAll(t, fmt.Sprintf("dot n=%d x", n))
			yb.checkAll(t, fmt.Sprintf("dot n=%d y", n))
		}
		// x and y the same slice.
		xb := neonNew(n, 0, neonRandom(r))
		got := neonKernels.dot(xb.s(), xb.s())
		want := dotGeneric(xb.want(), xb.want())
		if !neonClose(got, want, 2*neonGamma(n)*neonSumAbsProd(xb.want(), xb.want())) {
			t.Fatalf("dot(x, x) n=%d: got %v, generic %v", n, got, want)
		}
	}
}

func TestNEONAsum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range neonLengths() {
		for off := 0; off < 8; off++ {
			xb := neonNew(n, off, neonRandom(r))
			got := neonKernels.asum(xb.s())
			want := asumGeneric(xb.want())
			bound := 2 * neonGamma(n) * asumGeneric(xb.want())
			if !neonClose(got, want, bound) {
				t.Fatalf("asum n=%d off=%d: got %v, generic %v, bound %g", n, off, got, want, bound)
			}
			xb.checkAll(t, fmt.Sprintf("asum n=%d", n))
		}
	}
}

func TestNEONScal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range neonLengths() {
		for off := 0; off < 8; off++ {
			alpha := neonRandom(r)(0)
			xb := neonNew(n, off, neonRandom(r))
			neonKernels.scal(alpha, xb.s())
			want := xb.want()
			scalGeneric(alpha, want)
			// One rounded product per element in both: bit equality.
			for i, v := range xb.s() {
				if math.Float64bits(v) != math.Float64bits(want[i]) {
					t.Fatalf("scal n=%d off=%d: x[%d] = %v, generic %v", n, off, i, v, want[i])
				}
			}
			xb.checkPads(t, fmt.Sprintf("scal n=%d", n))
		}
	}
}

// neonCheckUpdate compares an updated vector with the generic result
// elementwise; scale[i] bounds the magnitude of the terms of element i and k
// the number of roundings.
func neonCheckUpdate(t *testing.T, what string, got, want, scale []float64, k int) {
	t.Helper()
	for i := range got {
		bound := 2*neonGamma(k)*scale[i] + 2*float64(k)*neonEta
		if !neonClose(got[i], want[i], bound) {
			t.Fatalf("%s: element %d = %v, generic %v, |diff| %g > bound %g", what, i, got[i], want[i], math.Abs(got[i]-want[i]), bound)
		}
	}
}

func TestNEONAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range neonLengths() {
		for off := 0; off < 8; off++ {
			alpha := neonRandom(r)(0)
			xb := neonNew(n, off, neonRandom(r))
			yb := neonNew(n, (off+3)%8, neonRandom(r))
			neonKernels.axpy(alpha, xb.s(), yb.s())
			want, scale := yb.want(), make([]float64, n)
			axpyGeneric(alpha, xb.want(), want)
			for i, v := range xb.want() {
				scale[i] = math.Abs(alpha*v) + math.Abs(yb.orig[yb.pre+i])
			}
			what := fmt.Sprintf("axpy n=%d off=%d", n, off)
			neonCheckUpdate(t, what, yb.s(), want, scale, 2)
			xb.checkAll(t, what+" x")
			yb.checkPads(t, what+" y")
		}
		// x and y the same slice: y = y + alpha·y.
		yb := neonNew(n, 1, neonRandom(r))
		neonKernels.axpy(-0.75, yb.s(), yb.s())
		want, scale := yb.want(), make([]float64, n)
		axpyGeneric(-0.75, yb.want(), want)
		for i, v := range yb.want() {
			scale[i] = 1.75 * math.Abs(v)
		}
		neonCheckUpdate(t, fmt.Sprintf("axpy aliased n=%d", n), yb.s(), want, scale, 2)
		yb.checkPads(t, "axpy aliased")
	}
}

func TestNEONAxpby(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range neonLengths() {
		for off := 0; off < 8; off++ {
			alpha, beta := neonRandom(r)(0), neonRandom(r)(0)
			if off == 5 {
				beta = 0
			}
			xb := neonNew(n, off, neonRandom(r))
			yb := neonNew(n, 7-off, neonRandom(r))
			neonKernels.axpby(alpha, xb.s(), beta, yb.s())
			want, scale := yb.want(), make([]float64, n)
			axpbyGeneric(alpha, xb.want(), beta, want)
			for i, v := range xb.want() {
				scale[i] = math.Abs(alpha*v) + math.Abs(beta*yb.orig[yb.pre+i])
			}
			what := fmt.Sprintf("axpby n=%d off=%d", n, off)
			neonCheckUpdate(t, what, yb.s(), want, scale, 3)
			xb.checkAll(t, what+" x")
			yb.checkPads(t, what+" y")
		}
		yb := neonNew(n, 2, neonRandom(r))
		neonKernels.axpby(0.5, yb.s(), -2, yb.s())
		want, scale := yb.want(), make([]float64, n)
		axpbyGeneric(0.5, yb.want(), -2, want)
		for i, v := range yb.want() {
			scale[i] = 2.5 * math.Abs(v)
		}
		neonCheckUpdate(t, fmt.Sprintf("axpby aliased n=%d", n), yb.s(), want, scale, 3)
		yb.checkPads(t, "axpby aliased")
	}
}

// neonSpecials are the special values mixed into operands.
var neonSpecials = []float64{
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	0x1p-1074, -0x1p-1070, 0x1.8p-1050, math.SmallestNonzeroFloat64,
	math.MaxFloat64, -math.MaxFloat64, 1e300, -1e-300, 0x1p-1022,
}

// neonSpecialFill returns random values with about one element in four
// replaced by a special value.
func neonSpecialFill(r *rand.Rand) func(int) float64 {
	base := neonRandom(r)
	return func(i int) float64 {
		if r.IntN(4) == 0 {
			return neonSpecials[r.IntN(len(neonSpecials))]
		}
		return base(i)
	}
}

// TestNEONSpecialValues runs every level-1 kernel on operands holding ±0,
// ±Inf, NaN, subnormals and huge or tiny values. Results must agree in
// class (NaN, same infinity) and otherwise within the error bound, which
// includes an absolute term for underflow. A single special value at each
// position of short vectors catches a lane that is dropped or mixed up.
func TestNEONSpecialValues(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var cases [][2][]float64
	for n := 1; n <= 19; n++ {
		for _, sv := range neonSpecials {
			for pos := 0; pos < n; pos++ {
				x := make([]float64, n)
				y := make([]float64, n)
				for i := range x {
					x[i], y[i] = neonRandom(r)(0), neonRandom(r)(0)
				}
				x[pos] = sv
				cases = append(cases, [2][]float64{x, y})
			}
		}
	}
	for _, n := range []int{7, 8, 17, 64, 255} {
		for rep := 0; rep < 20; rep++ {
			f := neonSpecialFill(r)
			x, y := make([]float64, n), make([]float64, n)
			for i := range x {
				x[i], y[i] = f(i), f(i)
			}
			cases = append(cases, [2][]float64{x, y})
		}
	}
	for ci, c := range cases {
		x, y := c[0], c[1]
		n := len(x)
		what := func(k string) string { return fmt.Sprintf("%s case %d n=%d x=%v y=%v", k, ci, n, x, y) }

		got, want := neonKernels.dot(x, y), dotGeneric(x, y)
		if !neonClose(got, want, 2*neonGamma(n)*neonSumAbsProd(x, y)+2*float64(n)*neonEta) {
			t.Fatalf("%s: got %v, generic %v", what("dot"), got, want)
		}
		got, want = neonKernels.asum(x), asumGeneric(x)
		if !neonClose(got, want, 2*neonGamma(n)*want) {
			t.Fatalf("%s: got %v, generic %v", what("asum"), got, want)
		}
		for _, alpha := range []float64{0, -1.5, math.Inf(1), 0x1p-1060} {
			gx := append([]float64(nil), x...)
			wx := append([]float64(nil), x...)
			neonKernels.scal(alpha, gx)
			scalGeneric(alpha, wx)
			for i := range gx {
				if math.Float64bits(gx[i]) != math.Float64bits(wx[i]) && !(math.IsNaN(gx[i]) && math.IsNaN(wx[i])) {
					t.Fatalf("%s alpha=%v: x[%d] = %v, generic %v", what("scal"), alpha, i, gx[i], wx[i])
				}
			}
			gy := append([]float64(nil), y...)
			wy := append([]float64(nil), y...)
			neonKernels.axpy(alpha, x, gy)
			axpyGeneric(alpha, x, wy)
			scale := make([]float64, n)
			for i := range scale {
				scale[i] = math.Abs(alpha*x[i]) + math.Abs(y[i])
			}
			neonCheckUpdate(t, what(fmt.Sprintf("axpy alpha=%v", alpha)), gy, wy, scale, 2)

			beta := -0.25
			copy(gy, y)
			copy(wy, y)
			neonKernels.axpby(alpha, x, beta, gy)
			axpbyGeneric(alpha, x, beta, wy)
			for i := range scale {
				scale[i] = math.Abs(alpha*x[i]) + math.Abs(beta*y[i])
			}
			neonCheckUpdate(t, what(fmt.Sprintf("axpby alpha=%v", alpha)), gy, wy, scale, 3)
		}
	}
}

// neonMatrix makes an m×n matrix with row stride lda at offset off: the
// buffer holds exactly (m-1)*lda+n elements when m > 0, and the gaps
// between rows (columns n..lda-1) hold canaries, so a kernel that reads
// them returns NaN.
func neonMatrix(r *rand.Rand, m, n, lda, off int) *neonBuf {
	size := 0
	if m > 0 {
		size = (m-1)*lda + n
	}
	f := neonRandom(r)
	return neonNew(size, off, func(i int) float64 {
		if i%lda >= n {
			return math.Float64frombits(neonCanary)
		}
		return f(i)
	})
}

func neonGemvShapes() [][2]int {
	var s [][2]int
	for m := 0; m <= 9; m++ {
		for n := 0; n <= 11; n++ {
			s = append(s, [2]int{m, n})
		}
	}
	return append(s, [2]int{16, 16}, [2]int{17, 31}, [2]int{33, 64}, [2]int{63, 9}, [2]int{4, 257}, [2]int{131, 5})
}

func TestNEONGemv(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, sh := range neonGemvShapes() {
		m, n := sh[0], sh[1]
		for _, extra := range []int{0, 1, 3, 8} {
			lda := n + extra
			if lda == 0 {
				lda = 1
			}
			for _, off := range []int{0, 3, 7} {
				alpha := neonRandom(r)(0)
				what := fmt.Sprintf("m=%d n=%d lda=%d off=%d", m, n, lda, off)

				// gemvN: y (len m) += alpha·A·x (len n).
				ab := neonMatrix(r, m, n, lda, off)
				xb := neonNew(n, (off+1)%8, neonRandom(r))
				yb := neonNew(m, (off+2)%8, neonRandom(r))
				neonKernels.gemvN(alpha, ab.s(), lda, xb.s(), yb.s())
				want := yb.want()
				gemvNGeneric(alpha, ab.want(), lda, xb.want(), want)
				scale := make([]float64, m)
				for i := range scale {
					scale[i] = math.Abs(yb.orig[yb.pre+i]) + math.Abs(alpha)*neonSumAbsProd(ab.want()[i*lda:i*lda+n], xb.want())
				}
				neonCheckUpdate(t, "gemvN "+what, yb.s(), want, scale, n+2)
				ab.checkAll(t, "gemvN "+what+" a")
				xb.checkAll(t, "gemvN "+what+" x")
				yb.checkPads(t, "gemvN "+what+" y")

				// gemvT: y (len n) += alpha·Aᵀ·x (len m).
				ab = neonMatrix(r, m, n, lda, off)
				xb = neonNew(m, (off+4)%8, neonRandom(r))
				yb = neonNew(n, (off+5)%8, neonRandom(r))
				neonKernels.gemvT(alpha, ab.s(), lda, xb.s(), yb.s())
				want = yb.want()
				gemvTGeneric(alpha, ab.want(), lda, xb.want(), want)
				scale = make([]float64, n)
				for j := range scale {
					scale[j] = math.Abs(yb.orig[yb.pre+j])
					for i := 0; i < m; i++ {
						scale[j] += math.Abs(alpha * xb.want()[i] * ab.want()[i*lda+j])
					}
				}
				neonCheckUpdate(t, "gemvT "+what, yb.s(), want, scale, m+2)
				ab.checkAll(t, "gemvT "+what+" a")
				xb.checkAll(t, "gemvT "+what+" x")
				yb.checkPads(t, "gemvT "+what+" y")
			}
		}
	}
}

// TestNEONGemmKernel checks the micro-kernel against the formula of
// kernels.go, c[i*ldc+j] += Σ_p a[p*MR+i]·b[p*NR+j], for kc = 0..20 and a
// few larger, with ldc ≥ NR; columns NR..ldc-1 of C hold canaries that must
// survive, as must the canaries around a, b and c.
func TestNEONGemmKernel(t *testing.T) {
	k := neonKernels
	mr, nr := k.gemmMR, k.gemmNR
	r := rand.New(rand.NewPCG(15, 16))
	kcs := []int{}
	for kc := 0; kc <= 20; kc++ {
		kcs = append(kcs, kc)
	}
	kcs = append(kcs, 31, 64, 255, 256)
	for _, kc := range kcs {
		for _, ldc := range []int{nr, nr + 1, nr + 5, 2 * nr, 3*nr + 7} {
			for _, off := range []int{0, 1, 4, 7} {
				what := fmt.Sprintf("gemmKernel kc=%d ldc=%d off=%d", kc, ldc, off)
				ab := neonNew(kc*mr, off, neonRandom(r))
				bb := neonNew(kc*nr, (off+3)%8, neonRandom(r))
				cb := neonMatrix(r, mr, nr, ldc, (off+6)%8)
				k.gemmKernel(kc, ab.s(), bb.s(), cb.s(), ldc)
				a, b, c := ab.want(), bb.want(), cb.s()
				for i := 0; i < mr; i++ {
					for j := 0; j < nr; j++ {
						sum, scale := 0.0, 0.0
						for p := 0; p < kc; p++ {
							sum += a[p*mr+i] * b[p*nr+j]
							scale += math.Abs(a[p*mr+i] * b[p*nr+j])
						}
						c0 := cb.orig[cb.pre+i*ldc+j]
						want := c0 + sum
						bound := 2 * neonGamma(kc+1) * (math.Abs(c0) + scale)
						if got := c[i*ldc+j]; !neonClose(got, want, bound) {
							t.Fatalf("%s: c[%d,%d] = %v, formula %v, |diff| %g > bound %g", what, i, j, got, want, math.Abs(got-want), bound)
						}
					}
					for j := nr; j < ldc && i < mr-1; j++ {
						if math.Float64bits(c[i*ldc+j]) != neonCanary {
							t.Fatalf("%s: gap c[%d,%d] written: %v", what, i, j, c[i*ldc+j])
						}
					}
				}
				ab.checkAll(t, what+" a")
				bb.checkAll(t, what+" b")
				cb.checkPads(t, what+" c")
			}
		}
	}
}

// TestNEONGemmKernelSpecial: NaN and infinities in A, B or C reach exactly
// the elements of C they should.
func TestNEONGemmKernelSpecial(t *testing.T) {
	k := neonKernels
	mr, nr, kc, ldc := k.gemmMR, k.gemmNR, 5, k.gemmNR+2
	for _, where := range []string{"a", "b", "c"} {
		for idx := 0; idx < mr*nr; idx++ {
			a := make([]float64, kc*mr)
			b := make([]float64, kc*nr)
			c := make([]float64, (mr-1)*ldc+nr)
			for i := range a {
				a[i] = 1
			}
			for i := range b {
				b[i] = 1
			}
			wantNaN := func(i, j int) bool { return false }
			switch where {
			case "a":
				if idx >= mr {
					continue
				}
				a[2*mr+idx] = math.NaN()
				wantNaN = func(i, j int) bool { return i == idx }
			case "b":
				if idx >= nr {
					continue
				}
				b[3*nr+idx] = math.Inf(1)
				b[4*nr+idx] = math.Inf(-1)
				wantNaN = func(i, j int) bool { return j == idx }
			case "c":
				i0, j0 := idx/nr, idx%nr
				c[i0*ldc+j0] = math.NaN()
				wantNaN = func(i, j int) bool { return i == i0 && j == j0 }
			}
			k.gemmKernel(kc, a, b, c, ldc)
			for i := 0; i < mr; i++ {
				for j := 0; j < nr; j++ {
					got := c[i*ldc+j]
					if wantNaN(i, j) != math.IsNaN(got) || (!wantNaN(i, j) && got != float64(kc)) {
						t.Fatalf("special in %s at %d: c[%d,%d] = %v", where, idx, i, j, got)
					}
				}
			}
		}
	}
}

func TestNEONFMALoop(t *testing.T) {
	for _, iters := range []int{-1, 0, 1, 2, 1000} {
		neonKernels.fmaLoop(iters) // must return and leave Go's state intact
	}
	old := Implementation()
	if err := SetImplementation("neon"); err != nil {
		t.Fatal(err)
	}
	defer SetImplementation(old)
	if got := FMALoop(1000); got != 96000 {
		t.Fatalf("FMALoop(1000) = %d flops, want 96000", got)
	}
}

// neonGuardPage returns a slice of n float64 whose last element ends where
// an inaccessible page begins, so a kernel reading or writing one element
// past the end faults. The previous page is inaccessible too.
func neonGuardPage(t *testing.T, n int) []float64 {
	t.Helper()
	ps := unix.Getpagesize()
	data := (n*8 + ps - 1) / ps * ps
	mem, err := unix.Mmap(-1, 0, ps+data+ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	if err := unix.Mprotect(mem[:ps], unix.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	if err := unix.Mprotect(mem[ps+data:], unix.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	if n == 0 {
		return nil
	}
	end := ps + data
	return unsafe.Slice((*float64)(unsafe.Pointer(&mem[end-8*n])), n)
}

// TestNEONGuardPage runs every kernel on operands that end at a guard page.
func TestNEONGuardPage(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	fill := func(s []float64) []float64 {
		f := neonRandom(r)
		for i := range s {
			s[i] = f(i)
		}
		return s
	}
	lens := []int{0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 19, 31, 33, 1023}
	for _, n := range lens {
		x, y := fill(neonGuardPage(t, n)), fill(neonGuardPage(t, n))
		neonKernels.dot(x, y)
		neonKernels.asum(x)
		neonKernels.axpy(0.5, x, y)
		neonKernels.axpby(0.5, x, 2, y)
		neonKernels.scal(0.5, y)
		for _, m := range []int{1, 3, 4, 5, 8, 9} {
			lda := n + 3
			a := fill(neonGuardPage(t, (m-1)*lda+n))
			xn, yn := fill(neonGuardPage(t, n)), fill(neonGuardPage(t, m))
			neonKernels.gemvN(1.5, a, lda, xn, yn)
			xt, yt := fill(neonGuardPage(t, m)), fill(neonGuardPage(t, n))
			neonKernels.gemvT(1.5, a, lda, xt, yt)
		}
	}
	k := neonKernels
	for _, kc := range []int{0, 1, 2, 7} {
		for _, ldc := range []int{k.gemmNR, k.gemmNR + 3} {
			a := fill(neonGuardPage(t, kc*k.gemmMR))
			b := fill(neonGuardPage(t, kc*k.gemmNR))
			c := fill(neonGuardPage(t, (k.gemmMR-1)*ldc+k.gemmNR))
			k.gemmKernel(kc, a, b, c, ldc)
		}
	}
}

// TestNEONNoAllocs: the gemv wrappers pass their scratch arrays to assembly
// without allocating.
func TestNEONNoAllocs(t *testing.T) {
	a := make([]float64, 8*8)
	x, y := make([]float64, 8), make([]float64, 8)
	if n := testing.AllocsPerRun(10, func() {
		neonKernels.gemvN(1, a, 8, x, y)
		neonKernels.gemvT(1, a, 8, x, y)
	}); n != 0 {
		t.Fatalf("gemv allocates %v times per call", n)
	}
}

// neonFuzzValues are the special values a fuzz byte can decode to. They
// are kept below 2⁵⁰¹ in magnitude so that no sum of products of up to a
// few hundred of them overflows: the class of every result (finite, ±Inf,
// NaN) is then independent of summation order and fusing, and finite
// results are compared with the usual error bound.
var neonFuzzValues = []float64{
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	0x1p-1074, -0x1p-1070, 0x1.8p-1050, 0x1p-1022, 0x1p500, -0x1p499, 1e-300,
}

// neonFuzzValue decodes one byte: a special value, or a small multiple of 1/8.
func neonFuzzValue(b byte) float64 {
	if int(b) < len(neonFuzzValues) {
		return neonFuzzValues[b]
	}
	return float64(int8(b)) / 8
}

// FuzzNEONLevel1 decodes an offset, alpha, beta and two vectors from bytes
// and checks every level-1 kernel against the generic one, with canaries.
func FuzzNEONLevel1(f *testing.F) {
	f.Add([]byte{0, 17, 200})
	f.Add([]byte{3, 40, 250, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
	f.Add([]byte{7, 2, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111})
	f.Fuzz(neonCheckLevel1Bytes)
}

// neonCheckLevel1Bytes is the body of FuzzNEONLevel1.
func neonCheckLevel1Bytes(t *testing.T, data []byte) {
	if len(data) < 3 {
		return
	}
	off := int(data[0] % 8)
	alpha, beta := neonFuzzValue(data[1]), neonFuzzValue(data[2])
	body := data[3:]
	n := len(body) / 2
	val := func(i int) float64 { return neonFuzzValue(body[i]) }
	xb := neonNew(n, off, val)
	yb := neonNew(n, 7-off, func(i int) float64 { return val(n + i) })
	x, y := xb.want(), yb.want()

	got, want := neonKernels.dot(xb.s(), yb.s()), dotGeneric(x, y)
	if !neonClose(got, want, 2*neonGamma(n)*neonSumAbsProd(x, y)+2*float64(n)*neonEta) {
		t.Fatalf("dot(%v, %v) = %v, generic %v", x, y, got, want)
	}
	got, want = neonKernels.asum(xb.s()), asumGeneric(x)
	if !neonClose(got, want, 2*neonGamma(n)*want) {
		t.Fatalf("asum(%v) = %v, generic %v", x, got, want)
	}
	xb.checkAll(t, "dot/asum x")
	yb.checkAll(t, "dot/asum y")

	scale := make([]float64, n)
	neonKernels.axpy(alpha, xb.s(), yb.s())
	w := yb.want()
	axpyGeneric(alpha, x, w)
	for i := range scale {
		scale[i] = math.Abs(alpha*x[i]) + math.Abs(y[i])
	}
	neonCheckUpdate(t, fmt.Sprintf("axpy(%v, %v, %v)", alpha, x, y), yb.s(), w, scale, 2)
	yb.checkPads(t, "axpy y")

	copy(yb.s(), y)
	neonKernels.axpby(alpha, xb.s(), beta, yb.s())
	w = yb.want()
	axpbyGeneric(alpha, x, beta, w)
	for i := range scale {
		scale[i] = math.Abs(alpha*x[i]) + math.Abs(beta*y[i])
	}
	neonCheckUpdate(t, fmt.Sprintf("axpby(%v, %v, %v, %v)", alpha, x, beta, y), yb.s(), w, scale, 3)
	yb.checkPads(t, "axpby y")

	neonKernels.scal(alpha, xb.s())
	w = xb.want()
	scalGeneric(alpha, w)
	for i, v := range xb.s() {
		if math.Float64bits(v) != math.Float64bits(w[i]) && !(math.IsNaN(v) && math.IsNaN(w[i])) {
			t.Fatalf("scal(%v, %v): x[%d] = %v, generic %v", alpha, x, i, v, w[i])
		}
	}
	xb.checkPads(t, "scal x")
}

// FuzzNEONGemmKernel decodes kc, ldc, an offset and the panels from bytes
// and checks the micro-kernel against the formula of kernels.go.
func FuzzNEONGemmKernel(f *testing.F) {
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{5, 1, 3, 16, 17, 18, 19, 20, 100, 200})
	f.Add([]byte{19, 4, 7, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 30, 60, 90})
	f.Fuzz(neonCheckGemmBytes)
}

// neonCheckGemmBytes is the body of FuzzNEONGemmKernel.
func neonCheckGemmBytes(t *testing.T, data []byte) {
	if len(data) < 3 {
		return
	}
	k := neonKernels
	mr, nr := k.gemmMR, k.gemmNR
	kc, ldc, off := int(data[0]%24), nr+int(data[1]%5), int(data[2]%8)
	body := data[3:]
	val := func(i int) float64 {
		if len(body) == 0 {
			return 1
		}
		return neonFuzzValue(body[i%len(body)])
	}
	ab := neonNew(kc*mr, off, val)
	bb := neonNew(kc*nr, 7-off, func(i int) float64 { return val(kc*mr + i) })
	cb := neonNew((mr-1)*ldc+nr, off, func(i int) float64 { return val(kc*(mr+nr) + i) })
	k.gemmKernel(kc, ab.s(), bb.s(), cb.s(), ldc)
	a, b, c := ab.want(), bb.want(), cb.s()
	for i := 0; i < mr; i++ {
		for j := 0; j < ldc && i*ldc+j < len(c); j++ {
			c0 := cb.orig[cb.pre+i*ldc+j]
			if j >= nr {
				if math.Float64bits(c[i*ldc+j]) != math.Float64bits(c0) {
					t.Fatalf("kc=%d ldc=%d: gap c[%d,%d] written", kc, ldc, i, j)
				}
				continue
			}
			want, scale := c0, math.Abs(c0)
			sum := 0.0
			for p := 0; p < kc; p++ {
				sum += a[p*mr+i] * b[p*nr+j]
				scale += math.Abs(a[p*mr+i] * b[p*nr+j])
			}
			want += sum
			if got := c[i*ldc+j]; !neonClose(got, want, 2*neonGamma(kc+1)*scale+2*float64(kc+1)*neonEta) {
				t.Fatalf("kc=%d ldc=%d: c[%d,%d] = %v, formula %v", kc, ldc, i, j, got, want)
			}
		}
	}
	ab.checkAll(t, "a")
	bb.checkAll(t, "b")
	cb.checkPads(t, "c")
}

// TestNEONRandomBytes feeds the fuzz bodies random inputs: go test -fuzz
// cannot run under qemu-user (the fuzzing workers are exec'd natively).
func TestNEONRandomBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for rep := 0; rep < 3000; rep++ {
		data := make([]byte, 3+r.IntN(90))
		for i := range data {
			if r.IntN(3) == 0 {
				data[i] = byte(r.IntN(len(neonFuzzValues)))
			} else {
				data[i] = byte(r.Uint32())
			}
		}
		neonCheckLevel1Bytes(t, data)
		neonCheckGemmBytes(t, data)
	}
}

// Benchmarks of the NEON kernels beside the generic ones, for real arm64
// hardware (timings under qemu-user mean nothing):
//
//	go test -run XXX -bench NEON -count 5 ./linalg/
func BenchmarkNEON(b *testing.B) {
	r := rand.New(rand.NewPCG(21, 22))
	vec := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = neonRandom(r)(i)
		}
		return s
	}
	for _, k := range []*kernels{genericKernels, neonKernels} {
		for _, n := range []int{64, 1024, 16384} {
			x, y := vec(n), vec(n)
			b.Run(fmt.Sprintf("dot/%s/n=%d", k.name, n), func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				b.ReportAllocs()
				for b.Loop() {
					sinkFloat = k.dot(x, y)
				}
			})
			b.Run(fmt.Sprintf("axpy/%s/n=%d", k.name, n), func(b *testing.B) {
				b.SetBytes(int64(24 * n))
				b.ReportAllocs()
				for b.Loop() {
					k.axpy(1e-9, x, y)
				}
			})
		}
		for _, n := range []int{64, 512} {
			a, x, y := vec(n*n), vec(n), vec(n)
			b.Run(fmt.Sprintf("gemvN/%s/n=%d", k.name, n), func(b *testing.B) {
				b.SetBytes(int64(8 * n * n))
				b.ReportAllocs()
				for b.Loop() {
					k.gemvN(1e-9, a, n, x, y)
				}
			})
			b.Run(fmt.Sprintf("gemvT/%s/n=%d", k.name, n), func(b *testing.B) {
				b.SetBytes(int64(8 * n * n))
				b.ReportAllocs()
				for b.Loop() {
					k.gemvT(1e-9, a, n, x, y)
				}
			})
		}
		kc := 256
		pa, pb := vec(kc*k.gemmMR), vec(kc*k.gemmNR)
		c := vec(k.gemmMR * k.gemmNR)
		b.Run(fmt.Sprintf("gemmKernel/%s/%dx%d/kc=%d", k.name, k.gemmMR, k.gemmNR, kc), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				k.gemmKernel(kc, pa, pb, c, k.gemmNR)
			}
			b.ReportMetric(float64(2*kc*k.gemmMR*k.gemmNR)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("fmaLoop/%s", k.name), func(b *testing.B) {
			for b.Loop() {
				k.fmaLoop(1000)
			}
			b.ReportMetric(float64(1000*k.fmaLoopFlops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
