package escape

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// sharpDiagonal returns a diagonal linear network (n = 20, d = 30) at an
// unbalanced (c = 3) interpolating minimum and its thresholds.
func sharpDiagonal(t *testing.T) (*models.Objective, float64, float64) {
	x := gauss(20, 30, 0, 8)
	y := linalg.NewDense(20, 1)
	for i := range y.Data {
		y.Data[i] = math.Sin(float64(i))
	}
	m := models.NewDiagonalLinear(30, models.Product)
	if _, err := DiagonalMinimum(m, x, y, 3); err != nil {
		t.Fatal(err)
	}
	obj := models.NewObjective(m, models.Square{}, x, y)
	f, _ := JacobianFeatures(obj)
	q, _ := NewQuadratic(f)
	cr, err := analysis.SGDCriticalRate(f, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	return obj, q.GDThreshold(), cr.SGD
}

// TestCyclicalMechanics checks shapes, the shared start of the three
// arms, the standard errors against a direct computation, independence
// from the worker count, and the paper's effect on this problem: with the
// high phase at 1.5× SGD's critical rate (below GD's threshold), SGD with
// the cyclical rate leaves the sharp minimum for a flatter one while GD
// with the same rate and SGD at the low rate stay.
func TestCyclicalMechanics(t *testing.T) {
	obj, gd, sgd := sharpDiagonal(t)
	if 1.5*sgd >= gd {
		t.Fatalf("SGD critical %g, GD threshold %g: no room", sgd, gd)
	}
	run := func(workers int) *CyclicalResult {
		c := &Cyclical{Objective: obj, High: 1.5 * sgd, Low: 0.1 * sgd, HighSteps: 100, LowSteps: 300, Cycles: 3,
			Batch: 2, Radius: 0.1, Repeats: 8, Workers: workers, Seed: 1}
		r, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run(2)
	if !reflect.DeepEqual(r, run(1)) {
		t.Fatal("results depend on the worker count")
	}
	arms := [][]CycleStats{r.SGDCyclical, r.SGDConstant, r.GDCyclical}
	for _, a := range arms {
		if len(a) != 4 || a[0] != arms[0][0] {
			t.Fatalf("arm has %d cycles or another start: %+v vs %+v", len(a), a[0], arms[0][0])
		}
	}
	start := r.SGDCyclical[0].LambdaMax.Mean
	end := func(a []CycleStats) Stat { return a[len(a)-1].LambdaMax }
	if e := end(r.SGDCyclical); !(e.Mean < 0.8*start && e.Mean+5*e.StdErr < end(r.GDCyclical).Mean) {
		t.Errorf("SGD cyclical λ_max %v ± %v, start %v, GD cyclical %v", e.Mean, e.StdErr, start, end(r.GDCyclical).Mean)
	}
	for _, a := range [][]CycleStats{r.SGDConstant, r.GDCyclical} {
		if e := end(a).Mean; math.Abs(e-start) > 0.01*start {
			t.Errorf("λ_max moved from %v to %v", start, e)
		}
	}
	if l := r.GDCyclical[3].Loss.Mean; !(l < r.GDCyclical[0].Loss.Mean) {
		t.Errorf("GD cyclical loss did not decrease: %v", l)
	}
	// meanSE against a hand computation.
	s := meanSE([]float64{1, 2, 3, 6})
	if s.Mean != 3 || math.Abs(s.StdErr-math.Sqrt(14.0/3/4)) > 1e-15 {
		t.Errorf("meanSE %+v", s)
	}
}

// TestCyclicalRunArmRanges: a repeat's result depends on its index only,
// so repeats run in two ranges equal those run in one, with any Seeds;
// bad arms and ranges are refused; a cancelled context stops the run.
func TestCyclicalRunArmRanges(t *testing.T) {
	obj, _, sgd := sharpDiagonal(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		seeds func(r int) (uint64, uint64)
	}{
		{"default seeds", nil},
		{"caller's seeds", func(r int) (uint64, uint64) { return uint64(r) + 11, uint64(r) + 13 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cyclical{Objective: obj, High: 1.5 * sgd, Low: 0.1 * sgd, HighSteps: 5, LowSteps: 5, Cycles: 2,
				Batch: 2, Radius: 0.1, Workers: 2, Seed: 3, Seeds: tc.seeds}
			whole, err := c.RunArm(ctx, ArmSGDCyclical, 0, 4)
			if err != nil {
				t.Fatal(err)
			}
			lo, err1 := c.RunArm(ctx, ArmSGDCyclical, 0, 1)
			hi, err2 := c.RunArm(ctx, ArmSGDCyclical, 1, 4)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if !reflect.DeepEqual(whole, append(lo, hi...)) {
				t.Error("repeats depend on the range they run in")
			}
			if whole[1].Repeat != 1 || len(whole[1].Cycles) != 3 || reflect.DeepEqual(whole[0].Cycles, whole[1].Cycles) {
				t.Errorf("repeat 1: %+v", whole[1])
			}
		})
	}
	c := &Cyclical{Objective: obj, High: sgd, Low: sgd, HighSteps: 5, Cycles: 1, Batch: 2, Radius: 0.1}
	for _, bad := range []struct {
		arm    string
		r0, r1 int
	}{{"sgd-cyclical", 0, 2}, {ArmGDCyclical, -1, 2}, {ArmGDCyclical, 3, 2}} {
		if _, err := c.RunArm(ctx, bad.arm, bad.r0, bad.r1); err == nil {
			t.Errorf("RunArm(%q, %d, %d) accepted", bad.arm, bad.r0, bad.r1)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	c.Repeats = 4
	if _, err := c.Run(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Run: %v", err)
	}
}
