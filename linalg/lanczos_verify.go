package linalg

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// deflatedOp is P·A·P + γ·U·Uᵀ with P = I − U·Uᵀ for orthonormal rows U:
// the found eigenvectors are moved to γ, the rest of the spectrum of A is
// kept (exactly, if U spans an invariant subspace).
type deflatedOp struct {
	op    Operator
	u     *Dense
	gamma float64
	x     []float64
	c, cd []float64
}

func (d *deflatedOp) Dim() int { return d.op.Dim() }

func (d *deflatedOp) Apply(dst, src []float64) {
	copy(d.x, src)
	Gemv(NoTrans, 1, d.u, src, 0, d.c) // c = U·src
	Gemv(T, -1, d.u, d.c, 1, d.x)      // x = P·src
	d.op.Apply(dst, d.x)
	cd := d.cd
	Gemv(NoTrans, 1, d.u, dst, 0, cd)
	for i := range cd {
		cd[i] -= d.gamma * d.c[i]
	}
	Gemv(T, -1, d.u, cd, 1, dst) // dst = P·A·P·src + γ·U·Uᵀ·src
}

// lanczosVerify implements LanczosOptions.Verify on a converged result r.
func lanczosVerify(op Operator, opt LanczosOptions, r *LanczosResult) (*LanczosResult, error) {
	n := op.Dim()
	k := opt.K
	tol := opt.Tol
	if tol == 0 {
		tol = 1e-10
	}
	nt, nb := k, 0 // sizes of the top and bottom groups in r
	switch opt.Which {
	case Smallest:
		nt, nb = 0, k
	case BothEnds:
		nt, nb = (k+1)/2, k/2
	}
	au := make([]float64, n)
	for round := 0; round <= k && n > k; round++ {
		gamma := -3 * r.NormEst
		which, vk := Largest, 1
		switch {
		case nt > 0 && nb > 0:
			gamma = 0.5 * (r.Values[nt-1] + r.Values[nt+nb-1])
			which, vk = BothEnds, min(2, n-k)
		case nb > 0:
			gamma = 3 * r.NormEst
			which = Smallest
		}
		dop := &deflatedOp{op: op, u: r.Vectors, gamma: gamma, x: make([]float64, n), c: make([]float64, k), cd: make([]float64, k)}
		start := make([]float64, n)
		rng := rand.New(rand.NewPCG(opt.Seed+uint64(round)+1, 0x632be59bd9b4e019))
		for i := range start {
			start[i] = rng.NormFloat64()
		}
		scr := make([]float64, 2*k)
		cgs2(r.Vectors, start, scr[:k], scr[k:])
		vopt := opt
		vopt.K, vopt.Which, vopt.Start, vopt.Verify = vk, which, start, false
		// ‖deflated‖ can reach 3‖A‖ through γ, and the residual with
		// respect to A adds that of U: a tighter test keeps the accepted
		// pairs within Tol (their residuals are recomputed below).
		vopt.Tol = tol / 4
		vopt.Seed = opt.Seed + uint64(round) + 1
		if vopt.BasisSize != 0 {
			vopt.BasisSize = max(vopt.BasisSize, vk+1)
		}
		vr, err := lanczosRun(dop, vopt)
		if vr != nil {
			r.Applies += vr.Applies
		}
		if err != nil {
			return r, fmt.Errorf("linalg: Lanczos: verification: %w", err)
		}
		changed := false
		for q := range vr.Values {
			th := vr.Values[q]
			var slot int
			switch {
			case which == Largest || (which == BothEnds && q == 0):
				slot = nt - 1 // the smallest of the top group
				if !(th > r.Values[slot]+tol*r.NormEst) {
					continue
				}
			default:
				slot = nt + nb - 1 // the largest of the bottom group
				if !(th < r.Values[slot]-tol*r.NormEst) {
					continue
				}
			}
			u := vr.Vectors.Row(q)
			// u ⟂ U up to its residual over the gap to γ; make it exact.
			cgs2(r.Vectors, u, scr[:k], scr[k:])
			scalInv(Nrm2(u), u)
			op.Apply(au, u)
			r.Applies++
			Axpy(-th, u, au)
			r.Values[slot] = th
			copy(r.Vectors.Row(slot), u)
			r.Residuals[slot] = Nrm2(au)
			r.Converged[slot] = r.Residuals[slot] <= tol*r.NormEst
			changed = true
		}
		if !changed {
			break
		}
		lanczosSortGroups(r, nt, nb)
	}
	return r, nil
}

// lanczosSortGroups re-sorts the top group (first nt, descending) and the
// bottom group (next nb, ascending) of r.
func lanczosSortGroups(r *LanczosResult, nt, nb int) {
	idx := make([]int, nt+nb)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx[:nt], func(a, b int) bool { return r.Values[idx[a]] > r.Values[idx[b]] })
	bot := idx[nt:]
	sort.SliceStable(bot, func(a, b int) bool { return r.Values[bot[a]] < r.Values[bot[b]] })
	vals := append([]float64(nil), r.Values...)
	res := append([]float64(nil), r.Residuals...)
	conv := append([]bool(nil), r.Converged...)
	vec := r.Vectors.Clone()
	for i, j := range idx {
		r.Values[i], r.Residuals[i], r.Converged[i] = vals[j], res[j], conv[j]
		copy(r.Vectors.Row(i), vec.Row(j))
	}
}
