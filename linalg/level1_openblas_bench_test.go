//go:build openblas && cgo

package linalg

import (
	"fmt"

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
