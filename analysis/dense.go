package analysis

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// frobDot returns Σ_ab A_ab B_ab = Tr(AB) for symmetric A, B.
func frobDot(a, b *linalg.Dense) float64 {
	var s float64
	for i := 0; i < a.Rows; i++ {
		s += linalg.Dot(a.Row(i), b.Row(i))
	}
	return s
}

func trace(a *linalg.Dense) float64 {
	var s float64
	for i := 0; i < a.Rows; i++ {
		s += a.At(i, i)
	}
	return s
}

// quadForm returns vᵀAv.
func quadForm(a *linalg.Dense, v, tmp []float64) float64 {
	linalg.Gemv(linalg.NoTrans, 1, a, v, 0, tmp)
	return linalg.Dot(v, tmp)
}

// denseIngredients computes the ingredients from the p×p matrices.
func denseIngredients(m *DenseMatrices, n, K, p int) Ingredients {
	in := Ingredients{N: n, P: p, Outputs: K, Loss: m.Loss, TwoL: 2 * m.Loss}
	in.GradNorm2 = linalg.Dot(m.Grad, m.Grad)
	in.TrG = trace(m.G)
	in.FrobG2 = frobDot(m.G, m.G)
	in.TrSigma1 = trace(m.Sigma1)
	in.TrSigma = trace(m.Sigma)
	in.TrSigma1G = frobDot(m.Sigma1, m.G)
	in.TrSigmaG = frobDot(m.Sigma, m.G)
	in.GradGGrad = quadForm(m.G, m.Grad, make([]float64, p))
	if m.H != nil {
		in.HKnown, in.TrH, in.TrSigmaH = true, trace(m.H), frobDot(m.Sigma, m.H)
	}
	return in
}

// densePath computes the Result from p×p matrices: traces from their
// entries, eigenpairs of G by EigenSym, g from quadratic forms.
func densePath(obj *models.Objective, opt Options) (*Result, error) {
	m, err := Dense(obj, opt.Hessian)
	if err != nil {
		return nil, err
	}
	n, K, p := obj.N(), obj.Model.NumOutputs(), obj.NumParams()
	in := denseIngredients(m, n, K, p)
	tmp := make([]float64, p)
	res := &Result{Path: PathDense, Ingredients: in}
	res.finish()
	if opt.Bootstrap > 0 && n > 0 {
		res.StdErr = denseBootstrap(newState(obj), opt.Bootstrap, opt.Seed)
	}
	if p == 0 {
		return res, nil
	}
	vals, vecs, err := linalg.EigenSym(m.G, true)
	if err != nil {
		return res, fmt.Errorf("analysis: eigen-decomposition of G: %w", err)
	}
	tol := rankTol(vals[p-1], n*K, p)
	rank := 0
	for i := p - 1; i >= 0 && vals[i] > tol; i-- {
		res.Eigenvalues = append(res.Eigenvalues, vals[i])
		rank++
	}
	u := make([]float64, p)
	add := func(kind string, rank, c int) {
		vecs.Col(u, c)
		vGv := quadForm(m.G, u, tmp)
		vS1v := quadForm(m.Sigma1, u, tmp)
		res.Directional = append(res.Directional, directional(kind, rank, vGv, vS1v, linalg.Dot(m.Grad, u), in.TwoL))
	}
	for t := 0; t < min(opt.TopK, rank); t++ {
		add("top", t+1, p-1-t)
	}
	for t := 0; t < min(opt.Flat, rank); t++ {
		add("flat", t+1, p-rank+t)
	}
	if opt.Angles > 0 && rank > 0 {
		k := min(opt.Angles, rank)
		svals, svecs, err := linalg.EigenSym(m.Sigma, true)
		if err != nil {
			return res, fmt.Errorf("analysis: eigen-decomposition of Σ: %w", err)
		}
		gu, su := linalg.NewDense(k, p), linalg.NewDense(k, p)
		for t := 0; t < k; t++ {
			vecs.Col(gu.Row(t), p-1-t)
			svecs.Col(su.Row(t), p-1-t)
			res.SigmaEigenvalues = append(res.SigmaEigenvalues, svals[p-1-t])
		}
		res.Angles = PrincipalAngles(su, gu)
		noteCut(res, "G", res.Eigenvalues, k)
		sdesc := make([]float64, p)
		for i := range sdesc {
			sdesc[i] = svals[p-1-i]
		}
		noteCut(res, "Σ", sdesc, k)
	}
	if opt.Random > 0 {
		v := randomDirections(p, opt.Random, opt.Seed)
		for j := 0; j < opt.Random; j++ {
			r := v.Row(j)
			res.Directional = append(res.Directional, directional("random", j+1,
				quadForm(m.G, r, tmp), quadForm(m.Sigma1, r, tmp), linalg.Dot(m.Grad, r), in.TwoL))
		}
	}
	return res, nil
}
