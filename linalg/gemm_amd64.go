//go:build !purego

package linalg

// Placeholder: the AVX2 and AVX-512 Gemm micro-kernels and FMA loops land
// here (prototypes for gemm_amd64.s).
func fillGemmAVX2(k *kernels)   {}
func fillGemmAVX512(k *kernels) {}
