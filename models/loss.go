package models

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// Loss is a per-sample loss ℓ(f, y) of the K outputs f of one sample and its
// target y, with its derivatives in f. Methods work on blocks of rows: f, y
// and the destinations are r×K matrices, row i one sample.
type Loss interface {
	// Name is "square" or "cross_entropy".
	Name() string
	// Eval returns Σ_i ℓ(f_i, y_i) over the rows and, when u is non-nil,
	// writes u_i = ∂ℓ/∂f (f_i, y_i). For the square loss u is the residual
	// f − y.
	Eval(u, f, y *linalg.Dense) float64
	// HessProd writes dst_i = Λ_i·df_i with Λ_i = ∂²ℓ/∂f² (f_i, y_i).
	HessProd(dst, f, y, df *linalg.Dense)
	// HessFactor writes column k (0 ≤ k < K) of a factor S_i of
	// Λ_i = S_i S_iᵀ into row i of dst.
	HessFactor(dst, f, y *linalg.Dense, k int)
}

// Square is the square loss with the one-half convention,
// ℓ(f, y) = ½‖f − y‖²; Λ = I.
type Square struct{}

// CrossEntropy is the softmax cross-entropy ℓ(f, y) = −Σ_k y_k log p_k with
// p = softmax(f). Rows of y must sum to one (one-hot labels or
// probabilities); then ∂ℓ/∂f = p − y and Λ = diag(p) − ppᵀ, whose factor has
// columns √p_k (e_k − p).
type CrossEntropy struct{}

// Name implements Loss.
func (Square) Name() string       { return "square" }
func (CrossEntropy) Name() string { return "cross_entropy" }

// ParseLoss returns the loss with the given name.
func ParseLoss(s string) (Loss, error) {
	switch s {
	case "square":
		return Square{}, nil
	case "cross_entropy":
		return CrossEntropy{}, nil
	}
	return nil, fmt.Errorf("models: unknown loss %q", s)
}

func checkLossShapes(op string, f, y *linalg.Dense, others ...*linalg.Dense) {
	if y.Rows != f.Rows || y.Cols != f.Cols {
		panic(fmt.Sprintf("models: %s: f is %d×%d, y is %d×%d", op, f.Rows, f.Cols, y.Rows, y.Cols))
	}
	for _, o := range others {
		if o != nil && (o.Rows != f.Rows || o.Cols != f.Cols) {
			panic(fmt.Sprintf("models: %s: f is %d×%d, operand is %d×%d", op, f.Rows, f.Cols, o.Rows, o.Cols))
		}
	}
}

// Eval implements Loss.
func (Square) Eval(u, f, y *linalg.Dense) float64 {
	checkLossShapes("Square.Eval", f, y, u)
	var s float64
	for i := 0; i < f.Rows; i++ {
		fr, yr := f.Row(i), y.Row(i)
		var ur []float64
		if u != nil {
			ur = u.Row(i)
		}
		for k, fv := range fr {
			r := fv - yr[k]
			s += r * r
			if ur != nil {
				ur[k] = r
			}
		}
	}
	return 0.5 * s
}

// HessProd implements Loss.
func (Square) HessProd(dst, f, y, df *linalg.Dense) {
	checkLossShapes("Square.HessProd", f, y, dst, df)
	dst.Copy(df)
}

// HessFactor implements Loss.
func (Square) HessFactor(dst, f, y *linalg.Dense, k int) {
	checkLossShapes("Square.HessFactor", f, y, dst)
	dst.Zero()
	for i := 0; i < dst.Rows; i++ {
		dst.Row(i)[k] = 1
	}
}

// softmaxRow writes p = softmax(f) and returns log Σ exp(f).
func softmaxRow(p, f []float64) float64 {
	m := math.Inf(-1)
	for _, v := range f {
		m = max(m, v)
	}
	var s float64
	for k, v := range f {
		e := math.Exp(v - m)
		p[k] = e
		s += e
	}
	inv := 1 / s
	for k := range p {
		p[k] *= inv
	}
	return m + math.Log(s)
}

// Eval implements Loss.
func (CrossEntropy) Eval(u, f, y *linalg.Dense) float64 {
	checkLossShapes("CrossEntropy.Eval", f, y, u)
	var buf [16]float64
	p := buf[:0]
	if f.Cols > len(buf) {
		p = make([]float64, f.Cols)
	} else {
		p = buf[:f.Cols]
	}
	var s float64
	for i := 0; i < f.Rows; i++ {
		fr, yr := f.Row(i), y.Row(i)
		lse := softmaxRow(p, fr)
		for k, yk := range yr {
			if yk != 0 {
				s -= yk * (fr[k] - lse)
			}
		}
		if u != nil {
			ur := u.Row(i)
			for k := range ur {
				ur[k] = p[k] - yr[k]
			}
		}
	}
	return s
}

// HessProd implements Loss.
func (CrossEntropy) HessProd(dst, f, y, df *linalg.Dense) {
	checkLossShapes("CrossEntropy.HessProd", f, y, dst, df)
	for i := 0; i < f.Rows; i++ {
		p, d := dst.Row(i), df.Row(i)
		softmaxRow(p, f.Row(i))
		pd := linalg.Dot(p, d)
		for k := range p {
			p[k] *= d[k] - pd
		}
	}
}

// HessFactor implements Loss.
func (CrossEntropy) HessFactor(dst, f, y *linalg.Dense, k int) {
	checkLossShapes("CrossEntropy.HessFactor", f, y, dst)
	for i := 0; i < f.Rows; i++ {
		s := dst.Row(i)
		softmaxRow(s, f.Row(i))
		r := math.Sqrt(s[k])
		for j := range s {
			s[j] *= -r
		}
		s[k] += r
	}
}
