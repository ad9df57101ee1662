package floattest

import (
	"fmt"
	"math"
	"math/big"
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
	tmp            big.Float
	started        bool
	terms          int
	nan            bool
	posInf, negInf bool
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
// one term.
func (s *Sum) AddProd(factors ...float64) {
	s.init()
	s.terms++
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
	var f big.Float
	for _, x := range factors {
		f.SetFloat64(x)
		s.tmp.Mul(&s.tmp, &f)
	}
	s.val.Add(&s.val, &s.tmp)
	s.abs.Add(&s.abs, s.tmp.Abs(&s.tmp))
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
// come out as IEEE semantics force them. When the finite terms are so large
// that some evaluation order may overflow (Σ|t|·(1+rel) > MaxFloat64), got
// may also be ±Inf or NaN. It returns nil or an error describing the
// discrepancy.
func (s *Sum) Check(got, rel, slack float64) error {
	s.init()
	limit := new(big.Float).SetPrec(ExactPrec).SetFloat64(1 + rel)
	limit.Mul(limit, &s.abs)
	mayOverflow := math.IsInf(rel, 0) || limit.Cmp(big.NewFloat(math.MaxFloat64)) > 0
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
