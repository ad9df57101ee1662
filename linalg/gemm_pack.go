package linalg

// operand is one matrix argument of the Gemm driver: row-major storage with
// a row stride, read as stored (trans false) or transposed.
type operand struct {
	data   []float64
	stride int
	trans  bool
}

// packA packs rows [i0, i0+mc) and columns [p0, p0+kc) of op(A), scaled by
// alpha, into micro-panels of mr rows: panel q holds rows i0+q·mr.. and its
// element (i, p) is dst[q·kc·mr + p·mr + i]. Rows past mc in the last panel
// are zero, so the micro-kernel can always compute a full tile.
func packA(dst []float64, a operand, alpha float64, i0, mc, p0, kc, mr int) {
	lda := a.stride
	if a.trans {
		// op(A)[i][p] = A[p][i]: walk A row by row (one contiguous read
		// stream) and scatter each row's mr-runs, scaled, to the panels.
		full := mc / mr
		for p := 0; p < kc; p++ {
			off := (p0+p)*lda + i0
			src := a.data[off : off+mc]
			scaleRuns(dst[p*mr:], src[:full*mr], kc*mr, mr, alpha)
			if rem := mc - full*mr; rem > 0 {
				dp := dst[full*kc*mr+p*mr : full*kc*mr+p*mr+mr]
				for i, v := range src[full*mr:] {
					dp[i] = alpha * v
				}
				clear(dp[rem:])
			}
		}
		return
	}
	for q, ir := 0, 0; ir < mc; q, ir = q+1, ir+mr {
		rows := min(mr, mc-ir)
		d := dst[q*kc*mr : (q+1)*kc*mr]
		// op(A)[i][p] = A[i][p]: each source row is contiguous in p; it
		// lands at stride mr in the panel, four (or two) rows at a time.
		i := 0
		for ; i+4 <= rows; i += 4 {
			off := (i0+ir+i)*lda + p0
			interleave4(d[i:], mr, alpha, a.data[off:off+kc], a.data[off+lda:off+lda+kc],
				a.data[off+2*lda:off+2*lda+kc], a.data[off+3*lda:off+3*lda+kc])
		}
		for ; i+2 <= rows; i += 2 {
			off := (i0+ir+i)*lda + p0
			interleave2(d[i:], mr, alpha, a.data[off:off+kc], a.data[off+lda:off+lda+kc])
		}
		if i < rows {
			off := (i0+ir+i)*lda + p0
			src := a.data[off : off+kc]
			for p, v := range src {
				d[p*mr+i] = alpha * v
			}
		}
		if rows < mr {
			for p := 0; p < kc; p++ {
				clear(d[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packB packs rows [p0, p0+kc) and columns [j0, j0+nc) of op(B) into
// micro-panels of nr columns: panel q holds columns j0+q·nr.. and its
// element (p, j) is dst[q·kc·nr + p·nr + j]. Columns past nc in the last
// panel are zero.
func packB(dst []float64, b operand, p0, kc, j0, nc, nr int) {
	ldb := b.stride
	if !b.trans {
		// op(B)[p][j] = B[p][j]: walk B row by row (one contiguous read
		// stream) and scatter each row's nr-runs to the panels.
		full := nc / nr
		for p := 0; p < kc; p++ {
			off := (p0+p)*ldb + j0
			src := b.data[off : off+nc]
			copyRuns(dst[p*nr:], src[:full*nr], kc*nr, nr)
			if rem := nc - full*nr; rem > 0 {
				dp := dst[full*kc*nr+p*nr : full*kc*nr+p*nr+nr]
				copy(dp, src[full*nr:])
				clear(dp[rem:])
			}
		}
		return
	}
	for q, jr := 0, 0; jr < nc; q, jr = q+1, jr+nr {
		cols := min(nr, nc-jr)
		d := dst[q*kc*nr : (q+1)*kc*nr]
		// op(B)[p][j] = B[j][p]: source row j is contiguous in p and lands
		// at stride nr.
		j := 0
		for ; j+4 <= cols; j += 4 {
			off := (j0+jr+j)*ldb + p0
			interleave4(d[j:], nr, 1, b.data[off:off+kc], b.data[off+ldb:off+ldb+kc],
				b.data[off+2*ldb:off+2*ldb+kc], b.data[off+3*ldb:off+3*ldb+kc])
		}
		for ; j+2 <= cols; j += 2 {
			off := (j0+jr+j)*ldb + p0
			interleave2(d[j:], nr, 1, b.data[off:off+kc], b.data[off+ldb:off+ldb+kc])
		}
		for ; j < cols; j++ {
			off := (j0+jr+j)*ldb + p0
			src := b.data[off : off+kc]
			for p, v := range src {
				d[p*nr+j] = v
			}
		}
		if cols < nr {
			for p := 0; p < kc; p++ {
				clear(d[p*nr+cols : p*nr+nr])
			}
		}
	}
}

// copyRuns copies src, a whole number of runs of nr elements, to dst with
// run r at dst[r·step:]. The common run lengths copy as fixed-size arrays.
func copyRuns(dst, src []float64, step, nr int) {
	runs := len(src) / nr
	switch nr {
	case 8:
		for r := 0; r < runs; r++ {
			*(*[8]float64)(dst[r*step:]) = *(*[8]float64)(src[r*8:])
		}
	case 16:
		for r := 0; r < runs; r++ {
			*(*[16]float64)(dst[r*step:]) = *(*[16]float64)(src[r*16:])
		}
	default:
		for r := 0; r < runs; r++ {
			copy(dst[r*step:r*step+nr], src[r*nr:r*nr+nr])
		}
	}
}

// interleave4 sets dst[p·step+t] = alpha·xt[p] for the four equally long
// rows x0..x3 (t = 0..3): four rows of a panel at a time, so that each
// group of four stores is contiguous.
func interleave4(dst []float64, step int, alpha float64, x0, x1, x2, x3 []float64) {
	n := len(x0)
	x1, x2, x3 = x1[:n], x2[:n], x3[:n]
	for p := 0; p < n; p++ {
		d := dst[p*step : p*step+4]
		d[0] = alpha * x0[p]
		d[1] = alpha * x1[p]
		d[2] = alpha * x2[p]
		d[3] = alpha * x3[p]
	}
}

// interleave2 is interleave4 for two rows.
func interleave2(dst []float64, step int, alpha float64, x0, x1 []float64) {
	n := len(x0)
	x1 = x1[:n]
	for p := 0; p < n; p++ {
		d := dst[p*step : p*step+2]
		d[0] = alpha * x0[p]
		d[1] = alpha * x1[p]
	}
}

// scaleRuns is copyRuns with every element multiplied by alpha; the run
// lengths of the amd64 tables are unrolled.
func scaleRuns(dst, src []float64, step, mr int, alpha float64) {
	runs := len(src) / mr
	switch mr {
	case 6:
		for r := 0; r < runs; r++ {
			d, s := (*[6]float64)(dst[r*step:]), (*[6]float64)(src[r*6:])
			d[0], d[1], d[2] = alpha*s[0], alpha*s[1], alpha*s[2]
			d[3], d[4], d[5] = alpha*s[3], alpha*s[4], alpha*s[5]
		}
	case 12:
		for r := 0; r < runs; r++ {
			d, s := (*[12]float64)(dst[r*step:]), (*[12]float64)(src[r*12:])
			d[0], d[1], d[2], d[3] = alpha*s[0], alpha*s[1], alpha*s[2], alpha*s[3]
			d[4], d[5], d[6], d[7] = alpha*s[4], alpha*s[5], alpha*s[6], alpha*s[7]
			d[8], d[9], d[10], d[11] = alpha*s[8], alpha*s[9], alpha*s[10], alpha*s[11]
		}
	default:
		for r := 0; r < runs; r++ {
			d := dst[r*step : r*step+mr]
			s := src[r*mr:][:len(d)]
			for i := range d {
				d[i] = alpha * s[i]
			}
		}
	}
}
