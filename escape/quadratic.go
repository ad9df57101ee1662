package escape

import (
	"errors"
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// Quadratic is the loss L(w) = (1/2n) Σ_i (f_iᵀ w)² = ½ wᵀAw, A = FᵀF/n,
// of a linear model at its interpolant or of a model linearised at an
// interpolating minimum (F = J(θ*), K = 1), in the eigenbasis of A.
//
// For p ≤ DenseMaxP (or p ≤ n) A is decomposed densely and all p
// directions are kept. Otherwise the eigenpairs come from the n×n Gram
// matrix FFᵀ/n (u = Fᵀa/√(nκ)), only the Rank range directions are kept,
// and every D vector carries one more entry: the remainder, the mass
// outside the range (eigenvalue 0), which never moves under the
// recursion.
type Quadratic struct {
	F *linalg.Dense // n×p
	// Lambda holds the eigenvalues of A kept, descending; U (p×len(Lambda))
	// the eigenvectors as columns in the same order.
	Lambda []float64
	U      *linalg.Dense
	// Rank is the number of eigenvalues above 100·max(n, p)·ε·λ_max.
	Rank int
	// Remainder reports the Gram mode (D has len(Lambda)+1 entries).
	Remainder bool
	ft        *linalg.Dense // F·U_r, n×r
}

// DenseMaxP is the largest p decomposed densely when p > n.
var DenseMaxP = 2000

// NewQuadratic decomposes A = FᵀF/n.
func NewQuadratic(f *linalg.Dense) (*Quadratic, error) {
	n, p := f.Rows, f.Cols
	if n == 0 || p == 0 {
		return nil, errors.New("escape: NewQuadratic: empty F")
	}
	q := &Quadratic{F: f}
	if p <= DenseMaxP || p <= n {
		a := linalg.NewDense(p, p)
		linalg.Syrk(linalg.T, 1/float64(n), f, 0, a)
		vals, vecs, err := linalg.EigenSym(a, true)
		if err != nil {
			return nil, err
		}
		q.Lambda, q.U = make([]float64, p), linalg.NewDense(p, p)
		col := make([]float64, p)
		for j := 0; j < p; j++ {
			q.Lambda[j] = vals[p-1-j]
			vecs.Col(col, p-1-j)
			q.U.SetCol(j, col)
		}
	} else {
		k := linalg.NewDense(n, n)
		linalg.Syrk(linalg.NoTrans, 1/float64(n), f, 0, k)
		vals, vecs, err := linalg.EigenSym(k, true)
		if err != nil {
			return nil, err
		}
		tol := 100 * float64(max(n, p)) * 0x1p-52 * vals[n-1]
		r := 0
		for r < n && vals[n-1-r] > tol {
			r++
		}
		q.Remainder, q.Lambda, q.U = true, make([]float64, r), linalg.NewDense(p, r)
		a, u := make([]float64, n), make([]float64, p)
		for j := 0; j < r; j++ {
			q.Lambda[j] = vals[n-1-j]
			vecs.Col(a, n-1-j)
			linalg.Gemv(linalg.T, 1/math.Sqrt(float64(n)*q.Lambda[j]), f, a, 0, u)
			q.U.SetCol(j, u)
		}
	}
	if len(q.Lambda) == 0 || !(q.Lambda[0] > 0) {
		return nil, errors.New("escape: NewQuadratic: A = FᵀF/n is zero")
	}
	tol := 100 * float64(max(n, p)) * 0x1p-52 * q.Lambda[0]
	for q.Rank < len(q.Lambda) && q.Lambda[q.Rank] > tol {
		q.Rank++
	}
	q.ft = linalg.NewDense(n, q.Rank)
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, f, q.U.ColsView(0, q.Rank), 0, q.ft)
	return q, nil
}

// SGDCritical returns analysis.SGDCriticalRate of the problem, computed
// on the range coordinates F·U_r (n×r), which give the same recursion as F
// at r×r instead of p×p cost.
func (q *Quadratic) SGDCritical(batch int, replacement bool) (analysis.CriticalRate, error) {
	return analysis.SGDCriticalRate(q.ft, batch, replacement)
}

// ProfileLambda returns the eigenvalues matching the entries of a D
// vector: Lambda, plus 0 for the remainder in Gram mode.
func (q *Quadratic) ProfileLambda() []float64 {
	if q.Remainder {
		return append(append([]float64(nil), q.Lambda...), 0)
	}
	return q.Lambda
}

// JacobianFeatures returns F = J(θ) (n×p) of a one-output objective at its
// model's current parameters.
func JacobianFeatures(obj *models.Objective) (*linalg.Dense, error) {
	if obj.Model.NumOutputs() != 1 {
		return nil, fmt.Errorf("escape: %d outputs; the exact recursion needs K = 1", obj.Model.NumOutputs())
	}
	j := linalg.NewDense(obj.N(), obj.NumParams())
	obj.Jacobian(j, 0)
	return j, nil
}

// GDThreshold returns 2/λ_max(A).
func (q *Quadratic) GDThreshold() float64 { return 2 / q.Lambda[0] }

// Perturbation is the law of the start w_0 = θ_0 − θ*.
type Perturbation int

const (
	// InSpan draws w_0 = ρ·U_r z/√r, z ~ N(0, I_r): isotropic in the
	// span of the data (the range of A), E‖w_0‖² = ρ².
	InSpan Perturbation = iota
	// Isotropic draws w_0 = ρ·z/√p, z ~ N(0, I_p).
	Isotropic
)

// String returns "span" or "isotropic".
func (l Perturbation) String() string {
	if l == Isotropic {
		return "isotropic"
	}
	return "span"
}

// ParsePerturbation is the inverse of String.
func ParsePerturbation(s string) (Perturbation, error) {
	switch s {
	case "span":
		return InSpan, nil
	case "isotropic":
		return Isotropic, nil
	}
	return 0, fmt.Errorf("escape: perturbation %q: want span or isotropic", s)
}

// initialD returns D_k(0) for every entry of a D vector under the law.
func (q *Quadratic) initialD(law Perturbation, radius float64) []float64 {
	p := q.F.Cols
	d := make([]float64, len(q.ProfileLambda()))
	for k := range q.Lambda {
		switch {
		case law == Isotropic:
			d[k] = radius * radius / float64(p)
		case k < q.Rank:
			d[k] = radius * radius / float64(q.Rank)
		}
	}
	if q.Remainder && law == Isotropic {
		d[len(q.Lambda)] = radius * radius * float64(p-len(q.Lambda)) / float64(p)
	}
	return d
}

// Sampling parameters of E[A_B M A_B] = α·Dg(M) + β·AMA.
func batchMoments(n, b int, replacement bool) (alpha, beta float64, err error) {
	fb, fn := float64(b), float64(n)
	switch {
	case b < 1 || (!replacement && b > n):
		return 0, 0, fmt.Errorf("escape: batch %d for n = %d (replacement %v)", b, n, replacement)
	case replacement:
		return 1 / fb, 1 - 1/fb, nil
	case n == 1:
		return 0, 1, nil
	}
	return (fn - fb) / (fb * (fn - 1)), fn * (fb - 1) / (fb * (fn - 1)), nil
}

// Series is D_k(t) at the recorded steps: D[i] belongs to Steps[i], and
// Loss[i] is E L at that step (½ Σ_k λ_k D_k for the quadratic).
type Series struct {
	Steps []int       `json:"steps"`
	D     [][]float64 `json:"d"`
	Loss  []float64   `json:"loss"`
	// StdErr (Monte Carlo only) holds the standard errors of D and of
	// Loss over the repeats.
	DStdErr    [][]float64 `json:"d_stderr,omitempty"`
	LossStdErr []float64   `json:"loss_stderr,omitempty"`
	// DivergedAt is the step at which the run diverged (see
	// NotDiverged): the series holds the records before it.
	DivergedAt int `json:"diverged_at"`
}

// Exact returns D_k(t) (entries as in ProfileLambda) from the
// second-moment recursion
//
//	M_{t+1} = M_t − η(AM_t + M_tA) + η²(α·Dg(M_t) + β·AM_tA),
//	Dg(M) = (1/n) Σ_i (f_iᵀMf_i) f_i f_iᵀ,
//
// with (α, β) = (1/B, 1 − 1/B) with replacement and
// ((n−B)/(B(n−1)), n(B−1)/(B(n−1))) without (GD: B = n without
// replacement, α = 0, β = 1), starting from the second moment of the
// perturbation law with E‖w_0‖² = radius², recorded at t = 0 and every
// `every` steps up to `steps` (and at `steps`). Only the range block of M
// evolves (r×r in the eigenbasis; n·r² flops per step); directions
// outside the range keep D_k(0). E L_t is checked at every step: where it
// overflows float64 the recursion stops, s.DivergedAt is that step and s
// holds the records before it (see Divergence).
func (q *Quadratic) Exact(eta float64, batch int, replacement bool, law Perturbation, radius float64, steps, every int) (*Series, error) {
	n, r := q.F.Rows, q.Rank
	alpha, beta, err := batchMoments(n, batch, replacement)
	if err != nil {
		return nil, err
	}
	d0 := q.initialD(law, radius)
	m := linalg.NewDense(r, r)
	for k := 0; k < r; k++ {
		m.Set(k, k, d0[k])
	}
	t1, y, qm := linalg.NewDense(n, r), linalg.NewDense(n, r), linalg.NewDense(r, r)
	lam := q.Lambda[:r]
	s := &Series{DivergedAt: NotDiverged}
	// loss returns E L = ½ Σ_k λ_k D_k over the range (the rest is 0).
	loss := func() float64 {
		l := 0.0
		for k := 0; k < r; k++ {
			l += 0.5 * lam[k] * m.At(k, k)
		}
		return l
	}
	rec := func(t int, l float64) {
		d := append([]float64(nil), d0...)
		for k := 0; k < r; k++ {
			d[k] = m.At(k, k)
		}
		s.Steps, s.D, s.Loss = append(s.Steps, t), append(s.D, d), append(s.Loss, l)
	}
	// advance applies one step of the recursion to m.
	advance := func() {
		if alpha != 0 {
			linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, q.ft, m, 0, t1)
			for i := 0; i < n; i++ {
				w := linalg.Dot(t1.Row(i), q.ft.Row(i))
				yi := y.Row(i)
				copy(yi, q.ft.Row(i))
				linalg.Scal(w, yi)
			}
			linalg.Gemm(linalg.T, linalg.NoTrans, alpha/float64(n), y, q.ft, 0, qm)
		}
		for a := 0; a < r; a++ {
			for b := a; b < r; b++ {
				mab := m.At(a, b)
				v := mab - eta*(lam[a]+lam[b])*mab + eta*eta*beta*lam[a]*lam[b]*mab
				if alpha != 0 {
					v += eta * eta * 0.5 * (qm.At(a, b) + qm.At(b, a))
				}
				m.Set(a, b, v)
				m.Set(b, a, v)
			}
		}
	}
	for t := 0; t <= steps; t++ {
		if t > 0 {
			advance()
		}
		l := loss()
		if diverged(l) {
			s.DivergedAt = t
			break
		}
		if t == 0 || t == steps || (every > 0 && t%every == 0) {
			rec(t, l)
		}
	}
	return s, nil
}
