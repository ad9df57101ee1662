//go:build !amd64 || purego

package models

// tanhSlice sets dst[i] = tanh(src[i]) for i < len(src) (len(dst) ≥
// len(src); dst may alias src).
func tanhSlice(dst, src []float64) { tanhGeneric(dst, src[:len(dst[:len(src)])]) }
