package linalg

import (
	"math"
	"runtime"

	"github.com/noisegeom/noisegeom/internal/parallel"
)

// rotBatch collects the plane rotations of several implicit QL sweeps and
// applies them to the eigenvector rows together: column chunk by column
// chunk (so that a chunk of every row stays in cache across the sweeps),
// the chunks split among goroutines. Every element sees the same
// operations in the same order whatever the split, so results do not
// depend on the number of threads.
type rotBatch struct {
	rows  [][]float64 // row references, permuted by the crosswise updates
	lo    []int       // sweep k applies rotations i = hi[k]-1 … lo[k]
	hi    []int
	c, s  []float64 // per sweep, in application order
	count int       // rotations collected
	perm  []int
	tmp   [][]float64
}

// Tuning of the batched rotations.
const (
	// rotChunk is the column width of one cache chunk.
	rotChunk = 512
	// rotBatchSweeps is the number of QL sweeps applied together.
	rotBatchSweeps = 32
	// rotFusedMax: rows up to this length use the fused scalar loop.
	rotFusedMax = 32
)

// rotParallelMin is the number of element updates (rotations × row
// length) from which a flush is split among goroutines (a variable for
// tests).
var rotParallelMin = 1 << 20

func newRotBatch(rows [][]float64) *rotBatch {
	n := len(rows)
	return &rotBatch{rows: rows, perm: make([]int, n), tmp: make([][]float64, n)}
}

// add records the sweep of rotations i = hi-1 down to lo with cosines
// c[i] and sines s[i] (rotation i: x' = c·x − s·y, y' = s·x + c·y on rows
// i and i+1), and flushes when enough have been collected.
func (b *rotBatch) add(lo, hi int, c, s []float64) {
	b.lo = append(b.lo, lo)
	b.hi = append(b.hi, hi)
	for i := hi - 1; i >= lo; i-- {
		b.c = append(b.c, c[i])
		b.s = append(b.s, s[i])
	}
	b.count += hi - lo
	if len(b.lo) >= rotBatchSweeps {
		b.flush()
	}
}

// flush applies the collected rotations and empties the batch.
func (b *rotBatch) flush() {
	if b.count == 0 {
		return
	}
	n := len(b.rows)
	ncol := 0
	if n > 0 {
		ncol = len(b.rows[0])
	}
	// The table's rotation kernel, or for long rows two axpby passes with
	// crosswise updates (simd) when the table asks for them.
	k := impl()
	simd := k.rotViaAxpby && ncol > rotFusedMax
	fused := k.rot
	if simd {
		fused = nil
	}
	workers := 1
	if ncol*b.count >= rotParallelMin {
		workers = min(runtime.GOMAXPROCS(0), max(ncol/64, 1))
	}
	// Contiguous column ranges, multiples of 8 columns; every column gets
	// the same operations whatever the partition. The range at column 0
	// (run by the caller) uses b.perm as scratch, the others their own.
	parallel.Range(ncol, workers, 8, func(c0, c1 int) {
		perm := b.perm
		if c0 > 0 {
			perm = make([]int, n)
		}
		b.applyRange(c0, c1, simd, fused, perm)
	})
	// The crosswise updates depend only on (c, s): replay them on the
	// references.
	if simd {
		for i := range b.perm {
			b.perm[i] = i
		}
		b.replayPerm(b.perm)
		copy(b.tmp, b.rows)
		for i, p := range b.perm {
			b.rows[i] = b.tmp[p]
		}
	}
	b.lo, b.hi, b.c, b.s, b.count = b.lo[:0], b.hi[:0], b.c[:0], b.s[:0], 0
}

// replayPerm applies the crosswise swaps of the batch to perm.
func (b *rotBatch) replayPerm(perm []int) {
	q := 0
	for k := range b.lo {
		for i := b.hi[k] - 1; i >= b.lo[k]; i-- {
			if math.Abs(b.c[q]) < math.Abs(b.s[q]) {
				perm[i], perm[i+1] = perm[i+1], perm[i]
			}
			q++
		}
	}
}

// applyRange applies the batch to columns [c0, c1) in chunks, with the
// fused kernel if not nil, else rotate (simd); perm is scratch of length
// len(rows).
//
// The sweeps are applied as a wavefront: sweep k starts start[k] time
// steps after the first and performs its rotation j at time
// start[k] + hi[k]−1−j, so that rotations touching a row keep their
// sequential order while all sweeps of the batch pass over a window of a
// few rows, which stays in cache (each row is loaded once per batch, not
// once per sweep). Rotations applied in the same time step touch disjoint
// rows.
func (b *rotBatch) applyRange(c0, c1 int, simd bool, fused func(x, y []float64, c, s float64), perm []int) {
	nk := len(b.lo)
	start, q0 := b.schedule()
	tEnd := 0
	for k := 0; k < nk; k++ {
		tEnd = max(tEnd, start[k]+b.hi[k]-b.lo[k])
	}
	for a0 := c0; a0 < c1; a0 += rotChunk {
		a1 := min(a0+rotChunk, c1)
		for i := range perm {
			perm[i] = i
		}
		for t := 0; t < tEnd; t++ {
			for k := 0; k < nk; k++ {
				j := start[k] + b.hi[k] - 1 - t
				if j < b.lo[k] || j >= b.hi[k] {
					continue
				}
				q := q0[k] + b.hi[k] - 1 - j
				x := b.rows[perm[j]][a0:a1]
				y := b.rows[perm[j+1]][a0:a1]
				if fused != nil {
					fused(x, y, b.c[q], b.s[q])
				} else if rotate(x, y, b.c[q], b.s[q]) {
					perm[j], perm[j+1] = perm[j+1], perm[j]
				}
			}
		}
	}
}

// schedule returns the wavefront start times of the sweeps and the offset
// of each sweep's rotations in c and s. Rotation j of sweep k must follow
// rotation j−1 of every earlier sweep k' (the last one of k' to touch row
// j): start[k] ≥ start[k'] + hi[k'] − hi[k] + 2.
func (b *rotBatch) schedule() (start, q0 []int) {
	nk := len(b.lo)
	start = make([]int, nk)
	q0 = make([]int, nk)
	q := 0
	for k := 0; k < nk; k++ {
		q0[k] = q
		q += b.hi[k] - b.lo[k]
		for kp := 0; kp < k; kp++ {
			start[k] = max(start[k], start[kp]+b.hi[kp]-b.hi[k]+2)
		}
	}
	return start, q0
}

// rotate sets x' = c·x − s·y, y' = s·x + c·y with two axpby passes and no
// copy: when |c| ≥ |s|, y' = s·x + c·y and then x' = x/c − (s/c)·y';
// otherwise the buffers are used crosswise (x's buffer receives
// y' = s·x + c·y, y's buffer x' = (c/s)·y' − y/s) and rotate reports true:
// the caller swaps the two row references. Either way the divisor has
// magnitude ≥ 1/√2, so rounding stays within a small factor of the plain
// rotation's.
func rotate(x, y []float64, c, s float64) (swapped bool) {
	k := impl()
	if math.Abs(c) >= math.Abs(s) {
		k.axpby(s, x, c, y)      // y = s·x + c·y = y'
		k.axpby(-s/c, y, 1/c, x) // x = x/c − (s/c)·y' = x'
		return false
	}
	k.axpby(c, y, s, x)      // x's buffer = c·y + s·x = y'
	k.axpby(c/s, x, -1/s, y) // y's buffer = (c/s)·y' − y/s = x'
	return true
}
