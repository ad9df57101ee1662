package escape

import "math"

// Divergence is a result, not an error. A run diverges at the first
// checked step at which a number it reports stops being a finite float64:
// the loss or a second moment D_k, or, over repeats, their means and
// standard errors (which square the values, so they overflow once the
// values pass about 1e154). The exact recursion checks E L_t at every
// step; Monte Carlo and Cyclical check at their recorded steps. The run
// stops there and keeps what it recorded before (Series.DivergedAt,
// CyclicalResult.DivergedAt).
//
// NotDiverged is the DivergedAt of a run that did not diverge.
const NotDiverged = -1

// diverged reports whether any of vs is NaN or ±Inf: the one test of
// divergence shared by Exact, MonteCarlo and Cyclical.
func diverged(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return true
		}
	}
	return false
}
