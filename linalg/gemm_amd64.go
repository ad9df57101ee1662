//go:build !purego

package linalg

import "fmt"

// Micro-kernels and FMA peak loops in gemm_amd64.s.
//
// Shapes (row-major C, so the vector dimension runs along NR):
//   - AVX2: 6×8, 12 YMM accumulators, 2 B loads and 6 broadcasts per k
//     step for 12 FMAs. Zen 4 retires two 256-bit FMAs per cycle with a
//     4-cycle latency, so 8 independent chains suffice; 12 leave slack.
//   - AVX-512: 12×16, 24 ZMM accumulators, 2 B loads and 24 FMAs per k
//     step whose A operand is an embedded broadcast ({1to8}) from memory.
//     Zen 4 runs a 512-bit FMA as two 256-bit halves (one per cycle), so
//     the peak equals AVX2's; 512-bit wins only by halving the
//     instruction count.
//
// Both kernels unroll k by 4, prefetch the C tile at entry and the A panel
// a few steps ahead. Measured on Zen 4 (n = 1024, one thread, CPU time, best
// of several): 12×16, 12×16 with explicit VBROADCASTSD, and 8×24 with
// either broadcast form all land within noise (±3%) of each other in Gemm,
// and both kernels reach ~99% of the FMA-loop peak on L1-resident panels
// (BenchmarkMicroKernel). Prefetch variants were also within noise.

//go:noescape
func gemmKernel6x8AVX2(kc int, a, b, c []float64, ldc int)

//go:noescape
func gemmKernel12x16AVX512(kc int, a, b, c []float64, ldc int)

//go:noescape
func fmaLoopAVX2(iters int)

//go:noescape
func fmaLoopAVX512(iters int)

func fillGemmAVX2(k *kernels) {
	k.gemmMR, k.gemmNR = 6, 8
	k.gemmKernel = gemmKernelAVX2
	k.fmaLoop = fmaLoopAVX2
	k.fmaLoopFlops = 12 * 4 * 2
}

func fillGemmAVX512(k *kernels) {
	k.gemmMR, k.gemmNR = 12, 16
	k.gemmKernel = gemmKernelAVX512
	k.fmaLoop = fmaLoopAVX512
	k.fmaLoopFlops = 12 * 8 * 2
}

// gemmKernelAVX2 checks the kernel contract's lengths (so the assembly can
// never touch memory outside the slices) and runs the 6×8 kernel.
func gemmKernelAVX2(kc int, a, b, c []float64, ldc int) {
	const mr, nr = 6, 8
	checkMicroArgs(kc, mr, nr, len(a), len(b), len(c), ldc)
	gemmKernel6x8AVX2(kc, a, b, c, ldc)
}

// gemmKernelAVX512 checks the kernel contract's lengths and runs the 12×16
// kernel.
func gemmKernelAVX512(kc int, a, b, c []float64, ldc int) {
	const mr, nr = 12, 16
	checkMicroArgs(kc, mr, nr, len(a), len(b), len(c), ldc)
	gemmKernel12x16AVX512(kc, a, b, c, ldc)
}

// checkMicroArgs panics unless the operands of an mr×nr micro-kernel call
// satisfy the gemmKernel contract. It is a few compares per kc·mr·nr FMAs.
func checkMicroArgs(kc, mr, nr, la, lb, lc, ldc int) {
	if kc < 0 || la < kc*mr || lb < kc*nr || ldc < nr || lc < (mr-1)*ldc+nr {
		panic(fmt.Sprintf("linalg: gemm micro-kernel %d×%d: kc=%d len(a)=%d len(b)=%d len(c)=%d ldc=%d",
			mr, nr, kc, la, lb, lc, ldc))
	}
}
