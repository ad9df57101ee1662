//go:build !purego

#include "textflag.h"

// Constants are broadcast from general registers (VPBROADCASTQ r64, zmm),
// so no DATA section is needed.
#define BCAST(bits, Z) \
	MOVQ         $bits, AX \
	VPBROADCASTQ AX, Z

// TANH8 computes Z0 = tanh(Z0) for eight lanes with the algorithm of the
// Go function Tanh (tanh.go), using FMA; clobbers Z1-Z12.
#define TANH8 \
	VPANDQ       Z16, Z0, Z1  \ // a = |x|
	VMINPD       Z1, Z17, Z1  \ // a = min(20, a); a NaN stays NaN
	VMULPD       Z18, Z1, Z2  \
	VRNDSCALEPD  $0, Z2, Z2   \ // k = round(2a·log2e), nearest even
	VADDPD       Z1, Z1, Z3   \ // y = 2a
	VFNMADD231PD Z19, Z2, Z3  \ // y − k·ln2Hi (exact)
	VFNMADD231PD Z20, Z2, Z3  \ // r = y − k·ln2Hi − k·ln2Lo
	VMULPD       Z3, Z3, Z4   \ // r²
	VMULPD       Z4, Z4, Z5   \ // r⁴
	VMULPD       Z5, Z5, Z6   \ // r⁸
	VMOVAPD      Z23, Z7      \
	VFMADD231PD  Z3, Z24, Z7  \ // c2 + c3 r
	VMOVAPD      Z25, Z8      \
	VFMADD231PD  Z3, Z26, Z8  \ // c4 + c5 r
	VMOVAPD      Z27, Z9      \
	VFMADD231PD  Z3, Z28, Z9  \ // c6 + c7 r
	VMOVAPD      Z29, Z10     \
	VFMADD231PD  Z3, Z30, Z10 \ // c8 + c9 r
	VMOVAPD      Z31, Z11     \
	VFMADD231PD  Z3, Z13, Z11 \ // c10 + c11 r
	VMOVAPD      Z14, Z12     \
	VFMADD231PD  Z3, Z15, Z12 \ // c12 + c13 r
	VFMADD231PD  Z8, Z4, Z7   \ // q01 = (c2 + c3 r) + r²(c4 + c5 r)
	VFMADD231PD  Z10, Z4, Z9  \ // q23
	VFMADD231PD  Z12, Z4, Z11 \ // q45
	VFMADD231PD  Z9, Z5, Z7   \ // q01 + r⁴ q23
	VFMADD231PD  Z11, Z6, Z7  \ // q = … + r⁸ q45
	VFMADD231PD  Z7, Z4, Z3   \ // p = expm1(r) = r + r² q
	VSCALEFPD    Z2, Z21, Z8  \ // 2ᵏ
	VSCALEFPD    Z2, Z3, Z9   \ // 2ᵏ p
	VSUBPD       Z21, Z8, Z8  \ // 2ᵏ − 1 (exact)
	VADDPD       Z8, Z9, Z9   \ // E = expm1(2a) = 2ᵏ p + (2ᵏ − 1)
	VADDPD       Z22, Z9, Z10 \ // E + 2
	VDIVPD       Z10, Z9, Z9  \ // tanh a = E/(E + 2)
	VPANDNQ      Z0, Z16, Z0  \ // sign bit of x
	VPORQ        Z9, Z0, Z0

// func tanhAVX512(dst, src []float64)
// dst[i] = Tanh(src[i]) for i < len(src); len(dst) == len(src) (checked by
// TanhTo); dst may alias src.
//
// Register roles: SI src, DI dst, CX n (then the tail length r), AX i,
// BX = n &^ 7 the end of the main loop; Z16 the abs mask, Z17..Z22 the
// constants 20, 2·log2(e), ln2Hi, ln2Lo, 1, 2, and Z23..Z31, Z13..Z15 the
// Taylor coefficients c2..c13, all loaded once; Z0 the eight lanes being
// computed, Z1..Z12 scratch of TANH8. Main loop: eight elements per
// iteration, each lane independent (no reduction, so no invariant beyond
// dst[0, i) = Tanh(src[0, i))). Tail: the last r = n mod 8 elements as one
// vector under the lane mask K1 = (1<<r) − 1 (zeroing load, merging store):
// masked-off lanes are neither read nor written, and every element goes
// through the same instructions, so the result does not depend on its
// position.
TEXT ·tanhAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	TESTQ CX, CX
	JZ    tanh_ret
	BCAST(0x7fffffffffffffff, Z16)
	BCAST(0x4034000000000000, Z17) // 20
	BCAST(0x40071547652b82fe, Z18) // 2·log2(e)
	BCAST(0x3fe62e42fee00000, Z19) // ln2Hi
	BCAST(0x3dea39ef35793c76, Z20) // ln2Lo
	BCAST(0x3ff0000000000000, Z21) // 1
	BCAST(0x4000000000000000, Z22) // 2
	BCAST(0x3fe0000000000000, Z23) // c2 = 1/2!
	BCAST(0x3fc5555555555555, Z24) // c3
	BCAST(0x3fa5555555555555, Z25) // c4
	BCAST(0x3f81111111111111, Z26) // c5
	BCAST(0x3f56c16c16c16c17, Z27) // c6
	BCAST(0x3f2a01a01a01a01a, Z28) // c7
	BCAST(0x3efa01a01a01a01a, Z29) // c8
	BCAST(0x3ec71de3a556c734, Z30) // c9
	BCAST(0x3e927e4fb7789f5c, Z31) // c10
	BCAST(0x3e5ae64567f544e4, Z13) // c11
	BCAST(0x3e21eed8eff8d898, Z14) // c12
	BCAST(0x3de6124613a86d09, Z15) // c13
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $~7, BX
	JZ   tanh_tail

tanh_loop8:
	VMOVUPD (SI)(AX*8), Z0
	TANH8
	VMOVUPD Z0, (DI)(AX*8)
	ADDQ    $8, AX
	CMPQ    AX, BX
	JLT     tanh_loop8

tanh_tail:
	SUBQ AX, CX
	JZ   tanh_done
	MOVQ AX, R8
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	KMOVW DX, K1
	VMOVUPD.Z (SI)(R8*8), K1, Z0
	TANH8
	VMOVUPD Z0, K1, (DI)(R8*8)

tanh_done:
	VZEROUPPER

tanh_ret:
	RET
