package models

import (
	"math"

	"github.com/noisegeom/noisegeom/internal/parallel"
	"github.com/noisegeom/noisegeom/linalg"
)

// GramCost implements Grammer: per trainable layer, n²·In (AAᵀ, one
// triangle) plus (nK)²·Out (ΔΔᵀ), i.e. (nK)²·Σ_l ((In_l + bias)/K² + Out_l).
func (net *Network) GramCost() GramCost {
	K := float64(net.NumOutputs())
	var q float64
	for _, ly := range net.layers {
		if ly.Frozen {
			continue
		}
		in := float64(ly.In)
		if ly.Bias {
			in++
		}
		q += in/(K*K) + float64(ly.Out)
	}
	return GramCost{Inner: q, Label: "layer-structured K", Note: "K assembled layer by layer from (AAᵀ)⊙(ΔΔᵀ)"}
}

// structuredPanel is the number of samples per row panel of K assembled
// at once by Network.Gram.
const structuredPanel = 256

// Gram returns K = JJᵀ ((nK)×(nK)) of the network on the inputs x from the layer structure of its Jacobian, without forming J:
// the gradient of output k of sample i with respect to the weights W_l of
// a dense layer z_l = c_l(W_l a_{l−1} + b_l) is the outer product
// c_l·δ_{l,k,i} a_{l−1,i}ᵀ, with δ_{l,k,i} = ∂f_k(x_i)/∂z_l, so
//
//	K[(i,k),(j,k')] = Σ_{trainable l} c_l² (δ_{l,k,i}·δ_{l,k',j}) (a_{l−1,i}·a_{l−1,j} + [bias]).
//
// Each layer's block is (A Aᵀ) ⊙ (Δ Δᵀ), two Gemm-sized products of inner
// dimensions In_l and Out_l instead of one of inner dimension
// In_l·Out_l. K is assembled in row panels (lower triangle, then
// mirrored): memory beyond K is the activations and the δ's,
// n·(Σ_l Out_l)·(K+1) values, plus two panels.
func (net *Network) Gram(x *linalg.Dense) *linalg.Dense {
	checkBatch("Gram", net, x)
	layers := net.layers
	L := len(layers)
	n, K := x.Rows, net.NumOutputs()
	nK := n * K
	gram := linalg.NewDense(nK, nK)
	if nK == 0 || net.NumParams() == 0 {
		return gram
	}
	// Forward pass: inputs of each layer and σ'(z_l).
	inputs := make([]*linalg.Dense, L)
	d1 := make([]*linalg.Dense, L)
	a := x
	for l, ly := range layers {
		inputs[l] = a
		c := net.scale[l]
		z := linalg.NewDense(n, ly.Out)
		if ly.Bias {
			b := net.Biases(l)
			for i := 0; i < n; i++ {
				copy(z.Row(i), b)
			}
			linalg.Gemm(linalg.NoTrans, linalg.T, c, a, net.Weights(l), c, z)
		} else {
			linalg.Gemm(linalg.NoTrans, linalg.T, c, a, net.Weights(l), 0, z)
		}
		d := linalg.NewDense(n, ly.Out)
		for i := range z.Data {
			s, ds, _ := ly.Act.Eval(z.Data[i])
			z.Data[i], d.Data[i] = s, ds
		}
		d1[l], a = d, z
	}
	first := L
	for l, ly := range layers {
		if !ly.Frozen {
			first = min(first, l)
		}
	}
	// Backward pass per output: Δ_l has row i·K+k = δ_{l,k,i}.
	deltas := make([]*linalg.Dense, L)
	for l := first; l < L; l++ {
		if !layers[l].Frozen {
			deltas[l] = linalg.NewDense(nK, layers[l].Out)
		}
	}
	for k := 0; k < K; k++ {
		delta := linalg.NewDense(n, layers[L-1].Out)
		for i := 0; i < n; i++ {
			delta.Set(i, k, d1[L-1].At(i, k))
		}
		for l := L - 1; l >= first; l-- {
			if dl := deltas[l]; dl != nil {
				view := &linalg.Dense{Rows: n, Cols: dl.Cols, Stride: K * dl.Stride, Data: dl.Data[k*dl.Stride:]}
				view.Copy(delta)
			}
			if l == first {
				break
			}
			// δ_{l−1} = σ'(z_{l−1}) ⊙ (c_l δ_l W_l).
			prev := linalg.NewDense(n, layers[l].In)
			linalg.Gemm(linalg.NoTrans, linalg.NoTrans, net.scale[l], delta, net.Weights(l), 0, prev)
			for i, v := range d1[l-1].Data {
				prev.Data[i] *= v
			}
			delta = prev
		}
	}
	// Assemble the lower triangle by row panels of samples.
	buf1 := make([]float64, structuredPanel*n)
	buf2 := make([]float64, structuredPanel*K*nK)
	for i0 := 0; i0 < n; i0 += structuredPanel {
		i1 := min(i0+structuredPanel, n)
		for l := first; l < L; l++ {
			if deltas[l] == nil {
				continue
			}
			c2 := net.scale[l] * net.scale[l]
			in := inputs[l]
			t1 := linalg.NewDenseData(i1-i0, i1, buf1[:(i1-i0)*i1])
			if layers[l].Bias {
				for i := range t1.Data {
					t1.Data[i] = 1
				}
				linalg.Gemm(linalg.NoTrans, linalg.T, 1, in.RowsView(i0, i1), in.RowsView(0, i1), 1, t1)
			} else {
				linalg.Gemm(linalg.NoTrans, linalg.T, 1, in.RowsView(i0, i1), in.RowsView(0, i1), 0, t1)
			}
			t2 := linalg.NewDenseData((i1-i0)*K, i1*K, buf2[:(i1-i0)*K*i1*K])
			dl := deltas[l]
			linalg.Gemm(linalg.NoTrans, linalg.T, c2, dl.RowsView(i0*K, i1*K), dl.RowsView(0, i1*K), 0, t2)
			for i := i0; i < i1; i++ {
				r1 := t1.Row(i - i0)
				for k := 0; k < K; k++ {
					row := gram.Row(i*K + k)[:(i+1)*K]
					r2 := t2.Row((i-i0)*K + k)
					for j := 0; j <= i; j++ {
						aij := r1[j]
						for kk := 0; kk < K; kk++ {
							row[j*K+kk] += aij * r2[j*K+kk]
						}
					}
				}
			}
		}
	}
	mirrorLower(gram)
	return gram
}

// mirrorLower copies the strict lower triangle of the square a onto its
// upper triangle, by tiles so both sides stay in cache, tile rows handed to
// up to GOMAXPROCS workers.
func mirrorLower(a *linalg.Dense) {
	const tile = 32
	n, ld := a.Rows, a.Stride
	tiles := (n + tile - 1) / tile
	parallel.Each(tiles, parallel.Workers(n, 256, 0), func(_, t int) {
		r0 := t * tile
		for c0 := r0; c0 < n; c0 += tile {
			for c := c0; c < min(c0+tile, n); c++ {
				src := a.Data[c*ld+r0 : c*ld+min(r0+tile, c)]
				for k, v := range src {
					a.Data[(r0+k)*ld+c] = v
				}
			}
		}
	})
}

// GramCost implements Grammer: one Syrk of inner dimension d.
func (m *DiagonalLinear) GramCost() GramCost {
	return GramCost{Inner: float64(m.d), Label: "diagonal-structured K", Note: "K = X·diag(w)·Xᵀ from the diagonal structure of ∂F/∂θ"}
}

// Gram returns K = JJᵀ (n×n) on the inputs x without forming J: the
// Jacobian row of sample i is x_iᵀ∂F/∂θ and ∂F/∂θ has one nonzero per
// column in row d (F_d depends on u_d and v_d only), so K = X·diag(w)·Xᵀ
// with w_d = ‖∇_θF_d‖², one Syrk of inner dimension d instead of p = 2d.
// The w_d are read off the model as the squared Jacobian row norms of the
// unit inputs e_d.
func (m *DiagonalLinear) Gram(x *linalg.Dense) *linalg.Dense {
	checkBatch("Gram", m, x)
	n, d, p := x.Rows, m.InputDim(), m.NumParams()
	gram := linalg.NewDense(n, n)
	if n == 0 || p == 0 {
		return gram
	}
	eye := linalg.NewDense(d, d)
	for i := 0; i < d; i++ {
		eye.Set(i, i, 1)
	}
	fth := linalg.NewDense(d, p)
	Jacobian(m, fth, eye)
	scale := make([]float64, d)
	for i := range scale {
		r := fth.Row(i)
		scale[i] = math.Sqrt(linalg.Dot(r, r))
	}
	y := linalg.NewDense(n, d)
	for i := 0; i < n; i++ {
		xi, yi := x.Row(i), y.Row(i)
		for j, s := range scale {
			yi[j] = xi[j] * s
		}
	}
	linalg.Syrk(linalg.NoTrans, 1, y, 0, gram)
	return gram
}
