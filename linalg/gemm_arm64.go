//go:build !purego

package linalg

// gemmKernelNEON is the NEON Gemm micro-kernel (gemm_arm64.s) for a 6×8
// tile; its contract is that of kernels.gemmKernel with MR = 6, NR = 8.
//
// Why 6×8: AArch64 has 32 vector registers of 2 doubles. With the vectors
// along NR (the contiguous direction of row-major C and of packed B), a 6×8
// tile needs 6·4 = 24 accumulators, 4 registers for one step of B and 3 for
// one step of A (broadcast by FMLA by element), 31 registers in all. Each
// step does 24 FMLA from 7 vector loads (a load:FMA ratio of 0.29, under
// what a Cortex-A72 or Neoverse core can issue), and 24 independent
// accumulator chains hide an FMLA latency of up to 12 cycles. The wider
// choices (8×8: 32 accumulators) do not fit; 4×8 needs 16 accumulators and
// does only 16 FMLA per 6 loads. A row of C is 8 doubles, one 4-register
// LD1/ST1.
//
//go:noescape
func gemmKernelNEON(kc int, a, b, c []float64, ldc int)

// fmaLoopNEON runs iters iterations of 24 independent FMLA .2D chains.
//
//go:noescape
func fmaLoopNEON(iters int)

// fillGemmNEON installs the NEON Gemm micro-kernel and FMA peak loop.
func fillGemmNEON(k *kernels) {
	k.gemmMR = 6
	k.gemmNR = 8
	k.gemmKernel = gemmKernelNEON
	k.fmaLoop = fmaLoopNEON
	k.fmaLoopFlops = 24 * 2 * 2
}
