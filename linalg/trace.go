package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// TraceEstimate is a stochastic estimate of tr(A).
type TraceEstimate struct {
	// Trace is the estimate of tr(A).
	Trace float64
	// StdErr is the estimated standard error of Trace: the sample standard
	// deviation of the probe values over √(number of probes). Trace ± 2·StdErr
	// covers tr(A) about 95% of the time when the probes are many enough
	// for the mean to be near normal (Student t with Probes−1 degrees of
	// freedom otherwise).
	StdErr float64
	// Probes is the number of random quadratic forms averaged.
	Probes int
	// Applies is the number of operator applications used.
	Applies int
}

// rademacher fills x with independent ±1 entries.
func rademacher(x []float64, rng *rand.Rand) {
	var bits uint64
	for i := range x {
		if i%64 == 0 {
			bits = rng.Uint64()
		}
		x[i] = float64(int(bits&1)*2 - 1)
		bits >>= 1
	}
}

// meanStdErr returns the mean of s and its standard error.
func meanStdErr(s []float64) (mean, se float64) {
	n := float64(len(s))
	for _, v := range s {
		mean += v
	}
	mean /= n
	if len(s) < 2 {
		return mean, math.Inf(1)
	}
	var ss float64
	for _, v := range s {
		d := v - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// Hutchinson estimates tr(A) as the mean of zᵀ·A·z over probes Rademacher
// vectors z drawn from seed (probes ≥ 2). The variance of one probe is
// 2·(‖A‖_F² − Σ a_ii²).
func Hutchinson(op Operator, probes int, seed uint64) TraceEstimate {
	if probes < 2 {
		panic(fmt.Sprintf("linalg: Hutchinson: probes = %d, need ≥ 2", probes))
	}
	n := op.Dim()
	rng := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	z := make([]float64, n)
	az := make([]float64, n)
	s := make([]float64, probes)
	for p := range s {
		rademacher(z, rng)
		op.Apply(az, z)
		s[p] = Dot(z, az)
	}
	m, se := meanStdErr(s)
	return TraceEstimate{Trace: m, StdErr: se, Probes: probes, Applies: probes}
}

// HutchPlusPlus estimates tr(A) with Hutch++ (Meyer, Musco, Musco,
// Woodruff 2021) using budget operator applications (budget ≥ 4): a third
// of them sketch the range, Y = A·S with Rademacher S; Q is an orthonormal
// basis of Y (two-pass Gram–Schmidt); tr(Qᵀ·A·Q) is computed exactly (a
// third) and the remainder tr((I−QQᵀ)·A·(I−QQᵀ)) is estimated by
// Hutchinson with the last third (at least 2 probes). StdErr is the
// standard error of that Hutchinson part; the exact part has none. Block
// applications go through ApplyBlock.
func HutchPlusPlus(op Operator, budget int, seed uint64) TraceEstimate {
	if budget < 4 {
		panic(fmt.Sprintf("linalg: HutchPlusPlus: budget = %d, need ≥ 4", budget))
	}
	n := op.Dim()
	s := max(min(budget/3, n), 1) // sketch size
	probes := budget - 2*s
	rng := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))

	sk := NewDense(s, n)
	for i := 0; i < s; i++ {
		rademacher(sk.Row(i), rng)
	}
	y := NewDense(s, n)
	ApplyBlock(op, y, sk)
	// Orthonormalize the rows of y in place, dropping dependent ones.
	coef := make([]float64, 2*s)
	r := 0
	for i := 0; i < s; i++ {
		w := y.Row(i)
		n0 := Nrm2(w)
		nrm := cgs2(y.RowsView(0, r), w, coef[:r], coef[s:s+r])
		if n0 == 0 || nrm <= 1e-12*n0 {
			continue
		}
		if r != i {
			copy(y.Row(r), w)
			w = y.Row(r)
		}
		scalInv(nrm, w)
		r++
	}
	q := y.RowsView(0, r)
	exact := 0.0
	if r > 0 {
		aq := sk.RowsView(0, r) // reuse the sketch's storage
		ApplyBlock(op, aq, q)
		for i := 0; i < r; i++ {
			exact += Dot(q.Row(i), aq.Row(i))
		}
	}
	// Hutchinson on the deflated operator.
	g := make([]float64, n)
	ag := make([]float64, n)
	vals := make([]float64, probes)
	for p := range vals {
		rademacher(g, rng)
		if r > 0 {
			cgs2(q, g, coef[:r], coef[s:s+r])
		}
		op.Apply(ag, g)
		vals[p] = Dot(g, ag)
	}
	m, se := meanStdErr(vals)
	return TraceEstimate{Trace: exact + m, StdErr: se, Probes: probes, Applies: s + r + probes}
}
