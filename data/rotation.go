package data

import (
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

func sqrt(x float64) float64 { return math.Sqrt(x) } // correctly rounded everywhere

// haarRotation returns a d×d orthogonal matrix, Haar distributed, whose rows
// are the Gram–Schmidt orthonormalisation (done twice, "CGS2", for
// orthogonality to rounding) of i.i.d. Gaussian rows drawn from seed. The
// result is bit-identical on every platform: only rounding-safe arithmetic
// is used. Cost O(d³); d = 1000 takes a few seconds.
func haarRotation(d int, seed uint64) *linalg.Dense {
	q := linalg.NewDense(d, d)
	for i := 0; i < d; i++ {
		s := newStream(seed, roleRotation, uint64(i))
		row := q.Row(i)
		for {
			s.normals(row)
			// Two passes of classical Gram–Schmidt against rows 0..i-1.
			for pass := 0; pass < 2; pass++ {
				for j := 0; j < i; j++ {
					c := detDot(q.Row(j), row)
					detAxpy(-c, q.Row(j), row)
				}
			}
			nrm := sqrt(detDot(row, row))
			if nrm > 1e-8 { // a degenerate draw has probability ~0; redraw
				inv := 1 / nrm
				for k := range row {
					row[k] = mul(row[k], inv)
				}
				break
			}
		}
	}
	return q
}
