package models

import (
	"github.com/noisegeom/noisegeom/linalg"
)

// rforward computes the directional derivatives R{z_l} = ∂z_l/∂θ·v and
// R{a_l} for a block after forward (with σ'). Layers below the first
// trainable one have R{·} = 0 (nil pointers). Returns R{f} or nil if zero.
//
//	R{z_l} = c (R{a_{l-1}} W_lᵀ + a_{l-1} V_lᵀ + v_b),  R{a_l} = σ'(z_l) ⊙ R{z_l}
func (n *Network) rforward(ws *workspace, x *linalg.Dense, v []float64) *linalg.Dense {
	var ra *linalg.Dense
	for l, ly := range n.layers {
		c := n.scale[l]
		rz := &ws.rz[l]
		started := false
		if ra != nil {
			linalg.Gemm(linalg.NoTrans, linalg.T, c, ra, &n.w[l], 0, rz)
			started = true
		}
		if !ly.Frozen {
			beta := 0.0
			if started {
				beta = 1
			}
			if vb := n.bview(v, l); vb != nil {
				if started {
					for i := 0; i < rz.Rows; i++ {
						linalg.Axpy(c, vb, rz.Row(i))
					}
				} else {
					for i := 0; i < rz.Rows; i++ {
						copy(rz.Row(i), vb)
					}
					beta = c
				}
			}
			linalg.Gemm(linalg.NoTrans, linalg.T, c, ws.input(x, l), n.wview(v, l), beta, rz)
			started = true
		}
		if !started {
			ws.rzP[l], ws.raP[l] = nil, nil
			continue
		}
		ws.rzP[l] = rz
		ra = rz
		if ly.Act != Identity {
			ra = &ws.ra[l]
			mulInto(ra, &ws.d1[l], rz)
		}
		ws.raP[l] = ra
	}
	return ra
}

// JVP writes Jv into dst (n×K).
func (n *Network) JVP(dst, x *linalg.Dense, v []float64) {
	checkBatch("JVP", n, x)
	checkOut("JVP", dst, x.Rows, n.NumOutputs())
	checkLen("JVP", "v", v, n.NumParams())
	n.blocks(x.Rows, func(i0, i1 int) {
		ws := n.prepare(i1 - i0)
		xb := rowsInto(&ws.xb, x, i0, i1)
		n.forward(ws, xb, withD1)
		out := rowsInto(&ws.out, dst, i0, i1)
		if jv := n.rforward(ws, xb, v); jv != nil {
			out.Copy(jv)
		} else {
			out.Zero()
		}
	})
}

// HVP writes Σ_i J_iᵀ Λ_i J_i v (+ Σ_{i,k} u_ik ∇²f_k(x_i) v unless
// gaussNewton) into dst by forward-over-reverse differentiation: a forward
// pass, the directional pass rforward (giving Jv), then one backward pass of
// the R-derivatives of the backpropagation equations,
//
//	R{δ_l}   = R{g_l} ⊙ σ'(z_l) + g_l ⊙ σ''(z_l) ⊙ R{z_l}
//	R{∇W_l}  = c (R{δ_l}ᵀ a_{l-1} + δ_lᵀ R{a_{l-1}}),  R{∇b_l} = c Σ_i R{δ_l}
//	R{g_{l-1}} = c (R{δ_l} W_l + δ_l V_l)
//
// starting from g = u, R{g} = Λ Jv at the output. The Gauss–Newton product
// drops every term carrying g.
func (n *Network) HVP(dst []float64, x *linalg.Dense, v []float64, h Head, gaussNewton bool) {
	checkBatch("HVP", n, x)
	checkLen("HVP", "dst", dst, n.NumParams())
	checkLen("HVP", "v", v, n.NumParams())
	clear(dst)
	if n.NumParams() == 0 {
		return
	}
	n.blocks(x.Rows, func(i0, i1 int) {
		ws := n.prepare(i1 - i0)
		xb := rowsInto(&ws.xb, x, i0, i1)
		want := withD1D2
		if gaussNewton {
			want = withD1
		}
		f := n.forward(ws, xb, want)
		jv := n.rforward(ws, xb, v)
		copyInto(&ws.f, f)
		h.HessProd(&ws.ru, &ws.f, jv, i0)
		if gaussNewton {
			n.backprop(ws, xb, &ws.ru, func(l int, delta, in *linalg.Dense) {
				n.accumulateGrad(dst, l, delta, in)
			})
			return
		}
		h.Cotangent(&ws.u, &ws.f, i0)
		n.rbackprop(ws, xb, dst, v)
	})
}

// rbackprop runs the backward pass and its R-derivative for HVP with
// ws.u = g_{L-1} and ws.ru = R{g_{L-1}}, adding R{∇θ} into dst.
func (n *Network) rbackprop(ws *workspace, x *linalg.Dense, dst, v []float64) {
	g, rg := &ws.u, &ws.ru
	for l := len(n.layers) - 1; l >= n.first; l-- {
		ly := n.layers[l]
		c := n.scale[l]
		d, rd := g, rg
		if ly.Act != Identity {
			d, rd = &ws.delta[l], &ws.rdelta[l]
			d1 := &ws.d1[l]
			mulInto(d, g, d1)
			mulInto(rd, rg, d1)
			if rz := ws.rzP[l]; rz != nil && ly.Act.Curved() {
				d2 := &ws.d2[l]
				for i := 0; i < rd.Rows; i++ {
					rr, gr, d2r, rzr := rd.Row(i), g.Row(i), d2.Row(i), rz.Row(i)
					for j := range rr {
						rr[j] += gr[j] * d2r[j] * rzr[j]
					}
				}
			}
		}
		var rin *linalg.Dense
		if l > 0 {
			rin = ws.raP[l-1]
		}
		if !ly.Frozen {
			dW := n.wview(dst, l)
			linalg.Gemm(linalg.T, linalg.NoTrans, c, rd, ws.input(x, l), 1, dW)
			if rin != nil {
				linalg.Gemm(linalg.T, linalg.NoTrans, c, d, rin, 1, dW)
			}
			if db := n.bview(dst, l); db != nil {
				for i := 0; i < rd.Rows; i++ {
					linalg.Axpy(c, rd.Row(i), db)
				}
			}
		}
		if l > n.first {
			gp, rgp := &ws.g[l-1], &ws.rg[l-1]
			linalg.Gemm(linalg.NoTrans, linalg.NoTrans, c, rd, &n.w[l], 0, rgp)
			if !ly.Frozen {
				linalg.Gemm(linalg.NoTrans, linalg.NoTrans, c, d, n.wview(v, l), 1, rgp)
			}
			linalg.Gemm(linalg.NoTrans, linalg.NoTrans, c, d, &n.w[l], 0, gp)
			g, rg = gp, rgp
		}
	}
}
