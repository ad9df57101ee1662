package linalg

import "sync"

// gemmBlocking holds the Goto/BLIS cache block sizes: the packed B block is
// kc×nc, the packed A block mc×kc.
type gemmBlocking struct{ mc, kc, nc int }

// cacheSizes is CPU()'s cache report, read once (CPU allocates).
var cacheSizes = sync.OnceValue(func() [3]int {
	c := CPU()
	return [3]int{c.L1D, c.L2, c.L3}
})

// gemmBlockingOverride, when its kc is non-zero, replaces the computed block
// sizes (tests and tuning benchmarks only; not concurrency-safe).
var gemmBlockingOverride gemmBlocking

// blockSizes derives the block sizes from the cache sizes (defaults where
// the CPU reports none, see CPU) and the micro-tile mr×nr:
//
//	kc = L1D / (8·nr)     the kc×nr B micro-panel, reused by every
//	                      micro-tile of a column of the A block, about
//	                      fills L1D. Rounded down to a multiple of 8 (the
//	                      kernels unroll k by 4) and clamped to [64, 384].
//	mc = L2 / (2·8·kc)    the mc×kc packed A block fills half of L2;
//	                      rounded down to a multiple of mr, at least mr.
//	nc = L3 / (4·8·kc)    the kc×nc packed B block takes a quarter of L3
//	                      (shared by the cores); a multiple of nr, at least
//	                      nr, at most 8192.
//
// Measured on Zen 4 (32 KiB L1D, 1 MiB L2) at n = 1024, one thread: a kc
// that fills all of L1D (256 for 12×16, 384 for 6×8) beats the textbook
// half-L1D by 3-5%, since a larger kc amortises the C tile update and the
// A stream from L2 keeps up; kc beyond 384 gains nothing.
//
// The sizes depend on the machine and the table only, never on the thread
// count: that keeps every sum in the same order for every GOMAXPROCS.
func blockSizes(mr, nr int) gemmBlocking {
	if gemmBlockingOverride.kc > 0 {
		return gemmBlockingOverride
	}
	c := cacheSizes()
	return blockSizesFor(mr, nr, c[0], c[1], c[2])
}

// blockSizesFor is blockSizes for given cache sizes in bytes.
func blockSizesFor(mr, nr, l1, l2, l3 int) gemmBlocking {
	const f64 = 8
	kc := l1 / (f64 * nr)
	kc = min(max(kc&^7, 64), 384)
	mc := l2 / (2 * f64 * kc)
	mc = max(mc/mr*mr, mr)
	nc := l3 / (4 * f64 * kc)
	nc = min(max(nc/nr*nr, nr), 8192/nr*nr)
	return gemmBlocking{mc: mc, kc: kc, nc: nc}
}

// roundUp rounds x up to a multiple of m > 0.
func roundUp(x, m int) int { return (x + m - 1) / m * m }
