//go:build !purego

package linalg

// tanhAVX512 sets dst[i] = Tanh(src[i]) for i < len(src) with the
// algorithm of Tanh, eight lanes at a time with FMA; the tail is done with
// a lane mask, so every element is computed by the same instructions
// whatever its position. len(dst) ≥ len(src); dst may alias src. Needs
// AVX-512F.
//
//go:noescape
func tanhAVX512(dst, src []float64)
