// Macros shared by the amd64 kernels: the AVX2 (YMM, four float64 per
// vector) and AVX-512 (ZMM, eight per vector) kernels are the same loops
// over vectors of different widths, written once here and instantiated
// with their registers and vector width W in bytes (32 or 64): the level-1
// kernels in level1_avx2_amd64.s and level1_avx512_amd64.s, the gemv
// kernels in linalg_amd64.s, the rotations in tridiag_rot_amd64.s. The
// AVX2 and AVX-512 forms differ only in width, in how the last elements
// are handled (SCALARTAIL or the Go wrapper; MASKTAIL) and in the final
// fold of ZMM to YMM.
//
// Register roles in every level-1 kernel:
//	SI  x (read only)           DI  y, or x for scal (read and written)
//	CX  n = len(x)              AX  i, the next element to process
//	BX  end of the current strip (a multiple of its step)
//	DX  scratch for the AVX-512 tail mask, K1 the mask
// Vector registers: V0 (and V5 for axpby) hold the broadcast scalars,
// A0..A3 accumulators (dot, asum) or results (axpy, axpby, scal),
// T0..T3 loaded operands; V8 holds the abs mask of asum.
// R14 and R15 are left alone (the Go ABI reserves them).

// ---------------------------------------------------------------------------
// Loop skeleton

// STRIP runs BODY over the elements [AX, n &^ (STEP-1)) in blocks of STEP
// (a power of two): BODY handles [AX, AX+STEP) and may assume all of it is
// in range. Invariant: on entry and after every block, AX is a multiple of
// STEP (strips run from the widest STEP down, each starting where the last
// stopped); on exit AX = max(AX, n &^ (STEP-1)) and DONE is where control
// continues.
#define STRIP(STEP, LOOP, DONE, BODY) \
	MOVQ CX, BX          \
	ANDQ $~(STEP-1), BX  \
	CMPQ AX, BX          \
	JGE  DONE            \
LOOP:                        \
	BODY                 \
	ADDQ $STEP, AX       \
	CMPQ AX, BX          \
	JLT  LOOP            \
DONE:

// STRIP0 is STRIP for the first strip, entered with AX = 0 (so the test
// is whether n &^ (STEP-1) is zero).
#define STRIP0(STEP, LOOP, DONE, BODY) \
	MOVQ CX, BX          \
	ANDQ $~(STEP-1), BX  \
	JZ   DONE            \
LOOP:                        \
	BODY                 \
	ADDQ $STEP, AX       \
	CMPQ AX, BX          \
	JLT  LOOP            \
DONE:

// SCALARTAIL is the AVX2 tail strategy: BODY handles element AX alone, for
// the last n mod 4 elements, with scalar (X-register) instructions, so
// nothing past element n-1 is touched.
#define SCALARTAIL(LOOP, DONE, BODY) \
LOOP:               \
	CMPQ AX, CX \
	JGE  DONE   \
	BODY        \
	INCQ AX     \
	JMP  LOOP   \
DONE:

// MASKTAIL is the AVX-512 tail strategy: the last r = n − AX elements
// (0 ≤ r < 8) are one vector under the lane mask K1 = (1<<r) − 1, loaded
// with zeroing-masked VMOVUPD.Z and stored with merging-masked VMOVUPD:
// masked-off lanes are neither read (no fault, even across a page) nor
// written. Jumps to NONE when r = 0. Leaves r in CX.
#define MASKTAIL(NONE) \
	SUBQ AX, CX \
	JZ   NONE   \
	TAILMASK(DX, K1)

// TAILMASK sets K to the low R lanes, R in [1, 7] held in CX; clobbers T.
// (KMOVW, not KMOVB: AVX-512F only.)
#define TAILMASK(T, K) \
	MOVL  $1, T \
	SHLL  CX, T \
	DECL  T     \
	KMOVW T, K

// ---------------------------------------------------------------------------
// Loop bodies: *4 handle four vectors (4·W bytes) at i = AX, *1 one vector.

// DOT: A_k += x[i..]·y[i..] with one fused multiply-add per lane; four
// independent accumulators hide the FMA latency.
#define DOT4(W, A0, A1, A2, A3, T0, T1, T2, T3) \
	VMOVUPD     (SI)(AX*8), T0        \
	VMOVUPD     W(SI)(AX*8), T1       \
	VMOVUPD     (2*W)(SI)(AX*8), T2   \
	VMOVUPD     (3*W)(SI)(AX*8), T3   \
	VFMADD231PD (DI)(AX*8), T0, A0    \
	VFMADD231PD W(DI)(AX*8), T1, A1   \
	VFMADD231PD (2*W)(DI)(AX*8), T2, A2 \
	VFMADD231PD (3*W)(DI)(AX*8), T3, A3
#define DOT1(A0, T0) \
	VMOVUPD     (SI)(AX*8), T0 \
	VFMADD231PD (DI)(AX*8), T0, A0

// AXPY: y[i..] = fma(alpha, x[i..], y[i..]) with alpha in V0.
#define AXPY4(W, V0, A0, A1, A2, A3) \
	VMOVUPD     (DI)(AX*8), A0        \
	VMOVUPD     W(DI)(AX*8), A1       \
	VMOVUPD     (2*W)(DI)(AX*8), A2   \
	VMOVUPD     (3*W)(DI)(AX*8), A3   \
	VFMADD231PD (SI)(AX*8), V0, A0    \
	VFMADD231PD W(SI)(AX*8), V0, A1   \
	VFMADD231PD (2*W)(SI)(AX*8), V0, A2 \
	VFMADD231PD (3*W)(SI)(AX*8), V0, A3 \
	STORE4(W, A0, A1, A2, A3)
#define AXPY1(V0, A0) \
	VMOVUPD     (DI)(AX*8), A0 \
	VFMADD231PD (SI)(AX*8), V0, A0 \
	VMOVUPD     A0, (DI)(AX*8)

// AXPBY: y[i..] = fma(alpha, x[i..], beta·y[i..]) with alpha in V0, beta
// in V5 (beta·y rounded once, then one fused rounding).
#define AXPBY4(W, V0, V5, A0, A1, A2, A3) \
	VMULPD      (DI)(AX*8), V5, A0      \
	VMULPD      W(DI)(AX*8), V5, A1     \
	VMULPD      (2*W)(DI)(AX*8), V5, A2 \
	VMULPD      (3*W)(DI)(AX*8), V5, A3 \
	VFMADD231PD (SI)(AX*8), V0, A0      \
	VFMADD231PD W(SI)(AX*8), V0, A1     \
	VFMADD231PD (2*W)(SI)(AX*8), V0, A2 \
	VFMADD231PD (3*W)(SI)(AX*8), V0, A3 \
	STORE4(W, A0, A1, A2, A3)
#define AXPBY1(V0, V5, A0) \
	VMULPD      (DI)(AX*8), V5, A0 \
	VFMADD231PD (SI)(AX*8), V0, A0 \
	VMOVUPD     A0, (DI)(AX*8)

// SCAL: x[i..] = alpha·x[i..] (x in DI), alpha in V0: one rounding.
#define SCAL4(W, V0, A0, A1, A2, A3) \
	VMULPD (DI)(AX*8), V0, A0      \
	VMULPD W(DI)(AX*8), V0, A1     \
	VMULPD (2*W)(DI)(AX*8), V0, A2 \
	VMULPD (3*W)(DI)(AX*8), V0, A3 \
	STORE4(W, A0, A1, A2, A3)
#define SCAL1(V0, A0) \
	VMULPD  (DI)(AX*8), V0, A0 \
	VMOVUPD A0, (DI)(AX*8)

// ASUM: A_k += |x[i..]|, the absolute value by ANDing away the sign bit
// with the mask in V8 (AND is VANDPD on YMM, VPANDQ on ZMM: VANDPD on ZMM
// needs AVX512DQ).
#define ASUM4(W, AND, V8, A0, A1, A2, A3, T0, T1, T2, T3) \
	AND    (SI)(AX*8), V8, T0      \
	AND    W(SI)(AX*8), V8, T1     \
	AND    (2*W)(SI)(AX*8), V8, T2 \
	AND    (3*W)(SI)(AX*8), V8, T3 \
	VADDPD T0, A0, A0              \
	VADDPD T1, A1, A1              \
	VADDPD T2, A2, A2              \
	VADDPD T3, A3, A3
#define ASUM1(AND, V8, A0, T0) \
	AND    (SI)(AX*8), V8, T0 \
	VADDPD T0, A0, A0

// ---------------------------------------------------------------------------
// Four-row gemv bodies (linalg_amd64.s): rows at SI, R9, R10, R11, column
// j = AX, x (gemvN) or y (gemvT) at DI or DX.

// GEMVN2: two vectors of x (X0, X1) times the same columns of the four
// rows, into the accumulators A0..A3 (first vector) and A4..A7 (second).
#define GEMVN2(W, X0, X1, A0, A1, A2, A3, A4, A5, A6, A7) \
	VMOVUPD     (DI)(AX*8), X0      \
	VMOVUPD     W(DI)(AX*8), X1     \
	VFMADD231PD (SI)(AX*8), X0, A0  \
	VFMADD231PD (R9)(AX*8), X0, A1  \
	VFMADD231PD (R10)(AX*8), X0, A2 \
	VFMADD231PD (R11)(AX*8), X0, A3 \
	VFMADD231PD W(SI)(AX*8), X1, A4 \
	VFMADD231PD W(R9)(AX*8), X1, A5 \
	VFMADD231PD W(R10)(AX*8), X1, A6 \
	VFMADD231PD W(R11)(AX*8), X1, A7
#define GEMVN1(X0, A0, A1, A2, A3) \
	VMOVUPD     (DI)(AX*8), X0      \
	VFMADD231PD (SI)(AX*8), X0, A0  \
	VFMADD231PD (R9)(AX*8), X0, A1  \
	VFMADD231PD (R10)(AX*8), X0, A2 \
	VFMADD231PD (R11)(AX*8), X0, A3

// GEMVT4: four vectors of y (Y0..Y3, at DX) receive the four rows scaled
// by S0..S3 = alpha·x[row], row by row in order, and are stored back.
#define GEMVT4(W, S0, S1, S2, S3, Y0, Y1, Y2, Y3) \
	VMOVUPD (DX)(AX*8), Y0      \
	VMOVUPD W(DX)(AX*8), Y1     \
	VMOVUPD (2*W)(DX)(AX*8), Y2 \
	VMOVUPD (3*W)(DX)(AX*8), Y3 \
	GEMVTROW(W, SI, S0, Y0, Y1, Y2, Y3)  \
	GEMVTROW(W, R9, S1, Y0, Y1, Y2, Y3)  \
	GEMVTROW(W, R10, S2, Y0, Y1, Y2, Y3) \
	GEMVTROW(W, R11, S3, Y0, Y1, Y2, Y3) \
	VMOVUPD Y0, (DX)(AX*8)      \
	VMOVUPD Y1, W(DX)(AX*8)     \
	VMOVUPD Y2, (2*W)(DX)(AX*8) \
	VMOVUPD Y3, (3*W)(DX)(AX*8)
#define GEMVTROW(W, R, S, Y0, Y1, Y2, Y3) \
	VFMADD231PD (R)(AX*8), S, Y0       \
	VFMADD231PD W(R)(AX*8), S, Y1      \
	VFMADD231PD (2*W)(R)(AX*8), S, Y2  \
	VFMADD231PD (3*W)(R)(AX*8), S, Y3
#define GEMVT1(S0, S1, S2, S3, Y0) \
	VMOVUPD     (DX)(AX*8), Y0      \
	VFMADD231PD (SI)(AX*8), S0, Y0  \
	VFMADD231PD (R9)(AX*8), S1, Y0  \
	VFMADD231PD (R10)(AX*8), S2, Y0 \
	VFMADD231PD (R11)(AX*8), S3, Y0 \
	VMOVUPD     Y0, (DX)(AX*8)

// STORE4 writes four result vectors back to y[i..].
#define STORE4(W, A0, A1, A2, A3) \
	VMOVUPD A0, (DI)(AX*8)      \
	VMOVUPD A1, W(DI)(AX*8)     \
	VMOVUPD A2, (2*W)(DI)(AX*8) \
	VMOVUPD A3, (3*W)(DI)(AX*8)

// ---------------------------------------------------------------------------
// Reductions

// ADD4 sums four accumulators into A0 as (A0+A1) + (A2+A3).
#define ADD4(A0, A1, A2, A3) \
	VADDPD A1, A0, A0 \
	VADDPD A3, A2, A2 \
	VADDPD A2, A0, A0

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
