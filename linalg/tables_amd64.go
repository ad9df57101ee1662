//go:build !purego

package linalg

// The amd64 assembly tables. Each starts as a copy of the generic table and
// has its level-1/2 kernels (level1_amd64.go), rotation and tanh kernels
// (tridiag_rot_amd64.go; avx2 keeps the generic tanh) and Gemm
// micro-kernel and FMA peak loop (gemm_amd64.go) filled in.
var (
	avx2Kernels   = newTable("avx2", fillLevel1AVX2, fillElementwiseAVX2, fillGemmAVX2)
	avx512Kernels = newTable("avx512", fillLevel1AVX512, fillElementwiseAVX512, fillGemmAVX512)
)

func platformKernels() []*kernels { return []*kernels{avx2Kernels, avx512Kernels} }
