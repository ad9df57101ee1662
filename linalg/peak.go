package linalg

// FMALoop runs the active table's peak-throughput loop of independent
// fused multiply-adds for iters iterations and returns the number of
// floating-point operations it performed. Timing it measures the core's FMA
// peak for that instruction set, the yardstick for Gemm efficiency.
func FMALoop(iters int) (flops int) {
	k := impl()
	k.fmaLoop(iters)
	return iters * k.fmaLoopFlops
}
