package analysis

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// Gram returns K = J Jᵀ ((nK)×(nK), row and column i·K+k for output k of
// sample i) at the objective's θ, through linalg.Syrk.
//
// When the whole Jacobian fits in budget bytes it is formed once and K is
// one Syrk. Otherwise J is processed in blocks of parameters (columns) of
// width w = budget/(16·nK): for each block the Jacobian is streamed by
// blocks of samples (models.Objective.JacobianBlocks, at most budget/2
// bytes each), its w columns gathered into an (nK)×w matrix, and K
// accumulated by Syrk. The Jacobian is then recomputed ⌈p/w⌉ times. It
// returns the number of parameter blocks used.
func Gram(obj *models.Objective, budget int64) (*linalg.Dense, int) {
	n, K, p := obj.N(), obj.Model.NumOutputs(), obj.NumParams()
	nK := n * K
	gram := linalg.NewDense(nK, nK)
	if nK == 0 || p == 0 {
		return gram, 0
	}
	if int64(nK)*int64(p)*8 <= budget {
		j := linalg.NewDense(nK, p)
		obj.Jacobian(j, 0)
		linalg.Syrk(linalg.NoTrans, 1, j, 0, gram)
		return gram, 1
	}
	w := int(budget / (16 * int64(nK)))
	w = max(1, min(w, p))
	samples := int(budget / 2 / (8 * int64(K) * int64(p)))
	samples = max(1, min(samples, n))
	buf := linalg.NewDense(nK, w)
	blocks := 0
	for j0 := 0; j0 < p; j0 += w {
		j1 := min(j0+w, p)
		jb := buf.ColsView(0, j1-j0)
		obj.JacobianBlocks(samples, func(i0 int, block *linalg.Dense) {
			dst := jb.RowsView(i0*K, i0*K+block.Rows)
			dst.Copy(block.ColsView(j0, j1))
		})
		beta := 1.0
		if j0 == 0 {
			beta = 0
		}
		linalg.Syrk(linalg.NoTrans, 1, jb, beta, gram)
		blocks++
	}
	return gram, blocks
}

// GramMetrics fills the ingredients of a Result from K = JJᵀ, the
// residuals r (n×K) and p, in O((nK)²): with w_i = Σ_k r_ik K[(i,k), :],
//
//	Tr G = Tr K/n, ‖G‖_F² = ‖K‖_F²/n², Tr Σ₁ = (1/n) Σ_i r_iᵀK_ii r_i,
//	Tr(Σ₁G) = (1/n²) Σ_i ‖w_i‖², ‖∇L‖² = rᵀKr/n², ∇LᵀG∇L = ‖Kr‖²/n³.
//
// For K = 1 these are the formulas of PAPER.md §2.
func GramMetrics(gram, r *linalg.Dense, p int) Ingredients {
	return gramMetricsWeighted(gram, r, p, nil)
}

// gramMetricsWeighted is GramMetrics for the data set in which sample i
// appears c[i] times (c[i] ≥ 0 integers for a bootstrap resample; nil
// means once each): every sum over samples is weighted by c, n becomes
// Σc.
func gramMetricsWeighted(gram, r *linalg.Dense, p int, c []float64) Ingredients {
	n, K := r.Rows, r.Cols
	nK := n * K
	if gram.Rows != nK || gram.Cols != nK {
		panic(fmt.Sprintf("analysis: GramMetrics: K is %d×%d, want %d×%d", gram.Rows, gram.Cols, nK, nK))
	}
	in := Ingredients{N: n, P: p, Outputs: K}
	if n == 0 {
		return in
	}
	rf := flat(r)
	fn := float64(n)
	// cw: weights per row of K; rc = c⊙r.
	var cw, rc []float64
	if c != nil {
		cw, rc = make([]float64, nK), make([]float64, nK)
		fn = 0
		for i, ci := range c {
			fn += ci
			for k := 0; k < K; k++ {
				cw[i*K+k] = ci
				rc[i*K+k] = ci * rf[i*K+k]
			}
		}
		in.N = int(fn)
	} else {
		rc = rf
	}
	wdot := func(x, y []float64) float64 {
		if cw == nil {
			return linalg.Dot(x, y)
		}
		var s float64
		for j, v := range x {
			s += cw[j] * v * y[j]
		}
		return s
	}
	var sumR2, trK, frob, trS1, ts1g float64
	w := make([]float64, nK)
	for i := 0; i < n; i++ {
		ci := 1.0
		if c != nil {
			if ci = c[i]; ci == 0 {
				continue
			}
		}
		ri := rf[i*K : (i+1)*K]
		clear(w)
		for k, rik := range ri {
			row := gram.Row(i*K + k)
			trK += ci * row[i*K+k]
			frob += ci * wdot(row, row)
			if rik != 0 {
				linalg.Axpy(rik, row, w)
			}
			sumR2 += ci * rik * rik
		}
		// r_iᵀ K_ii r_i = Σ_k r_ik w_(i,k).
		trS1 += ci * linalg.Dot(ri, w[i*K:(i+1)*K])
		ts1g += ci * wdot(w, w)
	}
	kr := make([]float64, nK)
	linalg.Gemv(linalg.NoTrans, 1, gram, rc, 0, kr)
	in.TwoL = sumR2 / fn
	in.Loss = in.TwoL / 2
	in.TrG = trK / fn
	in.FrobG2 = frob / (fn * fn)
	in.TrSigma1 = trS1 / fn
	in.GradNorm2 = linalg.Dot(rc, kr) / (fn * fn)
	in.TrSigma = in.TrSigma1 - in.GradNorm2
	in.TrSigma1G = ts1g / (fn * fn)
	in.GradGGrad = wdot(kr, kr) / (fn * fn * fn)
	in.TrSigmaG = in.TrSigma1G - in.GradGGrad
	return in
}

// flat returns the n·K values of r in row order (r itself when
// contiguous).
func flat(r *linalg.Dense) []float64 {
	if r.Stride == r.Cols || r.Rows <= 1 {
		return r.Data[:r.Rows*r.Cols]
	}
	out := make([]float64, 0, r.Rows*r.Cols)
	for i := 0; i < r.Rows; i++ {
		out = append(out, r.Row(i)...)
	}
	return out
}

// gramDirection returns the alignment along u = Jᵀa/√κ for the unit
// eigenvector a of K with eigenvalue κ > 0: vᵀGv = κ/n,
// vᵀΣ₁v = (κ/n) Σ_i (r_iᵀa_i)², vᵀ∇L = √κ·rᵀa/n, so
// g = [Σ_i (r_iᵀa_i)² − (rᵀa)²/n] / 2L.
func gramDirection(kind string, rank int, kappa float64, a []float64, r *linalg.Dense, twoL float64) Directional {
	n, K := r.Rows, r.Cols
	rf := flat(r)
	var s2, ra float64
	for i := 0; i < n; i++ {
		t := linalg.Dot(rf[i*K:(i+1)*K], a[i*K:(i+1)*K])
		s2 += t * t
		ra += t
	}
	fn := float64(n)
	d := directional(kind, rank, kappa/fn, kappa/fn*s2, math.Sqrt(kappa)*ra/fn, twoL)
	if twoL != 0 {
		// The same ratio without the common factor κ/n.
		d.G = ratio(s2-ra*ra/fn, twoL, "2L = 0")
	}
	return d
}

// gramPath computes the Result through K.
func gramPath(obj *models.Objective, opt Options) (*Result, error) {
	s := newState(obj)
	var gram *linalg.Dense
	blocks := 0
	net, isNet := obj.Model.(*models.Network)
	if isNet && !opt.Unstructured {
		gram = NetworkGram(net, obj.X)
	} else {
		gram, blocks = Gram(obj, opt.MemoryBudget)
	}
	res := &Result{Path: PathGram, Ingredients: GramMetrics(gram, s.r, s.p)}
	if isNet && !opt.Unstructured {
		res.Notes = append(res.Notes, "K assembled layer by layer from (AAᵀ)⊙(ΔΔᵀ)")
	}
	if blocks > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("Jacobian processed in %d parameter blocks (memory budget %d bytes)", blocks, opt.MemoryBudget))
	}
	if opt.Hessian {
		s.hessianTraces(&res.Ingredients, opt.HessianProbes, opt.Seed)
	}
	res.finish()
	if opt.Bootstrap > 0 {
		res.StdErr = bootstrap(gram, s.r, s.p, opt.Bootstrap, opt.Seed)
	}
	nK := gram.Rows
	if nK > 0 && s.p > 0 {
		if err := gramEigen(res, gram, s, opt); err != nil {
			return res, err
		}
	}
	s.addRandom(res, opt)
	return res, nil
}

// gramEigen adds the eigenvalues of G and the eigen-direction alignments
// and, when opt.Angles > 0, the principal angles between the top
// eigenspaces of Σ and G (G's eigenvectors formed as u = Jᵀa/√κ).
func gramEigen(res *Result, gram *linalg.Dense, s *state, opt Options) error {
	nK := gram.Rows
	fn := float64(s.n)
	a := make([]float64, nK)
	var topA [][]float64 // unit eigenvectors of K, largest first
	var topKappa []float64
	if nK <= opt.FullEigenMax {
		vals, vecs, err := linalg.EigenSym(gram, true)
		if err != nil {
			return fmt.Errorf("analysis: eigen-decomposition of K: %w", err)
		}
		tol := rankTol(vals[nK-1], nK, s.p)
		rank := 0
		for i := nK - 1; i >= 0 && vals[i] > tol; i-- {
			res.Eigenvalues = append(res.Eigenvalues, vals[i]/fn)
			rank++
		}
		for t := 0; t < min(max(opt.TopK, opt.Angles), rank); t++ {
			c := nK - 1 - t
			topA = append(topA, vecs.Col(make([]float64, nK), c))
			topKappa = append(topKappa, vals[c])
		}
		for t := 0; t < min(opt.Flat, rank); t++ {
			c := nK - rank + t
			vecs.Col(a, c)
			res.Directional = append(res.Directional, gramDirection("flat", t+1, vals[c], a, s.r, s.twoL))
		}
	} else {
		k := min(max(opt.TopK, opt.Angles), nK)
		lr, err := linalg.Lanczos(symOperator{gram}, linalg.LanczosOptions{K: k, Seed: opt.Seed})
		if err != nil {
			return fmt.Errorf("analysis: Lanczos on K: %w", err)
		}
		for t, kappa := range lr.Values {
			if kappa <= rankTol(lr.Values[0], nK, s.p) {
				break
			}
			res.Eigenvalues = append(res.Eigenvalues, kappa/fn)
			topA = append(topA, lr.Vectors.Row(t))
			topKappa = append(topKappa, kappa)
		}
		res.Notes = append(res.Notes, fmt.Sprintf("nK = %d > %d: top %d eigenpairs of K by Lanczos, flattest directions not computed", nK, opt.FullEigenMax, k))
	}
	var top []Directional
	for t := 0; t < min(opt.TopK, len(topA)); t++ {
		top = append(top, gramDirection("top", t+1, topKappa[t], topA[t], s.r, s.twoL))
	}
	res.Directional = append(top, res.Directional...)
	if opt.Angles > 0 && len(topA) > 0 {
		k := min(opt.Angles, len(topA))
		u := linalg.NewDense(k, s.p)
		for t := 0; t < k; t++ {
			cot := linalg.NewDenseData(s.n, s.k, topA[t])
			s.obj.VJP(u.Row(t), cot)
			linalg.Scal(1/math.Sqrt(topKappa[t]), u.Row(t))
		}
		return subspaceAngles(res, s.obj, u, k, opt.Seed)
	}
	return nil
}
