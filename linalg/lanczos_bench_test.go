package linalg

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"
)

// lowRankDiagOp is A = D + Uᵀ·diag(s)·U with U r×n (rows are the low-rank
// directions): one application is two Gemv calls over U (4·r·n flops)
// plus O(n).
type lowRankDiagOp struct {
	d []float64
	u *Dense
	s []float64
	t []float64 // scratch, len r
}

func (o *lowRankDiagOp) Dim() int { return len(o.d) }
func (o *lowRankDiagOp) Apply(dst, src []float64) {
	Gemv(NoTrans, 1, o.u, src, 0, o.t)
	for i := range o.t {
		o.t[i] *= o.s[i]
	}
	Gemv(T, 1, o.u, o.t, 0, dst)
	for i, v := range o.d {
		dst[i] += v * src[i]
	}
}

// splitmixUnit returns a uniform number in [0, 1) from the SplitMix64
// hash of x; testdata/lanczos_eigsh_peer.py computes the same numbers.
func splitmixUnit(x uint64) float64 {
	z := x + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) * 0x1p-53
}

// newLowRankDiagOp builds the benchmark operator, reproducible in numpy:
// u[i][c] = √3·(2·h(i·n+c) − 1)/√n (variance 1/n), d[c] = h(2^40 + c),
// s_i = 10/√(i+1), with h = splitmixUnit.
func newLowRankDiagOp(n, r int) *lowRankDiagOp {
	o := &lowRankDiagOp{d: make([]float64, n), u: NewDense(r, n), s: make([]float64, r), t: make([]float64, r)}
	for c := range o.d {
		o.d[c] = splitmixUnit(1<<40 + uint64(c))
	}
	sc := math.Sqrt(3) / math.Sqrt(float64(n))
	for i := range o.u.Data {
		o.u.Data[i] = (2*splitmixUnit(uint64(i)) - 1) * sc
	}
	for i := range o.s {
		o.s[i] = 10 / math.Sqrt(float64(i+1))
	}
	return o
}

// timedOp measures the time spent in Apply.
type timedOp struct {
	Operator
	in time.Duration
}

func (o *timedOp) Apply(dst, src []float64) {
	t0 := time.Now()
	o.Operator.Apply(dst, src)
	o.in += time.Since(t0)
}

// BenchmarkLanczosTop20 runs Lanczos for the 20 largest eigenpairs (basis
// 41, as scipy's eigsh default ncv = 2k+1, tol 1e-10) of the low-rank-plus-
// diagonal operator of dimension 1e5 (NOISEGEOM_BENCH_RANK sets the rank,
// default 100; NOISEGEOM_BENCH_TOL the tolerance). Metrics: applications, restarts, and the fraction of time
// spent outside operator applications.
func BenchmarkLanczosTop20(b *testing.B) {
	n, r := 100000, 100
	if s := os.Getenv("NOISEGEOM_BENCH_RANK"); s != "" {
		r, _ = strconv.Atoi(s)
	}
	tol := 1e-10
	if s := os.Getenv("NOISEGEOM_BENCH_TOL"); s != "" {
		tol, _ = strconv.ParseFloat(s, 64)
	}
	op := newLowRankDiagOp(n, r)
	for _, local := range []bool{false, true} {
		b.Run(fmt.Sprintf("impl=%s/n=%d/rank=%d/localfirst=%v", Implementation(), n, r, local), func(b *testing.B) {
			b.ReportAllocs()
			var applies, restarts int
			var outside float64
			for b.Loop() {
				to := &timedOp{Operator: op}
				t0 := time.Now()
				res, err := Lanczos(to, LanczosOptions{K: 20, BasisSize: 41, Tol: tol, Seed: 1, LocalFirstPass: local})
				total := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				applies, restarts = res.Applies, res.Restarts
				b.Logf("tol %g: θ_1 = %.12g, θ_20 = %.12g, max residual %.3g", tol, res.Values[0], res.Values[19], maxOf(res.Residuals))
				outside = 1 - to.in.Seconds()/total.Seconds()
			}
			b.ReportMetric(float64(applies), "applies")
			b.ReportMetric(float64(restarts), "restarts")
			b.ReportMetric(100*outside, "%outside-op")
		})
	}
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	return m
}
