package escape

// Profile summarises one D vector (directions ordered by eigenvalue,
// largest first).
type Profile struct {
	// Alpha is α_k = D_k / Σ_j D_j.
	Alpha []float64 `json:"alpha"`
	// ShareTop1, ShareTop5, ShareBeyond10: Σ α_k over k = 1, k ≤ 5 and
	// k > 10 (1-based).
	ShareTop1     float64 `json:"share_top1"`
	ShareTop5     float64 `json:"share_top5"`
	ShareBeyond10 float64 `json:"share_beyond10"`
	// Loss shares: the same sums of λ_k D_k / Σ_j λ_j D_j.
	LossShareTop1     float64 `json:"loss_share_top1"`
	LossShareTop5     float64 `json:"loss_share_top5"`
	LossShareBeyond10 float64 `json:"loss_share_beyond10"`
}

// NewProfile computes the profile of d with eigenvalues lambda (same
// order). A zero total gives zero shares.
func NewProfile(d, lambda []float64) Profile {
	tot, ltot := 0.0, 0.0
	for k, v := range d {
		tot += v
		ltot += lambda[k] * v
	}
	pr := Profile{Alpha: make([]float64, len(d))}
	for k, v := range d {
		a, l := 0.0, 0.0
		if tot > 0 {
			a = v / tot
		}
		if ltot > 0 {
			l = lambda[k] * v / ltot
		}
		pr.Alpha[k] = a
		if k == 0 {
			pr.ShareTop1, pr.LossShareTop1 = a, l
		}
		if k < 5 {
			pr.ShareTop5 += a
			pr.LossShareTop5 += l
		}
		if k >= 10 {
			pr.ShareBeyond10 += a
			pr.LossShareBeyond10 += l
		}
	}
	return pr
}

// EscapeTime returns the first recorded step whose loss is at least
// threshold, or −1.
func (s *Series) EscapeTime(threshold float64) int {
	for i, l := range s.Loss {
		if l >= threshold {
			return s.Steps[i]
		}
	}
	return -1
}

// Last returns the profile at the last recorded step (zero shares when
// nothing was recorded: a run diverged at step 0).
func (s *Series) Last(lambda []float64) Profile {
	if len(s.D) == 0 {
		return NewProfile(nil, lambda)
	}
	return NewProfile(s.D[len(s.D)-1], lambda)
}
