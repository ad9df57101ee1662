package models

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coreModel hides the optional interfaces of its model.
type coreModel struct{ Model }

// TestFallbacksInBlocks: the generic per-sample norms and diag(G), formed a
// few rows at a time (the head sees each block's offset), equal the
// families' own; the generic G·v equals HVP's Gauss–Newton part.
func TestFallbacksInBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			o, c := fx.obj, coreModel{fx.obj.Model}
			n, p := o.N(), o.NumParams()
			defer func(v int) { fallbackBlockValues = v }(fallbackBlockValues)
			fallbackBlockValues = 2 * p // blocks of two samples, the last one partial
			head := func() Head { return &LossHead{Loss: o.Loss, Y: o.Y} }

			got, want := make([]float64, n), make([]float64, n)
			PerSampleVJPNorms(c, got, o.X, head())
			PerSampleVJPNorms(o.Model, want, o.X, head())
			assert.LessOrEqual(t, relErr(got, want, 1e-300), 1e-12, "norms")

			gd, wd := make([]float64, p), make([]float64, p)
			DiagGGN(c, gd, o.X, head())
			DiagGGN(o.Model, wd, o.X, head())
			assert.LessOrEqual(t, relErr(gd, wd, 1e-300), 1e-12, "diag(G)")

			v := randVec(rng, p)
			GaussNewtonProduct(c, gd, o.X, v, head())
			o.Model.(HVPer).HVP(wd, o.X, v, head(), true)
			assert.LessOrEqual(t, relErr(gd, wd, 1e-300), 1e-12, "G v")

			err := HessianProduct(c, gd, o.X, v, head())
			require.True(t, errors.Is(err, ErrNoHessian), "%v", err)
			assert.False(t, HasHessian(c))
			assert.True(t, HasHessian(o.Model))
		})
	}
}

// TestObjectiveHessianVecPanicsWithoutHVP: HessianVec of a model without an
// exact H·v panics with ErrNoHessian instead of returning a number.
func TestObjectiveHessianVecPanicsWithoutHVP(t *testing.T) {
	fx := fixtures(t)[0]
	o := NewObjective(coreModel{fx.obj.Model}, fx.obj.Loss, fx.obj.X, fx.obj.Y)
	assert.False(t, o.HasHessian())
	dst := linalg.NewDense(1, o.NumParams()).Data
	assert.Panics(t, func() { o.HessianVec(dst, make([]float64, o.NumParams())) })
}
