//go:build !purego

#include "textflag.h"
#include "level1_amd64.h"

// Fused plane rotation for the tridiagonal QL eigenvector update (the rot
// entry of the avx2 and avx512 tables):
//   x[i], y[i] = c·x[i] − s·y[i], s·x[i] + c·y[i]   for i < len(x).
// len(y) ≥ len(x) is checked by the Go caller. Unaligned loads; nothing is
// read or written past len(x). Every element gets the same two roundings
// each way: c·x (or c·y) rounded, then one fused multiply-add.
//
// Register roles: SI x, DI y, CX n, AX i, BX end of the current strip;
// V0 = c and V1 = s in every lane; T0, T1 two vectors of x and T2, T3 of y
// (loaded before anything is stored, so x and y may not overlap but each
// update reads only old values); R0, R1 the new x, R2, R3 the new y.

// ROT2 rotates two vectors (2·W bytes) of x and y at i = AX.
#define ROT2(W, V0, V1, T0, T1, T2, T3, R0, R1, R2, R3) \
	VMOVUPD      (SI)(AX*8), T0  \
	VMOVUPD      W(SI)(AX*8), T1 \
	VMOVUPD      (DI)(AX*8), T2  \
	VMOVUPD      W(DI)(AX*8), T3 \
	VMULPD       T0, V0, R0      \
	VMULPD       T1, V0, R1      \
	VMULPD       T2, V0, R2      \
	VMULPD       T3, V0, R3      \
	VFNMADD231PD T2, V1, R0      \ // c·x − s·y
	VFNMADD231PD T3, V1, R1      \
	VFMADD231PD  T0, V1, R2      \ // c·y + s·x
	VFMADD231PD  T1, V1, R3      \
	VMOVUPD      R0, (SI)(AX*8)  \
	VMOVUPD      R1, W(SI)(AX*8) \
	VMOVUPD      R2, (DI)(AX*8)  \
	VMOVUPD      R3, W(DI)(AX*8)

// ROTV is the arithmetic of one vector: T0 = x, T2 = y in, R0 = x',
// R2 = y' out.
#define ROTV(V0, V1, T0, T2, R0, R2) \
	VMULPD       T0, V0, R0 \
	VMULPD       T2, V0, R2 \
	VFNMADD231PD T2, V1, R0 \
	VFMADD231PD  T0, V1, R2

// ROT1 rotates one vector of x and y at i = AX.
#define ROT1(V0, V1, T0, T2, R0, R2) \
	VMOVUPD (SI)(AX*8), T0        \
	VMOVUPD (DI)(AX*8), T2        \
	ROTV(V0, V1, T0, T2, R0, R2)  \
	VMOVUPD R0, (SI)(AX*8)        \
	VMOVUPD R2, (DI)(AX*8)

// func rotAVX512(x, y []float64, c, s float64)
//
// 16 elements per iteration (two ZMM each of x and y), then one 8-element
// vector if n mod 16 ≥ 8, then the last n mod 8 elements as one vector
// under the lane mask K1 (MASKTAIL).
TEXT ·rotAVX512(SB), NOSPLIT, $0-64
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVQ         y_base+24(FP), DI
	VBROADCASTSD c+48(FP), Z0
	VBROADCASTSD s+56(FP), Z1
	XORQ         AX, AX
	STRIP0(16, rot5_loop16, rot5_tail8, ROT2(64, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9))
	MOVQ CX, BX
	ANDQ $~7, BX
	CMPQ AX, BX
	JGE  rot5_tailmask
	ROT1(Z0, Z1, Z2, Z4, Z6, Z8)
	ADDQ $8, AX

rot5_tailmask:
	MASKTAIL(rot5_done)
	VMOVUPD.Z (SI)(AX*8), K1, Z2
	VMOVUPD.Z (DI)(AX*8), K1, Z4
	ROTV(Z0, Z1, Z2, Z4, Z6, Z8)
	VMOVUPD   Z6, K1, (SI)(AX*8)
	VMOVUPD   Z8, K1, (DI)(AX*8)

rot5_done:
	VZEROUPPER
	RET

// func rot4AVX2(x, y []float64, c, s float64)
//
// Only the first len(x) &^ 3 elements; the Go wrapper rotAVX2 does the
// rest with the same roundings. 8 elements per iteration (two YMM each of
// x and y), then one 4-element vector if n mod 8 ≥ 4.
TEXT ·rot4AVX2(SB), NOSPLIT, $0-64
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVQ         y_base+24(FP), DI
	VBROADCASTSD c+48(FP), Y0
	VBROADCASTSD s+56(FP), Y1
	XORQ         AX, AX
	STRIP0(8, rot2_loop8, rot2_tail4, ROT2(32, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9))
	MOVQ CX, BX
	ANDQ $~3, BX
	CMPQ AX, BX
	JGE  rot2_done
	ROT1(Y0, Y1, Y2, Y4, Y6, Y8)

rot2_done:
	VZEROUPPER
	RET
