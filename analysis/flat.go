package analysis

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/noisegeom/noisegeom/linalg"
)

// flatExtra is how many more of the smallest eigenpairs than wanted the
// Lanczos search for the flattest directions asks for, to step over a few
// zero eigenvalues (null directions of G or of K).
const flatExtra = 4

// flatRetries bounds the repeated searches with more eigenpairs (and
// Options.FlatTime their duration).
const flatRetries = 3

// flatApplies bounds each search to this many operator applications per
// basis vector. The smallest eigenvalues of G or K are usually clustered
// relative to the largest, where Lanczos converges slowly: when the bound
// is reached only the pairs converged from the flattest end are used (a
// note says so).
const flatApplies = 5

// gramOperator is K_Λ = J̃J̃ᵀ ((nK)×(nK)) applied matrix-free through the
// model: K_Λa = Sᵀ J Jᵀ S a, one VJP and one JVP.
type gramOperator struct {
	s      *state
	sa, jv *linalg.Dense
	w      []float64
}

func newGramOperator(s *state) *gramOperator {
	return &gramOperator{s: s, sa: linalg.NewDense(s.n, s.k), jv: linalg.NewDense(s.n, s.k), w: make([]float64, s.p)}
}

func (o *gramOperator) Dim() int { return o.s.n * o.s.k }

func (o *gramOperator) Apply(dst, src []float64) {
	o.s.fac.mul(o.sa.Data, src)
	o.s.obj.VJP(o.w, o.sa)
	o.s.obj.JVP(o.jv, o.w)
	o.s.fac.mulT(dst, o.jv.Data)
}

// flatDirections appends g along the opt.Flat flattest eigenvectors of G
// with a nonzero eigenvalue (flattest first, kind "flat"), found by
// Lanczos for the smallest eigenvalues of the smaller of the two operators
// with the same nonzero spectrum: G (p×p, when p ≤ nK) or K_Λ = J̃J̃ᵀ
// ((nK)×(nK), eigenvalue κ = nλ, eigenvector u = J̃ᵀa/√κ). gv, when not
// nil, holds K_Λ (the Gram path): K_Λ is then applied as a matrix and g
// evaluated from it; otherwise through the model. lmax is the largest
// eigenvalue of G, for the threshold below which an eigenvalue counts as
// zero (rankTol).
func flatDirections(res *Result, s *state, gv *gramVectors, opt Options, lmax float64) error {
	if opt.Flat <= 0 || s.n == 0 || s.p == 0 {
		return nil
	}
	nK := s.n * s.k
	fn := float64(s.n)
	tol := rankTol(lmax, nK, s.p)
	useG := s.p <= nK
	scale := fn // eigenvalues of K_Λ are n·λ
	if useG {
		scale = 1
	}
	if opt.FlatIfResolvable && !useG && gv == nil {
		res.Notes = append(res.Notes, fmt.Sprintf("flattest directions not searched: p = %d > nK = %d on the matrix-free path, "+
			"where Lanczos for the smallest eigenvalues of K through the model rarely converges (ask for them explicitly)", s.p, nK))
		return nil
	}
	var op linalg.Operator
	switch {
	case useG:
		op = GaussNewton{s.obj}
	case gv != nil:
		op = symOperator{gv.gramL}
	default:
		op = newGramOperator(s)
	}
	// Ask for flatExtra more than wanted; when zero eigenvalues crowd the
	// nonzero ones out, ask again for more (at most flatRetries times).
	// On the Gram path with K_Λ in memory: shift-invert, Lanczos for the
	// largest eigenvalues of (K_Λ + σI)⁻¹ through its Cholesky factor,
	// where the flattest directions are well separated.
	which := linalg.Smallest
	value := func(v float64) float64 { return v }
	method := "smallest eigenvalues of " + map[bool]string{true: "G", false: "K"}[useG]
	if !useG && gv != nil {
		if l, sigma, ok := shiftedFactor(gv, lmax*fn, s.p); ok {
			op, which, method = invOperator{l}, linalg.Largest, "largest eigenvalues of (K + σI)⁻¹ by Cholesky"
			value = func(v float64) float64 { return 1/v - sigma }
		}
	}
	k := min(opt.Flat+flatExtra, op.Dim())
	var lr *linalg.LanczosResult
	partial := ""
	start := time.Now()
	for try := 0; ; try++ {
		var err error
		basis := min(max(2*k+1, 20), op.Dim())
		lr, err = linalg.Lanczos(op, linalg.LanczosOptions{K: k, Which: which, Seed: opt.Seed,
			BasisSize: basis, MaxApplies: max(basis, flatApplies*basis)})
		if errors.Is(err, linalg.ErrNoConvergence) {
			// Keep the pairs converged in order from the flattest end.
			c := 0
			for c < len(lr.Converged) && lr.Converged[c] {
				c++
			}
			lr.Values = lr.Values[:c]
			partial = fmt.Sprintf("; Lanczos stopped after %d applications with %d of %d pairs converged", lr.Applies, c, k)
		} else if err != nil {
			return fmt.Errorf("analysis: Lanczos for the flattest directions: %w", err)
		}
		if partial != "" {
			break
		}
		zeros := 0
		for _, v := range lr.Values {
			if lam := value(v) / scale; lam <= tol {
				zeros++
			}
		}
		if k-zeros >= opt.Flat || k == op.Dim() || try == flatRetries {
			break
		}
		if time.Since(start) > opt.FlatTime {
			partial = fmt.Sprintf("; no further search after %.3g s (time cap)", time.Since(start).Seconds())
			break
		}
		k = min(op.Dim(), max(2*k, zeros+opt.Flat+flatExtra))
	}
	jv := linalg.NewDense(s.n, s.k)
	u := make([]float64, s.p)
	sa := linalg.NewDense(s.n, s.k)
	found := 0
	for t, ritz := range lr.Values {
		val := value(ritz)
		if lam := val / scale; lam <= tol || found == opt.Flat {
			continue
		}
		found++
		switch {
		case useG:
			vGv, vS1v, vg := s.quad(lr.Vectors.Row(t), jv)
			res.Directional = append(res.Directional, directional("flat", found, vGv, vS1v, vg, s.twoL))
		case gv != nil:
			res.Directional = append(res.Directional, gv.direction("flat", found, val, lr.Vectors.Row(t), s.r, s.twoL))
		default:
			s.fac.mul(sa.Data, lr.Vectors.Row(t))
			s.obj.VJP(u, sa)
			linalg.Scal(1/math.Sqrt(val), u)
			vGv, vS1v, vg := s.quad(u, jv)
			res.Directional = append(res.Directional, directional("flat", found, vGv, vS1v, vg, s.twoL))
		}
	}
	note := fmt.Sprintf("flattest directions by Lanczos (%s)", method)
	if found < opt.Flat {
		note += fmt.Sprintf(": %d nonzero of the %d smallest eigenvalues", found, len(lr.Values))
	}
	note += partial
	res.Notes = append(res.Notes, note)
	return nil
}

// shiftedFactor returns the Cholesky factor of K_Λ + σI (σ the rankTol
// threshold for κmax, so that eigenvalues counted as zero stay near σ)
// and σ. For a loss other than the square loss, K_Λ = SᵀKS vanishes on
// the null vectors N_i of every S_i (for cross-entropy √p_i): γ·N_iN_iᵀ
// with γ = κmax is added to its diagonal blocks, which moves those n
// directions (K_Λ and the block-diagonal projector commute) to the other
// end of the spectrum. ok is false when the factorization fails. It holds
// one more (nK)² matrix.
func shiftedFactor(gv *gramVectors, kmax float64, p int) (l *linalg.Dense, sigma float64, ok bool) {
	nK := gv.gramL.Rows
	sigma = rankTol(kmax, nK, p)
	if !(sigma > 0) {
		return nil, 0, false
	}
	l = gv.gramL.Clone()
	for i := 0; i < nK; i++ {
		l.Set(i, i, l.At(i, i)+sigma)
	}
	if f := gv.fac; f != nil {
		K := f.k
		sts := linalg.NewDense(K, K)
		for i := 0; i < nK/K; i++ {
			s := linalg.NewDenseData(K, K, f.s[i*K*K:(i+1)*K*K])
			linalg.Syrk(linalg.T, 1, s, 0, sts) // S_iᵀS_i
			vals, vecs, err := linalg.EigenSym(sts, true)
			if err != nil {
				return nil, 0, false
			}
			cut := 100 * float64(K) * 0x1p-52 * math.Abs(vals[K-1])
			for c := 0; c < K && vals[c] <= cut; c++ {
				for a := 0; a < K; a++ {
					for b := 0; b <= a; b++ {
						v := kmax * vecs.At(a, c) * vecs.At(b, c)
						l.Set(i*K+a, i*K+b, l.At(i*K+a, i*K+b)+v)
					}
				}
			}
		}
	}
	if cholesky(l) != nil {
		return nil, 0, false
	}
	return l, sigma, true
}
