// Macros shared by the amd64 kernels: the AVX2 (YMM, four float64 per
// vector) and AVX-512 (ZMM, eight per vector) level-1 kernels are the same
// loops over vectors of different widths, written once here and
// instantiated in level1_avx2_amd64.s and level1_avx512_amd64.s with their
// registers and vector width W in bytes (32 or 64).
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
