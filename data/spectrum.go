package data

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Spectrum is the list of eigenvalues λ_1 ≥ … of a covariance S (length d),
// with the spec it came from.
type Spectrum struct {
	Spec   string    // canonical spec text, e.g. "powerlaw:1.5"
	Values []float64 // eigenvalues, length d, non-negative, not all zero
}

// D returns the dimension.
func (s Spectrum) D() int { return len(s.Values) }

// Isotropic returns λ_j = 1 for j = 1..d.
func Isotropic(d int) (Spectrum, error) {
	if d < 1 {
		return Spectrum{}, specErr("isotropic spectrum needs d ≥ 1, got %d", d)
	}
	v := make([]float64, d)
	for i := range v {
		v[i] = 1
	}
	return Spectrum{Spec: "isotropic", Values: v}, nil
}

// PowerLaw returns λ_j = j^−α for j = 1..d (α ≥ 0).
func PowerLaw(d int, alpha float64) (Spectrum, error) {
	if d < 1 || !(alpha >= 0) || math.IsInf(alpha, 0) {
		return Spectrum{}, specErr("power-law spectrum needs d ≥ 1 and finite α ≥ 0, got d=%d α=%v", d, alpha)
	}
	v := make([]float64, d)
	for j := range v {
		v[j] = detPow(float64(j+1), -alpha)
	}
	return Spectrum{Spec: "powerlaw:" + fmtFloat(alpha), Values: v}, nil
}

// LowRank returns r eigenvalues 1 followed by d−r exact zeros.
func LowRank(d, r int) (Spectrum, error) {
	if d < 1 || r < 1 || r > d {
		return Spectrum{}, specErr("low-rank spectrum needs 1 ≤ r ≤ d, got r=%d d=%d", r, d)
	}
	v := make([]float64, d)
	for i := 0; i < r; i++ {
		v[i] = 1
	}
	return Spectrum{Spec: "lowrank:" + strconv.Itoa(r), Values: v}, nil
}

// Spiked returns k eigenvalues s (the spikes) over a flat bulk of d−k ones.
func Spiked(d, k int, s float64) (Spectrum, error) {
	if d < 1 || k < 0 || k > d || !(s > 0) || math.IsInf(s, 0) {
		return Spectrum{}, specErr("spiked spectrum needs 0 ≤ k ≤ d and finite s > 0, got d=%d k=%d s=%v", d, k, s)
	}
	v := make([]float64, d)
	for i := range v {
		v[i] = 1
		if i < k {
			v[i] = s
		}
	}
	return Spectrum{Spec: "spiked:" + strconv.Itoa(k) + "," + fmtFloat(s), Values: v}, nil
}

// Explicit returns the given eigenvalues (copied, order kept). They must be
// finite, non-negative and not all zero.
func Explicit(values []float64) (Spectrum, error) {
	if len(values) == 0 {
		return Spectrum{}, specErr("explicit spectrum is empty")
	}
	v := make([]float64, len(values))
	parts := make([]string, len(values))
	nz := false
	for i, x := range values {
		if !(x >= 0) || math.IsInf(x, 0) {
			return Spectrum{}, specErr("explicit spectrum: eigenvalue %d is %v (want finite, ≥ 0)", i, x)
		}
		nz = nz || x > 0
		v[i] = x
		parts[i] = fmtFloat(x)
	}
	if !nz {
		return Spectrum{}, specErr("explicit spectrum is all zeros")
	}
	return Spectrum{Spec: "list:" + strings.Join(parts, ","), Values: v}, nil
}

// ParseSpectrum parses a spectrum spec for dimension d:
//
//	isotropic            λ_j = 1
//	powerlaw:α           λ_j = j^−α
//	lowrank:r            r ones, d−r zeros
//	spiked:k,s           k spikes of size s over a bulk of ones
//	list:λ1,λ2,…         explicit (d is ignored if ≤ 0, else must match)
func ParseSpectrum(spec string, d int) (Spectrum, error) {
	name, arg, _ := strings.Cut(strings.TrimSpace(spec), ":")
	args := []string{}
	if arg != "" {
		args = strings.Split(arg, ",")
	}
	nums := make([]float64, len(args))
	for i, a := range args {
		x, err := strconv.ParseFloat(strings.TrimSpace(a), 64)
		if err != nil {
			return Spectrum{}, specErr("spectrum %q: bad number %q", spec, a)
		}
		nums[i] = x
	}
	want := func(k int) error {
		if len(nums) != k {
			return specErr("spectrum %q: %s takes %d argument(s), got %d", spec, name, k, len(nums))
		}
		return nil
	}
	isInt := func(x float64) bool { return x == math.Trunc(x) && math.Abs(x) < 1<<31 }
	switch strings.ToLower(name) {
	case "isotropic", "iso":
		if err := want(0); err != nil {
			return Spectrum{}, err
		}
		return Isotropic(d)
	case "powerlaw", "power":
		if err := want(1); err != nil {
			return Spectrum{}, err
		}
		return PowerLaw(d, nums[0])
	case "lowrank":
		if err := want(1); err != nil {
			return Spectrum{}, err
		}
		if !isInt(nums[0]) {
			return Spectrum{}, specErr("spectrum %q: rank must be an integer", spec)
		}
		return LowRank(d, int(nums[0]))
	case "spiked":
		if err := want(2); err != nil {
			return Spectrum{}, err
		}
		if !isInt(nums[0]) {
			return Spectrum{}, specErr("spectrum %q: spike count must be an integer", spec)
		}
		return Spiked(d, int(nums[0]), nums[1])
	case "list":
		if d > 0 && len(nums) != d {
			return Spectrum{}, specErr("spectrum %q has %d values, d is %d", spec, len(nums), d)
		}
		return Explicit(nums)
	}
	return Spectrum{}, specErr("unknown spectrum %q (want isotropic, powerlaw:α, lowrank:r, spiked:k,s or list:…)", spec)
}

// EffectiveDims returns the two effective dimensions of a covariance with
// the given eigenvalues: r2 = Tr(S)²/‖S‖_F² and r1 = Tr(S)/‖S‖_op. Both lie
// in [1, d] and equal the rank for a flat spectrum. Zero spectra give 0, 0.
func EffectiveDims(values []float64) (r2, r1 float64) {
	var tr, f2, op float64
	for _, v := range values {
		a := math.Abs(v)
		tr += v
		f2 += float64(v * v)
		op = math.Max(op, a)
	}
	if op == 0 {
		return 0, 0
	}
	return float64(tr*tr) / f2, tr / op
}

// EffectiveDims returns Tr(S)²/‖S‖_F² and Tr(S)/‖S‖_op.
func (s Spectrum) EffectiveDims() (r2, r1 float64) { return EffectiveDims(s.Values) }

// Trace returns Tr(S).
func (s Spectrum) Trace() float64 {
	var t float64
	for _, v := range s.Values {
		t += v
	}
	return t
}

func (s Spectrum) String() string { return fmt.Sprintf("%s (d=%d)", s.Spec, len(s.Values)) }

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
