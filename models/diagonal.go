package models

import "github.com/noisegeom/noisegeom/linalg"

// DiagonalKind selects the reparameterisation of a diagonal linear network.
type DiagonalKind int

const (
	// Product is F = u ⊙ v.
	Product DiagonalKind = iota
	// Difference is F = u ⊙ u − v ⊙ v.
	Difference
)

// DiagonalLinear is the diagonal linear network f(x) = ⟨F(θ), x⟩ with
// θ = (u, v), u, v ∈ R^d (p = 2d, u first), and F = u⊙v or u⊙u − v⊙v.
type DiagonalLinear struct {
	Kind  DiagonalKind
	d     int
	theta []float64
	// workspace
	F, dF, s  []float64
	col, aux  []float64 // n-length scratch
	u, f      linalg.Dense
	jv, ru, c linalg.Dense
}

// NewDiagonalLinear returns a diagonal linear network on R^d with θ = 0.
func NewDiagonalLinear(d int, kind DiagonalKind) *DiagonalLinear {
	return &DiagonalLinear{Kind: kind, d: d, theta: make([]float64, 2*d)}
}

// Init draws every entry of u and v as alpha·(1 + noise·ξ), ξ ~ N(0, 1),
// from a generator seeded with seed. alpha is the initialisation scale of
// the diagonal-network literature (small: rich regime, large: kernel
// regime); with noise = 0 and F = u⊙u − v⊙v the network starts at F = 0.
func (m *DiagonalLinear) Init(seed uint64, alpha, noise float64) {
	rng := newRand(seed)
	for i := range m.theta {
		m.theta[i] = alpha * (1 + noise*rng.NormFloat64())
	}
}

// NumParams, InputDim, NumOutputs and Params implement Model; p = 2d, K = 1.
func (m *DiagonalLinear) NumParams() int    { return 2 * m.d }
func (m *DiagonalLinear) InputDim() int     { return m.d }
func (m *DiagonalLinear) NumOutputs() int   { return 1 }
func (m *DiagonalLinear) Params() []float64 { return m.theta }

// Clone returns a deep copy.
func (m *DiagonalLinear) Clone() Model {
	return &DiagonalLinear{Kind: m.Kind, d: m.d, theta: append([]float64(nil), m.theta...)}
}

func (m *DiagonalLinear) uv() (u, v []float64) { return m.theta[:m.d], m.theta[m.d:] }

// effective computes F(θ) into m.F.
func (m *DiagonalLinear) effective() []float64 {
	m.F = grow(m.F, m.d)
	u, v := m.uv()
	for j := range m.F {
		if m.Kind == Product {
			m.F[j] = u[j] * v[j]
		} else {
			m.F[j] = u[j]*u[j] - v[j]*v[j]
		}
	}
	return m.F
}

// EffectiveWeights writes F(θ) into dst (length d).
func (m *DiagonalLinear) EffectiveWeights(dst []float64) {
	checkLen("EffectiveWeights", "dst", dst, m.d)
	copy(dst, m.effective())
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// colView wraps a length-n slice as an n×1 matrix.
func colView(m *linalg.Dense, s []float64) *linalg.Dense {
	*m = linalg.Dense{Rows: len(s), Cols: 1, Stride: 1, Data: s}
	return m
}

// Predict writes ⟨F, x_i⟩ into dst (n×1).
func (m *DiagonalLinear) Predict(dst, x *linalg.Dense) {
	checkBatch("Predict", m, x)
	checkOut("Predict", dst, x.Rows, 1)
	m.gemvCol(dst, x, m.effective())
}

// gemvCol sets the column dst = x·w.
func (m *DiagonalLinear) gemvCol(dst, x *linalg.Dense, w []float64) {
	if dst.Stride == 1 {
		linalg.Gemv(linalg.NoTrans, 1, x, w, 0, dst.Data[:dst.Rows])
		return
	}
	m.s = grow(m.s, x.Rows)
	linalg.Gemv(linalg.NoTrans, 1, x, w, 0, m.s)
	dst.SetCol(0, m.s)
}

// dFdot writes ∂F·v (the change of F along v) into m.dF.
func (m *DiagonalLinear) dFdot(v []float64) []float64 {
	m.dF = grow(m.dF, m.d)
	u, w := m.uv()
	vu, vv := v[:m.d], v[m.d:]
	for j := range m.dF {
		if m.Kind == Product {
			m.dF[j] = vu[j]*w[j] + u[j]*vv[j]
		} else {
			m.dF[j] = 2 * (u[j]*vu[j] - w[j]*vv[j])
		}
	}
	return m.dF
}

// pullback writes ∂Fᵀ s into dst (length 2d) for s ∈ R^d.
func (m *DiagonalLinear) pullback(dst, s []float64) {
	u, v := m.uv()
	for j, sj := range s {
		if m.Kind == Product {
			dst[j], dst[m.d+j] = v[j]*sj, u[j]*sj
		} else {
			dst[j], dst[m.d+j] = 2*u[j]*sj, -2*v[j]*sj
		}
	}
}

// JVP writes Jv = X(∂F·v) into dst (n×1).
func (m *DiagonalLinear) JVP(dst, x *linalg.Dense, v []float64) {
	checkBatch("JVP", m, x)
	checkOut("JVP", dst, x.Rows, 1)
	checkLen("JVP", "v", v, m.NumParams())
	m.gemvCol(dst, x, m.dFdot(v))
}

// cotangent evaluates the predictions and the head's cotangent into m.u.
func (m *DiagonalLinear) cotangent(x *linalg.Dense, h Head) (u, f *linalg.Dense) {
	n := x.Rows
	m.col = grow(m.col, 2*n)
	buf := m.col
	f = colView(&m.f, buf[:n])
	u = colView(&m.u, buf[n:])
	m.gemvCol(f, x, m.effective())
	h.Cotangent(u, f, 0)
	return u, f
}

// VJP writes Jᵀu = ∂Fᵀ(Xᵀu) into dst.
func (m *DiagonalLinear) VJP(dst []float64, x *linalg.Dense, h Head) {
	checkBatch("VJP", m, x)
	checkLen("VJP", "dst", dst, m.NumParams())
	u, _ := m.cotangent(x, h)
	m.s = grow(m.s, m.d)
	linalg.Gemv(linalg.T, 1, x, u.Data, 0, m.s)
	m.pullback(dst, m.s)
}

// PerSampleVJP writes u_i ∂Fᵀx_i into row i of dst.
func (m *DiagonalLinear) PerSampleVJP(dst, x *linalg.Dense, h Head) {
	checkBatch("PerSampleVJP", m, x)
	checkOut("PerSampleVJP", dst, x.Rows, m.NumParams())
	u, _ := m.cotangent(x, h)
	for i := 0; i < x.Rows; i++ {
		row := dst.Row(i)
		m.pullback(row, x.Row(i))
		linalg.Scal(u.Data[i], row)
	}
}

// PerSampleVJPNorms writes ‖u_i ∂Fᵀx_i‖² = u_i² Σ_j x_ij² w_j into dst[i],
// with w_j = (∂F_j/∂u_j)² + (∂F_j/∂v_j)².
func (m *DiagonalLinear) PerSampleVJPNorms(dst []float64, x *linalg.Dense, h Head) {
	checkBatch("PerSampleVJPNorms", m, x)
	checkLen("PerSampleVJPNorms", "dst", dst, x.Rows)
	u, _ := m.cotangent(x, h)
	w := m.pullbackSquares()
	for i := 0; i < x.Rows; i++ {
		var s float64
		for j, xv := range x.Row(i) {
			s += w[j] * xv * xv
		}
		dst[i] = u.Data[i] * u.Data[i] * s
	}
}

// pullbackSquares returns w_j = (∂F_j/∂u_j)² + (∂F_j/∂v_j)² in m.dF.
func (m *DiagonalLinear) pullbackSquares() []float64 {
	m.dF = grow(m.dF, m.d)
	u, v := m.uv()
	for j := range m.dF {
		if m.Kind == Product {
			m.dF[j] = u[j]*u[j] + v[j]*v[j]
		} else {
			m.dF[j] = 4 * (u[j]*u[j] + v[j]*v[j])
		}
	}
	return m.dF
}

// HVP writes JᵀΛJv (+ Σ_i u_i ∇²f_i v unless gaussNewton) into dst. The
// second-order term is s ⊙ (v_v, v_u) for F = u⊙v and
// 2 s ⊙ (v_u, −v_v) for F = u⊙u − v⊙v, with s = Xᵀu.
func (m *DiagonalLinear) HVP(dst []float64, x *linalg.Dense, v []float64, h Head, gaussNewton bool) {
	checkBatch("HVP", m, x)
	checkLen("HVP", "dst", dst, m.NumParams())
	checkLen("HVP", "v", v, m.NumParams())
	n := x.Rows
	u, f := m.cotangent(x, h)
	m.aux = grow(m.aux, 2*n)
	jv := colView(&m.jv, m.aux[:n])
	ru := colView(&m.ru, m.aux[n:])
	linalg.Gemv(linalg.NoTrans, 1, x, m.dFdot(v), 0, jv.Data)
	h.HessProd(ru, f, jv, 0)
	m.s = grow(m.s, 2*m.d)
	s, s2 := m.s[:m.d], m.s[m.d:]
	linalg.Gemv(linalg.T, 1, x, ru.Data, 0, s)
	m.pullback(dst, s)
	if gaussNewton {
		return
	}
	linalg.Gemv(linalg.T, 1, x, u.Data, 0, s2)
	vu, vv := v[:m.d], v[m.d:]
	for j, sj := range s2 {
		if m.Kind == Product {
			dst[j] += sj * vv[j]
			dst[m.d+j] += sj * vu[j]
		} else {
			dst[j] += 2 * sj * vu[j]
			dst[m.d+j] -= 2 * sj * vv[j]
		}
	}
}

// DiagGGN writes Σ_i s_i² (∂Fᵀx_i)² elementwise into dst, s the head's
// factor (K = 1).
func (m *DiagonalLinear) DiagGGN(dst []float64, x *linalg.Dense, h Head) {
	checkBatch("DiagGGN", m, x)
	checkLen("DiagGGN", "dst", dst, m.NumParams())
	_, f := m.cotangent(x, h)
	m.aux = grow(m.aux, x.Rows)
	sf := colView(&m.c, m.aux)
	h.HessFactor(sf, f, 0, 0)
	m.s = grow(m.s, m.d)
	clear(m.s)
	for i := 0; i < x.Rows; i++ {
		w := sf.Data[i] * sf.Data[i]
		for j, xv := range x.Row(i) {
			m.s[j] += w * xv * xv
		}
	}
	u, v := m.uv()
	for j, sj := range m.s {
		if m.Kind == Product {
			dst[j], dst[m.d+j] = v[j]*v[j]*sj, u[j]*u[j]*sj
		} else {
			dst[j], dst[m.d+j] = 4*u[j]*u[j]*sj, 4*v[j]*v[j]*sj
		}
	}
}
