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

// BenchmarkMicroKernel runs each table's micro-kernel on L1/L2-resident
// panels (kc = 256): the ceiling for Gemm.
func BenchmarkMicroKernel(b *testing.B) {
	withBenchTables(b, func(b *testing.B) {
		k := impl()
		mr, nr := k.gemmMR, k.gemmNR
		const kc = 256
		ap := make([]float64, kc*mr*8)
		bp := make([]float64, kc*nr)
		c := make([]float64, mr*nr*8)
		for i := range ap {
			ap[i] = 1e-3
		}
		for i := range bp {
			bp[i] = 1e-3
		}
		for b.Loop() {
			for t := 0; t < 8; t++ {
				k.gemmKernel(kc, ap[t*kc*mr:], bp, c[t*mr*nr:], nr)
			}
		}
		reportGflops(b, 8*2*float64(kc*mr*nr))
	})
}

// BenchmarkPack measures the packing routines on a 1024×1024 operand
// (one kc×nc B block, one mc×kc A block, the active table's shapes);
// SetBytes counts the elements read.
func BenchmarkPack(b *testing.B) {
	withBenchTables(b, func(b *testing.B) {
		k := impl()
		bl := blockSizes(k.gemmMR, k.gemmNR)
		const n = 1024
		x, _, _ := benchSquare(n)
		for _, tr := range []bool{false, true} {
			op := operand{data: x.Data, stride: x.Stride, trans: tr}
			b.Run(fmt.Sprintf("A/trans=%v", tr), func(b *testing.B) {
				mc := min(bl.mc, n)
				dst := make([]float64, roundUp(mc, k.gemmMR)*bl.kc)
				b.SetBytes(int64(mc * bl.kc * 8))
				for b.Loop() {
					packA(dst, op, 1.5, 0, mc, 0, bl.kc, k.gemmMR)
				}
			})
			b.Run(fmt.Sprintf("B/trans=%v", tr), func(b *testing.B) {
				dst := make([]float64, roundUp(n, k.gemmNR)*bl.kc)
				b.SetBytes(int64(n * bl.kc * 8))
				for b.Loop() {
					packB(dst, op, 0, bl.kc, 0, n, k.gemmNR)
				}
			})
		}
	})
}
