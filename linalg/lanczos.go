package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Which selects the part of the spectrum Lanczos computes.
type Which int

const (
	// Largest asks for the K algebraically largest eigenvalues.
	Largest Which = iota
	// Smallest asks for the K algebraically smallest eigenvalues.
	Smallest
	// BothEnds asks for the ⌈K/2⌉ largest and the ⌊K/2⌋ smallest.
	BothEnds
)

func (w Which) String() string {
	switch w {
	case Largest:
		return "largest"
	case Smallest:
		return "smallest"
	case BothEnds:
		return "both"
	}
	return fmt.Sprintf("Which(%d)", int(w))
}

// LanczosOptions configures Lanczos. Zero fields take the stated defaults.
type LanczosOptions struct {
	// K is the number of eigenpairs wanted, 1 ≤ K ≤ Dim.
	K int
	// Which part of the spectrum (default Largest).
	Which Which
	// BasisSize is the largest number of basis vectors kept (memory is
	// (BasisSize+1)·Dim values plus a small buffer). Default
	// max(2K+1, 20), capped at Dim. Must exceed K unless it equals Dim.
	BasisSize int
	// Tol: a Ritz pair (θ, u) is converged when its residual norm
	// ‖A·u − θ·u‖ ≤ Tol·‖A‖, ‖A‖ estimated by the largest |Ritz value| and
	// ‖A·v‖ seen. Default 1e-10.
	Tol float64
	// MaxApplies caps the operator applications (default
	// max(100·BasisSize, 1000), at least BasisSize). Reaching it returns
	// the current Ritz pairs with an error wrapping ErrNoConvergence.
	MaxApplies int
	// Seed seeds the start vector and the random vectors that replace an
	// exhausted (invariant) Krylov subspace.
	Seed uint64
	// Start, if not nil, is the start vector (len Dim, not all zero).
	Start []float64
	// LocalFirstPass replaces the first of the two full Gram–Schmidt passes
	// by the Lanczos recurrence itself (subtracting the couplings already
	// known: β·v_{j-1}, or the thick-restart arrow, and α·v_j); one full
	// classical Gram–Schmidt pass through Gemv follows, and a second one
	// when the first removed more than 1−1/√2 of the norm (the DGKS
	// criterion). It halves the reorthogonalization traffic over the
	// basis. Default false: two full passes.
	LocalFirstPass bool
	// Verify guards against missed copies of repeated eigenvalues (which
	// a single start vector cannot see in exact arithmetic; ARPACK shares
	// the limitation): after convergence, Lanczos is run again from a
	// random start on the operator deflated by the Ritz vectors found
	// (P·A·P + γ·U·Uᵀ with P = I − U·Uᵀ and γ beyond the wanted end),
	// for one pair per wanted end; a pair beyond the current K-th value
	// replaces it (its residual computed explicitly) and the check
	// repeats. Costs about one more small Lanczos run when nothing is
	// missing.
	Verify bool
}

// LanczosResult holds the Ritz pairs Lanczos found.
type LanczosResult struct {
	// Values: for Largest in descending order, for Smallest ascending, for
	// BothEnds the largest (descending) followed by the smallest
	// (ascending).
	Values []float64
	// Vectors is K×Dim: row i is the unit Ritz vector of Values[i].
	Vectors *Dense
	// Residuals[i] bounds ‖A·u_i − θ_i·u_i‖: the Lanczos estimate
	// |β·y_last| plus the norm of any roundoff-level couplings dropped when
	// an invariant subspace was replaced by a random vector.
	Residuals []float64
	// Converged[i] reports Residuals[i] ≤ Tol·NormEst.
	Converged []bool
	// NormEst is the estimate of ‖A‖ used in the convergence test.
	NormEst float64
	// Applies counts operator applications; Restarts the thick restarts.
	Applies, Restarts int
}

// lanczosInvariant: a new Lanczos vector whose norm after
// orthogonalization is below this fraction of ‖A·v‖ (or of the ‖A‖
// estimate) is treated as roundoff: the Krylov subspace is invariant and
// is continued with a random vector orthogonal to the basis.
const lanczosInvariant = 1e-12

// Lanczos computes K eigenpairs at one or both ends of the spectrum of the
// symmetric operator op by the Lanczos process with full
// reorthogonalization (two passes of classical Gram–Schmidt through Gemv
// against the basis, stored as the rows of a Dense) and thick restart:
// when the basis is full, the Ritz vectors wanted plus about half of the
// remaining room are kept (one Gemm), together with the residual vector,
// and the process continues from there.
//
// Convergence is judged by the residual norms of the wanted Ritz pairs. An
// invariant subspace (the operator's range exhausted, e.g. rank-deficient
// or a start vector in an eigenspace) is continued with a random vector
// orthogonal to the basis, so repeated eigenvalues are found with their
// multiplicity. If the basis spans the whole space, the Ritz pairs are
// exact and the result is returned.
//
// An operator whose products are tiny (norm below 2^-900, e.g. a matrix of
// subnormal numbers) is worked on scaled by an exact power of two, so the
// orthogonalization keeps full precision; the results are scaled back.
//
// On reaching MaxApplies, Lanczos returns the current result and an error
// wrapping ErrNoConvergence. Invalid options panic.
func Lanczos(op Operator, opt LanczosOptions) (*LanczosResult, error) {
	r, err := lanczosRun(op, opt)
	if err != nil || !opt.Verify {
		return r, err
	}
	return lanczosVerify(op, opt, r)
}

// lanczosRun is Lanczos without the Verify step.
func lanczosRun(op Operator, opt LanczosOptions) (*LanczosResult, error) {
	n := op.Dim()
	k := opt.K
	if k < 1 || k > n {
		panic(fmt.Sprintf("linalg: Lanczos: K = %d out of range [1, %d]", k, n))
	}
	if opt.Which < Largest || opt.Which > BothEnds {
		panic(fmt.Sprintf("linalg: Lanczos: invalid Which %d", int(opt.Which)))
	}
	m := opt.BasisSize
	if m == 0 {
		m = max(2*k+1, 20)
	}
	m = min(m, n)
	if m <= k && m < n {
		panic(fmt.Sprintf("linalg: Lanczos: BasisSize %d must exceed K = %d", m, k))
	}
	tol := opt.Tol
	if tol == 0 {
		tol = 1e-10
	}
	if !(tol > 0) {
		panic(fmt.Sprintf("linalg: Lanczos: Tol = %g", tol))
	}
	maxApplies := opt.MaxApplies
	if maxApplies == 0 {
		maxApplies = max(100*m, 1000)
	}
	maxApplies = max(maxApplies, m) // at least one full basis
	if opt.Start != nil && len(opt.Start) != n {
		panic(fmt.Sprintf("linalg: Lanczos: len(Start) = %d, want %d", len(opt.Start), n))
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))

	v := NewDense(m+1, n) // rows 0…j-1: basis; row j: the next vector
	h := NewDense(m, m)   // projected matrix Vᵀ·A·V
	coef := make([]float64, m+1)
	scratch := make([]float64, 2*(m+1))

	v0 := v.Row(0)
	if opt.Start != nil {
		copy(v0, opt.Start)
	}
	if nrm := Nrm2(v0); nrm > 0 && !math.IsInf(nrm, 0) && !math.IsNaN(nrm) {
		scalInv(nrm, v0)
	} else if !randomOrthonormal(v, 0, rng, scratch) {
		panic("linalg: Lanczos: cannot build a start vector")
	}

	var (
		j            int     // basis vectors with complete columns of h
		betaLast     float64 // coupling of row j to the last basis vector
		dropped      float64 // sum of couplings dropped as roundoff
		opNorm       float64 // running estimate of ‖A‖
		full         bool    // the basis spans the whole space
		applies      int
		restarts     int
		tmp          *Dense // restart buffer
		injected     bool   // a random vector entered since the last check
		everInjected bool
		arrowAt      = -1      // column holding the thick-restart arrow
		prev         []float64 // wanted Ritz values at the last converged check
		shift        int       // products are scaled by 2^shift (tinyShift)
	)
	for {
		for j < m && applies < maxApplies {
			w := v.Row(j + 1)
			op.Apply(w, v.Row(j))
			if applies == 0 {
				shift = tinyShift(Nrm2(w))
			}
			if shift != 0 {
				ldexpAll(w, shift)
			}
			applies++
			normW := Nrm2(w)
			opNorm = math.Max(opNorm, normW)
			var beta float64
			if opt.LocalFirstPass {
				beta = reorthLocal(v.RowsView(0, j+1), h, j, j == arrowAt, w, coef[:j+1], scratch[:j+1])
			} else {
				beta = cgs2(v.RowsView(0, j+1), w, coef[:j+1], scratch[:j+1])
			}
			for i := 0; i <= j; i++ {
				h.Data[i*h.Stride+j] = coef[i]
				h.Data[j*h.Stride+i] = coef[i]
			}
			j++
			switch {
			case j == n:
				dropped += beta
				betaLast = 0
				full = true
			case beta <= lanczosInvariant*math.Max(normW, opNorm) || beta == 0:
				dropped += beta
				betaLast = 0
				if !randomOrthonormal(v, j, rng, scratch) {
					full = true
				}
				injected, everInjected = true, true
			default:
				scalInv(beta, w)
				betaLast = beta
			}
			if j < m {
				// The coupling of the new vector to the last one (zero
				// when a random vector was injected).
				h.Data[j*h.Stride+j-1] = betaLast
				h.Data[(j-1)*h.Stride+j] = betaLast
			}
			// Check convergence after every step once there are more
			// than K vectors (a small dense eigenproblem, cheap against an
			// application), unless a random vector ever entered: then only
			// at full basis, where the repeated-copies rule below applies.
			if full || (j > k && !everInjected) {
				break
			}
		}

		theta, y, err := EigenSym(h.Slice(0, j, 0, j), true)
		if err != nil {
			return nil, fmt.Errorf("linalg: Lanczos: Rayleigh–Ritz: %w", err)
		}
		opNorm = math.Max(opNorm, math.Max(math.Abs(theta[0]), math.Abs(theta[j-1])))
		order := ritzOrder(j, opt.Which)
		res := func(i int) float64 { return math.Abs(betaLast*y.Data[(j-1)*y.Stride+i]) + dropped }
		allConv := true
		for _, i := range order[:k] {
			if !(res(i) <= tol*opNorm) {
				allConv = false
				break
			}
		}
		// After an invariant subspace was replaced by a random vector, the
		// wanted set may still lack copies of repeated eigenvalues: accept
		// convergence only once a further cycle leaves it unchanged.
		if allConv && injected && !full && applies < maxApplies {
			same := prev != nil
			for q, i := range order[:k] {
				if same && math.Abs(theta[i]-prev[q]) > tol*opNorm {
					same = false
				}
			}
			if !same {
				allConv = false
				prev = make([]float64, k)
				for q, i := range order[:k] {
					prev[q] = theta[i]
				}
				injected = false
			}
		}
		if allConv || full || applies >= maxApplies {
			out := outputOrder(theta, order[:k], opt.Which)
			r := &LanczosResult{
				Values:    make([]float64, k),
				Vectors:   NewDense(k, n),
				Residuals: make([]float64, k),
				Converged: make([]bool, k),
				NormEst:   math.Ldexp(opNorm, -shift),
				Applies:   applies,
				Restarts:  restarts,
			}
			ysel := NewDense(k, j)
			for q, i := range out {
				r.Values[q] = math.Ldexp(theta[i], -shift)
				r.Residuals[q] = math.Ldexp(res(i), -shift)
				r.Converged[q] = res(i) <= tol*opNorm
				for c := 0; c < j; c++ {
					ysel.Data[q*ysel.Stride+c] = y.Data[c*y.Stride+i]
				}
			}
			Gemm(NoTrans, NoTrans, 1, ysel, v.RowsView(0, j), 0, r.Vectors)
			if !allConv && !full {
				nc := 0
				for _, c := range r.Converged {
					if c {
						nc++
					}
				}
				return r, fmt.Errorf("%w: Lanczos: %d of %d Ritz pairs converged after %d applications",
					ErrNoConvergence, nc, k, applies)
			}
			return r, nil
		}

		if j < m {
			continue // expand further before restarting
		}

		// Thick restart: keep the wanted Ritz vectors and some more, in
		// the order of wantedness, and the residual vector after them.
		keep := min(k+(m-k)/2, j-1)
		ysel := NewDense(keep, j)
		for q, i := range order[:keep] {
			for c := 0; c < j; c++ {
				ysel.Data[q*ysel.Stride+c] = y.Data[c*y.Stride+i]
			}
		}
		const chunk = 2048
		if tmp == nil {
			tmp = NewDense(m, min(chunk, n))
		}
		for c0 := 0; c0 < n; c0 += chunk {
			c1 := min(c0+chunk, n)
			t := tmp.Slice(0, keep, 0, c1-c0)
			Gemm(NoTrans, NoTrans, 1, ysel, v.Slice(0, j, c0, c1), 0, t)
			v.Slice(0, keep, c0, c1).Copy(t)
		}
		copy(v.Row(keep), v.Row(j))
		h.Zero()
		for q, i := range order[:keep] {
			h.Data[q*h.Stride+q] = theta[i]
			s := betaLast * y.Data[(j-1)*y.Stride+i]
			h.Data[q*h.Stride+keep] = s
			h.Data[keep*h.Stride+q] = s
		}
		j = keep
		arrowAt = keep
		restarts++
	}
}

// ritzOrder returns the indices of j ascending Ritz values in order of
// wantedness.
func ritzOrder(j int, which Which) []int {
	order := make([]int, j)
	switch which {
	case Largest:
		for q := range order {
			order[q] = j - 1 - q
		}
	case Smallest:
		for q := range order {
			order[q] = q
		}
	case BothEnds:
		lo, hi := 0, j-1
		for q := range order {
			if q%2 == 0 {
				order[q] = hi
				hi--
			} else {
				order[q] = lo
				lo++
			}
		}
	}
	return order
}

// outputOrder arranges the wanted indices (ascending Ritz values theta)
// for the result: descending for Largest, ascending for Smallest, and for
// BothEnds the top ones descending then the bottom ones ascending.
func outputOrder(theta []float64, wanted []int, which Which) []int {
	out := append([]int(nil), wanted...)
	if which != BothEnds {
		return out
	}
	var top, bot []int
	for q, i := range wanted {
		if q%2 == 0 {
			top = append(top, i)
		} else {
			bot = append(bot, i)
		}
	}
	return append(top, bot...)
}

// cgs2 orthogonalizes w against the orthonormal rows of basis with two
// passes of classical Gram–Schmidt, each two Gemv calls. coef (len
// basis.Rows) receives the total coefficients basisᵀ·w; tmp is scratch of
// the same length. It returns ‖w‖ afterwards.
func cgs2(basis *Dense, w, coef, tmp []float64) float64 {
	if basis.Rows == 0 {
		return Nrm2(w)
	}
	Gemv(NoTrans, 1, basis, w, 0, coef)
	Gemv(T, -1, basis, coef, 1, w)
	Gemv(NoTrans, 1, basis, w, 0, tmp)
	Gemv(T, -1, basis, tmp, 1, w)
	Axpy(1, tmp, coef)
	return Nrm2(w)
}

// reorthLocal orthogonalizes w = A·v_j against the rows of basis (j+1
// orthonormal rows): first the Lanczos recurrence, w −= Σ_{i<j} h_ij·v_i
// with the couplings already in column j of h (only h_{j-1,j} unless
// arrow, the column after a thick restart), then α = v_j·w, w −= α·v_j;
// then a full classical Gram–Schmidt pass (two Gemv), repeated once if it
// removed more than 1−1/√2 of the norm. coef receives the total
// coefficients; tmp is scratch of the same length. Returns ‖w‖.
func reorthLocal(basis *Dense, h *Dense, j int, arrow bool, w, coef, tmp []float64) float64 {
	for i := 0; i < j; i++ {
		coef[i] = h.Data[i*h.Stride+j]
	}
	switch {
	case arrow && j > 0:
		Gemv(T, -1, basis.RowsView(0, j), coef[:j], 1, w)
	case j > 0:
		clear(coef[:j-1])
		Axpy(-coef[j-1], basis.Row(j-1), w)
	}
	vj := basis.Row(j)
	alpha := Dot(vj, w)
	Axpy(-alpha, vj, w)
	coef[j] = alpha
	nrm := Nrm2(w)
	for pass := 0; pass < 2; pass++ {
		Gemv(NoTrans, 1, basis, w, 0, tmp)
		Gemv(T, -1, basis, tmp, 1, w)
		Axpy(1, tmp, coef)
		after := Nrm2(w)
		if after >= nrm*(1/math.Sqrt2) {
			return after
		}
		nrm = after
	}
	return nrm
}

// tinyShift returns the power of two e that brings nrm, the norm of an
// operator's first product, to about 1 when it is below 2^-900 (products
// near or in the subnormal range, where every rounding is an absolute
// 2^-1075 and Gram–Schmidt would lose orthogonality), and 0 otherwise.
// The Lanczos solvers multiply every product by 2^e, exactly, and divide
// their results by it.
func tinyShift(nrm float64) int {
	if nrm == 0 || nrm >= 0x1p-900 {
		return 0
	}
	_, e := math.Frexp(nrm)
	return -e
}

// ldexpAll sets x[i] = x[i]·2^e, exactly unless the result leaves the
// normal range (2^e itself may not be a float64).
func ldexpAll(x []float64, e int) {
	for i, v := range x {
		x[i] = math.Ldexp(v, e)
	}
}

// randomOrthonormal fills row j of v with a Gaussian vector orthogonalized
// against rows 0…j-1 and normalized. It reports false if no such vector
// could be found (the rows already span the space numerically).
func randomOrthonormal(v *Dense, j int, rng *rand.Rand, scratch []float64) bool {
	w := v.Row(j)
	for try := 0; try < 3; try++ {
		for i := range w {
			w[i] = rng.NormFloat64()
		}
		n0 := Nrm2(w)
		nrm := cgs2(v.RowsView(0, j), w, scratch[:j], scratch[j:2*j])
		if nrm > 1e-6*n0 {
			// A third pass when the vector lost many digits.
			if nrm < 0.5*n0 {
				nrm = cgs2(v.RowsView(0, j), w, scratch[:j], scratch[j:2*j])
			}
			scalInv(nrm, w)
			return true
		}
	}
	return false
}
