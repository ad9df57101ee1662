//go:build !purego

package linalg

// Placeholder: the NEON Gemm micro-kernel and FMA loop land here
// (prototypes for gemm_arm64.s).
func fillGemmNEON(k *kernels) {}
