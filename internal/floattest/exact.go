package floattest

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// ExactPrec is the precision, in bits, of the exact oracle. A product of up
// to three float64 values has its significant bits between 2^-3222 and
// 2^3072; 6600 bits hold every such product, and any sum of fewer than 2^30
// of them, without rounding. big.Float only spends time on the bits the
// data actually spans, so ordinary data stays cheap.
const ExactPrec = 6600

// Sum is an exact oracle for a sum of terms, each a float64 or a product of
// float64 values. Finite terms are summed without rounding; special values
// follow IEEE semantics as they would in any evaluation order that does not
// overflow: a NaN factor, 0·Inf, or infinities of both signs make the sum
// NaN; otherwise an infinite term makes it that infinity.
//
// The zero value is an empty sum (+0). A Sum must not be copied after use.
type Sum struct {
	val, abs       big.Float // Σ t and Σ |t| over the finite terms, exact
	tmp, fac       big.Float
	started        bool
	cached         bool // the fields below are up to date
	cValue, cAbs   float64
	cMayOverflow   bool
	cRel           float64 // the rel cMayOverflow was computed for
	terms          int
	nan            bool
	posInf, negInf bool
	ambiguous      bool // a product whose special value depends on the order
	allNegZero     bool // every term so far is −0
}

func (s *Sum) init() {
	if !s.started {
		s.val.SetPrec(ExactPrec)
		s.abs.SetPrec(ExactPrec)
		s.tmp.SetPrec(ExactPrec)
		s.started = true
		s.allNegZero = true
	}
}

// Add adds the term v.
func (s *Sum) Add(v float64) { s.AddProd(v) }

// AddProd adds the exact product of the factors (1 when there are none) as
// one term. With three or more factors, the association order can matter
// for special values (a partial product that overflows, or underflows to
// zero next to an infinity); such terms make the sum Lenient.
func (s *Sum) AddProd(factors ...float64) {
	s.init()
	s.cached = false
	s.terms++
	if orderDependent(factors) {
		s.ambiguous = true
	}
	neg, zero, inf := false, false, false
	for _, f := range factors {
		switch {
		case math.IsNaN(f):
			s.nan = true
			s.allNegZero = false
			return
		case math.IsInf(f, 0):
			inf = true
		case f == 0:
			zero = true
		}
		neg = neg != math.Signbit(f)
	}
	switch {
	case inf && zero:
		s.nan = true
	case inf && neg:
		s.negInf = true
	case inf:
		s.posInf = true
	}
	if inf {
		s.allNegZero = false
		return
	}
	if !(zero && neg) {
		s.allNegZero = false
	}
	if zero {
		return
	}
	s.tmp.SetFloat64(1)
	for _, x := range factors {
		s.fac.SetFloat64(x)
		s.tmp.Mul(&s.tmp, &s.fac)
	}
	s.val.Add(&s.val, &s.tmp)
	s.abs.Add(&s.abs, s.tmp.Abs(&s.tmp))
}

// orderDependent reports whether a product of three or more factors may
// come out as ±Inf or NaN in some association order although its exact
// value says otherwise: a partial product of finite factors that overflows
// (Inf, then perhaps Inf·0 = NaN), or one that underflows to zero and then
// meets an infinity (0·Inf = NaN instead of ±Inf). The test is on binary
// exponents and errs on the side of "may".
func orderDependent(factors []float64) bool {
	k := len(factors)
	if k < 3 {
		return false
	}
	hasInf := false
	for _, f := range factors {
		hasInf = hasInf || math.IsInf(f, 0)
	}
	for set := 1; set < 1<<k-1; set++ { // proper subsets
		if bits.OnesCount(uint(set)) < 2 {
			continue
		}
		e, ok := 0, true
		for i, f := range factors {
			if set&(1<<i) == 0 {
				continue
			}
			if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) {
				ok = false
				break
			}
			_, fe := math.Frexp(f) // |f| in [2^(fe-1), 2^fe)
			e += fe
		}
		if !ok {
			continue
		}
		// The partial product lies in [2^(e-m), 2^e) for m factors.
		if e > 1020 || (hasInf && e-bits.OnesCount(uint(set)) < -1070) {
			return true
		}
	}
	return false
}

// Terms returns the number of terms added.
func (s *Sum) Terms() int { return s.terms }

// special returns the IEEE result forced by special terms, if any.
func (s *Sum) special() (v float64, ok bool) {
	switch {
	case s.nan || (s.posInf && s.negInf):
		return math.NaN(), true
	case s.posInf:
		return math.Inf(1), true
	case s.negInf:
		return math.Inf(-1), true
	}
	return 0, false
}

// Value returns the exact sum rounded to the nearest float64 (±Inf when it
// overflows), or the special value the terms force. An exact zero is −0 if
// every term is −0, else +0, as in IEEE arithmetic.
func (s *Sum) Value() float64 {
	s.init()
	if v, ok := s.special(); ok {
		return v
	}
	if s.val.Sign() == 0 {
		if s.terms > 0 && s.allNegZero {
			return math.Copysign(0, -1)
		}
		return 0
	}
	v, _ := s.val.Float64()
	return v
}

// AbsSum returns Σ|t| over the finite terms, rounded up to a float64
// (+Inf when it overflows).
func (s *Sum) AbsSum() float64 {
	s.init()
	var r big.Float
	r.SetMode(big.ToPositiveInf).SetPrec(53).Set(&s.abs)
	v, _ := r.Float64()
	return v
}

// ExactZero reports whether the sum is exactly zero with no special terms,
// and if so whether IEEE arithmetic makes it −0 (every term −0). Sums that
// are merely rounded to zero do not count: their sign depends on how the
// rounding happened.
func (s *Sum) ExactZero() (zero, neg bool) {
	s.init()
	if _, ok := s.special(); ok || s.val.Sign() != 0 {
		return false, false
	}
	return true, s.terms > 0 && s.allNegZero
}

// Check reports whether got is an acceptable computed value of the sum
// under the error bound
//
//	|got − exact| ≤ rel·Σ|t| + slack,
//
// where rel is the relative factor of the algorithm (γₙ for n terms) and
// slack covers underflow (Eta per rounded product). Special values must
// come out as IEEE semantics force them. When some evaluation order may
// overflow or otherwise depend on the order (see Lenient), got may also be
// ±Inf or NaN. It returns nil or an error describing the discrepancy.
func (s *Sum) Check(got, rel, slack float64) error {
	s.init()
	mayOverflow := s.Lenient(rel)
	if !mayOverflow && !math.IsNaN(got) && !math.IsInf(got, 0) && s.fastAccept(got, rel, slack) {
		return nil
	}
	if s.nan || (s.posInf && s.negInf) {
		if !math.IsNaN(got) {
			return fmt.Errorf("got %v, want NaN", got)
		}
		return nil
	}
	if s.posInf || s.negInf {
		want, _ := s.special()
		if got == want || (mayOverflow && (math.IsNaN(got) || math.IsInf(got, 0))) {
			return nil
		}
		return fmt.Errorf("got %v, want %v", got, want)
	}
	if math.IsNaN(got) || math.IsInf(got, 0) {
		if mayOverflow {
			return nil
		}
		return fmt.Errorf("got %v, want finite %v (Σ|t| = %v)", got, s.Value(), s.AbsSum())
	}
	e := new(big.Float).SetPrec(ExactPrec).SetFloat64(got)
	e.Sub(e, &s.val).Abs(e)
	bound := new(big.Float).SetPrec(ExactPrec).SetFloat64(rel)
	bound.Mul(bound, &s.abs)
	bound.Add(bound, big.NewFloat(slack))
	if e.Cmp(bound) > 0 {
		ef, _ := e.Float64()
		bf, _ := bound.Float64()
		want := s.Value()
		return fmt.Errorf("got %v, want %v: error %.3g > bound %.3g (%d ulps of the result; Σ|t| = %.6g, %d terms)",
			got, want, ef, bf, ULPDistance(got, want), s.AbsSum(), s.terms)
	}
	return nil
}

// Lenient reports whether some evaluation order of the sum, with relative
// error factor rel, may overflow (Σ|t|·(1+rel) > MaxFloat64) or turn a
// product into NaN or ±Inf against its exact value (see AddProd); then
// Check accepts NaN and ±Inf besides results within the bound, and results
// of different evaluation orders need not agree on NaN and Inf.
func (s *Sum) Lenient(rel float64) bool {
	s.init()
	if s.ambiguous {
		return true
	}
	if s.cached && s.cRel == rel {
		return s.cMayOverflow
	}
	limit := new(big.Float).SetPrec(ExactPrec).SetFloat64(1 + rel)
	limit.Mul(limit, &s.abs)
	s.cMayOverflow = math.IsInf(rel, 0) || limit.Cmp(big.NewFloat(math.MaxFloat64)) > 0
	s.cValue = s.Value()
	s.cAbs = s.AbsSum()
	s.cRel = rel
	s.cached = true
	return s.cMayOverflow
}

// fastAccept decides, in float64 arithmetic with margins for its own
// rounding, that the finite got is within the bound when that is clear;
// false means "use the exact comparison". Let v be the exact sum rounded
// to nearest: |got − exact| ≤ |got − v| + ULP(v)/2 + Eta, and the
// float64 difference and bound are off by at most a factor (1 ± 4U).
func (s *Sum) fastAccept(got, rel, slack float64) bool {
	v := s.cValue
	if math.IsNaN(v) || math.IsInf(v, 0) || math.IsInf(s.cAbs, 0) {
		return false
	}
	lhs := math.Abs(got-v)*(1+4*U) + ULP(v)/2 + Eta
	rhs := (rel*s.cAbs + slack) * (1 - 4*U)
	return lhs <= rhs
}
