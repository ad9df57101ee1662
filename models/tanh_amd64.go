//go:build !purego

package models

import "github.com/noisegeom/noisegeom/linalg"

// tanhAVX512 sets dst[i] = tanh(src[i]) for i < len(src) with the
// algorithm of tanh, eight lanes at a time with FMA; the tail is done with
// a lane mask, so every element is computed by the same instructions
// whatever its position. len(dst) ≥ len(src); dst may alias src.
//
//go:noescape
func tanhAVX512(dst, src []float64)

// tanhSlice sets dst[i] = tanh(src[i]) for i < len(src) (len(dst) ≥
// len(src); dst may alias src), vectorized when linalg runs its AVX-512
// table (so NOISEGEOM_KERNELS and linalg.SetImplementation select it too).
func tanhSlice(dst, src []float64) {
	dst = dst[:len(src)]
	if linalg.Implementation() == "avx512" {
		tanhAVX512(dst, src)
		return
	}
	tanhGeneric(dst, src)
}
