package bench

import "github.com/noisegeom/noisegeom/linalg"

// Caches are the cache sizes in bytes that default sizes are derived from:
// linalg.CPU's, which are cpuid's with defaults where the CPU reports none.
type Caches struct{ L1D, L2, L3 int }

// CachesOf extracts the cache sizes from a CPUInfo.
func CachesOf(c linalg.CPUInfo) Caches { return Caches{c.L1D, c.L2, c.L3} }

// Level3Sizes are the default matrix orders for level-3 kernels. They are
// the same on every CPU so that Gemm rates compare directly.
var Level3Sizes = []int{256, 512, 1024}

// memoryFootprint is the least working set of the "mem" default size.
const memoryFootprint = 64 << 20

// DefaultSizes returns the sizes the suite runs k at when none is given.
// For levels 1 and 2 there is one size per regime, from the cache sizes:
// operands filling about half of L1D, half of L2, half of L3, and four
// times L3 (at least 64 MiB) for main memory. Vector lengths are powers of
// two; matrix orders are multiples of 16. Level 3 uses Level3Sizes.
func DefaultSizes(k *Kernel, c Caches) []int {
	if k.Level == 3 {
		return append([]int(nil), Level3Sizes...)
	}
	targets := []float64{
		float64(c.L1D) / 2,
		float64(c.L2) / 2,
		float64(c.L3) / 2,
		max(4*float64(c.L3), memoryFootprint),
	}
	var sizes []int
	for _, t := range targets {
		n := largestFitting(k, t)
		if len(sizes) == 0 || n > sizes[len(sizes)-1] {
			sizes = append(sizes, n)
		}
	}
	return sizes
}

// largestFitting is the largest size of k whose footprint is at most
// target bytes (powers of two for vectors, multiples of 16 for matrices),
// and at least the smallest such size.
func largestFitting(k *Kernel, target float64) int {
	if k.Level == 1 {
		n := 16
		for k.Footprint(2*n) <= target {
			n *= 2
		}
		return n
	}
	const step = 16
	n := step
	for k.Footprint(n+step) <= target {
		n += step
	}
	return n
}

// Fits names the smallest cache level that holds the operands of k at size
// n: "L1", "L2", "L3", or "mem" when none does. L2 and L3 are compared with
// the whole cache, so a size "fits" L3 only if nothing else competes.
func Fits(k *Kernel, n int, c Caches) string {
	fp := k.Footprint(n)
	switch {
	case fp <= float64(c.L1D):
		return "L1"
	case fp <= float64(c.L2):
		return "L2"
	case fp <= float64(c.L3):
		return "L3"
	}
	return "mem"
}
