//go:build !purego

package linalg

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

func rotAVX2(x, y []float64, c, s float64) {
	n := len(x)
	y = y[:n]
	rot4AVX2(x, y, c, s)
	for k := n &^ 3; k < n; k++ {
		xk, yk := x[k], y[k]
		x[k] = c*xk - s*yk
		y[k] = s*xk + c*yk
	}
}

// rotKernelFor returns the fused rotation kernel matching the kernel table
// named name, or nil. The tables are chosen from cpuid, so the instruction
// set is present when its table is.
func rotKernelFor(name string) func(x, y []float64, c, s float64) {
	switch name {
	case "avx512":
		return func(x, y []float64, c, s float64) { rotAVX512(x, y[:len(x)], c, s) }
	case "avx2":
		return rotAVX2
	}
	return nil
}
