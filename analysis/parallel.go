package analysis

import (
	"runtime"
	"sync"

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
	workers := min(runtime.GOMAXPROCS(0), max(1, n/512))
	if workers == 1 {
		linalg.Gemv(linalg.NoTrans, 1, o.a, src, 0, dst)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for r0 := 0; r0 < n; r0 += chunk {
		r1 := min(r0+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			linalg.Gemv(linalg.NoTrans, 1, o.a.RowsView(r0, r1), src, 0, dst[r0:r1])
		}()
	}
	wg.Wait()
}
