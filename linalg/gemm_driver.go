package linalg

import "runtime"

// gemmProblem is one call of the Goto/BLIS driver:
//
//	C[m×n] = alpha·op(A)[m×k]·op(B)[k×n] + C        (after C = beta·C)
//
// with lower set, only the micro-tiles of C that meet the lower triangle
// (j ≤ i) are computed and only lower-triangle elements are written (Syrk).
//
// Loop nest (serial form; the parallel form in gemm_parallel.go splits the
// ic/jr loops, never the pc loop):
//
//	for jc in steps of nc:            columns of C and op(B)
//	  for pc in steps of kc:          the k sum, always in this order
//	    pack op(B)[pc:pc+kc, jc:jc+nc] into nr-column micro-panels
//	    for ic in steps of mc:        rows of C and op(A)
//	      pack alpha·op(A)[ic:ic+mc, pc:pc+kc] into mr-row micro-panels
//	      for jr in steps of nr:      one B micro-panel, kept in L1
//	        for ir in steps of mr:    one A micro-panel, streamed from L2
//	          micro-kernel: C tile += A panel · B panel
//
// Every element of C thus receives beta·C first and then one micro-kernel
// sum per kc block, in pc order, whatever the partition of the ic/jr loops:
// the result does not depend on the number of threads.
type gemmProblem struct {
	m, n, k int
	alpha   float64
	a, b    operand
	c       []float64
	ldc     int
	lower   bool

	// set by run
	kern   *kernels
	mr, nr int
	bl     gemmBlocking
}

// gemmParallelMinFlops is the work (2·m·n·k) below which Gemm stays on
// the calling goroutine: below it (about 80 µs of one core), starting
// workers costs more than it saves. A variable so that tests can send
// small problems down the parallel path.
var gemmParallelMinFlops = float64(1 << 22)

// run scales C by beta and adds alpha·op(A)·op(B).
func (g *gemmProblem) run(beta float64) {
	if g.m == 0 || g.n == 0 {
		return
	}
	g.kern = impl()
	g.scaleC(beta)
	if g.k == 0 || g.alpha == 0 {
		return
	}
	g.mr, g.nr = g.kern.gemmMR, g.kern.gemmNR
	g.bl = blockSizes(g.mr, g.nr)
	flops := 2 * float64(g.m) * float64(g.n) * float64(g.k)
	if g.lower {
		flops /= 2
	}
	if p := runtime.GOMAXPROCS(0); p > 1 && flops >= gemmParallelMinFlops {
		g.parallel(p)
		return
	}
	g.serial()
}

// scaleC sets C = beta·C (the lower triangle only when g.lower); beta == 0
// writes zeros without reading C.
func (g *gemmProblem) scaleC(beta float64) {
	if beta == 1 {
		return
	}
	for i := 0; i < g.m; i++ {
		w := g.n
		if g.lower {
			w = i + 1
		}
		row := g.c[i*g.ldc : i*g.ldc+w]
		if beta == 0 {
			clear(row)
		} else {
			g.kern.scal(beta, row)
		}
	}
}

// bBufLen is the length of the packed B block buffer.
func (g *gemmProblem) bBufLen() int {
	return g.bl.kc * roundUp(min(g.bl.nc, g.n), g.nr)
}

// aBufLen is the length of a worker's buffer: a packed A block of up to
// rows rows, then an mr×nr scratch tile for edge tiles.
func (g *gemmProblem) aBufLen(rows int) int {
	return roundUp(min(rows, g.m), g.mr)*g.bl.kc + g.mr*g.nr
}

// serial runs the whole loop nest on the calling goroutine.
func (g *gemmProblem) serial() {
	bl := g.bl
	bp := getPack(g.bBufLen())
	ap := getPack(g.aBufLen(bl.mc))
	bbuf, abuf := *bp, *ap
	for jc := 0; jc < g.n; jc += bl.nc {
		ncur := min(bl.nc, g.n-jc)
		for pc := 0; pc < g.k; pc += bl.kc {
			kcur := min(bl.kc, g.k-pc)
			packB(bbuf, g.b, pc, kcur, jc, ncur, g.nr)
			for ic := 0; ic < g.m; ic += bl.mc {
				mcur := min(bl.mc, g.m-ic)
				g.block(abuf, bbuf, pc, kcur, ic, mcur, jc, 0, ncur)
			}
		}
	}
	putPack(ap)
	putPack(bp)
}

// block packs rows [ic, ic+mcur) of alpha·op(A) (k range [pc, pc+kcur))
// into abuf and multiplies them by the packed B micro-panels holding
// columns [jc+jr0, jc+jr1) of the block, jr0 a multiple of nr. The scratch
// tile sits after the packed A block in abuf.
func (g *gemmProblem) block(abuf, bbuf []float64, pc, kcur, ic, mcur, jc, jr0, jr1 int) {
	mr, nr := g.mr, g.nr
	if g.lower && jc+jr0 > ic+mcur-1 {
		return // every tile strictly above the diagonal
	}
	na := roundUp(mcur, mr) * kcur
	packA(abuf[:na], g.a, g.alpha, ic, mcur, pc, kcur, mr)
	scratch := abuf[na : na+mr*nr]
	kern := g.kern.gemmKernel
	ldc := g.ldc
	// Syrk: after the last kc block a tile of the lower triangle is final;
	// it is mirrored onto the upper triangle while still in L1.
	mirror := g.lower && pc+kcur == g.k
	for jr := jr0; jr < jr1; jr += nr {
		j0 := jc + jr
		if g.lower && j0 > ic+mcur-1 {
			break // this panel and all later ones are above the diagonal
		}
		nrr := min(nr, jr1-jr)
		bpan := bbuf[(jr/nr)*kcur*nr : (jr/nr+1)*kcur*nr]
		for ir := 0; ir < mcur; ir += mr {
			i0 := ic + ir
			mrr := min(mr, mcur-ir)
			if g.lower && j0 > i0+mrr-1 {
				continue // tile strictly above the diagonal
			}
			apan := abuf[(ir/mr)*kcur*mr : (ir/mr+1)*kcur*mr]
			straddle := g.lower && j0+nrr-1 > i0
			if mrr == mr && nrr == nr && !straddle {
				kern(kcur, apan, bpan, g.c[i0*ldc+j0:], ldc)
				if mirror {
					mirrorTile(g.c, ldc, i0, mrr, j0, nrr)
				}
				continue
			}
			clear(scratch)
			kern(kcur, apan, bpan, scratch, nr)
			for i := 0; i < mrr; i++ {
				w := nrr
				if g.lower {
					w = min(nrr, i0+i-j0+1)
				}
				if w <= 0 {
					continue
				}
				crow := g.c[(i0+i)*ldc+j0 : (i0+i)*ldc+j0+w]
				for j, v := range scratch[i*nr : i*nr+w] {
					crow[j] += v
				}
			}
			if mirror {
				mirrorTile(g.c, ldc, i0, mrr, j0, nrr)
			}
		}
	}
}

// mirrorTile copies the elements (i, j) with j < i of the tile rows
// [i0, i0+mr) × columns [j0, j0+nr) onto (j, i).
func mirrorTile(c []float64, ldc, i0, mr, j0, nr int) {
	for i := i0; i < i0+mr; i++ {
		jEnd := min(j0+nr, i)
		if jEnd <= j0 {
			continue
		}
		src := c[i*ldc+j0 : i*ldc+jEnd]
		for j, v := range src {
			c[(j0+j)*ldc+i] = v
		}
	}
}
