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
// For K = 1 these are the formulas of docs/theory.md#computation-paths.
// (The square loss; other losses go through the generalized Gauss–Newton
// Gram matrix, see gramMetricsWeighted.)
func GramMetrics(gram, r *linalg.Dense, p int) Ingredients {
	return gramMetricsWeighted(gram, gram, nil, r, p, nil)
}

// gramMetricsWeighted is GramMetrics for the generalized Gauss–Newton
// matrix G = J̃ᵀJ̃/n, J̃_i = S_iᵀJ_i (fac; nil for the square loss, then
// gramL = gram), with r the cotangents u_i = ∂ℓ_i/∂f, gram = JJᵀ and gramL
// = J̃J̃ᵀ = SᵀKS: Tr G and ‖G‖_F² come from gramL, Tr Σ₁ and ‖∇L‖² from
// gram, and Tr(Σ₁G) = (1/n²) Σ_i ‖Sᵀw_i‖², ∇LᵀG∇L = ‖SᵀKr‖²/n³ (the block
// j of w_i is J_j∇ℓ_i, so that of Sᵀw_i is J̃_j∇ℓ_i); L is the mean of
// the per-sample losses fac.loss (½‖r_i‖² when fac is nil).
//
// With c non-nil it evaluates the data set in which sample i appears c[i]
// times (c[i] ≥ 0 integers for a bootstrap resample): every sum over
// samples is weighted by c, n becomes Σc.
func gramMetricsWeighted(gram, gramL *linalg.Dense, fac *factor, r *linalg.Dense, p int, c []float64) Ingredients {
	n, K := r.Rows, r.Cols
	nK := n * K
	if gram.Rows != nK || gram.Cols != nK || gramL.Rows != nK || gramL.Cols != nK {
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
	var sumR2, sumL, trK, frob, trS1, ts1g float64
	w := make([]float64, nK)
	sw := w
	if fac != nil {
		sw = make([]float64, nK)
	}
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
			rowL := gramL.Row(i*K + k)
			trK += ci * rowL[i*K+k]
			frob += ci * wdot(rowL, rowL)
			if rik != 0 {
				linalg.Axpy(rik, row, w)
			}
			sumR2 += ci * rik * rik
		}
		if fac != nil {
			sumL += ci * fac.loss[i]
		}
		// r_iᵀ K_ii r_i = Σ_k r_ik w_(i,k).
		trS1 += ci * linalg.Dot(ri, w[i*K:(i+1)*K])
		if fac != nil {
			fac.mulT(sw, w)
		}
		ts1g += ci * wdot(sw, sw)
	}
	kr := make([]float64, nK)
	linalg.Gemv(linalg.NoTrans, 1, gram, rc, 0, kr)
	skr := kr
	if fac != nil {
		skr = make([]float64, nK)
		fac.mulT(skr, kr)
	}
	in.TwoL = sumR2 / fn
	if fac != nil {
		in.TwoL = 2 * sumL / fn
	}
	in.Loss = in.TwoL / 2
	in.TrG = trK / fn
	in.FrobG2 = frob / (fn * fn)
	in.TrSigma1 = trS1 / fn
	in.GradNorm2 = linalg.Dot(rc, kr) / (fn * fn)
	in.TrSigma = in.TrSigma1 - in.GradNorm2
	in.TrSigma1G = ts1g / (fn * fn)
	in.GradGGrad = wdot(skr, skr) / (fn * fn * fn)
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

// gramDirection returns the alignment along u = J̃ᵀa/√κ for the unit
// eigenvector a of K_Λ = J̃J̃ᵀ with eigenvalue κ > 0. With b = JJ̃ᵀa = K·Sa
// (b = κa for the square loss, passed as nil) and t_i = u_iᵀb_i/κ (u_i the
// cotangents r): vᵀGv = κ/n, vᵀΣ₁v = (κ/n) Σ_i t_i², vᵀ∇L = √κ·Σ_i t_i/n,
// so g = [Σ_i t_i² − (Σ_i t_i)²/n] / 2L.
func gramDirection(kind string, rank int, kappa float64, a, b []float64, r *linalg.Dense, twoL float64) Directional {
	n, K := r.Rows, r.Cols
	rf := flat(r)
	var s2, ra float64
	for i := 0; i < n; i++ {
		var t float64
		if b == nil {
			t = linalg.Dot(rf[i*K:(i+1)*K], a[i*K:(i+1)*K])
		} else {
			t = linalg.Dot(rf[i*K:(i+1)*K], b[i*K:(i+1)*K]) / kappa
		}
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

// gramVectors holds K = JJᵀ, K_Λ = SᵀKS (the same matrix for the square
// loss) and the factors.
type gramVectors struct {
	gram, gramL *linalg.Dense
	fac         *factor
	sa, b       []float64
}

// direction returns gramDirection for the eigenpair (κ, a) of K_Λ.
func (g *gramVectors) direction(kind string, rank int, kappa float64, a []float64, r *linalg.Dense, twoL float64) Directional {
	if g.fac == nil {
		return gramDirection(kind, rank, kappa, a, nil, r, twoL)
	}
	nK := len(a)
	if g.sa == nil {
		g.sa, g.b = make([]float64, nK), make([]float64, nK)
	}
	g.fac.mul(g.sa, a)
	symOperator{g.gram}.Apply(g.b, g.sa)
	return gramDirection(kind, rank, kappa, a, g.b, r, twoL)
}

// gramPath computes the Result through K.
func gramPath(obj *models.Objective, opt Options) (*Result, error) {
	s := newState(obj)
	var gram *linalg.Dense
	blocks := 0
	structured, isStructured := obj.Model.(models.Grammer)
	isStructured = isStructured && !opt.Unstructured
	if isStructured {
		gram = structured.Gram(obj.X)
	} else {
		gram, blocks = Gram(obj, opt.MemoryBudget)
	}
	gv := &gramVectors{gram: gram, gramL: gram, fac: s.fac}
	if s.fac != nil && gram.Rows > 0 {
		gv.gramL = s.fac.sandwich(gram)
	}
	res := &Result{Path: PathGram, Ingredients: gramMetricsWeighted(gram, gv.gramL, s.fac, s.r, s.p, nil)}
	if isStructured {
		res.Notes = append(res.Notes, structured.GramCost().Note)
	}
	if s.fac != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("loss %s: G is the generalized Gauss–Newton matrix JᵀΛJ/n, its Gram matrix SᵀKS (Λ_i = S_iS_iᵀ)", s.obj.Loss.Name()))
	}
	if blocks > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("Jacobian processed in %d parameter blocks (memory budget %d bytes)", blocks, opt.MemoryBudget))
	}
	if opt.Hessian {
		s.hessianTraces(&res.Ingredients, opt.HessianProbes, opt.Seed)
	}
	res.finish()
	if opt.Bootstrap > 0 {
		res.StdErr = bootstrap(gv, s.r, s.p, opt.Bootstrap, opt.Seed)
	}
	nK := gram.Rows
	if nK > 0 && s.p > 0 {
		if err := gramEigen(res, gv, s, opt); err != nil {
			return res, err
		}
	}
	s.addRandom(res, opt)
	return res, nil
}

// gramEigen adds the eigenvalues of G and the eigen-direction alignments
// and, when opt.Angles > 0, the principal angles between the top
// eigenspaces of Σ and G (G's eigenvectors formed as u = Jᵀa/√κ).
func gramEigen(res *Result, gv *gramVectors, s *state, opt Options) error {
	gram := gv.gramL
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
			res.Directional = append(res.Directional, gv.direction("flat", t+1, vals[c], a, s.r, s.twoL))
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
		res.Notes = append(res.Notes, fmt.Sprintf("nK = %d > %d: top %d eigenpairs of K by Lanczos", nK, opt.FullEigenMax, k))
		if len(res.Eigenvalues) > 0 {
			if err := flatDirections(res, s, gv, opt, res.Eigenvalues[0]); err != nil {
				return err
			}
		}
	}
	var top []Directional
	for t := 0; t < min(opt.TopK, len(topA)); t++ {
		top = append(top, gv.direction("top", t+1, topKappa[t], topA[t], s.r, s.twoL))
	}
	res.Directional = append(top, res.Directional...)
	if opt.Angles > 0 && len(topA) > 0 {
		k := min(opt.Angles, len(topA))
		u := linalg.NewDense(k, s.p)
		sa := make([]float64, nK)
		for t := 0; t < k; t++ {
			s.fac.mul(sa, topA[t])
			cot := linalg.NewDenseData(s.n, s.k, sa)
			s.obj.VJP(u.Row(t), cot)
			linalg.Scal(1/math.Sqrt(topKappa[t]), u.Row(t))
		}
		return subspaceAngles(res, s.obj, u, k, opt.Seed)
	}
	return nil
}
