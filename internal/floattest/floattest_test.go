package floattest

import (
	"math"
	"strings"
	"testing"
	"unsafe"
)

func TestGamma(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want float64
	}{
		{0, 0}, {-3, 0}, {1, 0x1p-53 / (1 - 0x1p-53)},
	} {
		if got := Gamma(tc.n); got != tc.want {
			t.Errorf("Gamma(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
	if huge := uint64(1) << 53; uint64(math.MaxInt) >= huge && !math.IsInf(Gamma(int(huge)), 1) {
		t.Errorf("Gamma(2^53) = %v, want +Inf", Gamma(int(huge)))
	}
	if g := Gamma(1000); math.Abs(g-1000*U) > 1e-6*1000*U {
		t.Errorf("Gamma(1000) = %v, want ≈ %v", g, 1000*U)
	}
}

func TestULP(t *testing.T) {
	for _, tc := range []struct{ x, want float64 }{
		{1, 0x1p-52}, {-1, 0x1p-52}, {0, 5e-324}, {1.5, 0x1p-52}, {0x1p-1022, 5e-324},
		{math.MaxFloat64, 0x1p971},
	} {
		if got := ULP(tc.x); got != tc.want {
			t.Errorf("ULP(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if !math.IsNaN(ULP(x)) {
			t.Errorf("ULP(%v) = %v, want NaN", x, ULP(x))
		}
	}
}

func TestULPDistance(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, tc := range []struct {
		a, b float64
		want uint64
	}{
		{1, 1, 0},
		{1, math.Nextafter(1, 2), 1},
		{math.Nextafter(1, 2), 1, 1},
		{0, negZero, 0},
		{5e-324, -5e-324, 2},
		{negZero, -5e-324, 1},
		{-1, math.Nextafter(-1, -2), 1},
		{math.MaxFloat64, math.Inf(1), 1},
		{math.NaN(), 1, math.MaxUint64},
		{1, 2, 1 << 52},
	} {
		if got := ULPDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("ULPDistance(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRelErrAndClasses(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct{ got, want, rel float64 }{
		{1.5, 1, 0.5}, {0.5, -1, 1.5}, {1e-300, 0, 1e-300}, {nan, nan, 0}, {nan, 1, inf},
		{inf, inf, 0}, {inf, -inf, inf}, {1, inf, inf},
	} {
		if got := RelErr(tc.got, tc.want); got != tc.rel {
			t.Errorf("RelErr(%v, %v) = %v, want %v", tc.got, tc.want, got, tc.rel)
		}
	}
	if !SameBits(nan, math.Float64frombits(0x7ff8000000000123)) || SameBits(0, math.Copysign(0, -1)) || !SameBits(2, 2) {
		t.Error("SameBits")
	}
	if !SameClass(1, -3) || SameClass(inf, -inf) || !SameClass(nan, nan) || SameClass(nan, 1) {
		t.Error("SameClass")
	}
}

func TestGenDeterministic(t *testing.T) {
	a, b, c := New(42), New(42), New(43)
	x, y, z := a.Wide(100), b.Wide(100), c.Wide(100)
	same := true
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("same seed, different values at %d: %v vs %v", i, x[i], y[i])
		}
		same = same && x[i] == z[i]
		if e := math.Abs(math.Log2(math.Abs(x[i]))); e > WideExp {
			t.Errorf("Wide value %v outside 2^±%d", x[i], WideExp)
		}
	}
	if same {
		t.Error("different seeds gave the same values")
	}
	s := New(1).WithSpecials(2000, 0.5, nil)
	seen := map[string]bool{}
	for _, v := range s {
		seen[Class(v)] = true
		if v != 0 && math.Abs(v) < 0x1p-1022 {
			seen["subnormal"] = true
		}
		if math.Abs(v) == 1e300 {
			seen["huge"] = true
		}
	}
	for _, k := range []string{"NaN", "+Inf", "-Inf", "finite", "subnormal", "huge"} {
		if !seen[k] {
			t.Errorf("WithSpecials: no %s among 2000 values", k)
		}
	}
	for i := 0; i < 100; i++ {
		if a := math.Abs(New(uint64(i)).Scalar()); a < 0.25 || a >= 4 {
			t.Errorf("Scalar() = %v, outside [0.25, 4)", a)
		}
	}
	for _, v := range New(3).Ints(100, 3) {
		if v != math.Trunc(v) || math.Abs(v) > 3 {
			t.Errorf("Ints: %v", v)
		}
	}
}

func TestSumExact(t *testing.T) {
	var s Sum
	s.Add(1e100)
	s.Add(1)
	s.Add(-1e100)
	s.AddProd(0x1p-500, 0x1p-500) // lost in float64 next to 1, kept here
	if got := s.Value(); got != 1 {
		t.Errorf("Value = %v, want 1", got)
	}
	if got := s.AbsSum(); got != math.Nextafter(2e100, math.Inf(1)) && got != 2e100 {
		t.Errorf("AbsSum = %v, want 2e100 rounded up", got)
	}
	// The exact sum is 1 + 2^-1000: 1 is off by exactly 2^-1000.
	if err := s.Check(1, 0, 0); err == nil {
		t.Error("Check(1, 0, 0) passed; the exact sum is 1 + 2^-1000")
	}
	if err := s.Check(1, 0, 0x1p-1000); err != nil {
		t.Errorf("Check(1, 0, 2^-1000): %v", err)
	}
	if err := s.Check(0, 0, 1); err == nil {
		t.Error("Check(0, 0, 1) passed; |0 − exact| > 1")
	}
	if err := s.Check(0, 0x1p-333, 0); err != nil { // 2^-333·2e100 ≈ 1.1
		t.Errorf("Check(0, 2^-333, 0): %v", err)
	}
	var p Sum // a product of three factors with a tiny exact value
	p.AddProd(1e-300, 1e-300, 1e300)
	if got := p.Value(); RelErr(got, 1e-300) > 2*U {
		t.Errorf("AddProd(1e-300, 1e-300, 1e300) = %v", got)
	}
}

func TestSumSpecials(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	for _, tc := range []struct {
		name  string
		terms [][]float64
		want  float64
	}{
		{"empty", nil, 0},
		{"nan", [][]float64{{1}, {nan, 2}}, nan},
		{"0*inf", [][]float64{{0, inf}}, nan},
		{"inf", [][]float64{{1}, {inf, 2}}, inf},
		{"-inf", [][]float64{{-1, inf}}, -inf},
		{"inf-inf", [][]float64{{inf}, {-inf}}, nan},
		{"-0", [][]float64{{negZero}, {0, -1}}, negZero},
		{"+0 and -0", [][]float64{{negZero}, {0}}, 0},
		{"cancel", [][]float64{{1}, {-1}}, 0},
		{"overflow", [][]float64{{1e300, 1e300}}, inf},
	} {
		var s Sum
		for _, term := range tc.terms {
			s.AddProd(term...)
		}
		if got := s.Value(); !SameBits(got, tc.want) {
			t.Errorf("%s: Value = %v, want %v", tc.name, got, tc.want)
		}
		if zero, neg := s.ExactZero(); zero != (tc.want == 0) || neg != (tc.want == 0 && math.Signbit(tc.want)) {
			t.Errorf("%s: ExactZero = %v, %v", tc.name, zero, neg)
		}
	}
	var s Sum
	s.AddProd(nan)
	if s.Check(1, 1, 1) == nil || s.Check(nan, 0, 0) != nil {
		t.Error("Check with NaN term")
	}
	var i Sum
	i.Add(inf)
	i.Add(-1)
	if i.Check(-inf, 1, 1) == nil || i.Check(inf, 0, 0) != nil || i.Check(1e308, 1, 1) == nil {
		t.Error("Check with +Inf term")
	}
}

func TestSumCheckOverflowLeniency(t *testing.T) {
	var s Sum // 1e308 + 1e308 − 1e308: finite exactly, may overflow in order
	s.Add(1e308)
	s.Add(1e308)
	s.Add(-1e308)
	g := Gamma(3)
	if err := s.Check(math.Inf(1), g, 0); err != nil {
		t.Errorf("overflow in some order must be allowed: %v", err)
	}
	if err := s.Check(1e308, g, 0); err != nil {
		t.Errorf("exact result rejected: %v", err)
	}
	if err := s.Check(5e307, g, 0); err == nil {
		t.Error("far-off finite result accepted")
	}
	var small Sum
	small.Add(1)
	small.Add(2)
	if err := small.Check(math.Inf(1), Gamma(2), 0); err == nil {
		t.Error("Inf accepted for a sum that cannot overflow")
	} else if !strings.Contains(err.Error(), "want finite") {
		t.Errorf("message: %v", err)
	}
}

func TestCanaryIsSignalingNaN(t *testing.T) {
	c := Canary()
	if !math.IsNaN(c) || math.Float64bits(c)&(1<<51) != 0 {
		t.Fatalf("canary %#x is not a signaling NaN", math.Float64bits(c))
	}
	// Arithmetic on it must change its bits (IEEE 754 quiets it), which is
	// what makes a read-modify-write past the end visible.
	for _, v := range []float64{c + 1, c * 0.5, math.FMA(c, 2, c), -c + 0} {
		if math.Float64bits(v) == CanaryBits {
			t.Errorf("arithmetic on the canary preserved its bits")
		}
	}
}

func TestPadded(t *testing.T) {
	for off := 0; off < 8; off++ {
		for _, n := range []int{0, 1, 7, 33} {
			p := NewPadded(n, off, 3)
			if len(p.Data) != n || cap(p.Data) != n {
				t.Fatalf("len %d cap %d, want %d", len(p.Data), cap(p.Data), n)
			}
			if n > 0 {
				if a := uintptr(unsafe.Pointer(&p.Data[0])) % Align; a != uintptr(off*8) {
					t.Errorf("n=%d off=%d: address ≡ %d mod %d", n, off, a, Align)
				}
			}
			for i := range p.Data {
				if p.Data[i] != 0 {
					t.Fatal("payload not zeroed")
				}
				p.Data[i] = math.NaN()
			}
			if err := p.Check(); err != nil {
				t.Fatalf("untouched canaries: %v", err)
			}
			full := p.buf
			full[p.lo+n] = 1 // just after
			err := p.Check()
			if err == nil || !strings.Contains(err.Error(), "after") || !strings.Contains(err.Error(), "Data["+itoa(n)+"]") {
				t.Errorf("write after end: %v", err)
			}
			full[p.lo+n] = Canary()
			full[p.lo-1] = 1 // just before
			err = p.Check()
			if err == nil || !strings.Contains(err.Error(), "before") || !strings.Contains(err.Error(), "Data[-1]") {
				t.Errorf("write before start: %v", err)
			}
		}
	}
	if err := CheckCanaries([]float64{Canary(), math.NaN()}, "gap"); err == nil || !strings.Contains(err.Error(), "gap[1]") {
		t.Errorf("CheckCanaries: a plain NaN must not pass for a canary: %v", err)
	}
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}

func TestGuarded(t *testing.T) {
	for _, n := range []int{0, 1, 5, 511, 512, 513, 2000} {
		x := Guarded(t, n)
		if len(x) != n || cap(x) != n {
			t.Fatalf("Guarded(%d): len %d cap %d", n, len(x), cap(x))
		}
		for i := range x {
			if x[i] != 0 {
				t.Fatal("not zeroed")
			}
			x[i] = float64(i)
		}
		for off := 0; off < 9; off++ {
			y := GuardedOffset(t, n, off)
			if len(y) != n || cap(y) != n {
				t.Fatalf("GuardedOffset(%d, %d): len %d cap %d", n, off, len(y), cap(y))
			}
			for i := range y {
				y[i] = 1
			}
			if n > 0 && HaveGuardPages {
				if a := uintptr(unsafe.Pointer(&y[0])) % Align; a != uintptr(off*8)%Align {
					t.Errorf("GuardedOffset(%d, %d): address ≡ %d mod %d", n, off, a, Align)
				}
			}
		}
	}
}

// TestGuardFaults checks that the guard pages really are inaccessible and
// that NoFault turns the fault into a test failure.
func TestGuardFaults(t *testing.T) {
	if !HaveGuardPages {
		t.Skip("no guard pages on this platform")
	}
	for _, n := range []int{0, 1, 3, 512} {
		x := Guarded(t, n)
		past := (*float64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(x)), 8*n))
		ft := &fakeTB{TB: t}
		if NoFault(ft, "read past end", func() { sink = *past }) || !ft.failed {
			t.Errorf("Guarded(%d): reading x[n] did not fault", n)
		}
		y := GuardedOffset(t, n, 0)
		before := (*float64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(y)), -8))
		ft = &fakeTB{TB: t}
		if NoFault(ft, "write before start", func() { *before = 1 }) || !ft.failed {
			t.Errorf("GuardedOffset(%d, 0): writing x[-1] did not fault", n)
		}
	}
	x := Guarded(t, 4)
	if !NoFault(t, "in bounds", func() { sink = x[3] }) {
		t.Error("in-bounds read reported a fault")
	}
}

var sink float64

// fakeTB records Errorf instead of failing the real test.
type fakeTB struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.failed = true
	f.msg = format
}
func (f *fakeTB) Helper() {}

// TestCheckFastPathSound checks that the float64 fast path of Check never
// accepts what the exact comparison rejects, on values around the bound.
func TestCheckFastPathSound(t *testing.T) {
	g := New(7)
	for trial := 0; trial < 300; trial++ {
		n := 1 + g.Rand().IntN(20)
		x, y := g.Wide(n), g.Normal(n)
		var s Sum
		for i := range x {
			s.AddProd(x[i], y[i])
		}
		rel := Gamma(n) * g.Rand().Float64()
		slack := 0.0
		v := s.Value()
		s.Lenient(rel)
		for k := -40; k <= 40; k++ {
			got := v + float64(k)*rel*s.AbsSum()/16
			fast := s.fastAccept(got, rel, slack)
			var exact Sum // same terms, fresh cache: force the exact path
			for i := range x {
				exact.AddProd(x[i], y[i])
			}
			if fast && exactCheck(&exact, got, rel, slack) != nil {
				t.Fatalf("fast path accepted %v (exact %v, rel %v): %v", got, v, rel, exactCheck(&exact, got, rel, slack))
			}
		}
	}
}

// exactCheck is Check without the fast path.
func exactCheck(s *Sum, got, rel, slack float64) error {
	s.cached = true
	s.cRel = rel
	s.cValue = math.NaN() // disables fastAccept
	s.cMayOverflow = false
	return s.Check(got, rel, slack)
}

func TestSumOrderDependentProducts(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name      string
		factors   []float64
		lenient   bool
		nan, want float64 // want: a strictly acceptable value
	}{
		{"plain", []float64{2, 3, 4}, false, 0, 24},
		{"two factors never", []float64{5e-324, inf}, false, 0, inf},
		{"tiny·tiny·Inf", []float64{1e-300, 1e-300, inf}, true, 0, inf},
		{"subnormal·0.4·Inf", []float64{5e-324, 0.4, -inf}, true, 0, -inf},
		{"huge·huge·tiny", []float64{1e300, 1e300, 1e-300}, true, 0, 1e300},
		{"normal·Inf", []float64{1e-3, 2, inf}, false, 0, inf},
	} {
		var s Sum
		s.AddProd(tc.factors...)
		if got := s.Lenient(Gamma(3)); got != tc.lenient {
			t.Errorf("%s: Lenient = %v, want %v", tc.name, got, tc.lenient)
		}
		if err := s.Check(tc.want, Gamma(3), 0); err != nil {
			t.Errorf("%s: Check(%v): %v", tc.name, tc.want, err)
		}
		if err := s.Check(math.NaN(), Gamma(3), 0); (err == nil) != tc.lenient {
			t.Errorf("%s: Check(NaN) = %v, lenient %v", tc.name, err, tc.lenient)
		}
	}
}
