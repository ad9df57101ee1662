package linalg

import (
	"fmt"
	"math"
	"sort"
)

// dcLeaf is the order up to which the divide-and-conquer solver hands a
// block to the QL iteration.
const dcLeaf = 48

// tridiagDC computes all eigenvalues (ascending, into d) and eigenvectors
// (columns of q, n×n, row-major) of the symmetric tridiagonal matrix (d, e)
// by Cuppen's divide and conquer with the deflation of Dongarra–Sorensen
// and the Gu–Eisenstat recomputation of the rank-one vector (LAPACK
// dstedc/dlaed*), so that the eigenvectors are orthogonal to working
// precision. The merges multiply the children's eigenvectors by the
// eigenvectors of a rank-one-modified diagonal matrix through Gemm, where
// the time goes. e has length n-1 and is destroyed.
func tridiagDC(d, e []float64, q *Dense) error {
	n := len(d)
	if q.Rows != n || q.Cols != n {
		panic(fmt.Sprintf("linalg: tridiagDC: q is %d×%d, want %d×%d", q.Rows, q.Cols, n, n))
	}
	// Scale by a power of two to max |entry| ≈ 1.
	anorm := 0.0
	for _, v := range d {
		anorm = math.Max(anorm, math.Abs(v))
	}
	for _, v := range e {
		anorm = math.Max(anorm, math.Abs(v))
	}
	if math.IsNaN(anorm) || math.IsInf(anorm, 0) {
		return fmt.Errorf("%w: non-finite entry in tridiagonal matrix", ErrNoConvergence)
	}
	scale := 0
	if anorm > 0 {
		_, scale = math.Frexp(anorm)
		for i := range d {
			d[i] = math.Ldexp(d[i], -scale)
		}
		for i := range e {
			e[i] = math.Ldexp(e[i], -scale)
		}
	}
	if err := dcSolve(d, e, q); err != nil {
		return err
	}
	return unscaleEigen("tridiagDC", d, scale)
}

// dcSolve is the recursion: d, e (len n-1), q the n×n view for the
// eigenvectors (columns).
func dcSolve(d, e []float64, q *Dense) error {
	n := len(d)
	if n <= dcLeaf {
		zt := NewDense(n, n)
		if err := EigenSymTridiag(d, e, zt); err != nil {
			return err
		}
		Transpose(q, zt)
		return nil
	}
	m := n / 2
	beta := e[m-1]
	rho := math.Abs(beta)
	sgn := math.Copysign(1, beta)
	d[m-1] -= rho
	d[m] -= rho
	q.Zero()
	q1 := q.Slice(0, m, 0, m)
	q2 := q.Slice(m, n, m, n)
	if err := dcSolve(d[:m], e[:m-1], q1); err != nil {
		return err
	}
	if err := dcSolve(d[m:], e[m:], q2); err != nil {
		return err
	}
	// T = Q̂·(D + ρ'·z·zᵀ)·Q̂ᵀ with z = [last row of Q1; sgn·first row of
	// Q2]/√2 and ρ' = 2ρ.
	z := make([]float64, n)
	for j := 0; j < m; j++ {
		z[j] = q1.Data[(m-1)*q1.Stride+j] / math.Sqrt2
	}
	for j := 0; j < n-m; j++ {
		z[m+j] = sgn * q2.Data[j] / math.Sqrt2
	}
	return dcMerge(d, z, 2*rho, q, m)
}

// dcMerge replaces d with the eigenvalues (ascending) of D + rho·z·zᵀ
// (D = diag(d), ‖z‖ = 1, rho ≥ 0) and q with q·U, U its eigenvectors.
// q is block diagonal with blocks of order m and n−m on entry; the
// product skips the zero blocks (about half the flops).
func dcMerge(d, z []float64, rho float64, q *Dense, m int) error {
	n := len(d)
	const eps = 0x1p-53
	// Sort D ascending, carrying z and the columns of q.
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(a, b int) bool { return d[perm[a]] < d[perm[b]] })
	ds := make([]float64, n)
	zs := make([]float64, n)
	for i, p := range perm {
		ds[i], zs[i] = d[p], z[p]
	}
	// Which row blocks of each column of qs may be nonzero.
	top := make([]bool, n)
	bot := make([]bool, n)
	for i, p := range perm {
		top[i], bot[i] = p < m, p >= m
	}
	mix := func(a, b int) {
		top[a] = top[a] || top[b]
		bot[a] = bot[a] || bot[b]
		top[b], bot[b] = top[a], bot[a]
	}
	qs := NewDense(n, n)
	for r := 0; r < n; r++ {
		src := q.Data[r*q.Stride : r*q.Stride+n]
		dst := qs.Data[r*n : r*n+n]
		for i, p := range perm {
			dst[i] = src[p]
		}
	}
	dmax := math.Max(math.Abs(ds[0]), math.Abs(ds[n-1]))
	tol := 8 * eps * math.Max(dmax, rho)

	// Deflation. keep[i]: index i takes part in the secular equation.
	keep := make([]bool, n)
	last := -1 // last kept index, candidate for merging close poles
	for i := 0; i < n; i++ {
		if rho*math.Abs(zs[i]) <= tol {
			continue // eigenpair (ds[i], column i of qs)
		}
		if last >= 0 {
			// Rotate (last, i) so that z[last] becomes 0 if the poles are
			// close enough for the coupling to be negligible.
			r := math.Hypot(zs[last], zs[i])
			c := zs[i] / r
			s := -zs[last] / r
			if math.Abs((ds[i]-ds[last])*c*s) <= tol {
				zs[i] = r
				zs[last] = 0
				// Columns: new_last = c·last + s·i ... with the rotation
				// G = [c s; -s c] acting on (last, i).
				for rr := 0; rr < n; rr++ {
					row := qs.Data[rr*n:]
					a, b := row[last], row[i]
					row[last] = c*a + s*b
					row[i] = -s*a + c*b
				}
				mix(last, i)
				dl := ds[last]*c*c + ds[i]*s*s
				di := ds[last]*s*s + ds[i]*c*c
				ds[last], ds[i] = dl, di
				keep[last] = false
				// Keep D sorted among the kept indices: ds[i] may now be
				// slightly below earlier kept poles only within tol, which
				// the secular solver tolerates as separate poles.
			}
		}
		keep[i] = true
		last = i
	}
	// Kept indices must have strictly increasing poles.
	var idx []int
	for i := 0; i < n; i++ {
		if keep[i] {
			if len(idx) > 0 && !(ds[i] > ds[idx[len(idx)-1]]) {
				// Equal poles after rounding: deflate the earlier one by a
				// rotation (exactly equal poles decouple exactly).
				j := idx[len(idx)-1]
				r := math.Hypot(zs[j], zs[i])
				c, s := zs[i]/r, -zs[j]/r
				zs[i], zs[j] = r, 0
				for rr := 0; rr < n; rr++ {
					row := qs.Data[rr*n:]
					a, b := row[j], row[i]
					row[j] = c*a + s*b
					row[i] = -s*a + c*b
				}
				mix(j, i)
				idx = idx[:len(idx)-1]
				keep[j] = false
			}
			idx = append(idx, i)
		}
	}
	k := len(idx)
	lam := make([]float64, n)
	copy(lam, ds)
	if k > 0 {
		dk := make([]float64, k)
		zk := make([]float64, k)
		for a, i := range idx {
			dk[a], zk[a] = ds[i], zs[i]
		}
		orig, tau, err := dcSecular(dk, zk, rho)
		if err != nil {
			return err
		}
		// Gu–Eisenstat: recompute ẑ from the roots so that the vectors
		// are orthogonal. diff(j, i) = d_j − λ_i computed as
		// (d_j − d_orig(i)) − τ_i.
		diff := func(j, i int) float64 { return (dk[j] - dk[orig[i]]) - tau[i] }
		zh := make([]float64, k)
		for j := 0; j < k; j++ {
			p := -diff(j, k-1) / rho // (λ_{k-1} − d_j)/ρ
			for i := 0; i < j; i++ {
				p *= -diff(j, i) / (dk[i] - dk[j])
			}
			for i := j; i < k-1; i++ {
				p *= -diff(j, i) / (dk[i+1] - dk[j])
			}
			zh[j] = math.Copysign(math.Sqrt(math.Abs(p)), zk[j])
		}
		// Eigenvectors of the k×k problem: u_i ∝ ẑ_j / (d_j − λ_i).
		u := NewDense(k, k)
		for i := 0; i < k; i++ {
			s := 0.0
			for j := 0; j < k; j++ {
				v := zh[j] / diff(j, i)
				u.Data[j*k+i] = v
				s += v * v
			}
			s = 1 / math.Sqrt(s)
			for j := 0; j < k; j++ {
				u.Data[j*k+i] *= s
			}
			lam[idx[i]] = dk[orig[i]] + tau[i]
		}
		// Columns idx of qs times U, through Gemm, per row block on the
		// columns that are nonzero there.
		for _, blk := range [2]struct {
			r0, r1 int
			nz     []bool
		}{{0, m, top}, {m, n, bot}} {
			var cols []int
			for a, i := range idx {
				if blk.nz[i] {
					cols = append(cols, a)
				}
			}
			rows := blk.r1 - blk.r0
			if len(cols) == 0 || rows == 0 {
				for r := blk.r0; r < blk.r1; r++ {
					row := qs.Data[r*n:]
					for _, i := range idx {
						row[i] = 0
					}
				}
				continue
			}
			qk := NewDense(rows, len(cols))
			uk := NewDense(len(cols), k)
			for r := 0; r < rows; r++ {
				row := qs.Data[(blk.r0+r)*n:]
				for c, a := range cols {
					qk.Data[r*len(cols)+c] = row[idx[a]]
				}
			}
			for c, a := range cols {
				copy(uk.Row(c), u.Row(a))
			}
			out := NewDense(rows, k)
			Gemm(NoTrans, NoTrans, 1, qk, uk, 0, out)
			for r := 0; r < rows; r++ {
				row := qs.Data[(blk.r0+r)*n:]
				for a, i := range idx {
					row[i] = out.Data[r*k+a]
				}
			}
		}
	}
	// Sort the eigenvalues ascending with their columns into d and q.
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(a, b int) bool { return lam[perm[a]] < lam[perm[b]] })
	for i, p := range perm {
		d[i] = lam[p]
	}
	for r := 0; r < n; r++ {
		src := qs.Data[r*n : r*n+n]
		dst := q.Data[r*q.Stride : r*q.Stride+n]
		for i, p := range perm {
			dst[i] = src[p]
		}
	}
	return nil
}

// dcSecular finds the k roots of 1 + rho·Σ z_j²/(d_j − λ) = 0 for strictly
// increasing d, nonzero z and rho > 0: root i lies in (d_i, d_{i+1}) (the
// last in (d_{k-1}, d_{k-1} + rho·‖z‖²]). Root i is returned as
// d[orig[i]] + tau[i] with orig[i] the nearer pole, so that the
// differences d_j − λ_i = (d_j − d_orig) − tau are accurate.
//
// Each root is found by iterating the "middle way" model (R.-C. Li, as in
// LAPACK dlaed4): the two poles bracketing the root are kept, the rest of
// the sum on each side is replaced by a pole at the nearer bracketing pole
// matching value and derivative, and the resulting quadratic is solved;
// bisection of the bracket safeguards it.
func dcSecular(d, z []float64, rho float64) (orig []int, tau []float64, err error) {
	k := len(d)
	orig = make([]int, k)
	tau = make([]float64, k)
	z2 := make([]float64, k)
	zz := 0.0
	for j, v := range z {
		z2[j] = rho * v * v
		zz += z2[j]
	}
	const eps = 0x1p-53
	delta := make([]float64, k)
	for i := 0; i < k; i++ {
		// Choose the origin pole and the bracket in τ.
		o := i
		var lo, hi float64
		if i == k-1 {
			lo, hi = 0, zz
		} else {
			gap := d[i+1] - d[i]
			mid := gap / 2
			f := 1.0
			for j := 0; j < k; j++ {
				f += z2[j] / ((d[j] - d[i]) - mid)
			}
			if f >= 0 {
				lo, hi = 0, mid
			} else {
				o = i + 1
				lo, hi = -mid, 0
			}
		}
		for j := 0; j < k; j++ {
			delta[j] = d[j] - d[o]
		}
		t := (lo + hi) / 2
		if i == k-1 {
			t = zz / 2
		}
		// The poles bracketing the root: pl below, pu above (-1: none).
		pl, pu := i, i+1
		if i == k-1 {
			pu = -1
		}
		conv := false
		width := hi - lo
		for it := 0; it < 200; it++ {
			// g(t), and the left and right rests (poles below pl, above pu)
			// with their derivatives.
			g := 1.0
			var psi, dpsi, phi, dphi float64
			for j := 0; j < k; j++ {
				r := 1 / (delta[j] - t)
				v := z2[j] * r
				g += v
				switch {
				case j < pl:
					psi += v
					dpsi += v * r
				case pu >= 0 && j > pu:
					phi += v
					dphi += v * r
				}
			}
			if g == 0 {
				conv = true
				break
			}
			if g > 0 {
				hi = t
			} else {
				lo = t
			}
			// Middle-way model: each rest replaced by one pole at the
			// nearest bracketing pole, matching value and derivative at t:
			//   c + Wl/(δl − t) + Wu/(δu − t) = 0.
			dl := delta[pl] - t
			wl := z2[pl] + dpsi*dl*dl
			c := 1 + psi - dpsi*dl
			var tn float64
			if pu < 0 {
				// c + wl/(δl − t') = 0 → t' = δl + wl/c.
				tn = math.NaN()
				if c > 0 {
					tn = delta[pl] + wl/c
				}
			} else {
				du := delta[pu] - t
				wu := z2[pu] + dphi*du*du
				c += phi - dphi*du
				// In s = t' − t: c + wl/(dl − s) + wu/(du − s) = 0, i.e.
				// c·s² − (c·(dl+du) + wl + wu)·s + c·dl·du + wl·du + wu·dl = 0.
				a := c
				b := c*(dl+du) + wl + wu
				cc := c*dl*du + wl*du + wu*dl
				var s1, s2 float64
				if a == 0 {
					s1 = cc / b
					s2 = s1
				} else {
					disc := math.Max(b*b-4*a*cc, 0)
					qq := 0.5 * (b + math.Copysign(math.Sqrt(disc), b))
					s1, s2 = qq/a, cc/qq
				}
				// The root between the poles: dl < s < du in s units.
				sn := s1
				if !(s1 > math.Min(dl, du) && s1 < math.Max(dl, du)) {
					sn = s2
				}
				tn = t + sn
			}
			if !(tn > lo && tn < hi) {
				tn = (lo + hi) / 2
			}
			if it%4 == 3 {
				// Safeguard: bisect unless the bracket has halved lately.
				if hi-lo > width/2 {
					tn = (lo + hi) / 2
				}
				width = hi - lo
			}
			if math.Abs(tn-t) <= 2*eps*math.Abs(tn) || hi-lo <= 2*eps*math.Max(math.Abs(lo), math.Abs(hi)) {
				t = tn
				conv = true
				break
			}
			t = tn
		}
		if !conv {
			return nil, nil, fmt.Errorf("%w: secular equation root %d of %d", ErrNoConvergence, i, k)
		}
		orig[i], tau[i] = o, t
	}
	return orig, tau, nil
}
