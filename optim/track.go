package optim

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/linalg"
)

// Tracking selects the full-data quantities recorded every Every steps
// (Every ≤ 0: only at the points in At and at the end of Run). All off
// (the zero value) records nothing and costs nothing.
type Tracking struct {
	Every int
	// At lists extra steps (counted after the update) to record at.
	At []int
	// Loss and GradNorm: L(θ) and ‖∇L(θ)‖ on the full data.
	Loss, GradNorm bool
	// LambdaG and LambdaH: λ_max of G and of H by Lanczos.
	LambdaG, LambdaH bool
	// Analysis: Tr G, ‖G‖_F, μ, λ_max(G) and g along the top TopK
	// eigenvectors of G from analysis.FromObjective (its automatic path).
	Analysis bool
	TopK     int
	// Reference, if not nil, records ‖θ − Reference‖.
	Reference []float64
}

// On reports whether any quantity is tracked.
func (t *Tracking) On() bool {
	return t.Loss || t.GradNorm || t.LambdaG || t.LambdaH || t.Analysis || t.Reference != nil
}

// due reports whether step (after the update) is a tracking point.
func (t *Tracking) due(step int) bool {
	if t.Every > 0 && step%t.Every == 0 {
		return true
	}
	for _, s := range t.At {
		if s == step {
			return true
		}
	}
	return false
}

// Record holds the tracked quantities at one step; NaN marks one not
// tracked (JSON: null via MarshalJSON of the caller, or omitted).
//
// Step counts the updates made; LR is η of the update that led to this
// point (η_0 at step 0).
type Record struct {
	Step     int     `json:"step"`
	LR       float64 `json:"lr"`
	Loss     float64 `json:"loss"`
	GradNorm float64 `json:"grad_norm"`
	LambdaG  float64 `json:"lambda_max_g"`
	LambdaH  float64 `json:"lambda_max_h"`
	TrG      float64 `json:"tr_g"`
	FrobG    float64 `json:"frob_g"`
	Mu       float64 `json:"mu"`
	// G holds g along the top eigenvectors of G (Analysis with TopK > 0).
	G        []float64 `json:"g,omitempty"`
	Distance float64   `json:"distance"`
}

// Columns are the CSV header of Record.Row.
var Columns = []string{"step", "lr", "loss", "grad_norm", "lambda_max_g", "lambda_max_h", "tr_g", "frob_g", "mu", "distance"}

// Row formats the record for CSV (empty for untracked values).
func (r Record) Row() []string {
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return fmt.Sprint(v)
	}
	return []string{fmt.Sprint(r.Step), f(r.LR), f(r.Loss), f(r.GradNorm), f(r.LambdaG), f(r.LambdaH),
		f(r.TrG), f(r.FrobG), f(r.Mu), f(r.Distance)}
}

// Track evaluates the tracked quantities at the optimizer's current
// parameters. It uses the full objective and never the random stream.
func (o *Optimizer) Track(t *Tracking) (Record, error) {
	nan := math.NaN()
	r := Record{Step: o.step, LR: o.cfg.Schedule.LR(max(o.step-1, 0)), Loss: nan, GradNorm: nan, LambdaG: nan,
		LambdaH: nan, TrG: nan, FrobG: nan, Mu: nan, Distance: nan}
	obj := o.obj
	if t.Loss || t.GradNorm {
		g := make([]float64, obj.NumParams())
		l := obj.Gradient(g)
		if t.Loss {
			r.Loss = l
		}
		if t.GradNorm {
			r.GradNorm = linalg.Nrm2(g)
		}
	}
	top := func(op linalg.Operator) (float64, error) {
		res, err := linalg.Lanczos(op, linalg.LanczosOptions{K: 1, Seed: 1, Tol: 1e-8})
		if err != nil {
			return nan, err
		}
		return res.Values[0], nil
	}
	var err error
	if t.Analysis {
		k := max(t.TopK, 1)
		res, aerr := analysis.FromObjective(obj, analysis.Options{TopK: k, Flat: -1, Random: -1, Seed: 1})
		if aerr != nil {
			return r, aerr
		}
		r.TrG, r.FrobG = res.TrG, math.Sqrt(res.FrobG2)
		if res.Mu.Defined {
			r.Mu = res.Mu.Value
		}
		if len(res.Eigenvalues) > 0 {
			r.LambdaG = res.Eigenvalues[0]
		}
		if t.TopK > 0 {
			for _, d := range res.Directional {
				if d.Kind == "top" {
					v := nan
					if d.G.Defined {
						v = d.G.Value
					}
					r.G = append(r.G, v)
				}
			}
		}
	} else if t.LambdaG {
		if r.LambdaG, err = top(analysis.GaussNewton{Obj: obj}); err != nil {
			return r, err
		}
	}
	if t.LambdaH {
		if r.LambdaH, err = top(analysis.Hessian{Obj: obj}); err != nil {
			return r, err
		}
	}
	if t.Reference != nil {
		r.Distance = Distance(o.Params(), t.Reference)
	}
	return r, nil
}

// Distance returns ‖a − b‖.
func Distance(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("optim: Distance: lengths %d and %d", len(a), len(b)))
	}
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}
