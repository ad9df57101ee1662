package linalg

import (
	"errors"
	"math"
	"testing"
)

// nanOp returns NaN for every application.
type nanOp int

func (o nanOp) Dim() int { return int(o) }
func (o nanOp) Apply(dst, src []float64) {
	for i := range dst {
		dst[i] = math.NaN()
	}
}

func TestLanczosNaNOperator(t *testing.T) {
	_, err := Lanczos(nanOp(10), LanczosOptions{K: 2, Seed: 1})
	if !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("err = %v, want ErrNoConvergence", err)
	}
}

// TestLanczosFullBasis: BasisSize = Dim makes the Rayleigh–Ritz exact.
func TestLanczosFullBasis(t *testing.T) {
	d := diagOp{3, -1, 4, 1, -5, 9, 2, 6}
	lam := []float64{-5, -1, 1, 2, 3, 4, 6, 9}
	for _, which := range []Which{Largest, Smallest, BothEnds} {
		opt := LanczosOptions{K: 3, Which: which, BasisSize: 8, Seed: 4}
		r, err := Lanczos(d, opt)
		if err != nil {
			t.Fatal(err)
		}
		lanczosCheck(t, "full/"+which.String(), d, lam, opt, r)
	}
}

func TestSLQEdge(t *testing.T) {
	r, err := SLQ(diagOp{2.5}, SLQOptions{Probes: 3, Steps: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for p := range r.Nodes {
		if len(r.Nodes[p]) != 1 || r.Nodes[p][0] != 2.5 || math.Abs(r.Weights[p][0]-1) > 1e-15 {
			t.Errorf("1×1: nodes %v weights %v", r.Nodes[p], r.Weights[p])
		}
	}
	if got := r.TraceFunc(func(x float64) float64 { return x }); math.Abs(got-2.5) > 1e-15 {
		t.Errorf("trace %g", got)
	}
}
