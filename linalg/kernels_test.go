package linalg

// The one kernel suite, implementation-agnostic in the manner of Go's
// crypto packages and gonum's testblas: every kernel table the binary holds
// and the CPU runs (generic, avx2, avx512, neon) is checked here against an
// exact oracle (floattest.Sum, arbitrary precision) under error bounds
// derived from the algorithm, and against the generic table for the
// propagation of NaN and Inf: every length 0..67 and powers of two ±1, all
// pairs of start offsets 0..7, canaries around every operand, a guard page
// after the last element (and before the first), special values (dense,
// sparse, and one at each lane of short vectors), special scalars, and the
// aliasing the contracts allow. A new table is tested by being compiled in.

import (
	"fmt"
	"math"
	"testing"

	ft "github.com/noisegeom/noisegeom/internal/floattest"
)

// vtVecKernel prepares one level-1 kernel test for a data set: it computes
// the oracle once and returns the function that runs one table on placed
// copies of the operands and checks the outcome.
type vtVecKernel func(n int, vals [][]float64, g *ft.Gen) func(k *kernels, ops [][]float64) error

// vtForVec runs a level-1 kernel test over every length, data set, table
// and memory layout.
func vtForVec(t testing.TB, tables []*kernels, name string, nops int, seed uint64, prep vtVecKernel) {
	short := testing.Short()
	errs := &vtErrs{t: t}
	for _, n := range vtVecLengths(short) {
		sc := &vtScope{TB: t}
		vtForVecN(sc, tables, name, nops, seed, prep, n, short, errs)
		sc.done()
		if errs.stop() {
			return
		}
	}
}

func vtForVecN(t testing.TB, tables []*kernels, name string, nops int, seed uint64, prep vtVecKernel, n int, short bool, errs *vtErrs) {
	lays := vtLayouts(nops, short)
	nBase := len(lays)
	if nops == 2 {
		lays = append(lays, vtPairLayouts(short)...)
	}
	placed := make([][]vtOperand, len(lays))
	for li, l := range lays {
		for i := range nops {
			placed[li] = append(placed[li], vtPlace(t, l[i], make([]float64, n)))
		}
	}
	g := ft.New(seed*1_000_003 + uint64(n))
	for di, ds := range vtDatasets(seed+uint64(n), nops, n) {
		run := prep(n, ds.vals, g)
		layouts := placed
		switch {
		case ds.lane:
			layouts = placed[:1]
		case di > 0:
			layouts = placed[:nBase]
		}
		for _, k := range tables {
			for li, ops := range layouts {
				s := make([][]float64, nops)
				for i := range ops {
					copy(ops[i].s, ds.vals[i])
					s[i] = ops[i].s
				}
				where := fmt.Sprintf("%s.%s n=%d %s %v", k.name, name, n, ds.name, lays[li])
				var err error
				if !ft.NoFault(t, where, func() { err = run(k, s) }) {
					errs.n++
				} else if err != nil {
					errs.errorf("%s: %v", where, err)
				} else if err := vtCheckOps(ops...); err != nil {
					errs.errorf("%s: %v", where, err)
				}
				if errs.stop() {
					return
				}
			}
		}
	}
}

// vtCheckElem checks one computed element against its oracle, its class
// against the generic table's result, and, when signedZero is set and the
// exact result is an exact zero, its sign. Where the oracle is lenient
// (an intermediate may overflow, so the result depends on the order of
// operations and on fusing) only the oracle's check applies.
func vtCheckElem(ref *ft.Sum, got, gen, rel, slack float64, signedZero bool) error {
	if err := ref.Check(got, rel, slack); err != nil {
		return err
	}
	if ref.Lenient(rel) {
		return nil
	}
	if !ft.SameClass(got, gen) {
		return fmt.Errorf("got %v, generic table %v: NaN/Inf propagate differently", got, gen)
	}
	if signedZero {
		if zero, neg := ref.ExactZero(); zero && (got != 0 || math.Signbit(got) != neg) {
			return fmt.Errorf("got %v, want %v (exact zero)", got, math.Copysign(0, map[bool]float64{true: -1, false: 1}[neg]))
		}
	}
	return nil
}

func TestKernelsDot(t *testing.T)      { vtForVec(t, vtTables(), "dot", 2, 1, vtDotPrep) }
func TestKernelsDotAlias(t *testing.T) { vtForVec(t, vtTables(), "dot(x,x)", 1, 12, vtDotPrep) }

// vtDotPrep tests dot of s[0] and s[len-1] (the same slice for one operand).
func vtDotPrep(n int, v [][]float64, g *ft.Gen) func(*kernels, [][]float64) error {
	x, y := v[0], v[len(v)-1]
	var ref ft.Sum
	for i := range x {
		ref.AddProd(x[i], y[i])
	}
	rel, slack := ft.Gamma(n), vtProdSlack(n)
	gen := dotGeneric(x, y)
	return func(k *kernels, s [][]float64) error {
		got := k.dot(s[0], s[len(s)-1])
		if err := vtCheckElem(&ref, got, gen, rel, slack, false); err != nil {
			return err
		}
		if n == 0 && math.Float64bits(got) != 0 {
			return fmt.Errorf("empty dot = %v, want +0", got)
		}
		if err := vtUnchanged("x", s[0], x); err != nil {
			return err
		}
		return vtUnchanged("y", s[len(s)-1], y)
	}
}

// vtAxpyPrep tests axpy; alias runs it with x and y the same slice.
// alpha is drawn from scalars (nil: g.Scalar()).
func vtAxpyPrep(alias bool, scalars []float64) vtVecKernel {
	return func(n int, v [][]float64, g *ft.Gen) func(*kernels, [][]float64) error {
		x, y := v[0], v[len(v)-1]
		alpha := vtScalar(g, scalars)
		refs := make([]ft.Sum, n)
		for i := range refs {
			refs[i].Add(y[i])
			refs[i].AddProd(alpha, x[i])
		}
		gen := append([]float64(nil), y...)
		if alias {
			axpyGeneric(alpha, gen, gen)
		} else {
			axpyGeneric(alpha, x, gen)
		}
		return func(k *kernels, s [][]float64) error {
			xs, ys := s[0], s[len(s)-1]
			k.axpy(alpha, xs, ys)
			if !alias {
				if err := vtUnchanged("x", xs, x); err != nil {
					return err
				}
			}
			for i := range refs {
				if err := vtCheckElem(&refs[i], ys[i], gen[i], ft.Gamma(2), vtProdSlack(1), scalars == nil); err != nil {
					return fmt.Errorf("alpha=%v: y[%d] (x=%v, y=%v): %w", alpha, i, x[i], y[i], err)
				}
			}
			return nil
		}
	}
}

func TestKernelsAxpy(t *testing.T) { vtForVec(t, vtTables(), "axpy", 2, 2, vtAxpyPrep(false, nil)) }
func TestKernelsAxpyAlias(t *testing.T) {
	vtForVec(t, vtTables(), "axpy(x,x)", 1, 3, vtAxpyPrep(true, nil))
}

// vtAxpbyPrep tests axpby; beta is sometimes 0, which the kernel contract
// says still reads y (NaN·0 is NaN). alpha and beta are drawn from scalars
// (nil: g.Scalar()).
func vtAxpbyPrep(alias bool, scalars []float64) vtVecKernel {
	return func(n int, v [][]float64, g *ft.Gen) func(*kernels, [][]float64) error {
		x, y := v[0], v[len(v)-1]
		alpha, beta := vtScalar(g, scalars), vtScalar(g, scalars)
		if g.Rand().IntN(4) == 0 {
			beta = 0
		}
		refs := make([]ft.Sum, n)
		for i := range refs {
			refs[i].AddProd(alpha, x[i])
			refs[i].AddProd(beta, y[i])
		}
		gen := append([]float64(nil), y...)
		if alias {
			axpbyGeneric(alpha, gen, beta, gen)
		} else {
			axpbyGeneric(alpha, x, beta, gen)
		}
		return func(k *kernels, s [][]float64) error {
			xs, ys := s[0], s[len(s)-1]
			k.axpby(alpha, xs, beta, ys)
			if !alias {
				if err := vtUnchanged("x", xs, x); err != nil {
					return err
				}
			}
			for i := range refs {
				if err := vtCheckElem(&refs[i], ys[i], gen[i], ft.Gamma(2), vtProdSlack(2), scalars == nil); err != nil {
					return fmt.Errorf("alpha=%v beta=%v: y[%d] (x=%v, y=%v): %w", alpha, beta, i, x[i], y[i], err)
				}
			}
			return nil
		}
	}
}

func TestKernelsAxpby(t *testing.T) {
	vtForVec(t, vtTables(), "axpby", 2, 4, vtAxpbyPrep(false, nil))
}
func TestKernelsAxpbyAlias(t *testing.T) {
	vtForVec(t, vtTables(), "axpby(x,x)", 1, 5, vtAxpbyPrep(true, nil))
}

// TestKernelsScal: a single rounded product per element has one correct
// answer, so every table must agree with generic bit for bit (NaN payloads
// aside), signed zeros included.
func TestKernelsScal(t *testing.T) { vtForVec(t, vtTables(), "scal", 1, 6, vtScalPrep(nil)) }

// vtScalPrep tests scal with alpha drawn from scalars (nil: g.Scalar()).
func vtScalPrep(scalars []float64) vtVecKernel {
	return func(n int, v [][]float64, g *ft.Gen) func(*kernels, [][]float64) error {
		return vtScalRun(n, v[0], vtScalar(g, scalars))
	}
}

func vtScalRun(n int, x []float64, alpha float64) func(*kernels, [][]float64) error {
	refs := make([]ft.Sum, n)
	for i := range refs {
		refs[i].AddProd(alpha, x[i])
	}
	gen := append([]float64(nil), x...)
	scalGeneric(alpha, gen)
	return func(k *kernels, s [][]float64) error {
		k.scal(alpha, s[0])
		for i := range refs {
			if !ft.SameBits(s[0][i], gen[i]) {
				return fmt.Errorf("alpha=%v: x[%d] = %v·%v = %v, generic %v", alpha, i, alpha, x[i], s[0][i], gen[i])
			}
			if err := refs[i].Check(s[0][i], ft.U, ft.Eta); err != nil {
				return fmt.Errorf("alpha=%v: x[%d]: %w", alpha, i, err)
			}
		}
		return nil
	}
}

// vtSpecialScalars are the alpha and beta values of TestKernelsSpecialScalars:
// zero, infinity, one whose products underflow, and plain ones.
var vtSpecialScalars = []float64{0, math.Inf(1), math.Inf(-1), 0x1p-1060, -1.5, -3, 0.75, -0.25}

// vtScalar draws a scalar from fixed, or g.Scalar() when fixed is empty.
func vtScalar(g *ft.Gen, fixed []float64) float64 {
	if len(fixed) == 0 {
		return g.Scalar()
	}
	return fixed[g.Rand().IntN(len(fixed))]
}

// TestKernelsSpecialScalars runs scal, axpy and axpby with special alpha
// and beta over every length, data set and layout. Their products are
// inexact, so an exact zero need not come out as zero: the sign-of-zero
// check of the moderate scalars is left out.
func TestKernelsSpecialScalars(t *testing.T) {
	ks, sc := vtTables(), vtSpecialScalars
	vtForVec(t, ks, "scal[special alpha]", 1, 13, vtScalPrep(sc))
	vtForVec(t, ks, "axpy[special alpha]", 2, 14, vtAxpyPrep(false, sc))
	vtForVec(t, ks, "axpby[special alpha, beta]", 2, 15, vtAxpbyPrep(false, sc))
}

func TestKernelsAsum(t *testing.T) { vtForVec(t, vtTables(), "asum", 1, 7, vtAsumPrep) }

func vtAsumPrep(n int, v [][]float64, g *ft.Gen) func(*kernels, [][]float64) error {
	x := v[0]
	var ref ft.Sum
	for _, xi := range x {
		ref.Add(math.Abs(xi))
	}
	rel := ft.Gamma(n - 1) // n−1 additions of exact terms
	gen := asumGeneric(x)
	return func(k *kernels, s [][]float64) error {
		got := k.asum(s[0])
		if err := vtCheckElem(&ref, got, gen, rel, 0, false); err != nil {
			return err
		}
		if got == 0 && math.Signbit(got) {
			return fmt.Errorf("asum = -0, want +0")
		}
		return vtUnchanged("x", s[0], x)
	}
}

// vtGemvShapes returns the (rows, cols) shapes of the gemv tests: every
// small shape through 20 rows and 20 columns (9 and 17 rows with -short), columns around the vector
// and unroll widths (31..33, 63..65, 127..129), and a few large and skinny
// ones.
func vtGemvShapes(short bool) [][2]int {
	ms := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17}
	ns := []int{}
	for n := 0; n <= 20; n++ {
		ns = append(ns, n)
	}
	ns = append(ns, 31, 32, 33, 47, 48, 49, 63, 64, 65, 67, 127, 128, 129)
	if short {
		ms = []int{0, 1, 2, 3, 4, 5, 8, 9, 16, 17}
		ns = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 67}
	}
	var sh [][2]int
	for _, m := range ms {
		for _, n := range ns {
			sh = append(sh, [2]int{m, n})
		}
	}
	for _, m := range []int{10, 11, 12, 13, 14, 18, 19, 20} { // all of 0..20 × 0..20
		for n := 0; n <= 20 && !short; n++ {
			sh = append(sh, [2]int{m, n})
		}
	}
	sh = append(sh, [2]int{3, 1025}, [2]int{1025, 3}, [2]int{64, 257}, [2]int{257, 64},
		[2]int{17, 31}, [2]int{63, 9}, [2]int{4, 257}, [2]int{131, 5})
	if !short {
		sh = append(sh, [2]int{2, 4097}, [2]int{4097, 2}, [2]int{129, 515}, [2]int{1, 4096},
			[2]int{64, 64}, [2]int{100, 37}, [2]int{37, 100}, [2]int{5, 1000}, [2]int{1000, 5},
			[2]int{257, 259}, [2]int{33, 1031}, [2]int{1031, 33}, [2]int{33, 64})
	}
	return sh
}

// vtGemv tests gemvN (trans false) or gemvT over every shape, row stride,
// data set, table and layout. The matrix is m×n with row stride lda; the
// elements between rows hold canaries that must neither change nor leak
// into the result.
func vtGemv(t0 testing.TB, tables []*kernels, trans bool) {
	short := testing.Short()
	errs := &vtErrs{t: t0}
	name := map[bool]string{false: "gemvN", true: "gemvT"}[trans]
	for si, sh := range vtGemvShapes(short) {
		m, n := sh[0], sh[1]
		lx, ly := n, m // lengths of x and y
		if trans {
			lx, ly = m, n
		}
		ldas := []int{n, n + 1, n + 3, n + 8}
		if short {
			ldas = []int{n, n + 3}
		}
		if m*n > 4096 {
			ldas = ldas[:1]
		}
		func() {
			t := &vtScope{TB: t0}
			defer t.done()
			g := ft.New(uint64(1000 + si))
			for _, lda := range ldas {
				size := 0
				if m > 0 {
					size = (m-1)*lda + n
				}
				placed := vtPlaceAll(t, vtLayouts(3, short), size, lx, ly)
				for _, dsName := range []string{"normal", "wide", "specials"} {
					var a, x, y []float64
					switch dsName {
					case "normal":
						a, x, y = g.Normal(size), g.Normal(lx), g.Normal(ly)
					case "wide":
						a, x, y = g.Wide(size), g.Wide(lx), g.Wide(ly)
					default:
						p := math.Min(0.1, 4/float64(max(size, 1)))
						a, x, y = g.WithSpecials(size, p, nil), g.WithSpecials(lx, 0.05, nil), g.WithSpecials(ly, 0.05, nil)
					}
					for i := 0; i < m-1; i++ {
						ft.SetCanaries(a[i*lda+n : (i+1)*lda])
					}
					alpha := g.Scalar()
					// Oracle: y[r] + Σ alpha·a·x over the terms of output r.
					refs := make([]ft.Sum, ly)
					terms := lx
					for r := range refs {
						refs[r].Add(y[r])
						for q := 0; q < lx; q++ {
							i, j := r, q
							if trans {
								i, j = q, r
							}
							refs[r].AddProd(alpha, a[i*lda+j], x[q])
						}
					}
					rel := ft.Gamma(terms + 2)
					// Each term is a product of three factors rounded in two
					// steps, in an order the kernel chooses; underflow in the
					// first costs at most Eta times the remaining factor,
					// underflow in the second Eta (see vtProdSlack).
					maxA := 0.0
					for i := 0; i < m; i++ {
						maxA = math.Max(maxA, vtAbsMax(a[i*lda:i*lda+n]))
					}
					slack := ft.Eta * float64(terms+1) * (2 + math.Abs(alpha) + maxA + vtAbsMax(x))
					gen := append([]float64(nil), y...)
					if trans {
						gemvTGeneric(alpha, a, lda, x, gen)
					} else {
						gemvNGeneric(alpha, a, lda, x, gen)
					}
					for _, k := range tables {
						for _, pl := range placed {
							pl.fill(a, x, y)
							ao, xo, yo := pl.ops[0], pl.ops[1], pl.ops[2]
							where := fmt.Sprintf("%s.%s m=%d n=%d lda=%d %s %v", k.name, name, m, n, lda, dsName, pl.layout)
							ok := ft.NoFault(t, where, func() {
								if trans {
									k.gemvT(alpha, ao.s, lda, xo.s, yo.s)
								} else {
									k.gemvN(alpha, ao.s, lda, xo.s, yo.s)
								}
							})
							if !ok {
								errs.n++
								continue
							}
							err := vtCheckOps(ao, xo, yo)
							if err == nil {
								err = vtUnchanged("a", ao.s, a)
							}
							if err == nil {
								err = vtUnchanged("x", xo.s, x)
							}
							for r := 0; err == nil && r < ly; r++ {
								if e := vtCheckElem(&refs[r], yo.s[r], gen[r], rel, slack, false); e != nil {
									err = fmt.Errorf("alpha=%v y[%d]: %w", alpha, r, e)
								}
							}
							if err != nil {
								errs.errorf("%s: %v", where, err)
							}
							if errs.stop() {
								return
							}
						}
					}
				}
			}
		}()
		if errs.stop() {
			return
		}
	}
}

func TestKernelsGemvN(t *testing.T) { vtGemv(t, vtTables(), false) }
func TestKernelsGemvT(t *testing.T) { vtGemv(t, vtTables(), true) }

// TestKernelsGemmKernel checks every table's micro-kernel against the
// contract c[i*ldc+j] += Σ_p a[p*MR+i]·b[p*NR+j], with canaries around the
// tile and in the gaps between its rows (ldc > NR), a guard page after the
// last element of every operand, and kc from 0 to 20 plus a few long
// panels.
func TestKernelsGemmKernel(t *testing.T) { vtGemmKernel(t, vtTables()) }

func vtGemmKernel(t0 testing.TB, tables []*kernels) {
	short := testing.Short()
	kcs := []int{}
	for kc := 0; kc <= 20; kc++ {
		kcs = append(kcs, kc)
	}
	kcs = append(kcs, 64)
	if !short {
		kcs = append(kcs, 31, 129, 255, 256)
	}
	errs := &vtErrs{t: t0}
	for _, k := range tables {
		mr, nr := k.gemmMR, k.gemmNR
		if mr <= 0 || nr <= 0 || k.gemmKernel == nil {
			t0.Errorf("%s: micro-kernel %dx%d missing", k.name, mr, nr)
			continue
		}
		g := ft.New(uint64(mr*100 + nr))
		for _, kc := range kcs {
			t := &vtScope{TB: t0}
			func() {
				defer t.done()
				for _, ldc := range []int{nr, nr + 1, nr + 5, 2 * nr, 2*nr + 3, 3*nr + 7} {
					csize := (mr-1)*ldc + nr
					placed := vtPlaceAll(t, vtLayouts(3, short), kc*mr, kc*nr, csize)
					for _, dsName := range []string{"normal", "wide", "specials"} {
						var a, b, c []float64
						switch dsName {
						case "normal":
							a, b, c = g.Normal(kc*mr), g.Normal(kc*nr), g.Normal(csize)
						case "wide":
							a, b, c = g.Wide(kc*mr), g.Wide(kc*nr), g.Wide(csize)
						default:
							p := math.Min(0.1, 3/float64(max(kc*mr, 1)))
							a, b, c = g.WithSpecials(kc*mr, p, nil), g.WithSpecials(kc*nr, p, nil), g.WithSpecials(csize, 0.05, nil)
						}
						for i := 0; i < mr-1; i++ {
							ft.SetCanaries(c[i*ldc+nr : (i+1)*ldc])
						}
						refs := make([]ft.Sum, mr*nr)
						for i := 0; i < mr; i++ {
							for j := 0; j < nr; j++ {
								r := &refs[i*nr+j]
								r.Add(c[i*ldc+j])
								for p := 0; p < kc; p++ {
									r.AddProd(a[p*mr+i], b[p*nr+j])
								}
							}
						}
						rel, slack := ft.Gamma(kc+1), vtProdSlack(kc)
						gen := append([]float64(nil), c...)
						vtGemmRef(kc, mr, nr, a, b, gen, ldc)
						for _, pl := range placed {
							pl.fill(a, b, c)
							ao, bo, co := pl.ops[0], pl.ops[1], pl.ops[2]
							where := fmt.Sprintf("%s.gemmKernel %dx%d kc=%d ldc=%d %s %v", k.name, mr, nr, kc, ldc, dsName, pl.layout)
							if !ft.NoFault(t, where, func() { k.gemmKernel(kc, ao.s, bo.s, co.s, ldc) }) {
								errs.n++
								continue
							}
							err := vtCheckOps(ao, bo, co)
							if err == nil {
								err = vtUnchanged("a", ao.s, a)
							}
							if err == nil {
								err = vtUnchanged("b", bo.s, b)
							}
							for i := 0; err == nil && i < mr-1; i++ {
								err = ft.CheckCanaries(co.s[i*ldc+nr:(i+1)*ldc], fmt.Sprintf("c gap after row %d", i))
							}
							for i := 0; err == nil && i < mr*nr; i++ {
								r, j := i/nr, i%nr
								if e := vtCheckElem(&refs[i], co.s[r*ldc+j], gen[r*ldc+j], rel, slack, false); e != nil {
									err = fmt.Errorf("c[%d,%d]: %w", r, j, e)
								}
							}
							if err != nil {
								errs.errorf("%s: %v", where, err)
							}
							if errs.stop() {
								return
							}
						}
					}
				}
			}()
			if errs.stop() {
				return
			}
		}
	}
}

// vtGemmRef is the contract formula of gemmKernel for any tile shape, in
// the generic kernel's order (unfused products summed over p, then added
// to c), used for the NaN/Inf class comparison.
func vtGemmRef(kc, mr, nr int, a, b, c []float64, ldc int) {
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			var s float64
			for p := 0; p < kc; p++ {
				s += float64(a[p*mr+i] * b[p*nr+j])
			}
			c[i*ldc+j] += s
		}
	}
}

// TestKernelsFMALoop runs every table's peak loop, which must return and
// report a positive, even flop count per iteration (a multiply and an add
// per lane).
func TestKernelsTanh(t *testing.T)      { vtForVec(t, vtTables(), "tanh", 2, 8, vtTanhPrep(false)) }
func TestKernelsTanhAlias(t *testing.T) { vtForVec(t, vtTables(), "tanh(x,x)", 1, 9, vtTanhPrep(true)) }

// vtTanhPrep tests tanh (dst = s[0], src = s[len-1]): the bits of the
// scalar Tanh, which is within 2 ulp of math.Tanh (TestTanhAccuracy), and
// the source untouched unless it is the destination.
func vtTanhPrep(alias bool) vtVecKernel {
	return func(n int, v [][]float64, g *ft.Gen) func(*kernels, [][]float64) error {
		src := v[len(v)-1]
		return func(k *kernels, s [][]float64) error {
			k.tanh(s[0], s[len(s)-1])
			for i, x := range src {
				if want := Tanh(x); !ft.SameBits(s[0][i], want) {
					return fmt.Errorf("tanh(%v) = %v, scalar Tanh %v", x, s[0][i], want)
				}
			}
			if alias {
				return nil
			}
			return vtUnchanged("src", s[1], src)
		}
	}
}

func TestKernelsRot(t *testing.T) { vtForVec(t, vtTables(), "rot", 2, 10, vtRotPrep) }

// vtRotPrep tests rot: each output is c·x ∓ s·y with two products and one
// sum (fused or not), so within γ₂ of the exact value.
func vtRotPrep(n int, v [][]float64, g *ft.Gen) func(*kernels, [][]float64) error {
	x, y := v[0], v[1]
	th := 2 * math.Pi * g.Rand().Float64()
	c, sn := math.Cos(th), math.Sin(th)
	refX, refY := make([]ft.Sum, n), make([]ft.Sum, n)
	for i := range x {
		refX[i].AddProd(c, x[i])
		refX[i].AddProd(-sn, y[i])
		refY[i].AddProd(sn, x[i])
		refY[i].AddProd(c, y[i])
	}
	genX, genY := append([]float64(nil), x...), append([]float64(nil), y...)
	rotGeneric(genX, genY, c, sn)
	rel, slack := ft.Gamma(2), vtProdSlack(2)
	return func(k *kernels, s [][]float64) error {
		k.rot(s[0], s[1], c, sn)
		for i := range x {
			if err := vtCheckElem(&refX[i], s[0][i], genX[i], rel, slack, false); err != nil {
				return fmt.Errorf("x'[%d] (θ=%v): %w", i, th, err)
			}
			if err := vtCheckElem(&refY[i], s[1][i], genY[i], rel, slack, false); err != nil {
				return fmt.Errorf("y'[%d] (θ=%v): %w", i, th, err)
			}
		}
		return nil
	}
}

func TestKernelsFMALoop(t *testing.T) {
	defer SetImplementation(Implementation())
	for _, k := range vtTables() {
		if k.fmaLoopFlops <= 0 || k.fmaLoopFlops%2 != 0 {
			t.Errorf("%s: fmaLoopFlops = %d", k.name, k.fmaLoopFlops)
		}
		for _, iters := range []int{-1, 0, 1, 2, 1000} {
			ft.NoFault(t, fmt.Sprintf("%s.fmaLoop(%d)", k.name, iters), func() { k.fmaLoop(iters) })
		}
		if err := SetImplementation(k.name); err != nil {
			t.Fatal(err)
		}
		if got, want := FMALoop(1000), 1000*k.fmaLoopFlops; got != want {
			t.Errorf("%s: FMALoop(1000) = %d, want %d", k.name, got, want)
		}
	}
}

// TestKernelTableShapes pins each compiled table's micro-tile and peak-loop
// width (the blocking and the peak figures depend on them), and checks that
// the CPU features of this GOARCH are detected and the active table is one
// of the compiled ones.
func TestKernelTableShapes(t *testing.T) {
	want := map[string][3]int{ // MR, NR, flops per fmaLoop iteration
		"generic": {4, 4, 16}, "avx2": {6, 8, 96}, "avx512": {12, 16, 192}, "neon": {6, 8, 96},
	}
	names := map[string]bool{}
	for _, k := range compiledKernels() {
		names[k.name] = true
		w, ok := want[k.name]
		if !ok {
			t.Errorf("table %q has no expected shape here", k.name)
			continue
		}
		if got := [3]int{k.gemmMR, k.gemmNR, k.fmaLoopFlops}; got != w {
			t.Errorf("%s: MR, NR, flops = %v, want %v", k.name, got, w)
		}
	}
	if !names[Implementation()] {
		t.Errorf("Implementation() = %q, not a compiled table", Implementation())
	}
	if names["neon"] && !detectFeatures().ASIMD {
		t.Error("ASIMD not detected on arm64")
	}
}

// TestKernelsGemmKernelSpecial: a NaN in A or C, or infinities of both
// signs along one column of B, reach exactly the elements of C they should
// (all others come out as kc, from panels of ones).
func TestKernelsGemmKernelSpecial(t *testing.T) {
	for _, k := range vtTables() {
		mr, nr, kc, ldc := k.gemmMR, k.gemmNR, 5, k.gemmNR+2
		for _, where := range []string{"a", "b", "c"} {
			for idx := 0; idx < mr*nr; idx++ {
				a, b := make([]float64, kc*mr), make([]float64, kc*nr)
				c := make([]float64, (mr-1)*ldc+nr)
				fill(a, 1)
				fill(b, 1)
				var wantNaN func(i, j int) bool
				switch {
				case where == "a" && idx < mr:
					a[2*mr+idx] = math.NaN()
					wantNaN = func(i, j int) bool { return i == idx }
				case where == "b" && idx < nr:
					b[3*nr+idx], b[4*nr+idx] = math.Inf(1), math.Inf(-1)
					wantNaN = func(i, j int) bool { return j == idx }
				case where == "c":
					i0, j0 := idx/nr, idx%nr
					c[i0*ldc+j0] = math.NaN()
					wantNaN = func(i, j int) bool { return i == i0 && j == j0 }
				default:
					continue
				}
				k.gemmKernel(kc, a, b, c, ldc)
				for i := 0; i < mr; i++ {
					for j := 0; j < nr; j++ {
						if got := c[i*ldc+j]; wantNaN(i, j) != math.IsNaN(got) || (!wantNaN(i, j) && got != float64(kc)) {
							t.Fatalf("%s: special in %s at %d: c[%d,%d] = %v", k.name, where, idx, i, j, got)
						}
					}
				}
			}
		}
	}
}

// TestKernelsGemvNoAllocs: the gemv kernels (and the Go wrappers of the
// assembly ones) allocate nothing.
func TestKernelsGemvNoAllocs(t *testing.T) {
	a := make([]float64, 9*9)
	x, y := make([]float64, 9), make([]float64, 9)
	for _, k := range vtTables() {
		if n := testing.AllocsPerRun(10, func() {
			k.gemvN(1, a, 9, x, y)
			k.gemvT(1, a, 9, x, y)
		}); n != 0 {
			t.Errorf("%s: gemv allocates %v times per call", k.name, n)
		}
	}
}

// ---- shared helpers of the kernel, level 1/2 and fuzz tests ----

// vtTables returns every kernel table compiled into this binary that
// the CPU can run, generic first. Assembly tables merged later are picked
// up here with no change to the tests.
func vtTables() []*kernels {
	f := detectFeatures()
	var ks []*kernels
	for _, k := range compiledKernels() {
		if f.supports(k.name) {
			ks = append(ks, k)
		}
	}
	return ks
}

func TestKernelTablesUnderTest(t *testing.T) {
	ks := vtTables()
	if len(ks) == 0 || ks[0] != genericKernels {
		t.Fatalf("tested tables %v must start with generic", vtNames(ks))
	}
	for _, name := range Implementations() {
		found := false
		for _, k := range ks {
			found = found || k.name == name
		}
		if !found {
			t.Errorf("usable table %q is not tested", name)
		}
	}
	t.Logf("tables under test: %v", vtNames(ks))
}

func vtNames(ks []*kernels) []string {
	var s []string
	for _, k := range ks {
		s = append(s, k.name)
	}
	return s
}

// Error-bound ingredients. A sum of n terms, each a product rounded once
// (or fused into an FMA), in any order: |error| ≤ γₙ·Σ|terms| in the
// absence of underflow. A rounded product whose result is subnormal adds
// an absolute error of at most 2⁻¹⁰⁷⁵, which later roundings scale by at
// most (1+γ) < 2: ft.Eta = 2⁻¹⁰⁷⁴ per product. Sums never add underflow
// error (a subnormal sum is exact).
func vtProdSlack(products int) float64 { return float64(products) * ft.Eta }

// vtMaxBlock is the largest number of elements any kernel handles per
// iteration of its unrolled main loop (AVX-512: four registers of eight).
const vtMaxBlock = 32

// vtVecLengths are the lengths the level-1 kernels are tested at: every
// length through two iterations of the widest unrolled loop plus 3
// (2·32 + 3 = 67, which includes the 0..40 of the plan), and powers of two
// ±1 up to 4096 (1024 with -short).
func vtVecLengths(short bool) []int {
	var ns []int
	for n := 0; n <= 2*vtMaxBlock+3; n++ {
		ns = append(ns, n)
	}
	top := 4096
	if short {
		top = 1024
	}
	for p := 128; p <= top; p *= 2 {
		ns = append(ns, p-1, p, p+1)
	}
	return ns
}

// vtDataset is one set of operand values for a kernel test.
type vtDataset struct {
	name string
	vals [][]float64 // one slice per operand
	lane bool        // a one-special-per-lane set: run on one layout
}

// vtSpecials are ft.Specials and more extremes: the largest finite
// values, and subnormals of other magnitudes.
var vtSpecials = append(append([]float64(nil), ft.Specials...),
	math.MaxFloat64, -math.MaxFloat64, -0x1p-1030, 0x1.8p-1050, -0x1p-1070, 0x1p500, -0x1p499)

// vtMaxLaneLen is the longest vector that also gets the one-special-per-lane
// data sets.
const vtMaxLaneLen = 19

// vtDatasets returns the value sets for k operands of length n:
// normal, wide dynamic range, finite specials (signed zeros, subnormals,
// ±1e300, ±1e-300) and all specials (with NaN and ±Inf). Long vectors
// get a handful of specials rather than a fixed fraction, so that not
// every result is NaN; then vtSpecials at densities 1/4 and 1. Up to
// vtMaxLaneLen, one data set per special value and position holds that
// value at that position of the first operand and normal values elsewhere,
// which catches a lane that is dropped or mixed up.
func vtDatasets(seed uint64, k, n int) []vtDataset {
	g := ft.New(seed)
	p := 0.15
	if n > 20 {
		p = 3 / float64(n)
	}
	mk := func(f func() []float64) [][]float64 {
		v := make([][]float64, k)
		for i := range v {
			v[i] = f()
		}
		return v
	}
	ds := []vtDataset{
		{"normal", mk(func() []float64 { return g.Normal(n) }), false},
		{"wide", mk(func() []float64 { return g.Wide(n) }), false},
		{"finite-specials", mk(func() []float64 { return g.WithSpecials(n, 2*p, ft.FiniteSpecials) }), false},
		{"specials", mk(func() []float64 { return g.WithSpecials(n, p, nil) }), false},
		{"specials-1/4", mk(func() []float64 { return g.WithSpecials(n, 0.25, vtSpecials) }), false},
		{"all-specials", mk(func() []float64 { return g.WithSpecials(n, 1, vtSpecials) }), false},
	}
	if n > vtMaxLaneLen {
		return ds
	}
	for _, sv := range vtSpecials {
		for pos := range n {
			v := mk(func() []float64 { return g.Normal(n) })
			v[0][pos] = sv
			ds = append(ds, vtDataset{fmt.Sprintf("x[%d]=%v", pos, sv), v, true})
		}
	}
	return ds
}

// vtPlacement says where an operand lives in memory.
type vtPlacement struct {
	kind int // vtPadded, vtGuardEnd or vtGuardStart
	off  int // element offset from a 64-byte boundary
}

const (
	vtPadded = iota
	vtGuardEnd
	vtGuardStart
)

func (p vtPlacement) String() string {
	switch p.kind {
	case vtGuardEnd:
		return "guard-after-end"
	case vtGuardStart:
		return fmt.Sprintf("guard-before-start+%d", p.off)
	}
	return fmt.Sprintf("canaries+%d", p.off)
}

// vtCanaryPad is the number of canaries on each side of a padded operand:
// more than one AVX-512 register's worth.
const vtCanaryPad = 9

// vtOperand is a slice placed as asked, with a check of its surroundings.
type vtOperand struct {
	s     []float64
	check func() error
}

func vtPlace(t testing.TB, p vtPlacement, vals []float64) vtOperand {
	var o vtOperand
	switch p.kind {
	case vtPadded:
		pd := ft.PaddedCopy(vals, p.off, vtCanaryPad)
		o = vtOperand{s: pd.Data, check: pd.Check}
	case vtGuardEnd:
		o = vtOperand{s: ft.Guarded(t, len(vals))}
		copy(o.s, vals)
	case vtGuardStart:
		o = vtOperand{s: ft.GuardedOffset(t, len(vals), p.off)}
		copy(o.s, vals)
	}
	return o
}

// vtPlaced is one layout's operands, placed once and refilled for every
// data set and table (mapping guard pages is the expensive part).
type vtPlaced struct {
	layout []vtPlacement
	ops    []vtOperand
}

// vtPlaceAll places operands of the given sizes in every layout.
func vtPlaceAll(t testing.TB, layouts [][]vtPlacement, sizes ...int) []vtPlaced {
	ps := make([]vtPlaced, len(layouts))
	for li, l := range layouts {
		ps[li].layout = l
		for i, n := range sizes {
			ps[li].ops = append(ps[li].ops, vtPlace(t, l[i], make([]float64, n)))
		}
	}
	return ps
}

// fill copies vals into the operands.
func (p vtPlaced) fill(vals ...[]float64) {
	for i, v := range vals {
		copy(p.ops[i].s, v)
	}
}

// vtLayouts returns placements for k operands: every offset 0..7 with
// canaries (operands at different offsets from one another), every operand
// against a guard page after its end, and every operand right after a
// guard page before its start. short trims the offsets to four.
func vtLayouts(k int, short bool) [][]vtPlacement {
	var ls [][]vtPlacement
	for o := 0; o < 8; o++ {
		if short && o%2 == 1 {
			continue
		}
		l := make([]vtPlacement, k)
		for i := range l {
			l[i] = vtPlacement{vtPadded, (o + 5*i) % 8}
		}
		ls = append(ls, l)
	}
	for _, kind := range []vtPlacement{{vtGuardEnd, 0}, {vtGuardStart, 0}, {vtGuardStart, 3}} {
		l := make([]vtPlacement, k)
		for i := range l {
			l[i] = kind
		}
		ls = append(ls, l)
	}
	return ls
}

// vtPairLayouts are the pairs of canary offsets 0..7 of two operands that
// vtLayouts leaves out (none with short); vtForVec runs them on the first
// data set.
func vtPairLayouts(short bool) [][]vtPlacement {
	if short {
		return nil
	}
	var ls [][]vtPlacement
	for ox := range 8 {
		for oy := range 8 {
			if oy != (ox+5)%8 {
				ls = append(ls, []vtPlacement{{vtPadded, ox}, {vtPadded, oy}})
			}
		}
	}
	return ls
}

// vtUnchanged returns an error if got differs bitwise from want (NaN
// payloads included): read-only operands must come back untouched.
func vtUnchanged(what string, got, want []float64) error {
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			return fmt.Errorf("%s[%d] modified: %v, was %v", what, i, got[i], want[i])
		}
	}
	return nil
}

// vtCheckOps runs each vtOperand's surroundings check.
func vtCheckOps(ops ...vtOperand) error {
	for _, o := range ops {
		if o.check != nil {
			if err := o.check(); err != nil {
				return err
			}
		}
	}
	return nil
}

// vtMaxErrors caps the reports per subtest.
const vtMaxErrors = 5

// vtErrs stops a test after a few reported failures.
type vtErrs struct {
	t testing.TB
	n int
}

func (c *vtErrs) errorf(format string, args ...any) {
	c.t.Helper()
	c.n++
	if c.n <= vtMaxErrors {
		c.t.Errorf(format, args...)
	}
}

// stop reports whether enough failures were seen: vtMaxErrors, or one
// when a vtRecorder (the mutant self-test) is listening.
func (c *vtErrs) stop() bool {
	if _, rec := c.t.(*vtRecorder); rec && c.n > 0 {
		return true
	}
	return c.n >= vtMaxErrors
}

// vtAbsMax returns the largest finite |s[i]| (0 if none). Error slacks
// use it: outputs that involve a NaN or an infinity are checked by class,
// so only finite factors enter their bounds.
func vtAbsMax(s []float64) float64 {
	m := 0.0
	for _, v := range s {
		if a := math.Abs(v); a > m && !math.IsInf(a, 0) {
			m = a
		}
	}
	return m
}

// vtScope is a testing.TB whose Cleanup functions run at done, so that the
// guarded memory of one shape is released before the next is mapped.
type vtScope struct {
	testing.TB
	fns []func()
}

func (s *vtScope) Cleanup(f func()) { s.fns = append(s.fns, f) }

func (s *vtScope) done() {
	for i := len(s.fns) - 1; i >= 0; i-- {
		s.fns[i]()
	}
	s.fns = nil
}
