//go:build !purego

#include "textflag.h"
#include "level1_amd64.h"

// Level-1 kernels of the avx512 table (AVX-512F, ZMM: W = 64 bytes, eight
// float64 per vector). Contracts: kernels.go; register roles and the loop
// skeleton: level1_amd64.h. Every kernel runs
//	main loop   32 elements per iteration, four vectors (STRIP0 32),
//	then        8 elements per iteration, one vector (STRIP 8),
//	tail        the last n mod 8 elements as one vector under the lane
//	            mask K1 (MASKTAIL), so every element goes through the same
//	            vector instructions and nothing past element n-1 is read
//	            or written.
// Loads and stores are unaligned. Only AVX-512F instructions are used:
// VPXORQ/VPANDQ rather than VXORPD/VANDPD on ZMM (those need AVX512DQ),
// KMOVW rather than KMOVB.

// func dotAVX512(x, y []float64) float64
//
// Z0..Z3 are four partial sums of x[i]·y[i]; the one-vector loop adds to
// Z0 and the masked tail to Z1 (masked-off lanes load as +0, adding
// 0·0 = +0). They are summed as (Z0+Z1)+(Z2+Z3), folded to four lanes and
// reduced across lanes into X0.
TEXT ·dotAVX512(SB), NOSPLIT, $0-56
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	XORQ   AX, AX
	STRIP0(32, dot5_loop32, dot5_tail8, DOT4(64, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7))
	STRIP(8, dot5_loop8, dot5_tailmask, DOT1(Z0, Z4))
	MASKTAIL(dot5_reduce)
	VMOVUPD.Z   (SI)(AX*8), K1, Z4
	VMOVUPD.Z   (DI)(AX*8), K1, Z5
	VFMADD231PD Z5, Z4, Z1

dot5_reduce:
	ADD4(Z0, Z1, Z2, Z3)
	FOLDZ(Z0, Y0, Y1)
	HSUMY(Y0, X0, X1)
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET

// func axpyAVX512(alpha float64, x, y []float64)
//
// Z0 = alpha in every lane; Z1..Z4 carry y[i..] through one FMA each.
TEXT ·axpyAVX512(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	STRIP0(32, axpy5_loop32, axpy5_tail8, AXPY4(64, Z0, Z1, Z2, Z3, Z4))
	STRIP(8, axpy5_loop8, axpy5_tailmask, AXPY1(Z0, Z1))
	MASKTAIL(axpy5_done)
	VMOVUPD.Z   (DI)(AX*8), K1, Z1
	VMOVUPD.Z   (SI)(AX*8), K1, Z2
	VFMADD231PD Z2, Z0, Z1
	VMOVUPD     Z1, K1, (DI)(AX*8)

axpy5_done:
	VZEROUPPER
	RET

// func axpbyAVX512(alpha float64, x []float64, beta float64, y []float64)
//
// Z0 = alpha and Z5 = beta in every lane; Z1..Z4 carry beta·y[i..] and
// then the result.
TEXT ·axpbyAVX512(SB), NOSPLIT, $0-64
	VBROADCASTSD alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	VBROADCASTSD beta+32(FP), Z5
	MOVQ         y_base+40(FP), DI
	XORQ         AX, AX
	STRIP0(32, axpby5_loop32, axpby5_tail8, AXPBY4(64, Z0, Z5, Z1, Z2, Z3, Z4))
	STRIP(8, axpby5_loop8, axpby5_tailmask, AXPBY1(Z0, Z5, Z1))
	MASKTAIL(axpby5_done)
	VMOVUPD.Z   (DI)(AX*8), K1, Z1
	VMOVUPD.Z   (SI)(AX*8), K1, Z2
	VMULPD      Z1, Z5, Z1
	VFMADD231PD Z2, Z0, Z1
	VMOVUPD     Z1, K1, (DI)(AX*8)

axpby5_done:
	VZEROUPPER
	RET

// func scalAVX512(alpha float64, x []float64)
//
// Z0 = alpha in every lane; x is addressed through DI (the written operand).
TEXT ·scalAVX512(SB), NOSPLIT, $0-32
	VBROADCASTSD alpha+0(FP), Z0
	MOVQ         x_base+8(FP), DI
	MOVQ         x_len+16(FP), CX
	XORQ         AX, AX
	STRIP0(32, scal5_loop32, scal5_tail8, SCAL4(64, Z0, Z1, Z2, Z3, Z4))
	STRIP(8, scal5_loop8, scal5_tailmask, SCAL1(Z0, Z1))
	MASKTAIL(scal5_done)
	VMOVUPD.Z (DI)(AX*8), K1, Z1
	VMULPD    Z1, Z0, Z1
	VMOVUPD   Z1, K1, (DI)(AX*8)

scal5_done:
	VZEROUPPER
	RET

// func asumAVX512(x []float64) float64
//
// Z8 = 0x7fff…f (clears the sign bit); Z0..Z3 are partial sums of |x[i]|,
// the masked tail adding to Z1, reduced as in dotAVX512.
TEXT ·asumAVX512(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVQ         $0x7fffffffffffffff, AX
	VPBROADCASTQ AX, Z8
	VPXORQ       Z0, Z0, Z0
	VPXORQ       Z1, Z1, Z1
	VPXORQ       Z2, Z2, Z2
	VPXORQ       Z3, Z3, Z3
	XORQ         AX, AX
	STRIP0(32, asum5_loop32, asum5_tail8, ASUM4(64, VPANDQ, Z8, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7))
	STRIP(8, asum5_loop8, asum5_tailmask, ASUM1(VPANDQ, Z8, Z0, Z4))
	MASKTAIL(asum5_reduce)
	VMOVUPD.Z (SI)(AX*8), K1, Z4
	VPANDQ    Z4, Z8, Z4
	VADDPD    Z4, Z1, Z1

asum5_reduce:
	ADD4(Z0, Z1, Z2, Z3)
	FOLDZ(Z0, Y0, Y1)
	HSUMY(Y0, X0, X1)
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET
