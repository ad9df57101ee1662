package linalg

// Fuzz targets: lengths, shapes, start offsets, memory placements (canaries
// or guard pages), scalars and values are decoded from the fuzz bytes, and
// every usable table is checked against the exact oracle under the same
// error bounds as kernels_test.go, and against generic for NaN/Inf.

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	ft "github.com/noisegeom/noisegeom/internal/floattest"
)

// vtDecoder hands out values taken from fuzz bytes; when they run out it
// continues with a generator seeded by what it has read, so short inputs
// still describe long vectors deterministically.
type vtDecoder struct {
	b    []byte
	seed uint64
	g    *ft.Gen
}

func (d *vtDecoder) byte() byte {
	if len(d.b) > 0 {
		v := d.b[0]
		d.b = d.b[1:]
		d.seed = d.seed*131 + uint64(v) + 1
		return v
	}
	if d.g == nil {
		d.g = ft.New(d.seed)
	}
	return byte(d.g.Rand().Uint32())
}

func (d *vtDecoder) intn(n int) int {
	v := int(d.byte())<<8 | int(d.byte())
	return v % n
}

// float decodes one value: about one in ten is a special value
// (ft.Specials: signed zeros, infinities, NaN, subnormals, ±1e300, ±1e-300),
// most have binary exponents in [-64, 63], and a few in [-512, 508] (whose
// products may overflow: the oracle then allows overflow).
func (d *vtDecoder) float() float64 {
	k := d.byte()
	if k < 24 {
		return ft.Specials[int(k)%len(ft.Specials)]
	}
	m := 1 + float64(uint16(d.byte())<<8|uint16(d.byte()))/65536
	e := int(int8(d.byte())) / 2
	if k >= 248 {
		e *= 8
	}
	v := math.Ldexp(m, e)
	if k&1 == 1 {
		v = -v
	}
	return v
}

func (d *vtDecoder) floats(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = d.float()
	}
	return x
}

// scalar decodes a moderate alpha or beta (magnitude in [1/16, 16), or
// ±1), which keeps the association order of three-factor products from
// mattering beyond what the data itself causes.
func (d *vtDecoder) scalar() float64 {
	k := d.byte()
	switch k % 8 {
	case 0:
		return 1
	case 1:
		return -1
	}
	v := math.Ldexp(1+float64(d.byte())/256, int(k>>4)%8-4)
	if k&8 != 0 {
		v = -v
	}
	return v
}

// placement decodes where an operand goes: canaries at offset 0..7, or a
// guard page after its end or before its start.
func (d *vtDecoder) placement() vtPlacement {
	k := d.byte()
	switch {
	case k < 160:
		return vtPlacement{vtPadded, int(k % 8)}
	case k < 208:
		return vtPlacement{vtGuardEnd, 0}
	}
	return vtPlacement{vtGuardStart, int(k % 8)}
}

// vtSeeds adds a seed corpus: header bytes choosing sizes, then random
// value bytes.
func vtSeeds(f *testing.F, headers ...[]byte) {
	g := ft.New(99)
	for i, h := range headers {
		body := make([]byte, 64+16*i)
		for j := range body {
			body[j] = byte(g.Rand().Uint32())
		}
		f.Add(append(append([]byte(nil), h...), body...))
	}
	f.Add([]byte{})
}

func vtU16(n int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(n)) }

func vtCat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func FuzzDot(f *testing.F) {
	for _, n := range []int{0, 1, 3, 7, 8, 9, 16, 17, 31, 33, 64, 67, 130} {
		vtSeeds(f, vtCat(vtU16(n), []byte{byte(n), byte(3 * n)}))
	}
	f.Fuzz(vtFuzzDot(vtTables()))
}

// vtFuzzDot is the body of FuzzDot.
func vtFuzzDot(tables []*kernels) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		d := &vtDecoder{b: data}
		n := d.intn(600)
		px, py := d.placement(), d.placement()
		x, y := d.floats(n), d.floats(n)
		var ref ft.Sum
		for i := range x {
			ref.AddProd(x[i], y[i])
		}
		gen := dotGeneric(x, y)
		for _, k := range tables {
			xo, yo := vtPlace(t, px, x), vtPlace(t, py, y)
			var got float64
			where := fmt.Sprintf("%s.dot n=%d [%v %v]", k.name, n, px, py)
			if !ft.NoFault(t, where, func() { got = k.dot(xo.s, yo.s) }) {
				continue
			}
			err := vtCheckElem(&ref, got, gen, ft.Gamma(n), vtProdSlack(n), false)
			if err == nil {
				err = vtCheckOps(xo, yo)
			}
			if err == nil {
				err = vtUnchanged("x", xo.s, x)
			}
			if err == nil {
				err = vtUnchanged("y", yo.s, y)
			}
			if err != nil {
				t.Errorf("%s: %v", where, err)
			}
		}
	}
}

func FuzzAxpy(f *testing.F) {
	for _, n := range []int{0, 1, 4, 5, 15, 16, 17, 33, 65, 129} {
		vtSeeds(f, vtCat(vtU16(n), []byte{byte(n), byte(7 * n), byte(n % 3)}))
	}
	f.Fuzz(vtFuzzAxpy(vtTables()))
}

// vtFuzzAxpy is the body of FuzzAxpy.
func vtFuzzAxpy(tables []*kernels) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		d := &vtDecoder{b: data}
		n := d.intn(600)
		px, py := d.placement(), d.placement()
		alias := d.byte()%4 == 0
		alpha := d.scalar()
		x, y := d.floats(n), d.floats(n)
		if alias {
			x = y
		}
		refs := make([]ft.Sum, n)
		for i := range refs {
			refs[i].Add(y[i])
			refs[i].AddProd(alpha, x[i])
		}
		gen := append([]float64(nil), y...)
		axpyGeneric(alpha, append([]float64(nil), x...), gen)
		for _, k := range tables {
			xo, yo := vtPlace(t, px, x), vtPlace(t, py, y)
			if alias {
				xo = yo
			}
			where := fmt.Sprintf("%s.axpy n=%d alias=%v alpha=%v [%v %v]", k.name, n, alias, alpha, px, py)
			if !ft.NoFault(t, where, func() { k.axpy(alpha, xo.s, yo.s) }) {
				continue
			}
			err := vtCheckOps(xo, yo)
			if err == nil && !alias {
				err = vtUnchanged("x", xo.s, x)
			}
			for i := 0; err == nil && i < n; i++ {
				if e := vtCheckElem(&refs[i], yo.s[i], gen[i], ft.Gamma(2), vtProdSlack(1), true); e != nil {
					err = fmt.Errorf("y[%d] (x=%v, y=%v): %w", i, x[i], y[i], e)
				}
			}
			if err != nil {
				t.Errorf("%s: %v", where, err)
			}
		}
	}
}

func FuzzGemv(f *testing.F) {
	for _, sh := range [][2]int{{0, 0}, {1, 1}, {3, 5}, {4, 8}, {5, 17}, {8, 33}, {9, 64}, {17, 3}, {2, 130}} {
		for tr := byte(0); tr < 2; tr++ {
			vtSeeds(f, []byte{byte(sh[0]), byte(sh[1]), 0, byte(sh[1]), tr, byte(sh[0] + sh[1])})
		}
	}
	f.Fuzz(vtFuzzGemv(vtTables()))
}

// vtFuzzGemv is the body of FuzzGemv.
func vtFuzzGemv(tables []*kernels) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		d := &vtDecoder{b: data}
		m, n := int(d.byte())%40, int(d.byte())%140
		if d.byte()%8 == 0 {
			m, n = int(d.byte())%4, 140+int(d.byte())%500 // long rows or columns
		}
		lda := n + int(d.byte())%5
		trans := d.byte()%2 == 1
		pa, px, py := d.placement(), d.placement(), d.placement()
		alpha := d.scalar()
		lx, ly := n, m
		if trans {
			lx, ly = m, n
		}
		size := 0
		if m > 0 {
			size = (m-1)*lda + n
		}
		a := d.floats(size)
		for i := 0; i < m-1; i++ {
			ft.SetCanaries(a[i*lda+n : (i+1)*lda])
		}
		x, y := d.floats(lx), d.floats(ly)
		refs := make([]ft.Sum, ly)
		maxA := 0.0
		for i := 0; i < m; i++ {
			maxA = math.Max(maxA, vtAbsMax(a[i*lda:i*lda+n]))
		}
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
		rel := ft.Gamma(lx + 2)
		slack := ft.Eta * float64(lx+1) * (2 + math.Abs(alpha) + maxA + vtAbsMax(x))
		gen := append([]float64(nil), y...)
		if trans {
			gemvTGeneric(alpha, a, lda, x, gen)
		} else {
			gemvNGeneric(alpha, a, lda, x, gen)
		}
		for _, k := range tables {
			ao, xo, yo := vtPlace(t, pa, a), vtPlace(t, px, x), vtPlace(t, py, y)
			where := fmt.Sprintf("%s.gemv trans=%v m=%d n=%d lda=%d alpha=%v [%v %v %v]", k.name, trans, m, n, lda, alpha, pa, px, py)
			if !ft.NoFault(t, where, func() {
				if trans {
					k.gemvT(alpha, ao.s, lda, xo.s, yo.s)
				} else {
					k.gemvN(alpha, ao.s, lda, xo.s, yo.s)
				}
			}) {
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
					err = fmt.Errorf("y[%d]: %w", r, e)
				}
			}
			if err != nil {
				t.Errorf("%s: %v", where, err)
			}
		}
	}
}

func FuzzGemmKernel(f *testing.F) {
	for _, kc := range []int{0, 1, 2, 5, 8, 13, 20, 33} {
		vtSeeds(f, []byte{byte(kc), byte(kc % 3), byte(kc)})
	}
	f.Fuzz(vtFuzzGemmKernel(vtTables()))
}

// vtFuzzGemmKernel is the body of FuzzGemmKernel.
func vtFuzzGemmKernel(tables []*kernels) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		d := &vtDecoder{b: data}
		kc := int(d.byte()) % 70
		extra := int(d.byte()) % 6
		pa, pb, pc := d.placement(), d.placement(), d.placement()
		// One pool of values; each table reads its own tile shape from it.
		pa0, pb0, pc0 := d.floats(kc*16), d.floats(kc*16), d.floats(16*32)
		for _, k := range tables {
			mr, nr := k.gemmMR, k.gemmNR
			if kc*mr > len(pa0) {
				pa0 = append(pa0, d.floats(kc*mr-len(pa0))...)
			}
			if kc*nr > len(pb0) {
				pb0 = append(pb0, d.floats(kc*nr-len(pb0))...)
			}
			ldc := nr + extra
			a, b := pa0[:kc*mr], pb0[:kc*nr]
			c := make([]float64, (mr-1)*ldc+nr)
			for i := range c {
				c[i] = pc0[i%len(pc0)]
			}
			for i := 0; i < mr-1; i++ {
				ft.SetCanaries(c[i*ldc+nr : (i+1)*ldc])
			}
			refs := make([]ft.Sum, mr*nr)
			for i := 0; i < mr; i++ {
				for j := 0; j < nr; j++ {
					refs[i*nr+j].Add(c[i*ldc+j])
					for p := 0; p < kc; p++ {
						refs[i*nr+j].AddProd(a[p*mr+i], b[p*nr+j])
					}
				}
			}
			gen := append([]float64(nil), c...)
			vtGemmRef(kc, mr, nr, a, b, gen, ldc)
			ao, bo, co := vtPlace(t, pa, a), vtPlace(t, pb, b), vtPlace(t, pc, c)
			where := fmt.Sprintf("%s.gemmKernel %dx%d kc=%d ldc=%d [%v %v %v]", k.name, mr, nr, kc, ldc, pa, pb, pc)
			if !ft.NoFault(t, where, func() { k.gemmKernel(kc, ao.s, bo.s, co.s, ldc) }) {
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
				if e := vtCheckElem(&refs[i], co.s[r*ldc+j], gen[r*ldc+j], ft.Gamma(kc+1), vtProdSlack(kc), false); e != nil {
					err = fmt.Errorf("c[%d,%d]: %w", r, j, e)
				}
			}
			if err != nil {
				t.Errorf("%s: %v", where, err)
			}
		}
	}
}

// FuzzLevel1 decodes a length, placements, alpha and beta (special values
// included) and two vectors, and checks axpby, scal and asum of every
// table (dot and axpy have their own targets).
func FuzzLevel1(f *testing.F) {
	for _, n := range []int{0, 1, 3, 8, 9, 17, 19, 33, 67, 130} {
		vtSeeds(f, vtCat(vtU16(n), []byte{byte(n), byte(5 * n), 30, 200}))
	}
	f.Fuzz(vtFuzzLevel1(vtTables()))
}

// vtFuzzLevel1 is the body of FuzzLevel1.
func vtFuzzLevel1(tables []*kernels) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		d := &vtDecoder{b: data}
		n := d.intn(600)
		lay := []vtPlacement{d.placement(), d.placement()}
		alpha, beta := d.float(), d.float()
		v := [][]float64{d.floats(n), d.floats(n)}
		g := ft.New(d.seed)
		for _, c := range []struct {
			name string
			nops int
			prep vtVecKernel
		}{
			{"axpby", 2, vtAxpbyPrep(false, []float64{alpha, beta})},
			{"scal", 1, vtScalPrep([]float64{alpha})},
			{"asum", 1, vtAsumPrep},
		} {
			run := c.prep(n, v[:c.nops], g)
			for _, k := range tables {
				ops := make([]vtOperand, c.nops)
				s := make([][]float64, c.nops)
				for i := range ops {
					ops[i] = vtPlace(t, lay[i], v[i])
					s[i] = ops[i].s
				}
				where := fmt.Sprintf("%s.%s n=%d alpha=%v beta=%v %v", k.name, c.name, n, alpha, beta, lay[:c.nops])
				var err error
				if !ft.NoFault(t, where, func() { err = run(k, s) }) {
					continue
				}
				if err == nil {
					err = vtCheckOps(ops...)
				}
				if err != nil {
					t.Errorf("%s: %v", where, err)
				}
			}
		}
	}
}

// TestFuzzBodiesRandomInputs runs the fuzz bodies on random inputs as a
// plain test, for platforms where go test -fuzz cannot run (arm64 under
// qemu-user execs its fuzzing workers natively).
func TestFuzzBodiesRandomInputs(t *testing.T) {
	reps := 300
	if testing.Short() {
		reps = 60
	}
	g := ft.New(20)
	tables := vtTables()
	bodies := []func(*testing.T, []byte){vtFuzzDot(tables), vtFuzzAxpy(tables), vtFuzzGemv(tables),
		vtFuzzGemmKernel(tables), vtFuzzLevel1(tables)}
	for range reps {
		data := make([]byte, 3+g.Rand().IntN(90))
		for i := range data {
			data[i] = byte(g.Rand().Uint32())
		}
		for _, body := range bodies {
			body(t, data)
		}
		if t.Failed() {
			return
		}
	}
}
