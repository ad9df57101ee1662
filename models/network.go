package models

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
)

// Layer describes one dense layer of a Network: z = Scale·(W a + b),
// output σ(z), with W an Out×In matrix (row-major) and b (if Bias) of
// length Out.
type Layer struct {
	In, Out int
	Act     Activation
	Bias    bool
	// Frozen layers are fixed: their weights are not part of θ.
	Frozen bool
	// Scale multiplies the pre-activation; 0 means 1.
	Scale float64
	// Init is the weight initialisation scheme used by Network.Init.
	Init Init
}

// DefaultBlockRows is the number of samples a Network processes at once.
const DefaultBlockRows = 1024

// Network is a stack of dense layers (see Layer). Trainable weights and
// biases live in one flat θ, layer by layer (W_l row-major, then b_l);
// frozen layers keep theirs in separate storage.
type Network struct {
	layers []Layer
	theta  []float64
	frozen []float64
	w      []linalg.Dense // weight views into theta or frozen
	b      [][]float64    // bias views, nil without bias
	woff   []int          // offset of W_l in θ; -1 when frozen
	boff   []int          // offset of b_l in θ; -1 when frozen or no bias
	scale  []float64
	first  int // index of the first trainable layer (len(layers) if none)

	// BlockRows is the number of samples processed per block (memory
	// ∝ BlockRows × Σ widths); ≤ 0 means DefaultBlockRows.
	BlockRows int

	ws workspace
}

// NewNetwork builds a network from its layers, which must chain (Out of
// one layer = In of the next). Parameters start at zero; call Init or
// write Params and FrozenWeights.
func NewNetwork(layers []Layer) *Network {
	if len(layers) == 0 {
		panic("models: NewNetwork: no layers")
	}
	n := &Network{layers: append([]Layer(nil), layers...), first: len(layers)}
	var p, q int
	for l, ly := range n.layers {
		if ly.In <= 0 || ly.Out <= 0 {
			panic(fmt.Sprintf("models: NewNetwork: layer %d is %d→%d", l, ly.In, ly.Out))
		}
		if l > 0 && ly.In != layers[l-1].Out {
			panic(fmt.Sprintf("models: NewNetwork: layer %d takes %d inputs, layer %d gives %d", l, ly.In, l-1, layers[l-1].Out))
		}
		size := ly.In * ly.Out
		if ly.Bias {
			size += ly.Out
		}
		if ly.Frozen {
			q += size
		} else {
			p += size
			n.first = min(n.first, l)
		}
	}
	n.theta = make([]float64, p)
	n.frozen = make([]float64, q)
	n.bindViews()
	return n
}

// bindViews sets the weight and bias views into theta and frozen.
func (n *Network) bindViews() {
	L := len(n.layers)
	n.w = make([]linalg.Dense, L)
	n.b = make([][]float64, L)
	n.woff = make([]int, L)
	n.boff = make([]int, L)
	n.scale = make([]float64, L)
	var p, q int
	for l, ly := range n.layers {
		store, off := n.theta, &p
		n.woff[l], n.boff[l] = p, -1
		if ly.Frozen {
			store, off = n.frozen, &q
			n.woff[l] = -1
		}
		n.w[l] = linalg.Dense{Rows: ly.Out, Cols: ly.In, Stride: ly.In, Data: store[*off : *off+ly.In*ly.Out]}
		*off += ly.In * ly.Out
		if ly.Bias {
			if !ly.Frozen {
				n.boff[l] = p
			}
			n.b[l] = store[*off : *off+ly.Out]
			*off += ly.Out
		}
		n.scale[l] = ly.Scale
		if ly.Scale == 0 {
			n.scale[l] = 1
		}
	}
}

// Layers returns a copy of the layer descriptions.
func (n *Network) Layers() []Layer { return append([]Layer(nil), n.layers...) }

// Weights returns the weight matrix of layer l (Out×In), a view into θ or
// the frozen storage.
func (n *Network) Weights(l int) *linalg.Dense { return &n.w[l] }

// Biases returns the bias vector of layer l (nil without bias), a view.
func (n *Network) Biases(l int) []float64 { return n.b[l] }

// FrozenWeights returns the storage of the frozen layers' weights and
// biases, layer by layer as in θ.
func (n *Network) FrozenWeights() []float64 { return n.frozen }

// NumParams, InputDim, NumOutputs and Params implement Model.
func (n *Network) NumParams() int    { return len(n.theta) }
func (n *Network) InputDim() int     { return n.layers[0].In }
func (n *Network) NumOutputs() int   { return n.layers[len(n.layers)-1].Out }
func (n *Network) Params() []float64 { return n.theta }

// Clone returns a deep copy with its own workspace.
func (n *Network) Clone() Model {
	c := &Network{layers: append([]Layer(nil), n.layers...), first: n.first, BlockRows: n.BlockRows}
	c.theta = append([]float64(nil), n.theta...)
	c.frozen = append([]float64(nil), n.frozen...)
	c.bindViews()
	return c
}

// Init draws every layer's weights (trainable and frozen) by its Init
// scheme from a generator seeded with seed; biases are set to zero.
func (n *Network) Init(seed uint64) {
	rng := newRand(seed)
	for l, ly := range n.layers {
		ly.Init.fill(rng, n.w[l].Data, ly.In, ly.Out)
		clear(n.b[l])
	}
}

func (n *Network) blockRows() int {
	if n.BlockRows > 0 {
		return n.BlockRows
	}
	return DefaultBlockRows
}

// workspace holds per-layer buffers for one block of rows.
type workspace struct {
	rows          int
	z, a, d1, d2  []linalg.Dense // pre-activation, output, σ', σ''
	rz, ra        []linalg.Dense // R{z}, R{a} = directional derivatives
	g, rg         []linalg.Dense // cotangent on a_l and its R-derivative
	delta, rdelta []linalg.Dense // g⊙σ' and its R-derivative
	sq            []linalg.Dense // scratch: squared layer inputs
	u, ru, f      linalg.Dense
	xb, out       linalg.Dense // views of the current block of x and dst
	// Pointers to the current a_l, δ_l, R{z_l}, R{a_l}, R{δ_l}: identity
	// layers alias (a_l = z_l, δ_l = g_l, …); nil R-pointers mean zero.
	aP, delP, rzP, raP, rdelP []*linalg.Dense
	// d1ok[l] reports whether d1[l] holds σ'(z_l) for the current block.
	d1ok []bool
}

// prepare sizes the workspace for a block of r rows.
func (n *Network) prepare(r int) *workspace {
	ws := &n.ws
	L := len(n.layers)
	if ws.z == nil {
		for _, p := range []*[]linalg.Dense{&ws.z, &ws.a, &ws.d1, &ws.d2, &ws.rz, &ws.ra, &ws.g, &ws.rg, &ws.delta, &ws.rdelta, &ws.sq} {
			*p = make([]linalg.Dense, L)
		}
		for _, p := range []*[]*linalg.Dense{&ws.aP, &ws.delP, &ws.rzP, &ws.raP, &ws.rdelP} {
			*p = make([]*linalg.Dense, L)
		}
		ws.d1ok = make([]bool, L)
	}
	if r > ws.rows {
		ws.rows = r
		for _, p := range [][]linalg.Dense{ws.z, ws.a, ws.d1, ws.d2, ws.rz, ws.ra, ws.g, ws.rg, ws.delta, ws.rdelta, ws.sq} {
			for l := range p {
				p[l].Data = nil
			}
		}
		ws.u.Data, ws.ru.Data, ws.f.Data = nil, nil, nil
	}
	for l, ly := range n.layers {
		for _, p := range [][]linalg.Dense{ws.z, ws.a, ws.d1, ws.d2, ws.rz, ws.ra, ws.g, ws.rg, ws.delta, ws.rdelta} {
			shape(&p[l], r, ly.Out, ws.rows)
		}
		shape(&ws.sq[l], r, ly.In, ws.rows) // squared layer inputs
	}
	K := n.NumOutputs()
	shape(&ws.u, r, K, ws.rows)
	shape(&ws.ru, r, K, ws.rows)
	shape(&ws.f, r, K, ws.rows)
	return ws
}

// shape makes m an r×c compact matrix, allocating capacity for capRows rows
// on first use.
func shape(m *linalg.Dense, r, c, capRows int) {
	if m.Data == nil {
		m.Data = make([]float64, capRows*c)
	}
	m.Rows, m.Cols, m.Stride = r, c, max(c, 1)
}

// blocks calls fn for consecutive row ranges of at most the block size.
func (n *Network) blocks(rows int, fn func(i0, i1 int)) {
	B := n.blockRows()
	for i0 := 0; i0 < rows; i0 += B {
		fn(i0, min(i0+B, rows))
	}
}

// derivs says which derivatives of the activations a forward pass stores.
type derivs int

const (
	noDerivs     derivs = iota // values only (predictions)
	backpropOnly               // what backprop needs: σ' where it cannot be had from σ (see Activation.fromOutput)
	withD1                     // σ' for every layer (the R-passes read it)
	withD1D2                   // σ' and σ”
)

// forward computes z_l, a_l (and σ', σ” as asked by want) for a block of
// inputs. For identity layers a_l aliases z_l. Returns the output a_{L-1}.
func (n *Network) forward(ws *workspace, x *linalg.Dense, want derivs) *linalg.Dense {
	return n.forwardTo(ws, x, len(n.layers)-1, want)
}

// forwardTo runs the forward pass through layer last only. It records in
// ws.d1ok[l] whether σ'(z_l) is stored in ws.d1[l]. Elementwise passes run
// on up to GOMAXPROCS goroutines (the results do not depend on how many).
func (n *Network) forwardTo(ws *workspace, x *linalg.Dense, last int, want derivs) *linalg.Dense {
	in := x
	for l, ly := range n.layers[:last+1] {
		z := &ws.z[l]
		c := n.scale[l]
		beta := 0.0
		if ly.Bias {
			fillRows(z, n.b[l])
			beta = c
		}
		linalg.Gemm(linalg.NoTrans, linalg.T, c, in, &n.w[l], beta, z)
		size := z.Rows * z.Cols
		var d1, d2 []float64
		needD1 := want >= withD1 || want == backpropOnly && !ly.Act.DerivFromOutput()
		if needD1 && ly.Act != Identity {
			d1 = ws.d1[l].Data[:size]
		}
		ws.d1ok[l] = d1 != nil
		if want == withD1D2 && ly.Act.Curved() {
			d2 = ws.d2[l].Data[:size]
		}
		if ly.Act == Identity {
			ws.aP[l] = z
		} else {
			a := &ws.a[l]
			ad, zd := a.Data[:size], z.Data[:size]
			if p := splits(size, parallelMinWork); p > 1 {
				act := ly.Act
				parallelRange(size, p, func(i0, i1 int) {
					act.EvalTo(ad[i0:i1], sub(d1, i0, i1), sub(d2, i0, i1), zd[i0:i1])
				})
			} else {
				ly.Act.EvalTo(ad, d1, d2, zd)
			}
			ws.aP[l] = a
		}
		in = ws.aP[l]
	}
	return in
}

// fillRows copies b into every row of z, on up to GOMAXPROCS goroutines.
func fillRows(z *linalg.Dense, b []float64) {
	if p := splits(z.Rows, rowsPer(z.Cols)); p > 1 {
		parallelRange(z.Rows, p, func(i0, i1 int) { fillRowRange(z, b, i0, i1) })
	} else {
		fillRowRange(z, b, 0, z.Rows)
	}
}

// fillRowRange is fillRows for rows [i0, i1).
func fillRowRange(z *linalg.Dense, b []float64, i0, i1 int) {
	for i := i0; i < i1; i++ {
		copy(z.Row(i), b)
	}
}

// sub returns x[i0:i1], or nil for nil x.
func sub(x []float64, i0, i1 int) []float64 {
	if x == nil {
		return nil
	}
	return x[i0:i1]
}

// input returns the input of layer l: x for l = 0, else a_{l-1}.
func (ws *workspace) input(x *linalg.Dense, l int) *linalg.Dense {
	if l == 0 {
		return x
	}
	return ws.aP[l-1]
}

// Predict writes the network's outputs for x into dst.
func (n *Network) Predict(dst, x *linalg.Dense) {
	checkBatch("Predict", n, x)
	checkOut("Predict", dst, x.Rows, n.NumOutputs())
	n.blocks(x.Rows, func(i0, i1 int) {
		ws := n.prepare(i1 - i0)
		f := n.forward(ws, rowsInto(&ws.xb, x, i0, i1), noDerivs)
		rowsInto(&ws.out, dst, i0, i1).Copy(f)
	})
}

// LayerOutputs writes the outputs σ(z_l) of layer l for the batch x into
// dst (n×Out_l). For the random-feature model, LayerOutputs(dst, x, 0) is
// the feature matrix Φ = σ(XWᵀ); a linear model on Φ (NewLinear) has the
// same θ-derivatives and avoids recomputing the frozen layer on every call
// when the data set is fixed.
func (n *Network) LayerOutputs(dst, x *linalg.Dense, l int) {
	checkBatch("LayerOutputs", n, x)
	if l < 0 || l >= len(n.layers) {
		panic(fmt.Sprintf("models: LayerOutputs: layer %d of %d", l, len(n.layers)))
	}
	checkOut("LayerOutputs", dst, x.Rows, n.layers[l].Out)
	n.blocks(x.Rows, func(i0, i1 int) {
		ws := n.prepare(i1 - i0)
		a := n.forwardTo(ws, rowsInto(&ws.xb, x, i0, i1), l, noDerivs)
		rowsInto(&ws.out, dst, i0, i1).Copy(a)
	})
}
