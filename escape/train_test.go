package escape

import (
	"context"
	"math"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// TestTrainedMinimum: GD drives an over-parameterised two-layer network
// (n = 12, d = 6, width 32) to interpolation; from that minimum the
// paper's contrast holds on the true network, and its Monte Carlo agrees
// with the exact recursion of the linearisation over a short horizon.
func TestTrainedMinimum(t *testing.T) {
	x := gauss(12, 6, 0, 3)
	y := linalg.NewDense(12, 1)
	for i := range y.Data {
		y.Data[i] = math.Cos(float64(i))
	}
	m := models.NewMLP([]int{6, 32, 1}, models.Tanh)
	m.Init(2)
	obj := models.NewObjective(m, models.Square{}, x, y)
	loss, steps, err := TrainToMinimum(obj, 0.5, 200000, 1e-20)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loss %.3g after %d steps", loss, steps)
	R := 300
	if testing.Short() {
		R = 200
	}
	c := &Compare{Objective: obj, Batch: 1, Replacement: true, LRFactor: 1.2, Radius: 1e-4, Steps: 10, Every: 5, Repeats: R, Seed: 2}
	r, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := JacobianFeatures(obj)
	q, _ := NewQuadratic(f)
	for _, a := range []Arm{r.GD, r.SGD} {
		if z := MaxZ(rangeOnly(a.MC, q.Rank), rangeOnly(a.Exact, q.Rank)); z > 5 {
			t.Errorf("%s: true network vs linearisation, max z %.2f", a.Method, z)
		}
	}
	if _, _, err := TrainToMinimum(obj, 1.5, 10, 1e-3); err == nil {
		t.Error("lrFactor 1.5 accepted")
	}
}
