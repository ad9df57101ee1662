package linalg

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The zero-scaling and NaN/Inf semantics of the routines that scale, for
// every kernel table, against reference BLAS: gonum's Daxpy, Dscal, Dgemv
// and Dsymv, which follow it here; bsGemm and bsSyrk, which transliterate
// the control flow of reference dgemm.f and dsyrk.f (gonum's Dgemm still
// multiplies by A and B when alpha == 0, and its Dsyrk with Aᵀ scales C by
// a zero beta instead of zeroing it); and for Axpby, which reference BLAS
// lacks, the rule in its doc comment. Operands hold small non-zero integers
// (implementations differ in whether they skip zero elements), so every
// result is exact whatever the table's summation order or fusing, and is
// compared bit for bit but for NaN payloads. One element of one operand at
// a time is a NaN or an infinity.

// bsRoutine is one routine under test: the lengths of its operands for a
// shape (the last operand is the output) and a run function for ours and
// for the reference.
type bsRoutine struct {
	name   string
	shapes [][3]int
	lens   func(d [3]int) []int
	ours   func(d [3]int, alpha, beta float64, ops [][]float64)
	ref    func(d [3]int, alpha, beta float64, ops [][]float64)
	// zeroAt puts a zero into an operand where a routine must not skip it
	// (Symv: x's last element, which meets A's last row).
	zeroAt func(d [3]int, ops [][]float64)
}

var bsRef = gonum.Implementation{}

func bsTrans(t Trans) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func bsRoutines() []bsRoutine {
	vec := [][3]int{{0}, {1}, {3}, {8}, {33}, {100}}
	rs := []bsRoutine{
		{
			name: "Axpby", shapes: vec,
			lens: func(d [3]int) []int { return []int{d[0], d[0]} },
			ours: func(d [3]int, alpha, beta float64, o [][]float64) { Axpby(alpha, o[0][:d[0]], beta, o[1][:d[0]]) },
			ref: func(d [3]int, alpha, beta float64, o [][]float64) {
				for i := range o[1][:d[0]] {
					switch {
					case alpha == 0 && beta == 0:
						o[1][i] = 0
					case alpha == 0:
						o[1][i] *= beta
					case beta == 0:
						o[1][i] = alpha * o[0][i]
					default:
						o[1][i] = alpha*o[0][i] + beta*o[1][i]
					}
				}
			},
		},
		{
			name: "Axpy", shapes: vec,
			lens: func(d [3]int) []int { return []int{d[0], d[0]} },
			ours: func(d [3]int, alpha, _ float64, o [][]float64) { Axpy(alpha, o[0][:d[0]], o[1][:d[0]]) },
			ref: func(d [3]int, alpha, _ float64, o [][]float64) {
				bsRef.Daxpy(d[0], alpha, o[0], 1, o[1], 1)
			},
		},
		{
			name: "Scal", shapes: vec,
			lens: func(d [3]int) []int { return []int{d[0]} },
			ours: func(d [3]int, alpha, _ float64, o [][]float64) { Scal(alpha, o[0][:d[0]]) },
			ref:  func(d [3]int, alpha, _ float64, o [][]float64) { bsRef.Dscal(d[0], alpha, o[0], 1) },
		},
		{
			name:   "Symv",
			shapes: [][3]int{{0}, {1}, {2}, {5}, {17}},
			lens:   func(d [3]int) []int { return []int{d[0] * d[0], d[0], d[0]} },
			ours: func(d [3]int, alpha, beta float64, o [][]float64) {
				n := d[0]
				Symv(alpha, NewDenseStride(n, n, max(n, 1), o[0]), o[1][:n], beta, o[2][:n])
			},
			ref: func(d [3]int, alpha, beta float64, o [][]float64) {
				bsRef.Dsymv(blas.Lower, d[0], alpha, o[0], max(d[0], 1), o[1], 1, beta, o[2], 1)
			},
			zeroAt: func(d [3]int, o [][]float64) {
				if d[0] > 1 {
					o[1][d[0]-1] = 0
				}
			},
		},
	}
	// Gemv: A is m×n; the empty ones are reference dgemv's quick return.
	for _, t := range []Trans{NoTrans, T} {
		rs = append(rs, bsRoutine{
			name:   "Gemv" + t.String(),
			shapes: [][3]int{{0, 0}, {0, 3}, {3, 0}, {1, 1}, {4, 3}, {3, 5}, {1, 7}, {9, 1}, {17, 13}},
			lens: func(d [3]int) []int {
				m, n := d[0], d[1]
				if t {
					return []int{m * n, m, n}
				}
				return []int{m * n, n, m}
			},
			ours: func(d [3]int, alpha, beta float64, o [][]float64) {
				lx, ly := d[1], d[0]
				if t {
					lx, ly = ly, lx
				}
				Gemv(t, alpha, NewDenseStride(d[0], d[1], max(d[1], 1), o[0]), o[1][:lx], beta, o[2][:ly])
			},
			ref: func(d [3]int, alpha, beta float64, o [][]float64) {
				// Exact-length slices: on arm64 gonum's Dgemv writes past
				// len(y) within its capacity (seen for a 1×1 transposed A),
				// which the slack check below would blame on us.
				lx, ly := d[1], d[0]
				if t {
					lx, ly = ly, lx
				}
				bsRef.Dgemv(bsTrans(t), d[0], d[1], alpha, o[0], max(d[1], 1), o[1][:lx:lx], 1, beta, o[2][:ly:ly], 1)
			},
		})
	}
	// Gemm: op(A) m×k, op(B) k×n, including the level-2 shortcuts (m, n
	// or k == 1), k == 0, and one product large enough for the packed
	// micro-kernel path.
	gemmShapes := [][3]int{{0, 2, 2}, {2, 0, 2}, {2, 3, 0}, {1, 1, 1}, {1, 5, 3}, {5, 1, 3}, {4, 3, 1}, {6, 5, 4}, {13, 11, 9}}
	for _, tA := range []Trans{NoTrans, T} {
		for _, tB := range []Trans{NoTrans, T} {
			dims := func(d [3]int) (ar, ac, br, bc int) {
				m, n, k := d[0], d[1], d[2]
				ar, ac, br, bc = m, k, k, n
				if tA {
					ar, ac = k, m
				}
				if tB {
					br, bc = n, k
				}
				return
			}
			rs = append(rs, bsRoutine{
				name: "Gemm" + tA.String() + tB.String(), shapes: gemmShapes,
				lens: func(d [3]int) []int { return []int{d[0] * d[2], d[2] * d[1], d[0] * d[1]} },
				ours: func(d [3]int, alpha, beta float64, o [][]float64) {
					ar, ac, br, bc := dims(d)
					Gemm(tA, tB, alpha, NewDenseStride(ar, ac, max(ac, 1), o[0]), NewDenseStride(br, bc, max(bc, 1), o[1]),
						beta, NewDenseStride(d[0], d[1], max(d[1], 1), o[2]))
				},
				ref: func(d [3]int, alpha, beta float64, o [][]float64) {
					_, ac, _, bc := dims(d)
					bsGemm(tA, tB, d[0], d[1], d[2], alpha, o[0], max(ac, 1), o[1], max(bc, 1), beta, o[2], max(d[1], 1))
				},
			})
		}
	}
	// Syrk: C is n×n, op(A) n×k. Ours reads C's lower triangle and writes
	// both; the reference (lower) result is mirrored to compare.
	for _, t := range []Trans{NoTrans, T} {
		rs = append(rs, bsRoutine{
			name: "Syrk" + t.String(), shapes: [][3]int{{0, 0, 2}, {3, 0, 0}, {1, 0, 1}, {4, 0, 1}, {5, 0, 3}, {13, 0, 9}},
			lens: func(d [3]int) []int { return []int{d[0] * d[2], d[0] * d[0]} },
			ours: func(d [3]int, alpha, beta float64, o [][]float64) {
				ar, ac := d[0], d[2]
				if t {
					ar, ac = ac, ar
				}
				Syrk(t, alpha, NewDenseStride(ar, ac, max(ac, 1), o[0]), beta, NewDenseStride(d[0], d[0], max(d[0], 1), o[1]))
			},
			ref: func(d [3]int, alpha, beta float64, o [][]float64) {
				n, k := d[0], d[2]
				lda := k
				if t {
					lda = n
				}
				bsSyrkLower(t, n, k, alpha, o[0], max(lda, 1), beta, o[1], max(n, 1))
				for i := 0; i < n; i++ {
					for j := i + 1; j < n; j++ {
						o[1][i*n+j] = o[1][j*n+i]
					}
				}
			},
		})
	}
	return rs
}

// bsGemm is reference dgemm's control flow for row-major operands:
// quick return when C is empty or (alpha == 0 or k == 0) and beta == 1;
// alpha == 0 scales C by beta (zeroing it for beta == 0) and returns;
// otherwise C = beta·C (zeroed for beta == 0) plus the plain sum.
func bsGemm(tA, tB Trans, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 || ((alpha == 0 || k == 0) && beta == 1) {
		return
	}
	at := func(i, l int) float64 {
		if tA {
			return a[l*lda+i]
		}
		return a[i*lda+l]
	}
	bt := func(l, j int) float64 {
		if tB {
			return b[j*ldb+l]
		}
		return b[l*ldb+j]
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			c[i*ldc+j] = bsScaled(beta, c[i*ldc+j])
			if alpha == 0 {
				continue
			}
			for l := 0; l < k; l++ {
				c[i*ldc+j] += alpha * bt(l, j) * at(i, l)
			}
		}
	}
}

// bsSyrkLower is reference dsyrk's control flow (lower triangle) for
// row-major operands, as bsGemm with B = op(A)ᵀ.
func bsSyrkLower(t Trans, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	if n == 0 || ((alpha == 0 || k == 0) && beta == 1) {
		return
	}
	at := func(i, l int) float64 {
		if t {
			return a[l*lda+i]
		}
		return a[i*lda+l]
	}
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			c[i*ldc+j] = bsScaled(beta, c[i*ldc+j])
			if alpha == 0 {
				continue
			}
			for l := 0; l < k; l++ {
				c[i*ldc+j] += alpha * at(j, l) * at(i, l)
			}
		}
	}
}

// bsScaled is beta·v with the BLAS rule that beta == 0 does not read v.
func bsScaled(beta, v float64) float64 {
	if beta == 0 {
		return 0
	}
	return beta * v
}

// bsSlack is the number of elements after each operand: gonum wants a
// matrix with no columns to have (rows-1)·lda elements, and nothing may
// write there.
const bsSlack = 8

// bsFill returns operands of the given lengths plus bsSlack holding
// non-zero integers in [-3, 4].
func bsFill(lens []int) [][]float64 {
	ops := make([][]float64, len(lens))
	for oi, n := range lens {
		ops[oi] = make([]float64, n+bsSlack)
		for i := range ops[oi] {
			v := float64((i*5+oi*3)%8 - 3)
			if v == 0 {
				v = 4
			}
			ops[oi][i] = v
		}
	}
	return ops
}

// bsPlant is one special value at one element of one operand, or none
// (operand -1).
type bsPlant struct {
	operand, index int
	value          float64
}

func (p bsPlant) String() string {
	if p.operand < 0 {
		return "no special"
	}
	return fmt.Sprintf("%v at operand %d [%d]", p.value, p.operand, p.index)
}

// bsPlants lists NaN, +Inf and -Inf at the first, middle, second-to-last
// and last element of every operand.
func bsPlants(lens []int) []bsPlant {
	ps := []bsPlant{{operand: -1}}
	for oi, n := range lens {
		seen := map[int]bool{}
		for _, i := range []int{0, n / 2, n - 2, n - 1} {
			if i < 0 || i >= n || seen[i] {
				continue
			}
			seen[i] = true
			for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				ps = append(ps, bsPlant{oi, i, v})
			}
		}
	}
	return ps
}

func bsSame(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func TestBLASZeroScalingAndSpecials(t *testing.T) {
	scalars := []float64{0, 1, -0.5, 2}
	vtForEachImpl(t, func(t *testing.T) {
		for _, r := range bsRoutines() {
			fails := 0
			for _, d := range r.shapes {
				lens := r.lens(d)
				for _, p := range bsPlants(lens) {
					for _, alpha := range scalars {
						for _, beta := range scalars {
							got, want := bsFill(lens), bsFill(lens)
							for _, ops := range [][][]float64{got, want} {
								if r.zeroAt != nil {
									r.zeroAt(d, ops)
								}
								if p.operand >= 0 {
									ops[p.operand][p.index] = p.value
								}
							}
							r.ours(d, alpha, beta, got)
							r.ref(d, alpha, beta, want)
							out := len(lens) - 1
							for i := range got[out] { // slack included
								if !bsSame(got[out][i], want[out][i]) {
									if fails++; fails <= 5 {
										t.Errorf("%s shape %v alpha=%v beta=%v, %v: out[%d] = %v, reference %v",
											r.name, d[:], alpha, beta, p, i, got[out][i], want[out][i])
									}
									break
								}
							}
						}
					}
				}
			}
			if fails > 5 {
				t.Errorf("%s: %d failing cases in all", r.name, fails)
			}
		}
	})
}
