package optim

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// TestTrackersMatchOracles checks tracked values on the linear model, where
// G = H = XᵀX/n (dense eigen-decomposition as the oracle), L and ∇L have
// loop formulas, and checks that tracking does not perturb the trajectory.
func TestTrackersMatchOracles(t *testing.T) {
	obj := linearObjective(50, 5, 4)
	ref := make([]float64, 5)
	ref[0] = 1
	cfg := Config{Batch: 5, Sampling: WithReplacement, Schedule: Constant(0.05), Momentum: 0.3, Seed: 8}
	tr := Tracking{Every: 10, At: []int{3}, Loss: true, GradNorm: true, LambdaG: true, LambdaH: true, Analysis: true, TopK: 2, Reference: ref}
	o, _ := New(obj, cfg)
	var seen []int
	recs, err := Run(o, RunConfig{Steps: 35, Track: tr, OnRecord: func(r Record) { seen = append(seen, r.Step) }})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 3, 10, 20, 30, 35}; !slices.Equal(seen, want) {
		t.Fatalf("recorded at %v, want %v", seen, want)
	}
	// Oracle at the final point.
	a := linalg.NewDense(5, 5)
	linalg.Gemm(linalg.T, linalg.NoTrans, 1/50., obj.X, obj.X, 0, a)
	vals, _, _ := linalg.EigenSym(a, false)
	tr2, fr2 := 0.0, 0.0
	for _, v := range vals {
		tr2 += v
		fr2 += v * v
	}
	th := o.Params()
	all := make([]int, 50)
	for i := range all {
		all[i] = i
	}
	g := naiveLinearGrad(obj.X, obj.Y, all, th)
	loss := 0.0
	for i := 0; i < 50; i++ {
		r := -obj.Y.At(i, 0)
		for j := range th {
			r += obj.X.At(i, j) * th[j]
		}
		loss += r * r / 100
	}
	last := recs[len(recs)-1]
	checks := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"loss", last.Loss, loss, 1e-12},
		{"grad norm", last.GradNorm, math.Sqrt(dot(g, g)), 1e-10},
		{"λmax G", last.LambdaG, vals[4], 1e-8},
		{"λmax H", last.LambdaH, vals[4], 1e-8},
		{"Tr G", last.TrG, tr2, 1e-12},
		{"‖G‖_F", last.FrobG, math.Sqrt(fr2), 1e-12},
		{"distance", last.Distance, Distance(th, ref), 0},
		{"lr", last.LR, 0.05, 0},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > c.tol*(1+math.Abs(c.want)) {
			t.Errorf("%s = %v, oracle %v", c.name, c.got, c.want)
		}
	}
	if !(last.Mu > 0) || len(last.G) != 2 {
		t.Errorf("mu %v, g %v", last.Mu, last.G)
	}
	// Tracking leaves the trajectory bit-identical; off records nothing.
	o2, _ := New(linearObjective(50, 5, 4), cfg)
	recs2, _ := Run(o2, RunConfig{Steps: 35})
	if len(recs2) != 0 || !slices.Equal(o2.Params(), o.Params()) {
		t.Errorf("untracked run: %d records, same params %v", len(recs2), slices.Equal(o2.Params(), o.Params()))
	}
	// JSON writes untracked values as null.
	rec, _ := o2.Track(&Tracking{Loss: true})
	js, err := json.Marshal(rec)
	if err != nil || !strings.Contains(string(js), `"mu":null`) || strings.Contains(string(js), "NaN") {
		t.Errorf("JSON %s, %v", js, err)
	}
	if row := rec.Row(); len(row) != len(Columns) || row[8] != "" {
		t.Errorf("CSV row %q", row)
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestTrackingOffAllocs: with tracking off, Run's cost over the steps it
// takes by hand is a constant per call, not per step (trackers cost
// nothing when off).
func TestTrackingOffAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector adds allocations")
	}
	obj := linearObjective(30, 4, 1)
	o, _ := New(obj, Config{Batch: 3, Schedule: Constant(0.01)})
	byHand := testing.AllocsPerRun(5, func() { o.Step() })
	short := testing.AllocsPerRun(5, func() { Run(o, RunConfig{Steps: o.StepCount() + 10}) })
	long := testing.AllocsPerRun(5, func() { Run(o, RunConfig{Steps: o.StepCount() + 100}) })
	if long-short > 90*byHand+0.5 {
		t.Errorf("Run: %v allocations for 10 steps, %v for 100, Step alone %v per step", short, long, byHand)
	}
}

func TestDivergence(t *testing.T) {
	o, _ := New(linearObjective(30, 4, 1), Config{Schedule: Constant(50)})
	if _, err := Run(o, RunConfig{Steps: 2000}); err != ErrDiverged {
		t.Errorf("err %v, want ErrDiverged", err)
	}
}

// TestRecordJSONNonFinite: an infinite tracked value is null with a note
// (it used to be a bare null, like an untracked one); NaN (untracked) is
// a bare null.
func TestRecordJSONNonFinite(t *testing.T) {
	nan := math.NaN()
	r := Record{Step: 3, LR: 0.1, Loss: math.Inf(1), GradNorm: math.Inf(-1), LambdaG: nan, LambdaH: nan,
		TrG: 2, FrobG: nan, Mu: nan, Distance: nan, G: []float64{1, math.Inf(1), nan}}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"step": 3.0, "lr": 0.1, "loss": nil, "loss_note": "non-finite (+Inf)", "grad_norm": nil,
		"grad_norm_note": "non-finite (-Inf)", "lambda_max_g": nil, "lambda_max_h": nil, "tr_g": 2.0, "frob_g": nil,
		"mu": nil, "distance": nil, "g": []any{1.0, nil, nil}, "g_note": "[1] non-finite (+Inf)"}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("JSON %s", js)
	}
}
