package models

import (
	"runtime"

	"github.com/noisegeom/noisegeom/internal/parallel"
)

// parallelMinWork is the number of elements below which an elementwise
// pass stays on the calling goroutine: starting a goroutine costs about a
// microsecond, a pass over 32768 elements several. A variable so that tests
// can send small problems down the parallel path.
var parallelMinWork = 1 << 15

// splits returns how many goroutines an elementwise pass over n items
// should use: GOMAXPROCS, but at least minPer items each.
func splits(n, minPer int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/max(minPer, 1)))
}

// parallelRange calls fn on p consecutive subranges [i0, i1) that cover
// [0, n) (sizes rounded up to a multiple of 8), concurrently, and returns
// when all are done (parallel.Range). fn must only write data owned by its
// subrange, so that the result does not depend on the partition
// (elementwise passes). Callers test splits(…) > 1 first and call their
// loop directly otherwise: the closure passed here escapes, and the serial
// path must not allocate.
func parallelRange(n, p int, fn func(i0, i1 int)) { parallel.Range(n, p, 8, fn) }

// rowsPer returns the minimum number of rows of width cols per goroutine.
func rowsPer(cols int) int { return max(1, parallelMinWork/max(cols, 1)) }
