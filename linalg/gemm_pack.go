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
	for q, ir := 0, 0; ir < mc; q, ir = q+1, ir+mr {
		rows := min(mr, mc-ir)
		d := dst[q*kc*mr : (q+1)*kc*mr]
		if !a.trans {
			// op(A)[i][p] = A[i][p]: each source row is contiguous in p;
			// it lands at stride mr in the panel.
			for i := 0; i < rows; i++ {
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
			continue
		}
		// op(A)[i][p] = A[p][i]: row p of A holds the panel's k-slice p
		// contiguously.
		for p := 0; p < kc; p++ {
			off := (p0+p)*lda + i0 + ir
			src := a.data[off : off+rows]
			dp := d[p*mr : p*mr+mr]
			for i, v := range src {
				dp[i] = alpha * v
			}
			clear(dp[rows:])
		}
	}
}

// packB packs rows [p0, p0+kc) and columns [j0, j0+nc) of op(B) into
// micro-panels of nr columns: panel q holds columns j0+q·nr.. and its
// element (p, j) is dst[q·kc·nr + p·nr + j]. Columns past nc in the last
// panel are zero.
func packB(dst []float64, b operand, p0, kc, j0, nc, nr int) {
	ldb := b.stride
	for q, jr := 0, 0; jr < nc; q, jr = q+1, jr+nr {
		cols := min(nr, nc-jr)
		d := dst[q*kc*nr : (q+1)*kc*nr]
		if !b.trans {
			// op(B)[p][j] = B[p][j]: a contiguous run of cols per p.
			for p := 0; p < kc; p++ {
				off := (p0+p)*ldb + j0 + jr
				dp := d[p*nr : p*nr+nr]
				copy(dp, b.data[off:off+cols])
				clear(dp[cols:])
			}
			continue
		}
		// op(B)[p][j] = B[j][p]: source row j is contiguous in p and lands
		// at stride nr.
		for j := 0; j < cols; j++ {
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
