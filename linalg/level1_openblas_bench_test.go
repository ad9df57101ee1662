//go:build openblas && cgo

package linalg

import (
	"fmt"
	"testing"
	"time"

	"github.com/noisegeom/noisegeom/internal/openblas"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Peers for the level-1/2 benchmarks of level1_bench_test.go: OpenBLAS
// single-threaded ("openblas-t1") and at its default thread count
// ("openblas-tN", N as OpenBLAS reported it at start-up), and gonum's pure-Go
// BLAS with its own assembly ("gonum"), all on the same operands.
func init() {
	defaultThreads := openblas.Threads()
	ob := func(threads int) l1Impl {
		return l1Impl{
			name: fmt.Sprintf("openblas-t%d", threads),
			setup: func() func() {
				openblas.SetThreads(threads)
				return func() { openblas.SetThreads(defaultThreads) }
			},
			dot:  openblas.Ddot,
			axpy: openblas.Daxpy,
			scal: openblas.Dscal,
			gemv: func(t Trans, alpha float64, a *Dense, x []float64, beta float64, y []float64) {
				openblas.Dgemv(bool(t), a.Rows, a.Cols, alpha, a.Data, a.Stride, x, beta, y)
			},
		}
	}
	l1BenchPeers = append(l1BenchPeers, ob(1))
	if defaultThreads > 1 {
		l1BenchPeers = append(l1BenchPeers, ob(defaultThreads))
	}

	var g gonum.Implementation
	l1BenchPeers = append(l1BenchPeers, l1Impl{
		name:  "gonum",
		setup: func() func() { return func() {} },
		dot:   func(x, y []float64) float64 { return g.Ddot(len(x), x, 1, y, 1) },
		axpy:  func(alpha float64, x, y []float64) { g.Daxpy(len(x), alpha, x, 1, y, 1) },
		scal:  func(alpha float64, x []float64) { g.Dscal(len(x), alpha, x, 1) },
		asum:  func(x []float64) float64 { return g.Dasum(len(x), x, 1) },
		gemv: func(t Trans, alpha float64, a *Dense, x []float64, beta float64, y []float64) {
			tr := blas.NoTrans
			if t {
				tr = blas.Trans
			}
			g.Dgemv(tr, a.Rows, a.Cols, alpha, a.Data, a.Stride, x, 1, beta, y, 1)
		},
	})
}

// BenchmarkL1PeerRatio measures each implementation of Dot, Axpy, GemvN and
// GemvT in short interleaved batches (about 30 µs, one call at least) and
// keeps the fastest batch of each: on a loaded machine a batch that fits in
// one scheduling quantum measures the code, not the neighbours. Each
// iteration of the loop is one round over all implementations; the
// reported metrics are the minimum time per call of each implementation
// ("<impl>-ns") and its ratio to single-threaded OpenBLAS ("<impl>/ob1";
// below 1 is faster).
//
//	go test -tags openblas -run x -bench L1PeerRatio -benchtime 100x ./linalg/
func BenchmarkL1PeerRatio(b *testing.B) {
	for _, kernel := range []string{"Dot", "Axpy", "GemvN", "GemvT"} {
		for _, size := range l1BenchSizes {
			b.Run(fmt.Sprintf("%s/n=%s", kernel, l1SizeName(size)), func(b *testing.B) {
				benchL1PeerRatio(b, kernel, size)
			})
		}
	}
}

func benchL1PeerRatio(b *testing.B, kernel string, size int) {
	m, n := l1GemvShape(size)
	a := NewDenseData(m, n, l1BenchVector(m*n, 3))
	x, y := l1BenchVector(size, 1), l1BenchVector(size, 2)
	type entry struct {
		name string
		im   l1Impl
		call func()
		k    int           // calls per batch
		best time.Duration // per call
	}
	var es []*entry
	for _, im := range l1BenchImpls() {
		var call func()
		switch {
		case kernel == "Dot" && im.dot != nil:
			call = func() { sinkFloat += im.dot(x, y) }
		case kernel == "Axpy" && im.axpy != nil:
			call = func() { im.axpy(1e-3, x, y) }
		case kernel == "GemvN" && im.gemv != nil:
			call = func() { im.gemv(NoTrans, 1e-3, a, x[:n], 1, y[:m]) }
		case kernel == "GemvT" && im.gemv != nil:
			call = func() { im.gemv(T, 1e-3, a, x[:m], 1, y[:n]) }
		default:
			continue
		}
		es = append(es, &entry{name: im.name, im: im, call: call})
	}
	// Calibrate the batch length once per implementation.
	for _, e := range es {
		restore := e.im.setup()
		e.call()
		t0 := time.Now()
		e.call()
		one := time.Since(t0)
		restore()
		e.k = max(1, int(30*time.Microsecond/max(one, 1)))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range es {
			restore := e.im.setup()
			e.call() // warm the caches with this implementation's access pattern
			t0 := time.Now()
			for range e.k {
				e.call()
			}
			per := time.Since(t0) / time.Duration(e.k)
			restore()
			if e.best == 0 || per < e.best {
				e.best = per
			}
		}
	}
	var ob1 time.Duration
	for _, e := range es {
		if e.name == "openblas-t1" {
			ob1 = e.best
		}
	}
	for _, e := range es {
		b.ReportMetric(float64(e.best.Nanoseconds()), e.name+"-ns")
		if ob1 > 0 {
			b.ReportMetric(float64(e.best)/float64(ob1), e.name+"/ob1")
		}
	}
}
