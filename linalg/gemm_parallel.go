package linalg

import (
	"sync"
	"sync/atomic"
)

// Parallel Gemm.
//
// For each (jc, pc) block, in the serial order:
//  1. the packed B block (shared, read-only afterwards) is packed by all
//     workers, each taking a contiguous range of its nr-column panels;
//  2. the block of C is cut into work units of rows × columns (rows a
//     multiple of mr, columns a multiple of nr, both on the same tile grid
//     as the serial driver) that the workers take from an atomic counter;
//     each worker packs the A rows of its unit into its own buffer.
//
// The partition is over C only: every element still receives its kc-block
// sums in pc order, each computed by the same micro-kernel call, so the
// result is bitwise identical for every GOMAXPROCS (and every
// scheduling). Each phase starts workers−1 goroutines and runs one share on
// the caller; a goroutine start costs one small allocation (its closure),
// so a parallel call allocates 2·(workers−1) objects per (jc, pc) block and
// nothing else once the buffer pool is warm.

// gemmTeam is the shared state of one parallel call.
type gemmTeam struct {
	g       gemmProblem // a copy, so that the caller's problem stays on its stack
	workers int
	bbuf    []float64

	// current (jc, pc) block
	jc, ncur, pc, kcur int
	// work units: rowUnits × colUnits, rows of rowChunk, columns colChunk
	rowChunk, colChunk, rowUnits, colUnits int
	next                                   atomic.Int64

	wg sync.WaitGroup
}

// unitsPerWorker is how many work units each worker gets on average in the
// compute phase: more than one evens out the load (unequal unit sizes,
// triangle in Syrk, other processes on the machine) at a little cost in B
// reuse.
const unitsPerWorker = 4

func (g *gemmProblem) parallel(workers int) {
	bl := g.bl
	bp := getPack(g.bBufLen())
	t := &gemmTeam{g: *g, workers: workers, bbuf: *bp}
	for jc := 0; jc < g.n; jc += bl.nc {
		t.jc, t.ncur = jc, min(bl.nc, g.n-jc)
		t.plan()
		for pc := 0; pc < g.k; pc += bl.kc {
			t.pc, t.kcur = pc, min(bl.kc, g.k-pc)
			t.phase((*gemmTeam).packShare)
			t.next.Store(0)
			t.phase((*gemmTeam).computeShare)
		}
	}
	putPack(bp)
}

// plan cuts the current column block of C into work units.
func (t *gemmTeam) plan() {
	g := &t.g
	target := t.workers * unitsPerWorker
	rowChunk := min(g.bl.mc, roundUp((g.m+target-1)/target, g.mr))
	rowUnits := (g.m + rowChunk - 1) / rowChunk
	colChunk, colUnits := roundUp(t.ncur, g.nr), 1
	if rowUnits < target {
		want := (target + rowUnits - 1) / rowUnits
		colChunk = roundUp((t.ncur+want-1)/want, g.nr)
		colUnits = (t.ncur + colChunk - 1) / colChunk
	}
	t.rowChunk, t.rowUnits, t.colChunk, t.colUnits = rowChunk, rowUnits, colChunk, colUnits
}

// phase runs share(w) for w = 0..workers-1, w = 0 on the caller, and waits.
func (t *gemmTeam) phase(share func(*gemmTeam, int)) {
	t.wg.Add(t.workers - 1)
	for w := 1; w < t.workers; w++ {
		go func() {
			share(t, w)
			t.wg.Done()
		}()
	}
	share(t, 0)
	t.wg.Wait()
}

// packShare packs worker w's contiguous range of B micro-panels.
func (t *gemmTeam) packShare(w int) {
	g := &t.g
	nr := g.nr
	panels := (t.ncur + nr - 1) / nr
	q0, q1 := w*panels/t.workers, (w+1)*panels/t.workers
	if q0 == q1 {
		return
	}
	j0, j1 := q0*nr, min(q1*nr, t.ncur)
	packB(t.bbuf[q0*t.kcur*nr:], g.b, t.pc, t.kcur, t.jc+j0, j1-j0, nr)
}

// computeShare takes work units from the counter until none are left.
func (t *gemmTeam) computeShare(int) {
	g := &t.g
	units := int64(t.rowUnits * t.colUnits)
	u := t.next.Add(1) - 1
	if u >= units {
		return
	}
	ap := getPack(g.aBufLen(t.rowChunk))
	for ; u < units; u = t.next.Add(1) - 1 {
		ru, cu := int(u)/t.colUnits, int(u)%t.colUnits
		ic := ru * t.rowChunk
		jr0 := cu * t.colChunk
		g.block(*ap, t.bbuf, t.pc, t.kcur, ic, min(t.rowChunk, g.m-ic), t.jc, jr0, min(jr0+t.colChunk, t.ncur))
	}
	putPack(ap)
}
