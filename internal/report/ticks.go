package report

import (
	"math"
	"strconv"
	"strings"
)

// tick is one axis tick; minor ticks have no label.
type tick struct {
	V     float64
	Label string
	Minor bool
}

// niceStepAtLeast is the smallest step of the form {1, 2, 5}·10^k that is
// at least raw (raw > 0).
func niceStepAtLeast(raw float64) float64 {
	if !(raw > 0) {
		return math.SmallestNonzeroFloat64
	}
	if raw < 1e-290 {
		// Subnormal territory: 10^e underflows; scale up and back.
		return niceStepAtLeast(raw*1e300) / 1e300
	}
	e := math.Floor(math.Log10(raw))
	base := math.Pow(10, e)
	for _, m := range []float64{1, 2, 5, 10} {
		if s := m * base; s >= raw*(1-1e-12) {
			if math.IsInf(s, 0) {
				return base // the largest {1,2,5}·10^k there is
			}
			return s
		}
	}
	return 10 * base
}

// nextNiceStep is the {1, 2, 5}·10^k step after step.
func nextNiceStep(step float64) float64 {
	return niceStepAtLeast(step * 1.5)
}

// span is hi-lo without overflow.
func span(lo, hi float64) float64 {
	d := hi - lo
	if math.IsInf(d, 0) {
		return (hi/2 - lo/2) * 2
	}
	return d
}

// linearTicks are the multiples of step in [lo, hi], labelled.
func linearTicks(lo, hi, step float64) []tick {
	k0 := math.Ceil(lo/step - 1e-9)
	k1 := math.Floor(hi/step + 1e-9)
	if k1-k0 > 1000 {
		return nil
	}
	var vs []float64
	for k := k0; k <= k1; k++ {
		v := k * step
		if v == 0 {
			v = 0 // no -0
		}
		vs = append(vs, v)
	}
	labels := linearLabels(vs, step)
	ts := make([]tick, len(vs))
	for i, v := range vs {
		ts[i] = tick{V: v, Label: labels[i]}
	}
	return ts
}

// linearLabels formats tick values that are multiples of step with just
// enough digits, in scientific notation (m×10ᵏ) for very large or very
// small magnitudes.
func linearLabels(vs []float64, step float64) []string {
	maxAbs := 0.0
	for _, v := range vs {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	es := math.Floor(math.Log10(step) + 1e-9)
	sci := maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-3)
	out := make([]string, len(vs))
	for i, v := range vs {
		switch {
		case math.Abs(v) < step*1e-6:
			out[i] = "0"
		case sci:
			ev := math.Floor(math.Log10(math.Abs(v)) + 1e-9)
			dec := int(math.Min(15, math.Max(0, ev-es)))
			m := v / math.Pow(10, ev)
			out[i] = minus(strconv.FormatFloat(m, 'f', dec, 64)) + "×10" + superscript(int(ev))
		default:
			dec := int(math.Min(15, math.Max(0, -es)))
			out[i] = minus(strconv.FormatFloat(v, 'f', dec, 64))
		}
	}
	return out
}

func minus(s string) string { return strings.ReplaceAll(s, "-", "−") }

var supDigits = []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")

// superscript writes k with Unicode superscript digits.
func superscript(k int) string {
	var b strings.Builder
	if k < 0 {
		b.WriteRune('⁻')
		k = -k
	}
	for _, c := range strconv.Itoa(k) {
		b.WriteRune(supDigits[c-'0'])
	}
	return b.String()
}

// logLabel formats m·10^k (m a small integer) readably: plain numbers from
// 0.01 to 1000, else (or when sup is set, so that one axis uses one style)
// 10ᵏ or m×10ᵏ.
func logLabel(m float64, k int, sup bool) string {
	if !sup && k >= -2 && k <= 3 {
		return strconv.FormatFloat(m*math.Pow(10, float64(k)), 'f', max(0, -k), 64)
	}
	if m == 1 {
		return "10" + superscript(k)
	}
	return strconv.FormatFloat(m, 'g', -1, 64) + "×10" + superscript(k)
}

// tickCandidates lists tick sets for [lo, hi] from the densest to the
// sparsest; the layout takes the first whose labels do not overlap.
// Each set has at least two labelled ticks (except when the range is
// empty).
func tickCandidates(lo, hi float64, log bool, maxLabels int) [][]tick {
	if maxLabels < 2 {
		maxLabels = 2
	}
	if !log {
		return linearCandidates(lo, hi, maxLabels)
	}
	l0, l1 := math.Log10(lo), math.Log10(hi)
	k0, k1 := int(math.Ceil(l0-1e-9)), int(math.Floor(l1+1e-9))
	var out [][]tick
	minors := func(labelled map[int]bool, stride int) []tick {
		var ts []tick
		for k := int(math.Floor(l0)); k <= k1; k++ {
			if stride == 1 {
				for m := 2; m <= 9; m++ {
					v := float64(m) * math.Pow(10, float64(k))
					if v >= lo && v <= hi {
						ts = append(ts, tick{V: v, Minor: true})
					}
				}
			}
			if v := math.Pow(10, float64(k)); k >= k0 && !labelled[k] && v >= lo && v <= hi {
				ts = append(ts, tick{V: v, Minor: true})
			}
		}
		return ts
	}
	if k1-k0+1 >= 2 {
		// Decades, every stride-th labelled.
		sup := k0 < -2 || k1 > 3
		for _, stride := range []int{1, 2, 3, 5, 10, 20, 50, 100} {
			var ts []tick
			lab := map[int]bool{}
			for k := k0; k <= k1; k++ {
				if k%stride == 0 {
					ts = append(ts, tick{V: math.Pow(10, float64(k)), Label: logLabel(1, k, sup)})
					lab[k] = true
				}
			}
			if len(ts) < 2 && stride > 1 {
				break
			}
			if k1-k0 <= 40 {
				ts = append(ts, minors(lab, stride)...)
			}
			out = append(out, ts)
		}
		return out
	}
	// Less than two decades: label 1, 2, 5 multiples, then 1 and 5 (or 3).
	for _, ms := range [][]float64{{1, 2, 5}, {1, 3}, {1}} {
		var ts []tick
		lab := map[int]bool{}
		for k := int(math.Floor(l0)); k <= k1; k++ {
			for _, m := range ms {
				v := m * math.Pow(10, float64(k))
				if v >= lo*(1-1e-12) && v <= hi*(1+1e-12) {
					ts = append(ts, tick{V: v, Label: logLabel(m, k, false)})
					if m == 1 {
						lab[k] = true
					}
				}
			}
		}
		if len(ts) >= 2 {
			mn := minors(nil, 1)
			for _, t := range mn {
				if !hasTick(ts, t.V) {
					ts = append(ts, t)
				}
			}
			out = append(out, ts)
		}
	}
	if len(out) == 0 {
		// Less than a factor ~3: linear nice values on the log axis.
		out = linearCandidates(lo, hi, maxLabels)
	}
	return out
}

func hasTick(ts []tick, v float64) bool {
	for _, t := range ts {
		if math.Abs(t.V-v) <= 1e-9*math.Abs(v) {
			return true
		}
	}
	return false
}

func linearCandidates(lo, hi float64, maxLabels int) [][]tick {
	half := hi/2 - lo/2 // finite even when hi-lo overflows
	if !(half > 0) {
		return [][]tick{{{V: lo, Label: linearLabels([]float64{lo}, math.Max(math.Abs(lo), 1))[0]}}}
	}
	step := niceStepAtLeast(half / float64(maxLabels) * 2)
	// Denser until there are two ticks (a step ≤ span/2 always gives two).
	for i := 0; i < 8 && len(linearTicks(lo, hi, step)) < 2; i++ {
		step = niceStepAtLeast(step / 2.6)
	}
	var out [][]tick
	for i := 0; i < 40; i++ {
		ts := linearTicks(lo, hi, step)
		if len(ts) < 2 {
			break
		}
		out = append(out, ts)
		step = nextNiceStep(step)
	}
	if len(out) == 0 {
		// Not reached for half > 0, but never return nothing.
		out = append(out, []tick{{V: lo, Label: linearLabels([]float64{lo}, half)[0]}, {V: hi, Label: linearLabels([]float64{hi}, half)[0]}})
	}
	return out
}
