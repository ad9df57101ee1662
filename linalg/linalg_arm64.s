//go:build !purego

#include "textflag.h"

// NEON (ASIMD) level-1/2 kernels for float64; contracts in kernels.go.
//
// Go's arm64 assembler has VFMLA (vector) but not vector FADD, FMUL, FABS
// nor scalar FADDP; those are encoded with WORD and a comment naming the
// exact instruction and registers. Every loop handles whole blocks with
// unaligned LD1/ST1 and finishes the tail with a scalar loop, so nothing
// is read or written beyond len. R18 and R26-R29 are not used.

// func dotNEON(x, y []float64) float64
//
// Four independent 2-lane accumulators V0-V3 over blocks of 8 elements;
// the accumulators are summed ((V0+V1)+(V2+V3), then the two lanes) and
// the tail of up to 7 elements is added with scalar FMADD.
TEXT ·dotNEON(SB), NOSPLIT, $0-56
	MOVD	x_base+0(FP), R0
	MOVD	x_len+8(FP), R2
	MOVD	y_base+24(FP), R1
	VEOR	V0.B16, V0.B16, V0.B16
	VEOR	V1.B16, V1.B16, V1.B16
	VEOR	V2.B16, V2.B16, V2.B16
	VEOR	V3.B16, V3.B16, V3.B16
	LSR	$3, R2, R3
	AND	$7, R2, R2
	CBZ	R3, dotreduce

dotloop:
	VLD1.P	64(R0), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1.P	64(R1), [V16.D2, V17.D2, V18.D2, V19.D2]
	VFMLA	V4.D2, V16.D2, V0.D2
	VFMLA	V5.D2, V17.D2, V1.D2
	VFMLA	V6.D2, V18.D2, V2.D2
	VFMLA	V7.D2, V19.D2, V3.D2
	SUBS	$1, R3, R3
	BNE	dotloop

dotreduce:
	WORD	$0x4e61d400 // FADD V0.2D, V0.2D, V1.2D
	WORD	$0x4e63d442 // FADD V2.2D, V2.2D, V3.2D
	WORD	$0x4e62d400 // FADD V0.2D, V0.2D, V2.2D
	WORD	$0x7e70d800 // FADDP D0, V0.2D
	CBZ	R2, dotdone

dottail:
	FMOVD.P	8(R0), F4
	FMOVD.P	8(R1), F5
	FMADDD	F4, F0, F5, F0 // F0 += F5*F4
	SUBS	$1, R2, R2
	BNE	dottail

dotdone:
	FMOVD	F0, ret+48(FP)
	RET

// func axpyNEON(alpha float64, x, y []float64)
TEXT ·axpyNEON(SB), NOSPLIT, $0-56
	FMOVD	alpha+0(FP), F31
	VDUP	V31.D[0], V31.D2
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	MOVD	y_base+32(FP), R1
	LSR	$3, R2, R3
	AND	$7, R2, R2
	CBZ	R3, axpytail

axpyloop:
	VLD1.P	64(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1	(R1), [V4.D2, V5.D2, V6.D2, V7.D2]
	VFMLA	V31.D2, V0.D2, V4.D2
	VFMLA	V31.D2, V1.D2, V5.D2
	VFMLA	V31.D2, V2.D2, V6.D2
	VFMLA	V31.D2, V3.D2, V7.D2
	VST1.P	[V4.D2, V5.D2, V6.D2, V7.D2], 64(R1)
	SUBS	$1, R3, R3
	BNE	axpyloop

axpytail:
	CBZ	R2, axpydone

axpytailloop:
	FMOVD.P	8(R0), F0
	FMOVD	(R1), F1
	FMADDD	F31, F1, F0, F1 // F1 += F0*alpha
	FMOVD.P	F1, 8(R1)
	SUBS	$1, R2, R2
	BNE	axpytailloop

axpydone:
	RET

// func axpbyNEON(alpha float64, x []float64, beta float64, y []float64)
//
// y = alpha·x + beta·y computed as fma(alpha, x, beta·y).
TEXT ·axpbyNEON(SB), NOSPLIT, $0-64
	FMOVD	alpha+0(FP), F31
	VDUP	V31.D[0], V31.D2
	FMOVD	beta+32(FP), F30
	VDUP	V30.D[0], V30.D2
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	MOVD	y_base+40(FP), R1
	LSR	$3, R2, R3
	AND	$7, R2, R2
	CBZ	R3, axpbytail

axpbyloop:
	VLD1.P	64(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1	(R1), [V4.D2, V5.D2, V6.D2, V7.D2]
	WORD	$0x6e7edc84 // FMUL V4.2D, V4.2D, V30.2D
	WORD	$0x6e7edca5 // FMUL V5.2D, V5.2D, V30.2D
	WORD	$0x6e7edcc6 // FMUL V6.2D, V6.2D, V30.2D
	WORD	$0x6e7edce7 // FMUL V7.2D, V7.2D, V30.2D
	VFMLA	V31.D2, V0.D2, V4.D2
	VFMLA	V31.D2, V1.D2, V5.D2
	VFMLA	V31.D2, V2.D2, V6.D2
	VFMLA	V31.D2, V3.D2, V7.D2
	VST1.P	[V4.D2, V5.D2, V6.D2, V7.D2], 64(R1)
	SUBS	$1, R3, R3
	BNE	axpbyloop

axpbytail:
	CBZ	R2, axpbydone

axpbytailloop:
	FMOVD.P	8(R0), F0
	FMOVD	(R1), F1
	FMULD	F30, F1, F1     // F1 = beta*F1
	FMADDD	F31, F1, F0, F1 // F1 += F0*alpha
	FMOVD.P	F1, 8(R1)
	SUBS	$1, R2, R2
	BNE	axpbytailloop

axpbydone:
	RET

// func scalNEON(alpha float64, x []float64)
TEXT ·scalNEON(SB), NOSPLIT, $0-32
	FMOVD	alpha+0(FP), F31
	VDUP	V31.D[0], V31.D2
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	LSR	$3, R2, R3
	AND	$7, R2, R2
	CBZ	R3, scaltail

scalloop:
	VLD1	(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	WORD	$0x6e7fdc00 // FMUL V0.2D, V0.2D, V31.2D
	WORD	$0x6e7fdc21 // FMUL V1.2D, V1.2D, V31.2D
	WORD	$0x6e7fdc42 // FMUL V2.2D, V2.2D, V31.2D
	WORD	$0x6e7fdc63 // FMUL V3.2D, V3.2D, V31.2D
	VST1.P	[V0.D2, V1.D2, V2.D2, V3.D2], 64(R0)
	SUBS	$1, R3, R3
	BNE	scalloop

scaltail:
	CBZ	R2, scaldone

scaltailloop:
	FMOVD	(R0), F0
	FMULD	F31, F0, F0
	FMOVD.P	F0, 8(R0)
	SUBS	$1, R2, R2
	BNE	scaltailloop

scaldone:
	RET

// func asumNEON(x []float64) float64
//
// Four accumulators of |x| over blocks of 8, reduced as in dotNEON, then a
// scalar tail.
TEXT ·asumNEON(SB), NOSPLIT, $0-32
	MOVD	x_base+0(FP), R0
	MOVD	x_len+8(FP), R2
	VEOR	V0.B16, V0.B16, V0.B16
	VEOR	V1.B16, V1.B16, V1.B16
	VEOR	V2.B16, V2.B16, V2.B16
	VEOR	V3.B16, V3.B16, V3.B16
	LSR	$3, R2, R3
	AND	$7, R2, R2
	CBZ	R3, asumreduce

asumloop:
	VLD1.P	64(R0), [V4.D2, V5.D2, V6.D2, V7.D2]
	WORD	$0x4ee0f884 // FABS V4.2D, V4.2D
	WORD	$0x4ee0f8a5 // FABS V5.2D, V5.2D
	WORD	$0x4ee0f8c6 // FABS V6.2D, V6.2D
	WORD	$0x4ee0f8e7 // FABS V7.2D, V7.2D
	WORD	$0x4e64d400 // FADD V0.2D, V0.2D, V4.2D
	WORD	$0x4e65d421 // FADD V1.2D, V1.2D, V5.2D
	WORD	$0x4e66d442 // FADD V2.2D, V2.2D, V6.2D
	WORD	$0x4e67d463 // FADD V3.2D, V3.2D, V7.2D
	SUBS	$1, R3, R3
	BNE	asumloop

asumreduce:
	WORD	$0x4e61d400 // FADD V0.2D, V0.2D, V1.2D
	WORD	$0x4e63d442 // FADD V2.2D, V2.2D, V3.2D
	WORD	$0x4e62d400 // FADD V0.2D, V0.2D, V2.2D
	WORD	$0x7e70d800 // FADDP D0, V0.2D
	CBZ	R2, asumdone

asumtail:
	FMOVD.P	8(R0), F4
	FABSD	F4, F4
	FADDD	F4, F0, F0
	SUBS	$1, R2, R2
	BNE	asumtail

asumdone:
	FMOVD	F0, ret+24(FP)
	RET

// func dot4NEON(a []float64, lda int, x []float64, r *[4]float64)
//
// r[k] = Σ_j a[k*lda+j]·x[j] for k < 4, j < len(x): four rows of gemvN at
// once so that each load of x serves four rows. len(a) ≥ 3*lda+len(x).
// Two accumulators per row (V16-V23) over blocks of 4 columns, then a
// scalar tail per row.
TEXT ·dot4NEON(SB), NOSPLIT, $0-64
	MOVD	a_base+0(FP), R0
	MOVD	lda+24(FP), R4
	MOVD	x_base+32(FP), R1
	MOVD	x_len+40(FP), R2
	LSL	$3, R4, R4
	ADD	R4, R0, R5
	ADD	R4, R5, R6
	ADD	R4, R6, R7
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16
	LSR	$2, R2, R3
	AND	$3, R2, R2
	CBZ	R3, dot4reduce

dot4loop:
	VLD1.P	32(R1), [V0.D2, V1.D2]
	VLD1.P	32(R0), [V2.D2, V3.D2]
	VLD1.P	32(R5), [V4.D2, V5.D2]
	VLD1.P	32(R6), [V6.D2, V7.D2]
	VLD1.P	32(R7), [V8.D2, V9.D2]
	VFMLA	V0.D2, V2.D2, V16.D2
	VFMLA	V1.D2, V3.D2, V17.D2
	VFMLA	V0.D2, V4.D2, V18.D2
	VFMLA	V1.D2, V5.D2, V19.D2
	VFMLA	V0.D2, V6.D2, V20.D2
	VFMLA	V1.D2, V7.D2, V21.D2
	VFMLA	V0.D2, V8.D2, V22.D2
	VFMLA	V1.D2, V9.D2, V23.D2
	SUBS	$1, R3, R3
	BNE	dot4loop

dot4reduce:
	WORD	$0x4e71d610 // FADD V16.2D, V16.2D, V17.2D
	WORD	$0x7e70da10 // FADDP D16, V16.2D
	WORD	$0x4e73d652 // FADD V18.2D, V18.2D, V19.2D
	WORD	$0x7e70da52 // FADDP D18, V18.2D
	WORD	$0x4e75d694 // FADD V20.2D, V20.2D, V21.2D
	WORD	$0x7e70da94 // FADDP D20, V20.2D
	WORD	$0x4e77d6d6 // FADD V22.2D, V22.2D, V23.2D
	WORD	$0x7e70dad6 // FADDP D22, V22.2D
	CBZ	R2, dot4done

dot4tail:
	FMOVD.P	8(R1), F0
	FMOVD.P	8(R0), F2
	FMOVD.P	8(R5), F4
	FMOVD.P	8(R6), F6
	FMOVD.P	8(R7), F8
	FMADDD	F0, F16, F2, F16 // F16 += F2*F0
	FMADDD	F0, F18, F4, F18 // F18 += F4*F0
	FMADDD	F0, F20, F6, F20 // F20 += F6*F0
	FMADDD	F0, F22, F8, F22 // F22 += F8*F0
	SUBS	$1, R2, R2
	BNE	dot4tail

dot4done:
	MOVD	r+56(FP), R8
	FMOVD	F16, 0(R8)
	FMOVD	F18, 8(R8)
	FMOVD	F20, 16(R8)
	FMOVD	F22, 24(R8)
	RET

// func axpy4NEON(c *[4]float64, a []float64, lda int, y []float64)
//
// y[j] += c[0]·a[j] + c[1]·a[lda+j] + c[2]·a[2*lda+j] + c[3]·a[3*lda+j],
// the four terms added one after another with fused multiply-adds (the
// same order as four axpy calls): four rows of gemvT at once so that y is
// loaded and stored once per four rows. len(a) ≥ 3*lda+len(y).
TEXT ·axpy4NEON(SB), NOSPLIT, $0-64
	MOVD	c+0(FP), R8
	FMOVD	0(R8), F28
	FMOVD	8(R8), F29
	FMOVD	16(R8), F30
	FMOVD	24(R8), F31
	VDUP	V28.D[0], V28.D2
	VDUP	V29.D[0], V29.D2
	VDUP	V30.D[0], V30.D2
	VDUP	V31.D[0], V31.D2
	MOVD	a_base+8(FP), R0
	MOVD	lda+32(FP), R4
	MOVD	y_base+40(FP), R1
	MOVD	y_len+48(FP), R2
	LSL	$3, R4, R4
	ADD	R4, R0, R5
	ADD	R4, R5, R6
	ADD	R4, R6, R7
	LSR	$2, R2, R3
	AND	$3, R2, R2
	CBZ	R3, axpy4tail

axpy4loop:
	VLD1	(R1), [V0.D2, V1.D2]
	VLD1.P	32(R0), [V2.D2, V3.D2]
	VLD1.P	32(R5), [V4.D2, V5.D2]
	VLD1.P	32(R6), [V6.D2, V7.D2]
	VLD1.P	32(R7), [V8.D2, V9.D2]
	VFMLA	V28.D2, V2.D2, V0.D2
	VFMLA	V28.D2, V3.D2, V1.D2
	VFMLA	V29.D2, V4.D2, V0.D2
	VFMLA	V29.D2, V5.D2, V1.D2
	VFMLA	V30.D2, V6.D2, V0.D2
	VFMLA	V30.D2, V7.D2, V1.D2
	VFMLA	V31.D2, V8.D2, V0.D2
	VFMLA	V31.D2, V9.D2, V1.D2
	VST1.P	[V0.D2, V1.D2], 32(R1)
	SUBS	$1, R3, R3
	BNE	axpy4loop

axpy4tail:
	CBZ	R2, axpy4done

axpy4tailloop:
	FMOVD	(R1), F0
	FMOVD.P	8(R0), F2
	FMOVD.P	8(R5), F4
	FMOVD.P	8(R6), F6
	FMOVD.P	8(R7), F8
	FMADDD	F28, F0, F2, F0 // F0 += F2*c[0]
	FMADDD	F29, F0, F4, F0 // F0 += F4*c[1]
	FMADDD	F30, F0, F6, F0 // F0 += F6*c[2]
	FMADDD	F31, F0, F8, F0 // F0 += F8*c[3]
	FMOVD.P	F0, 8(R1)
	SUBS	$1, R2, R2
	BNE	axpy4tailloop

axpy4done:
	RET
