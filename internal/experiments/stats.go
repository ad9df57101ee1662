package experiments

import (
	"fmt"
	"math"
)

// sampleStats summarises repeated measurements: the mean of the finite
// values, its standard error (NaN with fewer than two), the minimum and how
// many finite values there were.
type sampleStats struct {
	Mean, SE, Min float64
	N             int
}

// describe summarises xs, skipping NaN and ±Inf.
func describe(xs []float64) sampleStats {
	st := sampleStats{Mean: math.NaN(), SE: math.NaN(), Min: math.NaN()}
	sum := 0.0
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		if st.N == 0 || x < st.Min {
			st.Min = x
		}
		sum += x
		st.N++
	}
	if st.N == 0 {
		return st
	}
	st.Mean = sum / float64(st.N)
	if st.N < 2 {
		return st
	}
	ss := 0.0
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			ss += (x - st.Mean) * (x - st.Mean)
		}
	}
	st.SE = math.Sqrt(ss / float64(st.N-1) / float64(st.N))
	return st
}

// meanSE returns describe(xs)'s mean and standard error.
func meanSE(xs []float64) (mean, se float64) {
	st := describe(xs)
	return st.Mean, st.SE
}

// unitIDs lists the IDs of a plan.
func unitIDs(plan []Unit) []string {
	ids := make([]string, len(plan))
	for i, u := range plan {
		ids[i] = u.ID
	}
	return ids
}

// recordsByUnit indexes records by unit ID and checks that every unit in
// ids has one; the error names the experiment and the first missing unit.
func recordsByUnit(exp string, ids []string, records []Record) (map[string]Record, error) {
	by := make(map[string]Record, len(records))
	for _, r := range records {
		by[r.Unit] = r
	}
	for _, id := range ids {
		if _, ok := by[id]; !ok {
			return nil, fmt.Errorf("%s: no record for unit %q", exp, id)
		}
	}
	return by, nil
}
