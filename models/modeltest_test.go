package models_test

import (
	"testing"

	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/models/modeltest"
)

// TestModeltestFamilies runs the derivative harness on every model family
// of the package on its fixture's data and loss: the gradient, J·v and H·v
// against central differences, adjointness of J·v and Jᵀ·u, the Jacobian
// against J·v column by column, G·v and diag(G) against the explicit
// Jacobian, the symmetry of G and H, the per-sample gradients against the
// gradient and their norms, and every optional interface against its
// generic fallback (see package modeltest for the checks and tolerances).
func TestModeltestFamilies(t *testing.T) {
	for _, fx := range models.Fixtures(t) {
		t.Run(fx.Name, func(t *testing.T) {
			o := fx.Obj
			modeltest.Check(t, o.Model, modeltest.Options{Loss: o.Loss, X: o.X, Y: o.Y})
		})
	}
}
