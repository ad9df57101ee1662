package analysis

import (
	"errors"
	"fmt"
	"testing"

	"github.com/noisegeom/noisegeom/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coreOnly hides a model's optional interfaces (models.Grammer, HVPer,
// DiagGGNer, VJPNormer): analysis then runs on the generic fallbacks.
type coreOnly struct{ models.Model }

// TestFallbacksAgree: on every path, the metrics of a model seen through
// its core methods only (generic Gram, G·v, diag(G), per-sample norms)
// equal those through its own structured implementations, to rounding.
func TestFallbacksAgree(t *testing.T) {
	for _, pb := range problems(t) {
		for _, path := range []string{PathGram, PathDense, PathMatrixFree} {
			t.Run(pb.name+"/"+path, func(t *testing.T) {
				opt := Options{Path: path, TopK: 2, Flat: -1, Random: 2, Seed: 3}
				want, err := FromObjective(pb.obj, opt)
				require.NoError(t, err)
				core := models.NewObjective(coreOnly{pb.obj.Model}, pb.obj.Loss, pb.obj.X, pb.obj.Y)
				got, err := FromObjective(core, opt)
				require.NoError(t, err)
				for _, m := range []struct {
					name string
					a, b Metric
				}{{"mu", got.Mu, want.Mu}, {"mu_c", got.MuC, want.MuC}, {"mu_iso", got.MuIso, want.MuIso}, {"escape_gn", got.EscapeGN, want.EscapeGN}} {
					assert.InDelta(t, m.b.Value, m.a.Value, 1e-9*max(1, abs(m.b.Value)), m.name)
				}
				require.Len(t, got.Directional, len(want.Directional))
				for i, d := range want.Directional {
					assert.InDelta(t, d.G.Value, got.Directional[i].G.Value, 1e-7*max(1, abs(d.G.Value)), fmt.Sprintf("%s %d", d.Kind, d.K))
				}
			})
		}
	}
}

func abs(x float64) float64 { return max(x, -x) }

// TestNoHessianIsAnError: without exact Hessian-vector products the
// Hessian options are refused with models.ErrNoHessian, never answered
// with a number; the rest of the analysis runs.
func TestNoHessianIsAnError(t *testing.T) {
	pb := problems(t)[3] // twolayer tanh: H ≠ G
	core := models.NewObjective(coreOnly{pb.obj.Model}, pb.obj.Loss, pb.obj.X, pb.obj.Y)
	require.False(t, core.HasHessian())
	require.True(t, pb.obj.HasHessian())
	for _, opt := range []Options{{Hessian: true}, {HessianTop: 2}, {Path: PathDense, Hessian: true}} {
		res, err := FromObjective(core, opt)
		assert.True(t, errors.Is(err, models.ErrNoHessian), "%+v: %v", opt, err)
		assert.Nil(t, res)
	}
	_, err := Dense(core, true)
	assert.True(t, errors.Is(err, models.ErrNoHessian), "%v", err)
	_, err = Dense(core, false)
	assert.NoError(t, err)
	assert.PanicsWithError(t, fmt.Sprintf("%v: %T", models.ErrNoHessian, core.Model), func() {
		Hessian{core}.Apply(make([]float64, core.NumParams()), make([]float64, core.NumParams()))
	})
}
