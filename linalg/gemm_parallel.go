package linalg

import (
	"sync"
	"sync/atomic"

	"github.com/noisegeom/noisegeom/internal/parallel"
)

// Parallel Gemm.
//
// The caller and workers−1 goroutines run the same loop nest in lock step.
// For each (jc, pc) block, in the serial order:
//  1. the packed B block (shared, read-only afterwards) is packed by all
//     workers, each taking a contiguous range of its nr-column panels;
//     then a barrier;
//  2. the block of C is cut into work units of rows × columns (rows a
//     multiple of mr, columns a multiple of nr, both on the same tile grid
//     as the serial driver) that the workers take from an atomic counter;
//     each worker packs the A rows of its unit into its own buffer; then a
//     barrier, after which B may be repacked.
//
// The partition is over C only: every element still receives its kc-block
// sums in pc order, each computed by the same micro-kernel call, so the
// result is bitwise identical for every GOMAXPROCS (and every scheduling).
//
// Allocations: the team, the closure passed to parallel.Range and one per
// goroutine it starts; the packing buffers come from the pool.

// gemmTeam is the shared state of one parallel call.
type gemmTeam struct {
	g       gemmProblem // a copy, so that the caller's problem stays on its stack
	workers int
	bbuf    []float64
	next    atomic.Int64 // next work unit of the current compute phase
	bar     barrier
}

// unitsPerWorker is how many work units each worker gets on average in the
// compute phase: more than one evens out the load (unequal unit sizes,
// triangle in Syrk, other processes on the machine) at a little cost in B
// reuse.
const unitsPerWorker = 4

func (g *gemmProblem) parallel(workers int) {
	bp := getPack(g.bBufLen())
	t := &gemmTeam{g: *g, workers: workers, bbuf: *bp}
	t.bar.init(workers)
	// One subrange per worker, all running at once (the barriers need
	// them to); worker 0 is the caller.
	parallel.Range(workers, workers, 1, func(w0, w1 int) {
		for w := w0; w < w1; w++ {
			t.work(w)
		}
	})
	putPack(bp)
}

// unitPlan is how a column block of C is cut into work units.
type unitPlan struct{ rowChunk, colChunk, rowUnits, colUnits int }

// plan cuts a column block of C of ncur columns into work units. It
// depends only on the problem and the worker count.
func (t *gemmTeam) plan(ncur int) unitPlan {
	g := &t.g
	target := t.workers * unitsPerWorker
	rowChunk := min(g.bl.mc, roundUp((g.m+target-1)/target, g.mr))
	rowUnits := (g.m + rowChunk - 1) / rowChunk
	colChunk, colUnits := roundUp(ncur, g.nr), 1
	if rowUnits < target {
		want := (target + rowUnits - 1) / rowUnits
		colChunk = roundUp((ncur+want-1)/want, g.nr)
		colUnits = (ncur + colChunk - 1) / colChunk
	}
	return unitPlan{rowChunk: rowChunk, colChunk: colChunk, rowUnits: rowUnits, colUnits: colUnits}
}

// work is worker w's run through the loop nest.
func (t *gemmTeam) work(w int) {
	g := &t.g
	bl := g.bl
	var ap *[]float64
	for jc := 0; jc < g.n; jc += bl.nc {
		ncur := min(bl.nc, g.n-jc)
		pl := t.plan(ncur)
		if ap == nil {
			ap = getPack(g.aBufLen(pl.rowChunk))
		}
		for pc := 0; pc < g.k; pc += bl.kc {
			kcur := min(bl.kc, g.k-pc)
			if w == 0 {
				t.next.Store(0) // nobody takes units until the barrier
			}
			t.packShare(w, pc, kcur, jc, ncur)
			t.bar.wait()
			units := int64(pl.rowUnits * pl.colUnits)
			for u := t.next.Add(1) - 1; u < units; u = t.next.Add(1) - 1 {
				v := int(u)
				if g.lower {
					// Syrk: the bottom rows carry the most work; hand
					// them out first so the last units are the short ones.
					v = int(units) - 1 - v
				}
				ru, cu := v/pl.colUnits, v%pl.colUnits
				ic, jr0 := ru*pl.rowChunk, cu*pl.colChunk
				g.block(*ap, t.bbuf, pc, kcur, ic, min(pl.rowChunk, g.m-ic), jc, jr0, min(jr0+pl.colChunk, ncur))
			}
			t.bar.wait()
		}
	}
	if ap != nil {
		putPack(ap)
	}
}

// packShare packs worker w's contiguous range of the B micro-panels of
// block (pc, jc).
func (t *gemmTeam) packShare(w, pc, kcur, jc, ncur int) {
	g := &t.g
	nr := g.nr
	panels := (ncur + nr - 1) / nr
	q0, q1 := w*panels/t.workers, (w+1)*panels/t.workers
	if q0 == q1 {
		return
	}
	j0, j1 := q0*nr, min(q1*nr, ncur)
	packB(t.bbuf[q0*kcur*nr:], g.b, pc, kcur, jc+j0, j1-j0, nr)
}

// barrier is a reusable rendezvous of n goroutines.
type barrier struct {
	mu         sync.Mutex
	cond       sync.Cond
	n, arrived int
	generation uint64
}

func (b *barrier) init(n int) {
	b.n = n
	b.cond.L = &b.mu
}

// wait blocks until n goroutines have called it (in this generation).
func (b *barrier) wait() {
	b.mu.Lock()
	gen := b.generation
	b.arrived++
	if b.arrived == b.n {
		b.arrived = 0
		b.generation++
		b.mu.Unlock()
		b.cond.Broadcast()
		return
	}
	for gen == b.generation {
		b.cond.Wait()
	}
	b.mu.Unlock()
}
