//go:build !purego

package linalg

// Placeholder: the NEON level-1/2 kernels land here (prototypes for
// linalg_arm64.s).
func fillLevel1NEON(k *kernels) {}
