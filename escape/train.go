package escape

import (
	"errors"
	"fmt"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// TrainToMinimum runs GD from the model's current parameters until the
// loss is at most tol or maxSteps steps were taken, at the rate
// lrFactor·2/λ_max(G) (λ_max by Lanczos at the start; lrFactor < 1, e.g.
// 0.5). It returns the final loss and the steps taken, and an error when
// the loss did not reach tol. Use it to reach a (near) interpolating
// minimum of a model for which none can be constructed; the exact
// recursion then describes its linearisation up to the residual.
func TrainToMinimum(obj *models.Objective, lrFactor float64, maxSteps int, tol float64) (float64, int, error) {
	if !(lrFactor > 0 && lrFactor < 1) || maxSteps < 1 || !(tol > 0) {
		return 0, 0, errors.New("escape: TrainToMinimum needs 0 < lrFactor < 1, maxSteps ≥ 1, tol > 0")
	}
	res, err := linalg.Lanczos(analysis.GaussNewton{Obj: obj}, linalg.LanczosOptions{K: 1, Seed: 1, Tol: 1e-8})
	if err != nil {
		return 0, 0, err
	}
	o, err := optim.New(obj, optim.Config{Schedule: optim.Constant(lrFactor * 2 / res.Values[0])})
	if err != nil {
		return 0, 0, err
	}
	loss := obj.Value()
	for o.StepCount() < maxSteps && loss > tol {
		o.Step()
		if o.StepCount()%10 == 0 {
			loss = obj.Value()
		}
	}
	loss = obj.Value()
	if loss > tol {
		return loss, o.StepCount(), fmt.Errorf("escape: TrainToMinimum: loss %.3g > %.3g after %d steps", loss, tol, o.StepCount())
	}
	return loss, o.StepCount(), nil
}
