package analysis

import (
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// NetworkGram returns K = JJᵀ ((nK)×(nK)) of a models.Network on the
// inputs x, assembled layer by layer from (AAᵀ)⊙(ΔΔᵀ) without forming J:
// net.Gram(x) (models.Grammer). The Gram path uses it for any Grammer.
func NetworkGram(net *models.Network, x *linalg.Dense) *linalg.Dense { return net.Gram(x) }

// DiagonalGram returns K = JJᵀ (n×n) of a diagonal linear network on the
// inputs x as X·diag(w)·Xᵀ: m.Gram(x) (models.Grammer).
func DiagonalGram(m *models.DiagonalLinear, x *linalg.Dense) *linalg.Dense { return m.Gram(x) }
