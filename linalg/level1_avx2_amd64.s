//go:build !purego

#include "textflag.h"
#include "level1_amd64.h"

// Level-1 kernels of the avx2 table (AVX2 + FMA, YMM: W = 32 bytes, four
// float64 per vector). Contracts: kernels.go; register roles and the loop
// skeleton: level1_amd64.h. Every kernel runs
//	main loop   16 elements per iteration, four vectors (STRIP0 16),
//	then        4 elements per iteration, one vector (STRIP 4),
//	tail        the last n mod 4 elements one at a time in X registers
//	            (SCALARTAIL), so no load or store passes element n-1.
// Loads and stores are unaligned.

// The scalar tail bodies: element AX alone, with the registers of the
// kernel (X0 = alpha or the sum, X5 = beta, X8 = the abs mask).
#define DOTX \
	VMOVSD      (SI)(AX*8), X1 \
	VFMADD231SD (DI)(AX*8), X1, X0
#define AXPYX \
	VMOVSD      (DI)(AX*8), X1     \
	VFMADD231SD (SI)(AX*8), X0, X1 \
	VMOVSD      X1, (DI)(AX*8)
#define AXPBYX \
	VMULSD      (DI)(AX*8), X5, X1 \
	VFMADD231SD (SI)(AX*8), X0, X1 \
	VMOVSD      X1, (DI)(AX*8)
#define SCALX \
	VMULSD (DI)(AX*8), X0, X1 \
	VMOVSD X1, (DI)(AX*8)
#define ASUMX \
	VMOVSD (SI)(AX*8), X1 \
	VANDPD X8, X1, X1     \
	VADDSD X1, X0, X0

// func dotAVX2(x, y []float64) float64
//
// Y0..Y3 are four partial sums of x[i]·y[i] (lane k of Ym holds the
// elements i ≡ 4m+k mod 16 of the main loop); the one-vector loop adds to
// Y0. They are summed as (Y0+Y1)+(Y2+Y3), reduced across lanes into X0,
// and the scalar tail adds its products to X0.
TEXT ·dotAVX2(SB), NOSPLIT, $0-56
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX
	STRIP0(16, dot2_loop16, dot2_tail4, DOT4(32, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7))
	STRIP(4, dot2_loop4, dot2_reduce, DOT1(Y0, Y4))
	ADD4(Y0, Y1, Y2, Y3)
	HSUMY(Y0, X0, X1)
	SCALARTAIL(dot2_tail1, dot2_done, DOTX)
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET

// func axpyAVX2(alpha float64, x, y []float64)
//
// Y0 = alpha in every lane; Y1..Y4 carry y[i..] through one FMA each.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	STRIP0(16, axpy2_loop16, axpy2_tail4, AXPY4(32, Y0, Y1, Y2, Y3, Y4))
	STRIP(4, axpy2_loop4, axpy2_tail1, AXPY1(Y0, Y1))
	SCALARTAIL(axpy2_loop1, axpy2_done, AXPYX)
	VZEROUPPER
	RET

// func axpbyAVX2(alpha float64, x []float64, beta float64, y []float64)
//
// Y0 = alpha and Y5 = beta in every lane; Y1..Y4 carry beta·y[i..] and
// then the result.
TEXT ·axpbyAVX2(SB), NOSPLIT, $0-64
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	VBROADCASTSD beta+32(FP), Y5
	MOVQ         y_base+40(FP), DI
	XORQ         AX, AX
	STRIP0(16, axpby2_loop16, axpby2_tail4, AXPBY4(32, Y0, Y5, Y1, Y2, Y3, Y4))
	STRIP(4, axpby2_loop4, axpby2_tail1, AXPBY1(Y0, Y5, Y1))
	SCALARTAIL(axpby2_loop1, axpby2_done, AXPBYX)
	VZEROUPPER
	RET

// func scalAVX2(alpha float64, x []float64)
//
// Y0 = alpha in every lane; x is addressed through DI (the written operand).
TEXT ·scalAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), DI
	MOVQ         x_len+16(FP), CX
	XORQ         AX, AX
	STRIP0(16, scal2_loop16, scal2_tail4, SCAL4(32, Y0, Y1, Y2, Y3, Y4))
	STRIP(4, scal2_loop4, scal2_tail1, SCAL1(Y0, Y1))
	SCALARTAIL(scal2_loop1, scal2_done, SCALX)
	VZEROUPPER
	RET

// func asumAVX2(x []float64) float64
//
// Y8 = 0x7fff…f (clears the sign bit); Y0..Y3 are partial sums of |x[i]|,
// reduced as in dotAVX2.
TEXT ·asumAVX2(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVQ         $0x7fffffffffffffff, AX
	VMOVQ        AX, X8
	VPBROADCASTQ X8, Y8
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	VXORPD       Y2, Y2, Y2
	VXORPD       Y3, Y3, Y3
	XORQ         AX, AX
	STRIP0(16, asum2_loop16, asum2_tail4, ASUM4(32, VANDPD, Y8, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7))
	STRIP(4, asum2_loop4, asum2_reduce, ASUM1(VANDPD, Y8, Y0, Y4))
	ADD4(Y0, Y1, Y2, Y3)
	HSUMY(Y0, X0, X1)
	SCALARTAIL(asum2_tail1, asum2_done, ASUMX)
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET
