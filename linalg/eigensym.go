package linalg

import (
	"errors"
	"fmt"
	"math"
)

// Block sizes of the dense symmetric eigen-solver.
const (
	// sytrdBlock is the panel width of the tridiagonal reduction: each
	// panel's trailing update is a rank-2·sytrdBlock update through Gemm.
	sytrdBlock = 32
	// sytrdStrip is the height of the row strips in which the lower
	// triangle of the trailing matrix is updated (one Gemm per strip).
	sytrdStrip = 128
	// sytrdCrossover: matrices of at most this order are reduced in one
	// unblocked panel.
	sytrdCrossover = 64
	// ormtrBlock is the number of reflectors applied per Gemm pair in the
	// back-transformation.
	ormtrBlock = 64
)

// EigenSym computes all eigenvalues of the symmetric n×n matrix a, of
// which only the lower triangle (i ≥ j) is read; a is not modified. The
// eigenvalues are returned in ascending order. If wantVectors is true, the
// columns of the returned n×n matrix are the corresponding orthonormal
// eigenvectors (A·Z = Z·diag(values)); otherwise it is nil.
//
// Method: blocked Householder reduction to tridiagonal form (the panel
// through Symv/Gemv, the trailing rank-2k update through Gemm); for the
// eigenvalues alone implicit QL with Wilkinson shifts (EigenSymTridiag);
// with eigenvectors, for n > 96, divide and conquer on the tridiagonal
// matrix (its merges through Gemm, its leaves by QL), else QL; then a
// blocked back-transformation of the eigenvectors through Gemm. The
// matrix is scaled by a power of two first if its entries are near the
// overflow or underflow thresholds.
//
// A non-finite entry or failure of the QL iteration returns an error
// wrapping ErrNoConvergence; an eigenvalue beyond ±math.MaxFloat64 (a
// finite matrix with entries near it, e.g. [[1e308, −1e308], [−1e308,
// 1e308]] whose largest eigenvalue is 2e308) one wrapping ErrOverflow.
// Subnormal entries are fine: such a matrix is scaled up like any other.
func EigenSym(a *Dense, wantVectors bool) (values []float64, vectors *Dense, err error) {
	a.check("EigenSym")
	n := a.Rows
	if a.Cols != n {
		panic(fmt.Sprintf("linalg: EigenSym: matrix is %d×%d, not square", a.Rows, a.Cols))
	}
	if n == 0 {
		if wantVectors {
			return []float64{}, NewDense(0, 0), nil
		}
		return []float64{}, nil, nil
	}
	w := NewDense(n, n)
	anorm := 0.0
	for i := 0; i < n; i++ {
		src := a.Data[i*a.Stride : i*a.Stride+i+1]
		copy(w.Data[i*n:], src)
		for _, v := range src {
			anorm = math.Max(anorm, math.Abs(v))
		}
	}
	if math.IsNaN(anorm) || math.IsInf(anorm, 0) {
		return nil, nil, fmt.Errorf("%w: EigenSym: non-finite matrix entry", ErrNoConvergence)
	}
	scale := 0
	if anorm != 0 && (anorm > 0x1p+480 || anorm < 0x1p-480) {
		_, scale = math.Frexp(anorm)
		for i := 0; i < n; i++ {
			row := w.Data[i*n : i*n+i+1]
			for j := range row {
				row[j] = math.Ldexp(row[j], -scale)
			}
		}
	}
	d := make([]float64, n)
	e := make([]float64, n)
	tau := make([]float64, n)
	sytrdLower(w, d, e, tau)
	var z *Dense
	switch {
	case !wantVectors:
		if err := EigenSymTridiag(d, e[:n-1], nil); err != nil {
			return nil, nil, err
		}
	case n > 2*dcLeaf:
		// Divide and conquer: the eigenvectors through Gemm merges.
		z = NewDense(n, n)
		if err := tridiagDC(d, e[:n-1], z); err != nil {
			return nil, nil, err
		}
	default:
		zt := NewDense(n, n)
		if err := EigenSymTridiag(d, e[:n-1], zt); err != nil {
			return nil, nil, err
		}
		z = zt.T()
	}
	if err := unscaleEigen("EigenSym", d, scale); err != nil {
		return nil, nil, err
	}
	if !wantVectors {
		return d, nil, nil
	}
	ormtrLower(w, tau, z)
	return d, z, nil
}

// ErrOverflow is returned (wrapped) by EigenSym and EigenSymTridiag when an
// eigenvalue of a finite matrix is too large for a float64. Test with
// errors.Is.
var ErrOverflow = errors.New("linalg: eigenvalue overflows float64")

// unscaleEigen multiplies the eigenvalues d of a matrix scaled by 2^-scale
// by 2^scale, and returns an error wrapping ErrOverflow (naming op) if one
// leaves the float64 range.
func unscaleEigen(op string, d []float64, scale int) error {
	for i, v := range d {
		d[i] = math.Ldexp(v, scale)
		if math.IsInf(d[i], 0) {
			return fmt.Errorf("%w: %s: eigenvalue %.6g·2^%d is beyond ±%g", ErrOverflow, op, v, scale, math.MaxFloat64)
		}
	}
	return nil
}

// householder generates an elementary reflector H = I − tau·v·vᵀ with
// v[0] = 1 such that H·x = (beta, 0, …, 0). On return x holds v (x[0] = 1).
// tau = 0 (H = I) when x[1:] is zero.
func householder(x []float64) (beta, tau float64) {
	alpha := x[0]
	if len(x) == 1 {
		x[0] = 1
		return alpha, 0
	}
	xnorm := Nrm2(x[1:])
	if xnorm == 0 {
		x[0] = 1
		return alpha, 0
	}
	beta = -math.Copysign(math.Hypot(alpha, xnorm), alpha)
	// Rescale tiny vectors so that 1/(alpha−beta) does not overflow
	// (LAPACK dlarfg).
	const safmin = 0x1p-1000
	knt := 0
	for math.Abs(beta) < safmin && knt < 20 {
		knt++
		Scal(0x1p+1000, x[1:])
		alpha *= 0x1p+1000
		beta *= 0x1p+1000
	}
	if knt > 0 {
		xnorm = Nrm2(x[1:])
		beta = -math.Copysign(math.Hypot(alpha, xnorm), alpha)
	}
	tau = (beta - alpha) / beta
	Scal(1/(alpha-beta), x[1:])
	for ; knt > 0; knt-- {
		beta *= 0x1p-1000
	}
	x[0] = 1
	return beta, tau
}

// sytrdLower reduces the symmetric matrix a (compact n×n, lower triangle
// live) to tridiagonal form T = Qᵀ·A·Q with Q = H_0·H_1·…·H_{n-2}. On
// return d and e (length n, e[n-1] unused) hold T, tau[i] is the factor of
// H_i, and row i of a holds v_i in columns i+1 … n-1 (v_i[0] = 1 in column
// i+1). The lower triangle is destroyed.
//
// Each panel of sytrdBlock columns is reduced with Symv on the not yet
// updated trailing matrix corrected by the panel's reflectors (LAPACK
// dlatrd); the trailing lower triangle then takes the rank-2k update
// A −= V·Wᵀ + W·Vᵀ through Gemm, in row strips.
func sytrdLower(a *Dense, d, e, tau []float64) {
	n := a.Rows
	nb := sytrdBlock
	if n <= sytrdCrossover {
		nb = n
	}
	vt := NewDense(nb, n) // row q: reflector q of the panel (columns > its index)
	wt := NewDense(nb, n) // row q: the matching w
	col := make([]float64, n)
	g1 := make([]float64, nb)
	g2 := make([]float64, nb)
	var yb, xb *Dense
	for j0 := 0; j0 < n; j0 += nb {
		nbp := min(nb, n-j0)
		for jj := 0; jj < nbp; jj++ {
			i := j0 + jj
			c := col[i:n]
			for r := i; r < n; r++ {
				c[r-i] = a.Data[r*a.Stride+i]
			}
			if jj > 0 {
				// Apply the panel's previous updates to this column:
				// c −= V[i:,:jj]·W[i,:jj]ᵀ + W[i:,:jj]·V[i,:jj]ᵀ.
				for q := 0; q < jj; q++ {
					g1[q] = wt.Data[q*wt.Stride+i]
					g2[q] = vt.Data[q*vt.Stride+i]
				}
				Gemv(T, -1, vt.Slice(0, jj, i, n), g1[:jj], 1, c)
				Gemv(T, -1, wt.Slice(0, jj, i, n), g2[:jj], 1, c)
			}
			d[i] = c[0]
			if i == n-1 {
				break
			}
			v := c[1:]
			beta, t := householder(v)
			e[i] = beta
			tau[i] = t
			copy(vt.Data[jj*vt.Stride+i+1:jj*vt.Stride+n], v)
			copy(a.Data[i*a.Stride+i+1:i*a.Stride+n], v)
			w := wt.Data[jj*wt.Stride+i+1 : jj*wt.Stride+n]
			if t == 0 {
				clear(w)
				continue
			}
			// w = tau·(A22·v − V·(Wᵀv) − W·(Vᵀv)); A22's lower triangle is
			// still the one from before this panel.
			Symv(1, a.Slice(i+1, n, i+1, n), v, 0, w)
			if jj > 0 {
				h1, h2 := g1[:jj], g2[:jj]
				Gemv(NoTrans, 1, wt.Slice(0, jj, i+1, n), v, 0, h1)
				Gemv(NoTrans, 1, vt.Slice(0, jj, i+1, n), v, 0, h2)
				Gemv(T, -1, vt.Slice(0, jj, i+1, n), h1, 1, w)
				Gemv(T, -1, wt.Slice(0, jj, i+1, n), h2, 1, w)
			}
			Scal(t, w)
			Axpy(-0.5*t*Dot(w, v), v, w)
		}
		j1 := j0 + nbp
		if j1 >= n {
			break
		}
		// Trailing update of the lower triangle of A[j1:, j1:]:
		// A −= Yᵀ·X with Y = [Vᵀ; Wᵀ], X = [Wᵀ; Vᵀ] (k = 2·nbp).
		m := n - j1
		if yb == nil {
			yb = NewDense(2*nb, n)
			xb = NewDense(2*nb, n)
		}
		y := yb.Slice(0, 2*nbp, 0, m)
		x := xb.Slice(0, 2*nbp, 0, m)
		for q := 0; q < nbp; q++ {
			vq := vt.Data[q*vt.Stride+j1 : q*vt.Stride+n]
			wq := wt.Data[q*wt.Stride+j1 : q*wt.Stride+n]
			copy(y.Row(q), vq)
			copy(y.Row(nbp+q), wq)
			copy(x.Row(q), wq)
			copy(x.Row(nbp+q), vq)
		}
		for r0 := 0; r0 < m; r0 += sytrdStrip {
			r1 := min(r0+sytrdStrip, m)
			cs := a.Slice(j1+r0, j1+r1, j1, j1+r1)
			Gemm(T, NoTrans, -1, y.Slice(0, 2*nbp, r0, r1), x.Slice(0, 2*nbp, 0, r1), 1, cs)
		}
	}
}

// ormtrLower overwrites z (n×n) with Q·z, where Q = H_0·…·H_{n-2} is
// stored by sytrdLower in a and tau. Blocks of ormtrBlock reflectors are
// applied last to first as I − V·T·Vᵀ (compact WY), each with three Gemm
// calls.
func ormtrLower(a *Dense, tau []float64, z *Dense) {
	n := a.Rows
	nr := n - 1 // number of reflectors (the last, H_{n-2}, may be trivial)
	if nr <= 0 {
		return
	}
	nb := min(ormtrBlock, nr)
	vbuf := NewDense(nb, n)
	tbuf := NewDense(nb, nb)
	gbuf := NewDense(nb, nb)
	wbuf := NewDense(nb, z.Cols)
	w2buf := NewDense(nb, z.Cols)
	tmp := make([]float64, nb)
	last := (nr - 1) / nb * nb
	for b0 := last; b0 >= 0; b0 -= nb {
		k := min(nb, nr-b0)
		m := n - b0 - 1 // rows b0+1 … n-1
		vt := vbuf.Slice(0, k, 0, m)
		for q := 0; q < k; q++ {
			row := vt.Row(q)
			clear(row[:q])
			row[q] = 1
			i := b0 + q
			copy(row[q+1:], a.Data[i*a.Stride+i+2:i*a.Stride+n])
		}
		// T (upper triangular): T[q][q] = tau_q,
		// T[0:q, q] = −tau_q · T[0:q, 0:q] · (Vᵀ v_q)[0:q].
		g := gbuf.Slice(0, k, 0, k)
		Gemm(NoTrans, T, 1, vt, vt, 0, g)
		tm := tbuf.Slice(0, k, 0, k)
		tm.Zero()
		for q := 0; q < k; q++ {
			tq := tau[b0+q]
			tm.Data[q*tm.Stride+q] = tq
			for r := 0; r < q; r++ {
				s := 0.0
				for c := r; c < q; c++ {
					s += tm.Data[r*tm.Stride+c] * g.Data[c*g.Stride+q]
				}
				tmp[r] = s
			}
			for r := 0; r < q; r++ {
				tm.Data[r*tm.Stride+q] = -tq * tmp[r]
			}
		}
		zs := z.Slice(b0+1, n, 0, z.Cols)
		w1 := wbuf.Slice(0, k, 0, z.Cols)
		w2 := w2buf.Slice(0, k, 0, z.Cols)
		Gemm(NoTrans, NoTrans, 1, vt, zs, 0, w1)
		Gemm(NoTrans, NoTrans, 1, tm, w1, 0, w2)
		Gemm(T, NoTrans, -1, vt, w2, 1, zs)
	}
}
