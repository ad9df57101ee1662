//go:build openblas && cgo

// Package openblas calls OpenBLAS (Debian libopenblas-dev) through cgo. It
// exists only as a peer for benchmarks and tests, behind the build tag
// openblas; noisegeom's library never links it.
//
//	go test -tags openblas -bench . ./...
package openblas

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
*/
import "C"

import "unsafe"

// SetThreads sets OpenBLAS's thread count.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// Threads returns OpenBLAS's thread count.
func Threads() int { return int(C.openblas_get_num_threads()) }

func ptr(x []float64) *C.double {
	if len(x) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&x[0]))
}

// Ddot returns xᵀy (unit strides).
func Ddot(x, y []float64) float64 {
	return float64(C.cblas_ddot(C.blasint(len(x)), ptr(x), 1, ptr(y), 1))
}

// Daxpy sets y += alpha·x (unit strides).
func Daxpy(alpha float64, x, y []float64) {
	C.cblas_daxpy(C.blasint(len(x)), C.double(alpha), ptr(x), 1, ptr(y), 1)
}

// Dscal sets x *= alpha.
func Dscal(alpha float64, x []float64) {
	C.cblas_dscal(C.blasint(len(x)), C.double(alpha), ptr(x), 1)
}

// Dgemv computes y = alpha·op(A)·x + beta·y for a row-major m×n A with row
// stride lda.
func Dgemv(trans bool, m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	t := uint32(C.CblasNoTrans)
	if trans {
		t = uint32(C.CblasTrans)
	}
	C.cblas_dgemv(C.CblasRowMajor, C.enum_CBLAS_TRANSPOSE(t), C.blasint(m), C.blasint(n), C.double(alpha),
		ptr(a), C.blasint(lda), ptr(x), 1, C.double(beta), ptr(y), 1)
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C for row-major operands;
// op(A) is m×k, op(B) is k×n.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, tb := uint32(C.CblasNoTrans), uint32(C.CblasNoTrans)
	if transA {
		ta = uint32(C.CblasTrans)
	}
	if transB {
		tb = uint32(C.CblasTrans)
	}
	C.cblas_dgemm(C.CblasRowMajor, C.enum_CBLAS_TRANSPOSE(ta), C.enum_CBLAS_TRANSPOSE(tb),
		C.blasint(m), C.blasint(n), C.blasint(k), C.double(alpha), ptr(a), C.blasint(lda),
		ptr(b), C.blasint(ldb), C.double(beta), ptr(c), C.blasint(ldc))
}

// Dsyrk computes the lower triangle of C = alpha·A·Aᵀ + beta·C (trans
// false; A is n×k) or alpha·Aᵀ·A + beta·C (trans true; A is k×n).
func Dsyrk(trans bool, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	t := uint32(C.CblasNoTrans)
	if trans {
		t = uint32(C.CblasTrans)
	}
	C.cblas_dsyrk(C.CblasRowMajor, C.CblasLower, C.enum_CBLAS_TRANSPOSE(t), C.blasint(n), C.blasint(k),
		C.double(alpha), ptr(a), C.blasint(lda), C.double(beta), ptr(c), C.blasint(ldc))
}
