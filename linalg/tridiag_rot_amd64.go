//go:build !purego

package linalg

// The fused rotation kernels (tridiag_rot_amd64.s) of the avx2 and avx512
// tables: the contract of the kernels field rot.

// rotAVX512 sets x[i], y[i] = c·x[i] − s·y[i], s·x[i] + c·y[i] for
// i < len(x); len(y) ≥ len(x). Needs AVX-512F.
//
//go:noescape
func rotAVX512(x, y []float64, c, s float64)

// rot4AVX2 is rotAVX512 for the first len(x) &^ 3 elements. Needs AVX2
// and FMA.
//
//go:noescape
func rot4AVX2(x, y []float64, c, s float64)

// rotAVX2 finishes rot4AVX2's last len(x) mod 4 elements with the same
// two roundings each way in Go.
func rotAVX2(x, y []float64, c, s float64) {
	n := len(x)
	y = y[:n]
	rot4AVX2(x, y, c, s)
	n4 := n &^ 3
	rotGeneric(x[n4:], y[n4:], c, s)
}

func fillElementwiseAVX2(k *kernels) {
	k.rot = rotAVX2
}

func fillElementwiseAVX512(k *kernels) {
	k.rot = rotAVX512
	k.tanh = tanhAVX512
}
