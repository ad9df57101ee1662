package experiments

import (
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// newModel builds spec through the model factory and, when init is set,
// draws the family's initialisation from seed (models.Spec.Init).
func newModel(spec models.Spec, init bool, seed uint64) (models.Model, error) {
	m, err := models.New(spec)
	if err != nil {
		return nil, err
	}
	if init {
		if err := spec.Init(m, seed); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// linearAt returns linear regression f = θᵀx on d inputs (the factory's
// linear family) at θ = theta + offset (offset has theta's length).
func linearAt(theta, offset []float64) (models.Model, error) {
	m, err := newModel(models.Spec{Family: "linear", Inputs: len(theta)}, false, 0)
	if err != nil {
		return nil, err
	}
	copy(m.Params(), theta)
	linalg.Axpy(1, offset, m.Params())
	return m, nil
}
