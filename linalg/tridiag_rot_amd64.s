//go:build !purego

#include "textflag.h"

// Fused plane rotation for the tridiagonal QL eigenvector update:
//   x[i], y[i] = c·x[i] − s·y[i], s·x[i] + c·y[i]   for i < len(x).
// len(y) ≥ len(x) is checked by the Go caller. Unaligned loads; nothing is
// read or written past len(x).

// func rotAVX512(x, y []float64, c, s float64)
TEXT ·rotAVX512(SB), NOSPLIT, $0-64
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVQ         y_base+24(FP), DI
	VBROADCASTSD c+48(FP), Z0
	VBROADCASTSD s+56(FP), Z1
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $~15, BX
	JZ           rot5_tail8

rot5_loop16:
	VMOVUPD      (SI)(AX*8), Z2
	VMOVUPD      64(SI)(AX*8), Z3
	VMOVUPD      (DI)(AX*8), Z4
	VMOVUPD      64(DI)(AX*8), Z5
	VMULPD       Z2, Z0, Z6
	VMULPD       Z3, Z0, Z7
	VMULPD       Z4, Z0, Z8
	VMULPD       Z5, Z0, Z9
	VFNMADD231PD Z4, Z1, Z6 // c·x − s·y
	VFNMADD231PD Z5, Z1, Z7
	VFMADD231PD  Z2, Z1, Z8 // c·y + s·x
	VFMADD231PD  Z3, Z1, Z9
	VMOVUPD      Z6, (SI)(AX*8)
	VMOVUPD      Z7, 64(SI)(AX*8)
	VMOVUPD      Z8, (DI)(AX*8)
	VMOVUPD      Z9, 64(DI)(AX*8)
	ADDQ         $16, AX
	CMPQ         AX, BX
	JLT          rot5_loop16

rot5_tail8:
	MOVQ CX, BX
	ANDQ $~7, BX
	CMPQ AX, BX
	JGE  rot5_tailmask
	VMOVUPD      (SI)(AX*8), Z2
	VMOVUPD      (DI)(AX*8), Z4
	VMULPD       Z2, Z0, Z6
	VMULPD       Z4, Z0, Z8
	VFNMADD231PD Z4, Z1, Z6
	VFMADD231PD  Z2, Z1, Z8
	VMOVUPD      Z6, (SI)(AX*8)
	VMOVUPD      Z8, (DI)(AX*8)
	ADDQ         $8, AX

rot5_tailmask:
	SUBQ         AX, CX
	JZ           rot5_done
	MOVL         $1, DX
	SHLL         CX, DX
	DECL         DX
	KMOVW        DX, K1
	VMOVUPD.Z    (SI)(AX*8), K1, Z2
	VMOVUPD.Z    (DI)(AX*8), K1, Z4
	VMULPD       Z2, Z0, Z6
	VMULPD       Z4, Z0, Z8
	VFNMADD231PD Z4, Z1, Z6
	VFMADD231PD  Z2, Z1, Z8
	VMOVUPD      Z6, K1, (SI)(AX*8)
	VMOVUPD      Z8, K1, (DI)(AX*8)

rot5_done:
	VZEROUPPER
	RET

// func rot4AVX2(x, y []float64, c, s float64)
// Only the first len(x) &^ 3 elements; the Go wrapper does the rest.
TEXT ·rot4AVX2(SB), NOSPLIT, $0-64
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVQ         y_base+24(FP), DI
	VBROADCASTSD c+48(FP), Y0
	VBROADCASTSD s+56(FP), Y1
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $~7, BX
	JZ           rot2_tail4

rot2_loop8:
	VMOVUPD      (SI)(AX*8), Y2
	VMOVUPD      32(SI)(AX*8), Y3
	VMOVUPD      (DI)(AX*8), Y4
	VMOVUPD      32(DI)(AX*8), Y5
	VMULPD       Y2, Y0, Y6
	VMULPD       Y3, Y0, Y7
	VMULPD       Y4, Y0, Y8
	VMULPD       Y5, Y0, Y9
	VFNMADD231PD Y4, Y1, Y6
	VFNMADD231PD Y5, Y1, Y7
	VFMADD231PD  Y2, Y1, Y8
	VFMADD231PD  Y3, Y1, Y9
	VMOVUPD      Y6, (SI)(AX*8)
	VMOVUPD      Y7, 32(SI)(AX*8)
	VMOVUPD      Y8, (DI)(AX*8)
	VMOVUPD      Y9, 32(DI)(AX*8)
	ADDQ         $8, AX
	CMPQ         AX, BX
	JLT          rot2_loop8

rot2_tail4:
	MOVQ CX, BX
	ANDQ $~3, BX
	CMPQ AX, BX
	JGE  rot2_done
	VMOVUPD      (SI)(AX*8), Y2
	VMOVUPD      (DI)(AX*8), Y4
	VMULPD       Y2, Y0, Y6
	VMULPD       Y4, Y0, Y8
	VFNMADD231PD Y4, Y1, Y6
	VFMADD231PD  Y2, Y1, Y8
	VMOVUPD      Y6, (SI)(AX*8)
	VMOVUPD      Y8, (DI)(AX*8)

rot2_done:
	VZEROUPPER
	RET
