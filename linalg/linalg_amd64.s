//go:build !purego

#include "textflag.h"

// Level-1/2 kernels for the avx2 (AVX2+FMA, YMM) and avx512 (AVX-512F,
// ZMM) tables. Contracts: see kernels.go and the prototypes in
// level1_amd64.go. All loads and stores are unaligned; no kernel touches an
// element outside its operands' lengths: AVX2 tails run a scalar loop,
// AVX-512 tails use masked loads and stores (masked-off lanes never fault).
// Registers R14 and R15 are left alone.

// ---------------------------------------------------------------------------
// Reductions

// HSUMY sums the four lanes of Y into the low lane of X, the low half of
// Y (clobbers TX).
#define HSUMY(Y, X, TX) \
	VEXTRACTF128 $1, Y, TX \
	VADDPD       TX, X, X  \
	VUNPCKHPD    X, X, TX  \
	VADDSD       TX, X, X

// FOLDZ adds the upper four lanes of Z into the lower four, leaving the sum
// in Y (the low half of Z; its upper half is zeroed).
#define FOLDZ(Z, Y, TY) \
	VEXTRACTF64X4 $1, Z, TY \
	VADDPD        TY, Y, Y

// HSUM4 reduces four YMM accumulators A, B, C, D to one YMM holding
// {ΣA, ΣB, ΣC, ΣD} in A (clobbers B and D).
#define HSUM4(A, B, C, D) \
	VHADDPD    B, A, A       \
	VHADDPD    D, C, C       \
	VPERM2F128 $0x20, C, A, B \
	VPERM2F128 $0x31, C, A, D \
	VADDPD     D, B, A

// ===========================================================================
// AVX2 + FMA

// func dotAVX2(x, y []float64) float64
TEXT ·dotAVX2(SB), NOSPLIT, $0-56
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX
	MOVQ   CX, BX
	ANDQ   $~15, BX
	JZ     dot2_tail4

dot2_loop16:
	VMOVUPD     (SI)(AX*8), Y4
	VMOVUPD     32(SI)(AX*8), Y5
	VMOVUPD     64(SI)(AX*8), Y6
	VMOVUPD     96(SI)(AX*8), Y7
	VFMADD231PD (DI)(AX*8), Y4, Y0
	VFMADD231PD 32(DI)(AX*8), Y5, Y1
	VFMADD231PD 64(DI)(AX*8), Y6, Y2
	VFMADD231PD 96(DI)(AX*8), Y7, Y3
	ADDQ        $16, AX
	CMPQ        AX, BX
	JLT         dot2_loop16

dot2_tail4:
	MOVQ CX, BX
	ANDQ $~3, BX
	CMPQ AX, BX
	JGE  dot2_reduce

dot2_loop4:
	VMOVUPD     (SI)(AX*8), Y4
	VFMADD231PD (DI)(AX*8), Y4, Y0
	ADDQ        $4, AX
	CMPQ        AX, BX
	JLT         dot2_loop4

dot2_reduce:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	HSUMY(Y0, X0, X1)

dot2_tail1:
	CMPQ        AX, CX
	JGE         dot2_done
	VMOVSD      (SI)(AX*8), X1
	VFMADD231SD (DI)(AX*8), X1, X0
	INCQ        AX
	JMP         dot2_tail1

dot2_done:
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET

// func axpyAVX2(alpha float64, x, y []float64)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $~15, BX
	JZ           axpy2_tail4

axpy2_loop16:
	VMOVUPD     (DI)(AX*8), Y1
	VMOVUPD     32(DI)(AX*8), Y2
	VMOVUPD     64(DI)(AX*8), Y3
	VMOVUPD     96(DI)(AX*8), Y4
	VFMADD231PD (SI)(AX*8), Y0, Y1
	VFMADD231PD 32(SI)(AX*8), Y0, Y2
	VFMADD231PD 64(SI)(AX*8), Y0, Y3
	VFMADD231PD 96(SI)(AX*8), Y0, Y4
	VMOVUPD     Y1, (DI)(AX*8)
	VMOVUPD     Y2, 32(DI)(AX*8)
	VMOVUPD     Y3, 64(DI)(AX*8)
	VMOVUPD     Y4, 96(DI)(AX*8)
	ADDQ        $16, AX
	CMPQ        AX, BX
	JLT         axpy2_loop16

axpy2_tail4:
	MOVQ CX, BX
	ANDQ $~3, BX
	CMPQ AX, BX
	JGE  axpy2_tail1

axpy2_loop4:
	VMOVUPD     (DI)(AX*8), Y1
	VFMADD231PD (SI)(AX*8), Y0, Y1
	VMOVUPD     Y1, (DI)(AX*8)
	ADDQ        $4, AX
	CMPQ        AX, BX
	JLT         axpy2_loop4

axpy2_tail1:
	CMPQ        AX, CX
	JGE         axpy2_done
	VMOVSD      (DI)(AX*8), X1
	VFMADD231SD (SI)(AX*8), X0, X1
	VMOVSD      X1, (DI)(AX*8)
	INCQ        AX
	JMP         axpy2_tail1

axpy2_done:
	VZEROUPPER
	RET

// func axpbyAVX2(alpha float64, x []float64, beta float64, y []float64)
TEXT ·axpbyAVX2(SB), NOSPLIT, $0-64
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	VBROADCASTSD beta+32(FP), Y5
	MOVQ         y_base+40(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $~15, BX
	JZ           axpby2_tail4

axpby2_loop16:
	VMULPD      (DI)(AX*8), Y5, Y1
	VMULPD      32(DI)(AX*8), Y5, Y2
	VMULPD      64(DI)(AX*8), Y5, Y3
	VMULPD      96(DI)(AX*8), Y5, Y4
	VFMADD231PD (SI)(AX*8), Y0, Y1
	VFMADD231PD 32(SI)(AX*8), Y0, Y2
	VFMADD231PD 64(SI)(AX*8), Y0, Y3
	VFMADD231PD 96(SI)(AX*8), Y0, Y4
	VMOVUPD     Y1, (DI)(AX*8)
	VMOVUPD     Y2, 32(DI)(AX*8)
	VMOVUPD     Y3, 64(DI)(AX*8)
	VMOVUPD     Y4, 96(DI)(AX*8)
	ADDQ        $16, AX
	CMPQ        AX, BX
	JLT         axpby2_loop16

axpby2_tail4:
	MOVQ CX, BX
	ANDQ $~3, BX
	CMPQ AX, BX
	JGE  axpby2_tail1

axpby2_loop4:
	VMULPD      (DI)(AX*8), Y5, Y1
	VFMADD231PD (SI)(AX*8), Y0, Y1
	VMOVUPD     Y1, (DI)(AX*8)
	ADDQ        $4, AX
	CMPQ        AX, BX
	JLT         axpby2_loop4

axpby2_tail1:
	CMPQ        AX, CX
	JGE         axpby2_done
	VMULSD      (DI)(AX*8), X5, X1
	VFMADD231SD (SI)(AX*8), X0, X1
	VMOVSD      X1, (DI)(AX*8)
	INCQ        AX
	JMP         axpby2_tail1

axpby2_done:
	VZEROUPPER
	RET

// func scalAVX2(alpha float64, x []float64)
TEXT ·scalAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), DI
	MOVQ         x_len+16(FP), CX
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $~15, BX
	JZ           scal2_tail4

scal2_loop16:
	VMULPD  (DI)(AX*8), Y0, Y1
	VMULPD  32(DI)(AX*8), Y0, Y2
	VMULPD  64(DI)(AX*8), Y0, Y3
	VMULPD  96(DI)(AX*8), Y0, Y4
	VMOVUPD Y1, (DI)(AX*8)
	VMOVUPD Y2, 32(DI)(AX*8)
	VMOVUPD Y3, 64(DI)(AX*8)
	VMOVUPD Y4, 96(DI)(AX*8)
	ADDQ    $16, AX
	CMPQ    AX, BX
	JLT     scal2_loop16

scal2_tail4:
	MOVQ CX, BX
	ANDQ $~3, BX
	CMPQ AX, BX
	JGE  scal2_tail1

scal2_loop4:
	VMULPD  (DI)(AX*8), Y0, Y1
	VMOVUPD Y1, (DI)(AX*8)
	ADDQ    $4, AX
	CMPQ    AX, BX
	JLT     scal2_loop4

scal2_tail1:
	CMPQ   AX, CX
	JGE    scal2_done
	VMULSD (DI)(AX*8), X0, X1
	VMOVSD X1, (DI)(AX*8)
	INCQ   AX
	JMP    scal2_tail1

scal2_done:
	VZEROUPPER
	RET

// func asumAVX2(x []float64) float64
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
	MOVQ         CX, BX
	ANDQ         $~15, BX
	JZ           asum2_tail4

asum2_loop16:
	VANDPD (SI)(AX*8), Y8, Y4
	VANDPD 32(SI)(AX*8), Y8, Y5
	VANDPD 64(SI)(AX*8), Y8, Y6
	VANDPD 96(SI)(AX*8), Y8, Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y6, Y2, Y2
	VADDPD Y7, Y3, Y3
	ADDQ   $16, AX
	CMPQ   AX, BX
	JLT    asum2_loop16

asum2_tail4:
	MOVQ CX, BX
	ANDQ $~3, BX
	CMPQ AX, BX
	JGE  asum2_reduce

asum2_loop4:
	VANDPD (SI)(AX*8), Y8, Y4
	VADDPD Y4, Y0, Y0
	ADDQ   $4, AX
	CMPQ   AX, BX
	JLT    asum2_loop4

asum2_reduce:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	HSUMY(Y0, X0, X1)

asum2_tail1:
	CMPQ   AX, CX
	JGE    asum2_done
	VMOVSD (SI)(AX*8), X1
	VANDPD X8, X1, X1
	VADDSD X1, X0, X0
	INCQ   AX
	JMP    asum2_tail1

asum2_done:
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func gemvN4AVX2(alpha float64, a []float64, lda int, x, y []float64)
//
// y[i] += alpha·Σ_j a[i*lda+j]·x[j] for len(y) rows, a multiple of 4, and
// len(x) columns: four rows at a time share each load of x.
TEXT ·gemvN4AVX2(SB), NOSPLIT, $0-88
	VBROADCASTSD alpha+0(FP), Y15
	MOVQ         a_base+8(FP), SI
	MOVQ         lda+32(FP), R8
	SHLQ         $3, R8
	MOVQ         x_base+40(FP), DI
	MOVQ         x_len+48(FP), CX
	MOVQ         y_base+64(FP), DX
	MOVQ         y_len+72(FP), BX
	MOVQ         CX, R12
	ANDQ         $~7, R12
	MOVQ         CX, R13
	ANDQ         $~3, R13

gemvn2_rows:
	CMPQ   BX, $4
	JLT    gemvn2_done
	LEAQ   (SI)(R8*1), R9
	LEAQ   (R9)(R8*1), R10
	LEAQ   (R10)(R8*1), R11
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ   AX, AX
	CMPQ   AX, R12
	JGE    gemvn2_col4

gemvn2_col8:
	VMOVUPD     (DI)(AX*8), Y8
	VMOVUPD     32(DI)(AX*8), Y9
	VFMADD231PD (SI)(AX*8), Y8, Y0
	VFMADD231PD (R9)(AX*8), Y8, Y1
	VFMADD231PD (R10)(AX*8), Y8, Y2
	VFMADD231PD (R11)(AX*8), Y8, Y3
	VFMADD231PD 32(SI)(AX*8), Y9, Y4
	VFMADD231PD 32(R9)(AX*8), Y9, Y5
	VFMADD231PD 32(R10)(AX*8), Y9, Y6
	VFMADD231PD 32(R11)(AX*8), Y9, Y7
	ADDQ        $8, AX
	CMPQ        AX, R12
	JLT         gemvn2_col8

gemvn2_col4:
	CMPQ        AX, R13
	JGE         gemvn2_reduce
	VMOVUPD     (DI)(AX*8), Y8
	VFMADD231PD (SI)(AX*8), Y8, Y0
	VFMADD231PD (R9)(AX*8), Y8, Y1
	VFMADD231PD (R10)(AX*8), Y8, Y2
	VFMADD231PD (R11)(AX*8), Y8, Y3
	ADDQ        $4, AX

gemvn2_reduce:
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y6, Y2, Y2
	VADDPD Y7, Y3, Y3
	HSUM4(Y0, Y1, Y2, Y3)

gemvn2_col1:
	// Remaining columns: gather column j of the four rows into one vector.
	CMPQ         AX, CX
	JGE          gemvn2_store
	VMOVSD       (SI)(AX*8), X8
	VMOVHPD      (R9)(AX*8), X8, X8
	VMOVSD       (R10)(AX*8), X9
	VMOVHPD      (R11)(AX*8), X9, X9
	VINSERTF128  $1, X9, Y8, Y8
	VBROADCASTSD (DI)(AX*8), Y9
	VFMADD231PD  Y8, Y9, Y0
	INCQ         AX
	JMP          gemvn2_col1

gemvn2_store:
	VMOVUPD     (DX), Y1
	VFMADD231PD Y0, Y15, Y1
	VMOVUPD     Y1, (DX)
	ADDQ        $32, DX
	LEAQ        (SI)(R8*4), SI
	SUBQ        $4, BX
	JMP         gemvn2_rows

gemvn2_done:
	VZEROUPPER
	RET

// func gemvT4AVX2(alpha float64, a []float64, lda int, x, y []float64)
//
// y[j] += Σ_i (alpha·x[i])·a[i*lda+j] for len(x) rows, a multiple of 4, and
// len(y) columns: y is loaded and stored once per four rows, which are
// added in order.
TEXT ·gemvT4AVX2(SB), NOSPLIT, $0-88
	VBROADCASTSD alpha+0(FP), Y15
	MOVQ         a_base+8(FP), SI
	MOVQ         lda+32(FP), R8
	SHLQ         $3, R8
	MOVQ         x_base+40(FP), DI
	MOVQ         x_len+48(FP), BX
	MOVQ         y_base+64(FP), DX
	MOVQ         y_len+72(FP), CX
	MOVQ         CX, R12
	ANDQ         $~15, R12
	MOVQ         CX, R13
	ANDQ         $~3, R13

gemvt2_rows:
	CMPQ         BX, $4
	JLT          gemvt2_done
	LEAQ         (SI)(R8*1), R9
	LEAQ         (R9)(R8*1), R10
	LEAQ         (R10)(R8*1), R11
	VBROADCASTSD (DI), Y11
	VBROADCASTSD 8(DI), Y12
	VBROADCASTSD 16(DI), Y13
	VBROADCASTSD 24(DI), Y14
	VMULPD       Y15, Y11, Y11
	VMULPD       Y15, Y12, Y12
	VMULPD       Y15, Y13, Y13
	VMULPD       Y15, Y14, Y14
	XORQ         AX, AX
	CMPQ         AX, R12
	JGE          gemvt2_col4

gemvt2_col16:
	VMOVUPD     (DX)(AX*8), Y0
	VMOVUPD     32(DX)(AX*8), Y1
	VMOVUPD     64(DX)(AX*8), Y2
	VMOVUPD     96(DX)(AX*8), Y3
	VFMADD231PD (SI)(AX*8), Y11, Y0
	VFMADD231PD 32(SI)(AX*8), Y11, Y1
	VFMADD231PD 64(SI)(AX*8), Y11, Y2
	VFMADD231PD 96(SI)(AX*8), Y11, Y3
	VFMADD231PD (R9)(AX*8), Y12, Y0
	VFMADD231PD 32(R9)(AX*8), Y12, Y1
	VFMADD231PD 64(R9)(AX*8), Y12, Y2
	VFMADD231PD 96(R9)(AX*8), Y12, Y3
	VFMADD231PD (R10)(AX*8), Y13, Y0
	VFMADD231PD 32(R10)(AX*8), Y13, Y1
	VFMADD231PD 64(R10)(AX*8), Y13, Y2
	VFMADD231PD 96(R10)(AX*8), Y13, Y3
	VFMADD231PD (R11)(AX*8), Y14, Y0
	VFMADD231PD 32(R11)(AX*8), Y14, Y1
	VFMADD231PD 64(R11)(AX*8), Y14, Y2
	VFMADD231PD 96(R11)(AX*8), Y14, Y3
	VMOVUPD     Y0, (DX)(AX*8)
	VMOVUPD     Y1, 32(DX)(AX*8)
	VMOVUPD     Y2, 64(DX)(AX*8)
	VMOVUPD     Y3, 96(DX)(AX*8)
	ADDQ        $16, AX
	CMPQ        AX, R12
	JLT         gemvt2_col16

gemvt2_col4:
	CMPQ        AX, R13
	JGE         gemvt2_col1
	VMOVUPD     (DX)(AX*8), Y0
	VFMADD231PD (SI)(AX*8), Y11, Y0
	VFMADD231PD (R9)(AX*8), Y12, Y0
	VFMADD231PD (R10)(AX*8), Y13, Y0
	VFMADD231PD (R11)(AX*8), Y14, Y0
	VMOVUPD     Y0, (DX)(AX*8)
	ADDQ        $4, AX
	JMP         gemvt2_col4

gemvt2_col1:
	CMPQ        AX, CX
	JGE         gemvt2_next
	VMOVSD      (DX)(AX*8), X0
	VFMADD231SD (SI)(AX*8), X11, X0
	VFMADD231SD (R9)(AX*8), X12, X0
	VFMADD231SD (R10)(AX*8), X13, X0
	VFMADD231SD (R11)(AX*8), X14, X0
	VMOVSD      X0, (DX)(AX*8)
	INCQ        AX
	JMP         gemvt2_col1

gemvt2_next:
	ADDQ $32, DI
	LEAQ (SI)(R8*4), SI
	SUBQ $4, BX
	JMP  gemvt2_rows

gemvt2_done:
	VZEROUPPER
	RET

// ===========================================================================
// AVX-512F (ZMM, eight float64 per vector). Only AVX-512F instructions:
// VPXORQ/VPANDQ rather than VXORPD/VANDPD on ZMM (those need AVX512DQ),
// KMOVW rather than KMOVB.

// TAILMASK sets K to the low R lanes, R in [1, 7] held in CX; clobbers T.
#define TAILMASK(T, K) \
	MOVL  $1, T \
	SHLL  CX, T \
	DECL  T     \
	KMOVW T, K

// func dotAVX512(x, y []float64) float64
TEXT ·dotAVX512(SB), NOSPLIT, $0-56
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	XORQ   AX, AX
	MOVQ   CX, BX
	ANDQ   $~31, BX
	JZ     dot5_tail8

dot5_loop32:
	VMOVUPD     (SI)(AX*8), Z4
	VMOVUPD     64(SI)(AX*8), Z5
	VMOVUPD     128(SI)(AX*8), Z6
	VMOVUPD     192(SI)(AX*8), Z7
	VFMADD231PD (DI)(AX*8), Z4, Z0
	VFMADD231PD 64(DI)(AX*8), Z5, Z1
	VFMADD231PD 128(DI)(AX*8), Z6, Z2
	VFMADD231PD 192(DI)(AX*8), Z7, Z3
	ADDQ        $32, AX
	CMPQ        AX, BX
	JLT         dot5_loop32

dot5_tail8:
	MOVQ CX, BX
	ANDQ $~7, BX
	CMPQ AX, BX
	JGE  dot5_tailmask

dot5_loop8:
	VMOVUPD     (SI)(AX*8), Z4
	VFMADD231PD (DI)(AX*8), Z4, Z0
	ADDQ        $8, AX
	CMPQ        AX, BX
	JLT         dot5_loop8

dot5_tailmask:
	SUBQ        AX, CX
	JZ          dot5_reduce
	TAILMASK(DX, K1)
	VMOVUPD.Z   (SI)(AX*8), K1, Z4
	VMOVUPD.Z   (DI)(AX*8), K1, Z5
	VFMADD231PD Z5, Z4, Z1

dot5_reduce:
	VADDPD Z1, Z0, Z0
	VADDPD Z3, Z2, Z2
	VADDPD Z2, Z0, Z0
	FOLDZ(Z0, Y0, Y1)
	HSUMY(Y0, X0, X1)
	VZEROUPPER
	MOVSD  X0, ret+48(FP)
	RET

// func axpyAVX512(alpha float64, x, y []float64)
TEXT ·axpyAVX512(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $~31, BX
	JZ           axpy5_tail8

axpy5_loop32:
	VMOVUPD     (DI)(AX*8), Z1
	VMOVUPD     64(DI)(AX*8), Z2
	VMOVUPD     128(DI)(AX*8), Z3
	VMOVUPD     192(DI)(AX*8), Z4
	VFMADD231PD (SI)(AX*8), Z0, Z1
	VFMADD231PD 64(SI)(AX*8), Z0, Z2
	VFMADD231PD 128(SI)(AX*8), Z0, Z3
	VFMADD231PD 192(SI)(AX*8), Z0, Z4
	VMOVUPD     Z1, (DI)(AX*8)
	VMOVUPD     Z2, 64(DI)(AX*8)
	VMOVUPD     Z3, 128(DI)(AX*8)
	VMOVUPD     Z4, 192(DI)(AX*8)
	ADDQ        $32, AX
	CMPQ        AX, BX
	JLT         axpy5_loop32

axpy5_tail8:
	MOVQ CX, BX
	ANDQ $~7, BX
	CMPQ AX, BX
	JGE  axpy5_tailmask

axpy5_loop8:
	VMOVUPD     (DI)(AX*8), Z1
	VFMADD231PD (SI)(AX*8), Z0, Z1
	VMOVUPD     Z1, (DI)(AX*8)
	ADDQ        $8, AX
	CMPQ        AX, BX
	JLT         axpy5_loop8

axpy5_tailmask:
	SUBQ        AX, CX
	JZ          axpy5_done
	TAILMASK(DX, K1)
	VMOVUPD.Z   (DI)(AX*8), K1, Z1
	VMOVUPD.Z   (SI)(AX*8), K1, Z2
	VFMADD231PD Z2, Z0, Z1
	VMOVUPD     Z1, K1, (DI)(AX*8)

axpy5_done:
	VZEROUPPER
	RET

// func axpbyAVX512(alpha float64, x []float64, beta float64, y []float64)
TEXT ·axpbyAVX512(SB), NOSPLIT, $0-64
	VBROADCASTSD alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	VBROADCASTSD beta+32(FP), Z5
	MOVQ         y_base+40(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $~31, BX
	JZ           axpby5_tail8

axpby5_loop32:
	VMULPD      (DI)(AX*8), Z5, Z1
	VMULPD      64(DI)(AX*8), Z5, Z2
	VMULPD      128(DI)(AX*8), Z5, Z3
	VMULPD      192(DI)(AX*8), Z5, Z4
	VFMADD231PD (SI)(AX*8), Z0, Z1
	VFMADD231PD 64(SI)(AX*8), Z0, Z2
	VFMADD231PD 128(SI)(AX*8), Z0, Z3
	VFMADD231PD 192(SI)(AX*8), Z0, Z4
	VMOVUPD     Z1, (DI)(AX*8)
	VMOVUPD     Z2, 64(DI)(AX*8)
	VMOVUPD     Z3, 128(DI)(AX*8)
	VMOVUPD     Z4, 192(DI)(AX*8)
	ADDQ        $32, AX
	CMPQ        AX, BX
	JLT         axpby5_loop32

axpby5_tail8:
	MOVQ CX, BX
	ANDQ $~7, BX
	CMPQ AX, BX
	JGE  axpby5_tailmask

axpby5_loop8:
	VMULPD      (DI)(AX*8), Z5, Z1
	VFMADD231PD (SI)(AX*8), Z0, Z1
	VMOVUPD     Z1, (DI)(AX*8)
	ADDQ        $8, AX
	CMPQ        AX, BX
	JLT         axpby5_loop8

axpby5_tailmask:
	SUBQ        AX, CX
	JZ          axpby5_done
	TAILMASK(DX, K1)
	VMOVUPD.Z   (DI)(AX*8), K1, Z1
	VMOVUPD.Z   (SI)(AX*8), K1, Z2
	VMULPD      Z1, Z5, Z1
	VFMADD231PD Z2, Z0, Z1
	VMOVUPD     Z1, K1, (DI)(AX*8)

axpby5_done:
	VZEROUPPER
	RET

// func scalAVX512(alpha float64, x []float64)
TEXT ·scalAVX512(SB), NOSPLIT, $0-32
	VBROADCASTSD alpha+0(FP), Z0
	MOVQ         x_base+8(FP), DI
	MOVQ         x_len+16(FP), CX
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $~31, BX
	JZ           scal5_tail8

scal5_loop32:
	VMULPD  (DI)(AX*8), Z0, Z1
	VMULPD  64(DI)(AX*8), Z0, Z2
	VMULPD  128(DI)(AX*8), Z0, Z3
	VMULPD  192(DI)(AX*8), Z0, Z4
	VMOVUPD Z1, (DI)(AX*8)
	VMOVUPD Z2, 64(DI)(AX*8)
	VMOVUPD Z3, 128(DI)(AX*8)
	VMOVUPD Z4, 192(DI)(AX*8)
	ADDQ    $32, AX
	CMPQ    AX, BX
	JLT     scal5_loop32

scal5_tail8:
	MOVQ CX, BX
	ANDQ $~7, BX
	CMPQ AX, BX
	JGE  scal5_tailmask

scal5_loop8:
	VMULPD  (DI)(AX*8), Z0, Z1
	VMOVUPD Z1, (DI)(AX*8)
	ADDQ    $8, AX
	CMPQ    AX, BX
	JLT     scal5_loop8

scal5_tailmask:
	SUBQ      AX, CX
	JZ        scal5_done
	TAILMASK(DX, K1)
	VMOVUPD.Z (DI)(AX*8), K1, Z1
	VMULPD    Z1, Z0, Z1
	VMOVUPD   Z1, K1, (DI)(AX*8)

scal5_done:
	VZEROUPPER
	RET

// func asumAVX512(x []float64) float64
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
	MOVQ         CX, BX
	ANDQ         $~31, BX
	JZ           asum5_tail8

asum5_loop32:
	VPANDQ (SI)(AX*8), Z8, Z4
	VPANDQ 64(SI)(AX*8), Z8, Z5
	VPANDQ 128(SI)(AX*8), Z8, Z6
	VPANDQ 192(SI)(AX*8), Z8, Z7
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VADDPD Z6, Z2, Z2
	VADDPD Z7, Z3, Z3
	ADDQ   $32, AX
	CMPQ   AX, BX
	JLT    asum5_loop32

asum5_tail8:
	MOVQ CX, BX
	ANDQ $~7, BX
	CMPQ AX, BX
	JGE  asum5_tailmask

asum5_loop8:
	VPANDQ (SI)(AX*8), Z8, Z4
	VADDPD Z4, Z0, Z0
	ADDQ   $8, AX
	CMPQ   AX, BX
	JLT    asum5_loop8

asum5_tailmask:
	SUBQ      AX, CX
	JZ        asum5_reduce
	TAILMASK(DX, K1)
	VMOVUPD.Z (SI)(AX*8), K1, Z4
	VPANDQ    Z4, Z8, Z4
	VADDPD    Z4, Z1, Z1

asum5_reduce:
	VADDPD Z1, Z0, Z0
	VADDPD Z3, Z2, Z2
	VADDPD Z2, Z0, Z0
	FOLDZ(Z0, Y0, Y1)
	HSUMY(Y0, X0, X1)
	VZEROUPPER
	MOVSD  X0, ret+24(FP)
	RET

// func gemvN4AVX512(alpha float64, a []float64, lda int, x, y []float64)
//
// As gemvN4AVX2, eight columns per vector, the last n mod 8 by mask K1.
TEXT ·gemvN4AVX512(SB), NOSPLIT, $0-88
	VBROADCASTSD alpha+0(FP), Y15
	MOVQ         a_base+8(FP), SI
	MOVQ         lda+32(FP), R8
	SHLQ         $3, R8
	MOVQ         x_base+40(FP), DI
	MOVQ         x_len+48(FP), R13
	MOVQ         y_base+64(FP), DX
	MOVQ         y_len+72(FP), BX
	MOVQ         R13, R12
	ANDQ         $~15, R12
	MOVQ         R13, CX
	ANDQ         $7, CX
	JZ           gemvn5_nomask
	TAILMASK(AX, K1)

gemvn5_nomask:
	ANDQ $~7, R13

gemvn5_rows:
	CMPQ   BX, $4
	JLT    gemvn5_done
	LEAQ   (SI)(R8*1), R9
	LEAQ   (R9)(R8*1), R10
	LEAQ   (R10)(R8*1), R11
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	XORQ   AX, AX
	CMPQ   AX, R12
	JGE    gemvn5_col8

gemvn5_col16:
	VMOVUPD     (DI)(AX*8), Z8
	VMOVUPD     64(DI)(AX*8), Z9
	VFMADD231PD (SI)(AX*8), Z8, Z0
	VFMADD231PD (R9)(AX*8), Z8, Z1
	VFMADD231PD (R10)(AX*8), Z8, Z2
	VFMADD231PD (R11)(AX*8), Z8, Z3
	VFMADD231PD 64(SI)(AX*8), Z9, Z4
	VFMADD231PD 64(R9)(AX*8), Z9, Z5
	VFMADD231PD 64(R10)(AX*8), Z9, Z6
	VFMADD231PD 64(R11)(AX*8), Z9, Z7
	ADDQ        $16, AX
	CMPQ        AX, R12
	JLT         gemvn5_col16

gemvn5_col8:
	CMPQ        AX, R13
	JGE         gemvn5_colmask
	VMOVUPD     (DI)(AX*8), Z8
	VFMADD231PD (SI)(AX*8), Z8, Z0
	VFMADD231PD (R9)(AX*8), Z8, Z1
	VFMADD231PD (R10)(AX*8), Z8, Z2
	VFMADD231PD (R11)(AX*8), Z8, Z3
	ADDQ        $8, AX

gemvn5_colmask:
	TESTQ       CX, CX
	JZ          gemvn5_reduce
	VMOVUPD.Z   (DI)(AX*8), K1, Z8
	VMOVUPD.Z   (SI)(AX*8), K1, Z9
	VMOVUPD.Z   (R9)(AX*8), K1, Z10
	VMOVUPD.Z   (R10)(AX*8), K1, Z11
	VMOVUPD.Z   (R11)(AX*8), K1, Z12
	VFMADD231PD Z9, Z8, Z4
	VFMADD231PD Z10, Z8, Z5
	VFMADD231PD Z11, Z8, Z6
	VFMADD231PD Z12, Z8, Z7

gemvn5_reduce:
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VADDPD Z6, Z2, Z2
	VADDPD Z7, Z3, Z3
	FOLDZ(Z0, Y0, Y4)
	FOLDZ(Z1, Y1, Y5)
	FOLDZ(Z2, Y2, Y6)
	FOLDZ(Z3, Y3, Y7)
	HSUM4(Y0, Y1, Y2, Y3)
	VMOVUPD     (DX), Y1
	VFMADD231PD Y0, Y15, Y1
	VMOVUPD     Y1, (DX)
	ADDQ        $32, DX
	LEAQ        (SI)(R8*4), SI
	SUBQ        $4, BX
	JMP         gemvn5_rows

gemvn5_done:
	VZEROUPPER
	RET

// func gemvT4AVX512(alpha float64, a []float64, lda int, x, y []float64)
//
// As gemvT4AVX2, eight columns per vector, the last n mod 8 by mask K1.
TEXT ·gemvT4AVX512(SB), NOSPLIT, $0-88
	VBROADCASTSD alpha+0(FP), Z15
	MOVQ         a_base+8(FP), SI
	MOVQ         lda+32(FP), R8
	SHLQ         $3, R8
	MOVQ         x_base+40(FP), DI
	MOVQ         x_len+48(FP), BX
	MOVQ         y_base+64(FP), DX
	MOVQ         y_len+72(FP), R13
	MOVQ         R13, R12
	ANDQ         $~31, R12
	MOVQ         R13, CX
	ANDQ         $7, CX
	JZ           gemvt5_nomask
	TAILMASK(AX, K1)

gemvt5_nomask:
	ANDQ $~7, R13

gemvt5_rows:
	CMPQ         BX, $4
	JLT          gemvt5_done
	LEAQ         (SI)(R8*1), R9
	LEAQ         (R9)(R8*1), R10
	LEAQ         (R10)(R8*1), R11
	VBROADCASTSD (DI), Z11
	VBROADCASTSD 8(DI), Z12
	VBROADCASTSD 16(DI), Z13
	VBROADCASTSD 24(DI), Z14
	VMULPD       Z15, Z11, Z11
	VMULPD       Z15, Z12, Z12
	VMULPD       Z15, Z13, Z13
	VMULPD       Z15, Z14, Z14
	XORQ         AX, AX
	CMPQ         AX, R12
	JGE          gemvt5_col8

gemvt5_col32:
	VMOVUPD     (DX)(AX*8), Z0
	VMOVUPD     64(DX)(AX*8), Z1
	VMOVUPD     128(DX)(AX*8), Z2
	VMOVUPD     192(DX)(AX*8), Z3
	VFMADD231PD (SI)(AX*8), Z11, Z0
	VFMADD231PD 64(SI)(AX*8), Z11, Z1
	VFMADD231PD 128(SI)(AX*8), Z11, Z2
	VFMADD231PD 192(SI)(AX*8), Z11, Z3
	VFMADD231PD (R9)(AX*8), Z12, Z0
	VFMADD231PD 64(R9)(AX*8), Z12, Z1
	VFMADD231PD 128(R9)(AX*8), Z12, Z2
	VFMADD231PD 192(R9)(AX*8), Z12, Z3
	VFMADD231PD (R10)(AX*8), Z13, Z0
	VFMADD231PD 64(R10)(AX*8), Z13, Z1
	VFMADD231PD 128(R10)(AX*8), Z13, Z2
	VFMADD231PD 192(R10)(AX*8), Z13, Z3
	VFMADD231PD (R11)(AX*8), Z14, Z0
	VFMADD231PD 64(R11)(AX*8), Z14, Z1
	VFMADD231PD 128(R11)(AX*8), Z14, Z2
	VFMADD231PD 192(R11)(AX*8), Z14, Z3
	VMOVUPD     Z0, (DX)(AX*8)
	VMOVUPD     Z1, 64(DX)(AX*8)
	VMOVUPD     Z2, 128(DX)(AX*8)
	VMOVUPD     Z3, 192(DX)(AX*8)
	ADDQ        $32, AX
	CMPQ        AX, R12
	JLT         gemvt5_col32

gemvt5_col8:
	CMPQ        AX, R13
	JGE         gemvt5_colmask
	VMOVUPD     (DX)(AX*8), Z0
	VFMADD231PD (SI)(AX*8), Z11, Z0
	VFMADD231PD (R9)(AX*8), Z12, Z0
	VFMADD231PD (R10)(AX*8), Z13, Z0
	VFMADD231PD (R11)(AX*8), Z14, Z0
	VMOVUPD     Z0, (DX)(AX*8)
	ADDQ        $8, AX
	JMP         gemvt5_col8

gemvt5_colmask:
	TESTQ       CX, CX
	JZ          gemvt5_next
	VMOVUPD.Z   (DX)(AX*8), K1, Z0
	VMOVUPD.Z   (SI)(AX*8), K1, Z1
	VMOVUPD.Z   (R9)(AX*8), K1, Z2
	VMOVUPD.Z   (R10)(AX*8), K1, Z3
	VMOVUPD.Z   (R11)(AX*8), K1, Z4
	VFMADD231PD Z1, Z11, Z0
	VFMADD231PD Z2, Z12, Z0
	VFMADD231PD Z3, Z13, Z0
	VFMADD231PD Z4, Z14, Z0
	VMOVUPD     Z0, K1, (DX)(AX*8)

gemvt5_next:
	ADDQ $32, DI
	LEAQ (SI)(R8*4), SI
	SUBQ $4, BX
	JMP  gemvt5_rows

gemvt5_done:
	VZEROUPPER
	RET
