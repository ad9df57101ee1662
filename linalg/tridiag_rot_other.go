//go:build purego || !amd64

package linalg

// rotKernelFor: no fused rotation kernel on this platform or build; the
// rotations use the table's axpby kernel.
func rotKernelFor(string) func(x, y []float64, c, s float64) { return nil }
