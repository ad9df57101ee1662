//go:build !purego

package linalg

// The arm64 NEON table: level-1/2 kernels from level1_arm64.go, the Gemm
// micro-kernel and FMA peak loop from gemm_arm64.go. It has no vector
// rotation or tanh: it keeps the generic ones, and the QL eigenvector
// update rotates long rows with two NEON axpby passes (rotViaAxpby).
var neonKernels = newTable("neon", fillLevel1NEON, fillGemmNEON, func(k *kernels) { k.rotViaAxpby = true })

func platformKernels() []*kernels { return []*kernels{neonKernels} }
