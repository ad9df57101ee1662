package linalg

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// gemmBenchSizes are the square sizes of the Gemm benchmarks.
var gemmBenchSizes = []int{64, 256, 512, 1024, 2048}

// benchSquare returns three n×n matrices with entries in [-1, 1).
func benchSquare(n int) (a, b, c *Dense) {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	a, b, c = NewDense(n, n), NewDense(n, n), NewDense(n, n)
	for _, m := range []*Dense{a, b, c} {
		for i := range m.Data {
			m.Data[i] = 2*rng.Float64() - 1
		}
	}
	return a, b, c
}

// reportGflops reports flops per op as GFLOP/s.
func reportGflops(b *testing.B, flopsPerOp float64) {
	b.ReportMetric(flopsPerOp*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// withBenchTables runs f per table as a sub-benchmark, restoring the active
// table afterwards.
func withBenchTables(b *testing.B, f func(b *testing.B)) {
	prev := Implementation()
	defer func() { _ = SetImplementation(prev) }()
	for _, name := range Implementations() {
		if err := SetImplementation(name); err != nil {
			b.Fatal(err)
		}
		b.Run(name, f)
	}
}

// BenchmarkGemm: C = A·B + C, square, NoTrans/NoTrans, per table, size and
// thread count (GOMAXPROCS). The generic table stops at n = 512.
func BenchmarkGemm(b *testing.B) {
	withBenchTables(b, func(b *testing.B) {
		for _, n := range gemmBenchSizes {
			if Implementation() == "generic" && n > 512 {
				continue
			}
			x, y, z := benchSquare(n)
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("n=%d/threads=%d", n, threads), func(b *testing.B) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
					b.SetBytes(int64(3 * n * n * 8))
					b.ReportAllocs()
					for b.Loop() {
						Gemm(NoTrans, NoTrans, 1, x, y, 1, z)
					}
					reportGflops(b, 2*float64(n)*float64(n)*float64(n))
				})
			}
		}
	})
}

// BenchmarkGemmTrans: n = 512 single thread, the four transpose
// combinations (packing cost differs).
func BenchmarkGemmTrans(b *testing.B) {
	withBenchTables(b, func(b *testing.B) {
		const n = 512
		x, y, z := benchSquare(n)
		for _, tr := range transCases {
			b.Run(fmt.Sprintf("%v%v", tr[0], tr[1]), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
				b.SetBytes(int64(3 * n * n * 8))
				b.ReportAllocs()
				for b.Loop() {
					Gemm(tr[0], tr[1], 1, x, y, 1, z)
				}
				reportGflops(b, 2*float64(n)*n*n)
			})
		}
	})
}

// BenchmarkSyrk: C = A·Aᵀ + C, n×n from n×n, flops counted as n²·k (the
// useful half).
func BenchmarkSyrk(b *testing.B) {
	withBenchTables(b, func(b *testing.B) {
		for _, n := range []int{256, 1024} {
			if Implementation() == "generic" && n > 512 {
				continue
			}
			x, _, z := benchSquare(n)
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("n=%d/threads=%d", n, threads), func(b *testing.B) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
					b.SetBytes(int64(2 * n * n * 8))
					b.ReportAllocs()
					for b.Loop() {
						Syrk(NoTrans, 1, x, 1, z)
					}
					reportGflops(b, float64(n)*float64(n)*float64(n))
				})
			}
		}
	})
}

// BenchmarkFMALoop measures each table's FMA peak (one thread).
func BenchmarkFMALoop(b *testing.B) {
	withBenchTables(b, func(b *testing.B) {
		const iters = 1 << 16
		var flops int
		for b.Loop() {
			flops = FMALoop(iters)
		}
		reportGflops(b, float64(flops))
	})
}
