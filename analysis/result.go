package analysis

import "math"

// Path names the method that computed a Result.
const (
	PathGram       = "gram"
	PathDense      = "dense"
	PathMatrixFree = "matrixfree"
)

// Ingredients are the raw quantities the metrics are built from, all at
// the same θ, with the paper's normalisation (G = JᵀJ/n, Σ₁ = (1/n)Σ_i
// ∇ℓ_i∇ℓ_iᵀ, Σ = Σ₁ − ∇L∇Lᵀ).
type Ingredients struct {
	N       int `json:"n"`       // samples
	P       int `json:"p"`       // parameters
	Outputs int `json:"outputs"` // K

	Loss      float64 `json:"loss"`        // L = (1/n) Σ_i ½‖r_i‖²
	TwoL      float64 `json:"two_l"`       // 2L
	GradNorm2 float64 `json:"grad_norm2"`  // ‖∇L‖²
	TrG       float64 `json:"tr_g"`        // Tr G
	FrobG2    float64 `json:"frob_g2"`     // ‖G‖_F²
	TrSigma1  float64 `json:"tr_sigma1"`   // Tr Σ₁
	TrSigma   float64 `json:"tr_sigma"`    // Tr Σ
	TrSigma1G float64 `json:"tr_sigma1_g"` // Tr(Σ₁G)
	TrSigmaG  float64 `json:"tr_sigma_g"`  // Tr(ΣG) = Tr(Σ₁G) − ∇LᵀG∇L
	GradGGrad float64 `json:"grad_g_grad"` // ∇LᵀG∇L

	// HKnown reports that TrH and TrSigmaH were computed (Options.Hessian).
	HKnown   bool    `json:"h_known"`
	TrH      float64 `json:"tr_h,omitempty"`
	TrSigmaH float64 `json:"tr_sigma_h,omitempty"` // Tr(ΣH)
	// HStdErr is the standard error of TrSigmaH when estimated by probes
	// (Options.HessianProbes).
	HStdErr float64 `json:"tr_sigma_h_stderr,omitempty"`

	// TraceStdErr is nonzero when the traces involving products with G
	// (FrobG2, TrSigma1G, TrSigmaG) were estimated by random probes: it
	// holds the standard error of TrSigma1G's estimate.
	TraceStdErr float64 `json:"trace_stderr,omitempty"`
}

// Directional is the alignment along one unit direction v.
type Directional struct {
	// Kind is "top" (eigenvector of G, largest first), "flat" (flattest
	// eigenvectors of G with a nonzero eigenvalue, flattest first),
	// "random" (uniform on the sphere) or "top_h" (eigenvector of H).
	Kind string `json:"kind"`
	// K is the 1-based rank within Kind.
	K int `json:"k"`
	// Lambda = vᵀGv (the eigenvalue for eigen-directions).
	Lambda float64 `json:"lambda"`
	// LambdaH is the eigenvalue of H for kind "top_h".
	LambdaH  float64 `json:"lambda_h,omitempty"`
	VSigmaV  float64 `json:"v_sigma_v"`  // vᵀΣv
	VSigma1V float64 `json:"v_sigma1_v"` // vᵀΣ₁v
	// G = vᵀΣv / (2L·vᵀGv).
	G Metric `json:"g"`
}

// Result holds the metrics of docs/theory.md#loss-alignment at one θ and
// their ingredients.
type Result struct {
	Path string `json:"path"`
	Ingredients
	// Mu = Tr(Σ₁G)/(2L‖G‖_F²); MuC the same with Σ.
	Mu  Metric `json:"mu"`
	MuC Metric `json:"mu_c"`
	// MuIso = Tr(Σ₁)Tr(G)/(p·2L‖G‖_F²); MuIsoC with Tr Σ.
	MuIso  Metric `json:"mu_iso"`
	MuIsoC Metric `json:"mu_iso_c"`
	// MuOverIso = Mu/MuIso = p·Tr(Σ₁G)/(Tr Σ₁·Tr G).
	MuOverIso Metric `json:"mu_over_iso"`
	// EscapeGN = Tr(ΣG)/(Tr Σ·Tr G/p): Zhu et al.'s indicator with G for
	// H, relative to isotropic noise of the same total variance.
	EscapeGN Metric `json:"escape_gn"`
	// EscapeH = Tr(ΣH)/(Tr Σ·Tr H/p), when HKnown.
	EscapeH Metric `json:"escape_h"`
	// Eigenvalues of G computed, largest first (all of them on the dense
	// and Gram paths when the eigen-decomposition was complete, else the
	// top k).
	Eigenvalues []float64 `json:"eigenvalues"`
	// HEigenvalues are the top eigenvalues of H (Options.HessianTop).
	HEigenvalues []float64 `json:"h_eigenvalues,omitempty"`
	// Directional alignments: top-k, flattest nonzero, random, top of H.
	Directional []Directional `json:"directional"`
	// FlatWanted is the number of flattest directions asked for
	// (Options.Flat) and FlatFound how many were resolved (fewer when G
	// has fewer nonzero eigenvalues, the search did not converge or was
	// skipped; a note says which).
	FlatWanted int `json:"flat_wanted,omitempty"`
	FlatFound  int `json:"flat_found"`
	// Angles are the principal angles (radians, ascending) between the
	// top-k eigenspaces of Σ and of G, k = Options.Angles;
	// SigmaEigenvalues the top-k eigenvalues of Σ (largest first).
	Angles           []float64 `json:"angles,omitempty"`
	SigmaEigenvalues []float64 `json:"sigma_eigenvalues,omitempty"`
	// StdErr holds bootstrap standard errors (Options.Bootstrap).
	StdErr *StdErrors `json:"stderr,omitempty"`
	// Notes lists what was skipped or estimated, in words.
	Notes []string `json:"notes,omitempty"`
}

const reasonL0 = "L = 0: interpolating point"

// finish derives the metrics from the ingredients.
func (r *Result) finish() {
	in := &r.Ingredients
	den := in.TwoL * in.FrobG2
	reason := reasonL0
	if in.TwoL != 0 {
		reason = "G = 0: ‖G‖_F² is a zero denominator"
	}
	r.Mu = ratio(in.TrSigma1G, den, reason)
	r.MuC = ratio(in.TrSigmaG, den, reason)
	if in.P == 0 {
		r.MuIso, r.MuIsoC = undefined("p = 0"), undefined("p = 0")
	} else {
		r.MuIso = ratio(in.TrSigma1*in.TrG, float64(in.P)*den, reason)
		r.MuIsoC = ratio(in.TrSigma*in.TrG, float64(in.P)*den, reason)
	}
	switch {
	case in.TwoL == 0:
		r.MuOverIso = undefined(reasonL0)
	default:
		r.MuOverIso = ratio(float64(in.P)*in.TrSigma1G, in.TrSigma1*in.TrG, "Tr Σ₁·Tr G = 0")
	}
	r.EscapeGN = ratio(float64(in.P)*in.TrSigmaG, in.TrSigma*in.TrG, "Tr Σ·Tr G = 0")
	if in.HKnown {
		r.EscapeH = ratio(float64(in.P)*in.TrSigmaH, in.TrSigma*in.TrH, "Tr Σ·Tr H = 0")
	} else {
		r.EscapeH = undefined("H not computed (Options.Hessian)")
	}
}

// directional builds the alignment along v from its quadratic forms.
func directional(kind string, k int, vGv, vS1v, vGrad, twoL float64) Directional {
	vSv := vS1v - vGrad*vGrad
	d := Directional{Kind: kind, K: k, Lambda: vGv, VSigmaV: vSv, VSigma1V: vS1v}
	switch {
	case twoL == 0:
		d.G = undefined(reasonL0)
	default:
		d.G = ratio(vSv, twoL*vGv, "vᵀGv = 0: v is in the null space of G")
	}
	return d
}

// rankTol is the threshold below which an eigenvalue of G (relative to
// the largest, λmax) is treated as zero when choosing the flattest nonzero
// directions: 100·max(nK, p)·ε·λmax, well above the rounding level of a
// zero eigenvalue of a Gram matrix.
func rankTol(lmax float64, nK, p int) float64 {
	return 100 * float64(max(nK, p)) * 0x1p-52 * math.Abs(lmax)
}

// StdErrors are bootstrap standard errors of the headline metrics: the
// standard deviation of each metric over resamples of the n samples with
// replacement (replicates where a metric is undefined are left out of its
// deviation).
type StdErrors struct {
	Replicates int     `json:"replicates"`
	Mu         float64 `json:"mu"`
	MuC        float64 `json:"mu_c"`
	MuIso      float64 `json:"mu_iso"`
	MuOverIso  float64 `json:"mu_over_iso"`
}
