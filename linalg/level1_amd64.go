//go:build !purego

package linalg

// Placeholder: the AVX2 and AVX-512 level-1/2 kernels land here
// (prototypes for linalg_amd64.s).
func fillLevel1AVX2(k *kernels)   {}
func fillLevel1AVX512(k *kernels) {}
