//go:build !purego

#include "textflag.h"
#include "level1_amd64.h"

// Four-row gemv kernels for the avx2 (AVX2+FMA, YMM) and avx512 (AVX-512F,
// ZMM) tables; the level-1 kernels are in level1_avx2_amd64.s and
// level1_avx512_amd64.s, the shared macros in level1_amd64.h. Contracts:
// see kernels.go and the prototypes in level1_amd64.go (whose Go wrappers
// finish the last m mod 4 rows). All loads and stores are unaligned; no
// kernel touches an element outside its operands' lengths: AVX2 tails run
// a scalar loop, AVX-512 tails use masked loads and stores (masked-off
// lanes never fault). Registers R14 and R15 are left alone.
//
// Register roles common to the four kernels:
//	SI, R9, R10, R11  rows i, i+1, i+2, i+3 of a (SI advances 4·lda bytes
//	                  per block of rows)       R8  lda in bytes
//	DI  x              DX  y                   BX  rows (gemvN: of y;
//	                                               gemvT: of x) still to do
//	AX  column index j; R12 and R13 the ends of the wide and the one-vector
//	    column loops; CX the column count (AVX2) or n mod 8 (AVX-512, with
//	    K1 its lane mask, set once)
//	Y15/Z15  alpha in every lane

// ===========================================================================
// AVX2 + FMA

// func gemvN4AVX2(alpha float64, a []float64, lda int, x, y []float64)
//
// y[i] += alpha·Σ_j a[i*lda+j]·x[j] for len(y) rows, a multiple of 4, and
// len(x) columns: four rows at a time share each load of x.
//
// Per block of four rows: Y0..Y3 accumulate rows 0..3 over columns
// j ≡ 0..3 mod 8, Y4..Y7 over j ≡ 4..7 (two independent FMA chains per
// row); the one-vector step adds to Y0..Y3. Invariant of the column loops:
// Yr (+ Yr+4) holds the partial dot products of row r over columns [0, j).
// HSUM4 then packs the four row sums into Y0; the last n mod 4 columns are
// added one column at a time as a gathered 4-vector (the tail), and
// y[i..i+3] += alpha·Y0 with one FMA.
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
	GEMVN2(32, Y8, Y9, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	ADDQ $8, AX
	CMPQ AX, R12
	JLT  gemvn2_col8

gemvn2_col4:
	CMPQ AX, R13
	JGE  gemvn2_reduce
	GEMVN1(Y8, Y0, Y1, Y2, Y3)
	ADDQ $4, AX

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
//
// Per block of four rows: Y11..Y14 hold alpha·x[i..i+3] broadcast; Y0..Y3
// carry sixteen columns of y through four FMAs each (rows in order, so the
// result is the sequence of axpys the generic kernel does, fused). The
// one-vector loop does four columns, the tail one column at a time in X
// registers. Invariant: y[0, j) has received rows [0, i+4).
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
	GEMVT4(32, Y11, Y12, Y13, Y14, Y0, Y1, Y2, Y3)
	ADDQ $16, AX
	CMPQ AX, R12
	JLT  gemvt2_col16

gemvt2_col4:
	CMPQ AX, R13
	JGE  gemvt2_col1
	GEMVT1(Y11, Y12, Y13, Y14, Y0)
	ADDQ $4, AX
	JMP  gemvt2_col4

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

// func gemvN4AVX512(alpha float64, a []float64, lda int, x, y []float64)
//
// As gemvN4AVX2 with eight columns per vector: Z0..Z3 and Z4..Z7 the two
// accumulator sets per row (16 columns per iteration), an 8-column step,
// and the last n mod 8 columns as one masked vector (K1, zero-filled
// loads) added to Z4..Z7. Each Zr is folded to four lanes before HSUM4.
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
	GEMVN2(64, Z8, Z9, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ADDQ $16, AX
	CMPQ AX, R12
	JLT  gemvn5_col16

gemvn5_col8:
	CMPQ AX, R13
	JGE  gemvn5_colmask
	GEMVN1(Z8, Z0, Z1, Z2, Z3)
	ADDQ $8, AX

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
// As gemvT4AVX2 with eight columns per vector: Z11..Z14 hold alpha·x[i..]
// broadcast, Z0..Z3 carry 32 columns of y, then an 8-column loop, and the
// last n mod 8 columns as one masked vector (K1: masked-off lanes of y are
// neither read nor written).
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
	GEMVT4(64, Z11, Z12, Z13, Z14, Z0, Z1, Z2, Z3)
	ADDQ $32, AX
	CMPQ AX, R12
	JLT  gemvt5_col32

gemvt5_col8:
	CMPQ AX, R13
	JGE  gemvt5_colmask
	GEMVT1(Z11, Z12, Z13, Z14, Z0)
	ADDQ $8, AX
	JMP  gemvt5_col8

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
