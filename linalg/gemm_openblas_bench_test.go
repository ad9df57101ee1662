//go:build openblas && cgo

package linalg

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/noisegeom/noisegeom/internal/openblas"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// BenchmarkGemmOpenBLAS is BenchmarkGemm through OpenBLAS's cblas_dgemm
// with 1 and 2 OpenBLAS threads.
func BenchmarkGemmOpenBLAS(b *testing.B) {
	defer openblas.SetThreads(openblas.Threads())
	for _, n := range gemmBenchSizes {
		x, y, z := benchSquare(n)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("n=%d/threads=%d", n, threads), func(b *testing.B) {
				openblas.SetThreads(threads)
				b.SetBytes(int64(3 * n * n * 8))
				b.ReportAllocs()
				for b.Loop() {
					openblas.Dgemm(false, false, n, n, n, 1, x.Data, n, y.Data, n, 1, z.Data, n)
				}
				reportGflops(b, 2*float64(n)*float64(n)*float64(n))
			})
		}
	}
}

// BenchmarkSyrkOpenBLAS is BenchmarkSyrk through cblas_dsyrk.
func BenchmarkSyrkOpenBLAS(b *testing.B) {
	defer openblas.SetThreads(openblas.Threads())
	for _, n := range []int{256, 1024} {
		x, _, z := benchSquare(n)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("n=%d/threads=%d", n, threads), func(b *testing.B) {
				openblas.SetThreads(threads)
				b.SetBytes(int64(2 * n * n * 8))
				b.ReportAllocs()
				for b.Loop() {
					openblas.Dsyrk(false, n, n, 1, x.Data, n, 1, z.Data, n)
				}
				reportGflops(b, float64(n)*float64(n)*float64(n))
			})
		}
	}
}

// BenchmarkGemmGonum is BenchmarkGemm through gonum's pure-Go blas64
// (its own goroutine parallelism, bounded by GOMAXPROCS).
func BenchmarkGemmGonum(b *testing.B) {
	for _, n := range gemmBenchSizes {
		if n > 1024 {
			continue
		}
		x, y, z := benchSquare(n)
		g := func(d *Dense) blas64.General {
			return blas64.General{Rows: d.Rows, Cols: d.Cols, Stride: d.Stride, Data: d.Data}
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("n=%d/threads=%d", n, threads), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
				b.SetBytes(int64(3 * n * n * 8))
				b.ReportAllocs()
				for b.Loop() {
					blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, g(x), g(y), 1, g(z))
				}
				reportGflops(b, 2*float64(n)*float64(n)*float64(n))
			})
		}
	}
}
