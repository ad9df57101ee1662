//go:build purego || !(amd64 || arm64)

package linalg

// platformKernels: no assembly tables in this build.
func platformKernels() []*kernels { return nil }
