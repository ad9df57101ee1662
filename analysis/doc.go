// Package analysis measures the noise geometry of SGD at a point θ: the
// noise covariances Σ (centered), Σ₁ (uncentered) and the minibatch
// covariance, the Gauss–Newton matrix G and the Hessian H, and the
// alignment metrics of ../shared/PAPER.md §2 built from them (μ, μ_c,
// μ_iso, directional alignment g, the escape indicator Tr(ΣH)), each
// returned with its ingredients so callers can recombine them.
//
// Conventions are those of package models and the paper: the square loss
// with the one-half convention, L = (1/n) Σ_i ½‖r_i‖², per-sample gradients
// ∇ℓ_i = J_iᵀ r_i (J_i the K×p Jacobian of sample i, r_i its K residuals),
// G = JᵀJ/n with J the (nK)×p Jacobian whose row i·K+k is ∇f_k(x_i)ᵀ.
// Multi-output models (K > 1) use the same objects.
//
// Three paths compute the same quantities:
//
//   - Gram (FromObjective with PathGram, the default): K = JJᵀ, (nK)×(nK),
//     through linalg.Syrk over column blocks of J (blocks of parameters,
//     so memory is bounded by a budget), then every metric in O((nK)²)
//     from K and the residuals, and eigenpairs of G from those of K.
//   - Dense (PathDense, small p): Σ₁, Σ, G and H as p×p matrices, the
//     metrics from their entries and the eigenvectors of G. Its formulas
//     are independent of the Gram path's, which makes it the tests' oracle.
//   - Matrix-free (PathMatrixFree): linalg.Lanczos on the operator G (or
//     H) built from J·v and Jᵀ·u, vᵀΣv from the same products, and traces
//     either exactly (p operator applications) or by Gaussian probes with
//     a standard error.
//
// Undefined metrics (L = 0, G = 0, vᵀGv = 0) are reported as a Metric
// with Defined false and a reason, never as NaN or a panic.
//
// Only the square loss is supported: for it Σ₁ and G share the residual
// structure the metrics are about. Cross-entropy objectives are rejected
// with an error.
package analysis
