package analysis

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// LinearGaussian is the population of Gaussian linear regression
// (docs/theory.md#gaussian-linear-regression): x ~ N(0, S),
// y = θ*ᵀx + ε, ε ~ N(0, s²), evaluated at θ = θ* + Delta, with the
// one-half square loss.
//
// With Outputs = K > 1 it is the K-output regression y = W*x + ε, ε ~
// N(0, s²I_K), of models.NewLinear(d, K): Delta (length dK) holds the
// rows δ_k = Delta[k·d:(k+1)·d] of W − W*, one per output. Then, with
// D = [δ_1 … δ_K], 2L = Tr(DᵀSD) + Ks², G = I_K ⊗ S, ∇L = vec(SD), and by
// Isserlis Tr(Σ₁G) = 2L‖S‖_F² + 2Tr(DᵀS³D), Tr Σ₁ = 2L·Tr S + 2Tr(DᵀS²D),
// so μ = (1 + 2Tr(DᵀS³D)/(2L‖S‖_F²))/K and μ_c = (1 + Tr(DᵀS³D)/(2L‖S‖_F²))/K:
// at θ* Σ = s²G = (2L/K)·G, μ_c = 1/K.
type LinearGaussian struct {
	S       *linalg.Dense // d×d covariance (symmetric positive semidefinite)
	Delta   []float64     // δ = θ − θ* (length d·Outputs)
	Noise2  float64       // s², the label-noise variance
	Outputs int           // K (0 means 1)
}

func (lg LinearGaussian) outputs() int { return max(lg.Outputs, 1) }

// Theory holds the population values of a LinearGaussian and their
// ingredients: G = H = S, ∇L = Sδ, Σ = 2L·S + Sδδᵀ S, Σ₁ = 2L·S + 2Sδδᵀ S.
type Theory struct {
	Loss   float64 `json:"loss"`    // L = ½(δᵀSδ + s²)
	TrS    float64 `json:"tr_s"`    // Tr S = Tr G
	FrobS2 float64 `json:"frob_s2"` // ‖S‖_F²
	DS2D   float64 `json:"d_s2_d"`  // δᵀS²δ = ‖∇L‖² (Σ_k over outputs)
	DS3D   float64 `json:"d_s3_d"`  // δᵀS³δ = ∇LᵀG∇L (Σ_k over outputs)

	// Mu = 1 + 2δᵀS³δ/(2L‖S‖_F²); MuC = 1 + δᵀS³δ/(2L‖S‖_F²) (both
	// divided by K for K outputs).
	Mu  Metric `json:"mu"`
	MuC Metric `json:"mu_c"`
	// MuIso = Tr Σ₁·Tr G/(p·2L‖G‖_F²), Tr Σ₁ = 2L·Tr S + 2δᵀS²δ
	// (= Tr Σ₁·Tr S/(d·2L‖S‖_F²) for one output).
	MuIso Metric `json:"mu_iso"`
	// EffDim2 = Tr(S)²/‖S‖_F², EffDim1 = Tr(S)/‖S‖_op.
	EffDim2 float64 `json:"eff_dim2"`
	EffDim1 float64 `json:"eff_dim1"`
	// LambdaMax = ‖S‖_op.
	LambdaMax float64 `json:"lambda_max"`
}

// Evaluate returns the closed forms.
func (lg LinearGaussian) Evaluate() (*Theory, error) {
	d, K := lg.S.Rows, lg.outputs()
	if lg.S.Cols != d || len(lg.Delta) != d*K {
		return nil, fmt.Errorf("analysis: LinearGaussian: S is %d×%d, δ has %d entries for %d outputs", lg.S.Rows, lg.S.Cols, len(lg.Delta), K)
	}
	if !(lg.Noise2 >= 0) {
		return nil, fmt.Errorf("analysis: LinearGaussian: noise variance %v", lg.Noise2)
	}
	t := &Theory{}
	sd := make([]float64, d)
	s2d := make([]float64, d)
	var dsd float64
	for k := 0; k < K; k++ {
		dk := lg.Delta[k*d : (k+1)*d]
		linalg.Gemv(linalg.NoTrans, 1, lg.S, dk, 0, sd)
		linalg.Gemv(linalg.NoTrans, 1, lg.S, sd, 0, s2d)
		dsd += linalg.Dot(dk, sd)
		t.DS2D += linalg.Dot(sd, sd)
		t.DS3D += linalg.Dot(sd, s2d)
	}
	t.Loss = 0.5 * (dsd + float64(K)*lg.Noise2)
	for i := 0; i < d; i++ {
		t.TrS += lg.S.At(i, i)
		t.FrobS2 += linalg.Dot(lg.S.Row(i), lg.S.Row(i))
	}
	vals, _, err := linalg.EigenSym(lg.S, false)
	if err != nil {
		return nil, err
	}
	if d > 0 {
		t.LambdaMax = vals[d-1]
	}
	twoL := 2 * t.Loss
	den := twoL * t.FrobS2 * float64(K) // 2L‖G‖_F²
	reason := reasonL0
	if twoL != 0 {
		reason = "S = 0"
	}
	if den != 0 {
		fk := float64(K)
		t.Mu = defined((twoL*t.FrobS2 + 2*t.DS3D) / den)
		t.MuC = defined((twoL*t.FrobS2 + t.DS3D) / den)
		// Tr Σ₁·Tr G/(p·2L‖G‖_F²) with Tr G = K·Tr S, p = dK.
		t.MuIso = ratio((twoL*t.TrS+2*t.DS2D)*fk*t.TrS, float64(d)*fk*den, reason)
	} else {
		t.Mu, t.MuC, t.MuIso = undefined(reason), undefined(reason), undefined(reason)
	}
	if t.FrobS2 > 0 {
		t.EffDim2 = t.TrS * t.TrS / t.FrobS2
		t.EffDim1 = t.TrS / t.LambdaMax
	}
	return t, nil
}

// Directional returns g(v) = 1 + (vᵀSδ)²/(2L·vᵀSv) for a direction v (any
// norm). With K outputs (v in the layout of Delta, V = [v_1 … v_K]):
// g = [2Tr(ASAS) + s²·vᵀGv]/(2L·vᵀGv), A = (VDᵀ + DVᵀ)/2, vᵀGv = Σ_k v_kᵀSv_k.
func (lg LinearGaussian) Directional(v []float64) Metric {
	if lg.outputs() > 1 {
		return lg.directionalK(v)
	}
	d := lg.S.Rows
	sv := make([]float64, d)
	linalg.Gemv(linalg.NoTrans, 1, lg.S, v, 0, sv)
	vsv := linalg.Dot(v, sv)
	vsd := linalg.Dot(sv, lg.Delta)
	twoL := 0.0
	sd := make([]float64, d)
	linalg.Gemv(linalg.NoTrans, 1, lg.S, lg.Delta, 0, sd)
	twoL = linalg.Dot(lg.Delta, sd) + lg.Noise2
	if twoL == 0 {
		return undefined(reasonL0)
	}
	m := ratio(vsd*vsd, twoL*vsv, "vᵀSv = 0")
	if m.Defined {
		m.Value++
	}
	return m
}

func (lg LinearGaussian) directionalK(v []float64) Metric {
	d, K := lg.S.Rows, lg.outputs()
	a := linalg.NewDense(d, d)
	sv := make([]float64, d)
	var vgv, dsd float64
	for k := 0; k < K; k++ {
		vk, dk := v[k*d:(k+1)*d], lg.Delta[k*d:(k+1)*d]
		linalg.Ger(0.5, vk, dk, a)
		linalg.Ger(0.5, dk, vk, a)
		linalg.Gemv(linalg.NoTrans, 1, lg.S, vk, 0, sv)
		vgv += linalg.Dot(vk, sv)
		linalg.Gemv(linalg.NoTrans, 1, lg.S, dk, 0, sv)
		dsd += linalg.Dot(dk, sv)
	}
	twoL := dsd + float64(K)*lg.Noise2
	if twoL == 0 {
		return undefined(reasonL0)
	}
	as := linalg.NewDense(d, d)
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, a, lg.S, 0, as)
	// Tr(ASAS) = Σ_ij (AS)_ij (AS)_ji.
	var tr float64
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			tr += as.At(i, j) * as.At(j, i)
		}
	}
	return ratio(2*tr+lg.Noise2*vgv, twoL*vgv, "vᵀGv = 0")
}

// Thresholds are the learning-rate stability thresholds at a point.
type Thresholds struct {
	// GD = 2/λ_max(G): gradient descent on the quadratic model is stable
	// below it.
	GD Metric `json:"gd"`
	// SGD = √(B/μ)/‖G‖_F: SGD's sufficient escape bound
	// (docs/theory.md#stability-thresholds): above it E L grows even
	// where GD is stable.
	SGD Metric `json:"sgd"`
	// Batch is the B used.
	Batch int `json:"batch"`
}

// StabilityThresholds returns 2/λmax and √(B/μ)/‖G‖_F from the metrics.
func StabilityThresholds(lambdaMax float64, mu Metric, frobG2 float64, batch int) Thresholds {
	t := Thresholds{Batch: max(batch, 1)}
	t.GD = ratio(2, lambdaMax, "λ_max = 0")
	switch {
	case !mu.Defined:
		t.SGD = undefined("μ undefined: " + mu.Reason)
	case mu.Value <= 0 || frobG2 <= 0:
		t.SGD = undefined("μ·‖G‖_F² ≤ 0")
	default:
		t.SGD = defined(math.Sqrt(float64(t.Batch)/mu.Value) / math.Sqrt(frobG2))
	}
	return t
}
