package analysis

import (
	"github.com/noisegeom/noisegeom/internal/parallel"
	"github.com/noisegeom/noisegeom/linalg"
)

// symOperator applies a dense symmetric matrix (both triangles stored)
// with one Gemv per block of rows, on GOMAXPROCS goroutines when the
// matrix is large: a dense n×n Gemv is memory-bound, and each core brings
// its own share of bandwidth.
type symOperator struct{ a *linalg.Dense }

func (o symOperator) Dim() int { return o.a.Rows }

func (o symOperator) Apply(dst, src []float64) {
	n := o.a.Rows
	parallel.Range(n, parallel.Workers(n, 512, 0), 1, func(r0, r1 int) {
		linalg.Gemv(linalg.NoTrans, 1, o.a.RowsView(r0, r1), src, 0, dst[r0:r1])
	})
}
