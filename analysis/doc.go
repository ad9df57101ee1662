// Package analysis measures the noise geometry of SGD at a point θ: the
// noise covariances Σ (centered), Σ₁ (uncentered) and the minibatch
// covariance, the Gauss–Newton matrix G and the Hessian H, and the
// alignment metrics built from them (docs/theory.md#loss-alignment: μ,
// μ_c, μ_iso, μ/μ_iso, directional alignment g, the escape indicator Tr(ΣH)),
// each returned with its ingredients (Ingredients, Directional) so callers
// can recombine them.
//
// Conventions are those of package models and the paper: the square loss
// with the one-half convention, L = (1/n) Σ_i ½‖r_i‖², per-sample gradients
// ∇ℓ_i = J_iᵀ r_i (J_i the K×p Jacobian of sample i, r_i its K residuals),
// G = JᵀJ/n with J the (nK)×p Jacobian whose row i·K+k is ∇f_k(x_i)ᵀ.
// Multi-output models (K > 1) use the same objects.
//
// # Paths
//
// FromObjective computes every metric by one of three paths, which agree
// to rounding (TestPathsAgree):
//
//   - Gram (PathGram): K = JJᵀ, (nK)×(nK). A model that implements
//     models.Grammer assembles it from its structure (a models.Network
//     layer by layer as Σ_l c_l²(AAᵀ)⊙(ΔΔᵀ), NetworkGram: per layer two
//     Gemm-sized products instead of a Syrk of inner dimension In·Out);
//     otherwise by linalg.Syrk over column blocks of J (blocks of
//     parameters bounded by Options.MemoryBudget, the Jacobian recomputed
//     per block; Gram). From K and the residuals every metric costs
//     O((nK)²) (GramMetrics); the eigenpairs of G come from those of K
//     (λ = κ/n, u = Jᵀa/√κ) by EigenSym, or by Lanczos for the top k when
//     nK > Options.FullEigenMax, the flattest then by Lanczos on
//     (K + σI)⁻¹ through a blocked Cholesky factor (shift-invert).
//   - Dense (PathDense): Σ₁, Σ, G (and H) as p×p matrices through Syrk
//     (Dense), traces from their entries, eigenvectors by EigenSym. Its
//     formulas are independent of the Gram path's, which makes it the
//     tests' oracle.
//   - Matrix-free (PathMatrixFree): linalg.Lanczos on the operators
//     GaussNewton, Hessian and Covariance (built on J·v, Jᵀ·u, G·v, H·v),
//     vᵀΣv = (1/n)Σ_i (r_iᵀ(Jv)_i)² − (vᵀ∇L)², traces either exactly (p
//     operator applications) or by Options.Probes Gaussian probes with a
//     standard error; the flattest directions by Lanczos for the smallest
//     eigenvalues of G or of K (whichever is smaller), a bounded search
//     that converges slowly when those eigenvalues cluster (a note says
//     how many converged).
//
// PathAuto (the default) picks by estimated flops among the paths whose
// matrices fit the memory budget (ChoosePath; FromObjective prices a
// network's layer-structured K and a second Gram matrix for non-square
// losses) and says why in Result.Notes.
//
// # Beyond the headline metrics
//
// Options.Angles: principal angles between the top eigenspaces of Σ and G
// (PrincipalAngles). Options.HessianTop: g along the top eigenvectors of H.
// Options.Hessian: Tr H and Tr(ΣH). Options.Bootstrap: standard errors of μ,
// μ_c, μ_iso over bootstrap resamples of the samples, each evaluated from
// the same K with multiplicities (Gram path) or from G and Σ₁ re-formed
// with weights (dense path). BatchFactor and
// CovarianceOptions give the minibatch covariance with and without
// replacement.
//
// # Theory
//
// LinearGaussian evaluates the population closed forms of Gaussian linear
// regression (docs/theory.md#gaussian-linear-regression) at any θ;
// StabilityThresholds gives GD's 2/λ_max and SGD's sufficient escape bound
// √(B/μ)/‖G‖_F; SGDCriticalRate gives the
// exact critical learning rate of SGD on a quadratic loss (linear
// regression, or a model linearised through its Jacobian) from the
// second-moment recursion, with and without replacement.
//
// # Undefined values
//
// Undefined metrics (L = 0, G = 0, vᵀGv = 0) are reported as a Metric
// with Defined false and a reason (JSON null), never as NaN or a panic.
//
// # Other losses
//
// For a loss other than the square loss (softmax cross-entropy), G is the
// generalized Gauss–Newton matrix JᵀΛJ/n with Λ_i = ∂²ℓ_i/∂f² =
// S_iS_iᵀ (for cross-entropy diag(p_i) − p_ip_iᵀ, docs/theory.md#losses), the
// per-sample gradients are J_iᵀu_i with u_i = ∂ℓ_i/∂f (p_i − y_i), and L
// is the mean loss. The Gram path works with J̃ = SᵀJ (rows S_iᵀJ_i):
// K_Λ = J̃J̃ᵀ = SᵀKS, block by block S_iᵀK_ijS_j from K = JJᵀ, gives Tr G,
// ‖G‖_F² and the eigenpairs (u = J̃ᵀa/√κ), while K itself gives Tr Σ₁,
// ‖∇L‖² and, through Sᵀ, Tr(Σ₁G), ∇LᵀG∇L and the directional quadratic
// forms; it then holds two (nK)² matrices. The dense path forms J̃ and the
// matrix-free path uses the loss's Λ in G·v and vᵀGv. The metrics keep
// their definitions (μ = Tr(Σ₁G)/(2L‖G‖_F²) with L the cross-entropy);
// the ingredients allow other normalisations.
//
// A Result is computed with the objective's model, which is not safe for
// concurrent use: run analyses of one model sequentially.
package analysis
