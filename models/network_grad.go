package models

import (
	"github.com/noisegeom/noisegeom/linalg"
)

// wview returns layer l's weight-shaped view into a parameter-length vector.
func (n *Network) wview(v []float64, l int) *linalg.Dense {
	ly := n.layers[l]
	o := n.woff[l]
	return &linalg.Dense{Rows: ly.Out, Cols: ly.In, Stride: ly.In, Data: v[o : o+ly.In*ly.Out]}
}

// bview returns layer l's bias-shaped view into a parameter-length vector
// (nil when the layer has no trainable bias).
func (n *Network) bview(v []float64, l int) []float64 {
	if n.boff[l] < 0 {
		return nil
	}
	o := n.boff[l]
	return v[o : o+n.layers[l].Out]
}

// backprop propagates the cotangent u (r×K, on the output) down to the first
// trainable layer and calls visit(l, δ_l, a_{l-1}) for each trainable layer,
// top-down, with δ_l = ∂/∂z_l of uᵀf (before the layer's Scale). It needs a
// forward pass with σ' for the same block. u is not modified.
func (n *Network) backprop(ws *workspace, x, u *linalg.Dense, visit func(l int, delta, in *linalg.Dense)) {
	g := u
	for l := len(n.layers) - 1; l >= n.first; l-- {
		ly := n.layers[l]
		d := g
		if ly.Act != Identity {
			d = &ws.delta[l]
			if ws.d1ok[l] {
				mulInto(d, g, &ws.d1[l])
			} else {
				mulDerivOut(ly.Act, d, g, ws.aP[l])
			}
		}
		ws.delP[l] = d
		in := ws.input(x, l)
		if !ly.Frozen {
			visit(l, d, in)
		}
		if l > n.first {
			gp := &ws.g[l-1]
			linalg.Gemm(linalg.NoTrans, linalg.NoTrans, n.scale[l], d, &n.w[l], 0, gp)
			g = gp
		}
	}
}

// mulInto sets dst = a ⊙ b elementwise (same shape), on up to GOMAXPROCS
// goroutines.
func mulInto(dst, a, b *linalg.Dense) {
	if p := splits(dst.Rows, rowsPer(dst.Cols)); p > 1 {
		parallelRange(dst.Rows, p, func(i0, i1 int) { mulRows(dst, a, b, i0, i1) })
	} else {
		mulRows(dst, a, b, 0, dst.Rows)
	}
}

// mulRows is mulInto for rows [i0, i1).
func mulRows(dst, a, b *linalg.Dense, i0, i1 int) {
	for i := i0; i < i1; i++ {
		dr, ar, br := dst.Row(i), a.Row(i), b.Row(i)
		ar, br = ar[:len(dr)], br[:len(dr)]
		for j := range dr {
			dr[j] = ar[j] * br[j]
		}
	}
}

// accumulateGrad adds the gradient contribution of block δ to dst:
// W_l += c δᵀ in, b_l += c Σ_i δ_i.
func (n *Network) accumulateGrad(dst []float64, l int, delta, in *linalg.Dense) {
	c := n.scale[l]
	linalg.Gemm(linalg.T, linalg.NoTrans, c, delta, in, 1, n.wview(dst, l))
	if db := n.bview(dst, l); db != nil {
		for i := 0; i < delta.Rows; i++ {
			linalg.Axpy(c, delta.Row(i), db)
		}
	}
}

// VJP writes Σ_i J_iᵀ u_i into dst, u from h.
func (n *Network) VJP(dst []float64, x *linalg.Dense, h Head) {
	checkBatch("VJP", n, x)
	checkLen("VJP", "dst", dst, n.NumParams())
	clear(dst)
	// Even without parameters the head sees the predictions (a LossHead
	// accumulates the loss).
	n.blocks(x.Rows, func(i0, i1 int) {
		ws := n.prepare(i1 - i0)
		xb := rowsInto(&ws.xb, x, i0, i1)
		f := n.forward(ws, xb, backpropOnly)
		h.Cotangent(&ws.u, f, i0)
		n.backprop(ws, xb, &ws.u, func(l int, delta, in *linalg.Dense) {
			n.accumulateGrad(dst, l, delta, in)
		})
	})
}

// PerSampleVJP writes J_iᵀ u_i into row i of dst (n×p).
func (n *Network) PerSampleVJP(dst, x *linalg.Dense, h Head) {
	checkBatch("PerSampleVJP", n, x)
	checkOut("PerSampleVJP", dst, x.Rows, n.NumParams())
	if n.NumParams() == 0 {
		return
	}
	n.blocks(x.Rows, func(i0, i1 int) {
		ws := n.prepare(i1 - i0)
		xb := rowsInto(&ws.xb, x, i0, i1)
		f := n.forward(ws, xb, backpropOnly)
		h.Cotangent(&ws.u, f, i0)
		n.backprop(ws, xb, &ws.u, func(l int, delta, in *linalg.Dense) {
			c := n.scale[l]
			wo, bo := n.woff[l], n.boff[l]
			nin := n.layers[l].In
			for i := 0; i < delta.Rows; i++ {
				row := dst.Row(i0 + i)
				dr, ar := delta.Row(i), in.Row(i)
				for j, dv := range dr {
					s := c * dv
					seg := row[wo+j*nin : wo+(j+1)*nin]
					for t, av := range ar {
						seg[t] = s * av
					}
					if bo >= 0 {
						row[bo+j] = s
					}
				}
			}
		})
	})
}

// PerSampleVJPNorms writes ‖J_iᵀ u_i‖² into dst[i], using that the
// per-sample gradient of W_l is the outer product c·δ_i a_iᵀ, whose squared
// Frobenius norm is c²‖δ_i‖²‖a_i‖².
func (n *Network) PerSampleVJPNorms(dst []float64, x *linalg.Dense, h Head) {
	checkBatch("PerSampleVJPNorms", n, x)
	checkLen("PerSampleVJPNorms", "dst", dst, x.Rows)
	clear(dst)
	if n.NumParams() == 0 {
		return
	}
	n.blocks(x.Rows, func(i0, i1 int) {
		ws := n.prepare(i1 - i0)
		xb := rowsInto(&ws.xb, x, i0, i1)
		f := n.forward(ws, xb, backpropOnly)
		h.Cotangent(&ws.u, f, i0)
		n.backprop(ws, xb, &ws.u, func(l int, delta, in *linalg.Dense) {
			c2 := n.scale[l] * n.scale[l]
			bias := 0.0
			if n.boff[l] >= 0 {
				bias = 1
			}
			for i := 0; i < delta.Rows; i++ {
				dr, ar := delta.Row(i), in.Row(i)
				dst[i0+i] += c2 * linalg.Dot(dr, dr) * (linalg.Dot(ar, ar) + bias)
			}
		})
	})
}

// DiagGGN writes diag(Σ_i J_iᵀ Λ_i J_i) into dst. With Λ_i = Σ_k s_ik s_ikᵀ
// (columns of h's factor), the diagonal is Σ_k Σ_i (J_iᵀ s_ik)², and the
// per-sample gradient of W_l for cotangent s_ik is c·δ_i a_iᵀ, so the
// contribution of W_l is c²(δ⊙δ)ᵀ(a⊙a): one Gemm per layer and output.
func (n *Network) DiagGGN(dst []float64, x *linalg.Dense, h Head) {
	checkBatch("DiagGGN", n, x)
	checkLen("DiagGGN", "dst", dst, n.NumParams())
	clear(dst)
	if n.NumParams() == 0 {
		return
	}
	K := n.NumOutputs()
	n.blocks(x.Rows, func(i0, i1 int) {
		ws := n.prepare(i1 - i0)
		xb := rowsInto(&ws.xb, x, i0, i1)
		f := n.forward(ws, xb, backpropOnly)
		copyInto(&ws.f, f)
		// Squared inputs of the trainable layers, once per block.
		for l := n.first; l < len(n.layers); l++ {
			if !n.layers[l].Frozen {
				mulInto(&ws.sq[l], ws.input(xb, l), ws.input(xb, l))
			}
		}
		visit := func(l int, delta, in *linalg.Dense) {
			c := n.scale[l]
			d2 := &ws.rdelta[l] // scratch for δ⊙δ
			mulInto(d2, delta, delta)
			linalg.Gemm(linalg.T, linalg.NoTrans, c*c, d2, &ws.sq[l], 1, n.wview(dst, l))
			if db := n.bview(dst, l); db != nil {
				for i := 0; i < d2.Rows; i++ {
					linalg.Axpy(c*c, d2.Row(i), db)
				}
			}
		}
		for k := 0; k < K; k++ {
			h.HessFactor(&ws.u, &ws.f, k, i0)
			n.backprop(ws, xb, &ws.u, visit)
		}
	})
}

// copyInto copies src into dst, which has src's shape.
func copyInto(dst, src *linalg.Dense) {
	if dst != src {
		dst.Copy(src)
	}
}
