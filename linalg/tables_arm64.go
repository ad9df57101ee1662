//go:build !purego

package linalg

// The arm64 NEON table: level-1/2 kernels from level1_arm64.go, the Gemm
// micro-kernel and FMA peak loop from gemm_arm64.go.
var neonKernels = newTable("neon", fillLevel1NEON, fillGemmNEON)

func platformKernels() []*kernels { return []*kernels{neonKernels} }
