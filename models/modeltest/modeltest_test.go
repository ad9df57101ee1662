package modeltest_test

import (
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/models/modeltest"
	"github.com/stretchr/testify/assert"
)

// coreOnly exposes a model's core methods only.
type coreOnly struct{ models.Model }

func newNet() *models.Network {
	m := models.NewMLP([]int{3, 4, 2}, models.Tanh)
	m.Init(5)
	return m
}

// Models with one wrong method each; the harness must name the check that
// catches it.
type badJVP struct{ coreOnly }

func (m badJVP) JVP(dst, x *linalg.Dense, v []float64) {
	m.Model.JVP(dst, x, v)
	dst.Data[0] *= 1.001
}

type badVJP struct{ coreOnly }

func (m badVJP) VJP(dst []float64, x *linalg.Dense, h models.Head) {
	m.Model.VJP(dst, x, h)
	dst[0] *= 1.001
}

type badPerSample struct{ coreOnly }

func (m badPerSample) PerSampleVJP(dst, x *linalg.Dense, h models.Head) {
	m.Model.PerSampleVJP(dst, x, h)
	dst.Row(0)[0] *= 1.001
}

type badClone struct{ coreOnly }

func (m badClone) Clone() models.Model { return m }

// withNet offers the network's optional interfaces, one of them wrong.
type withNet struct {
	coreOnly
	net   *models.Network
	wrong string
}

func (m withNet) PerSampleVJPNorms(dst []float64, x *linalg.Dense, h models.Head) {
	m.net.PerSampleVJPNorms(dst, x, h)
	if m.wrong == "norms" {
		dst[1] *= 1.001
	}
}

func (m withNet) HVP(dst []float64, x *linalg.Dense, v []float64, h models.Head, gaussNewton bool) {
	m.net.HVP(dst, x, v, h, gaussNewton)
	if m.wrong == "hessian" && !gaussNewton || m.wrong == "gn" && gaussNewton {
		dst[0] *= 1.001
	}
}

func (m withNet) DiagGGN(dst []float64, x *linalg.Dense, h models.Head) {
	m.net.DiagGGN(dst, x, h)
	if m.wrong == "diag" {
		dst[0] *= 1.001
	}
}

func (m withNet) Gram(x *linalg.Dense) *linalg.Dense {
	g := m.net.Gram(x)
	if m.wrong == "gram" {
		g.Data[0] *= 1.001
	}
	return g
}

func (m withNet) GramCost() models.GramCost { return m.net.GramCost() }

func wrapped(wrong string) models.Model {
	n := newNet()
	return withNet{coreOnly{n}, n, wrong}
}

func TestHarnessCatches(t *testing.T) {
	tests := []struct {
		name   string
		model  models.Model
		checks []string // the checks that must fail (others may too)
	}{
		{"jvp", badJVP{coreOnly{newNet()}}, []string{"jvp", "adjoint", "jacobian"}},
		{"vjp", badVJP{coreOnly{newNet()}}, []string{"gradient", "adjoint"}},
		{"per-sample", badPerSample{coreOnly{newNet()}}, []string{"per-sample", "jacobian"}},
		{"clone", badClone{coreOnly{newNet()}}, []string{"clone"}},
		{"norms", wrapped("norms"), []string{"per-sample", "optional"}},
		{"hessian", wrapped("hessian"), []string{"hessian"}},
		{"gauss-newton", wrapped("gn"), []string{"gauss-newton", "optional"}},
		{"diag", wrapped("diag"), []string{"diag-ggn", "optional"}},
		{"gram", wrapped("gram"), []string{"optional"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := modeltest.Run(tc.model, modeltest.Options{})
			var failed []string
			for _, err := range errs {
				failed = append(failed, strings.SplitN(err.Error(), ":", 2)[0])
			}
			for _, c := range tc.checks {
				assert.Contains(t, failed, c, "%v", errs)
			}
		})
	}
}

// TestHarnessPasses: correct models pass, with and without the optional
// interfaces (without an exact Hessian the harness checks ErrNoHessian),
// for both losses, and the model's θ is restored.
func TestHarnessPasses(t *testing.T) {
	for _, loss := range []models.Loss{models.Square{}, models.CrossEntropy{}} {
		for _, m := range []models.Model{newNet(), coreOnly{newNet()}, wrapped("")} {
			theta := append([]float64(nil), m.Params()...)
			assert.Empty(t, modeltest.Run(m, modeltest.Options{Loss: loss}), "%T %s", m, loss.Name())
			assert.Equal(t, theta, m.Params())
		}
	}
	// Above MaxCoords the gradient and the Jacobian go along random directions.
	assert.Empty(t, modeltest.Run(newNet(), modeltest.Options{MaxCoords: 3, N: 5, Seed: 9}))
	assert.NotEmpty(t, modeltest.Run(badVJP{coreOnly{newNet()}}, modeltest.Options{MaxCoords: 3}))
	// A batch of the wrong shape is an error, not a panic.
	assert.NotEmpty(t, modeltest.Run(newNet(), modeltest.Options{X: linalg.NewDense(4, 5)}))
}
