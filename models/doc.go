// Package models holds the model families of noisegeom with exact first and
// second derivatives, computed for whole batches through linalg.Gemm.
//
// # Conventions
//
// A model is a map f(x; θ) from an input x ∈ R^d to K outputs, with all
// trainable parameters in one flat []float64 θ of length p (Model.Params);
// layers see views into it. Inputs for a batch of n samples are the rows of
// an n×d *linalg.Dense; predictions are the rows of an n×K matrix.
//
// The Jacobian J has one row per (sample, output) pair: row i·K+k is ∇θ f_k(x_i)ᵀ,
// so J is (nK)×p. A vector v ∈ R^p maps to Jv, stored as an n×K matrix whose
// entry (i, k) is row i·K+k of Jv; a cotangent u for Jᵀu is an n×K matrix in
// the same layout.
//
// Losses follow docs/theory.md#losses: the square loss with the one-half
// convention ℓ_i = ½‖f(x_i) − y_i‖² and the softmax cross-entropy
// ℓ_i = −Σ_k y_ik log softmax(f(x_i))_k (rows of y sum to one). The objective
// is L = (1/n) Σ_i ℓ_i. The Gauss–Newton matrix is G = JᵀΛJ/n with Λ the
// block-diagonal Hessian of the loss in the outputs (Λ = I for the square loss,
// so G = JᵀJ/n; Λ_i = diag(p_i) − p_i p_iᵀ for cross-entropy: the generalized
// Gauss–Newton). The Hessian is H = G + (1/n) Σ_{i,k} (∂ℓ_i/∂f_ik) ∇²f_ik.
//
// Objective ties a Model, a Loss and a data set together and offers the
// quantities the analysis needs: loss, residuals, gradient, per-sample
// gradients and their norms, Jacobian blocks, J·v, Jᵀ·u, G·v, H·v (exact,
// by forward-over-reverse differentiation, not finite differences) and
// diag(G). None of them forms a p×p matrix; batches are processed in blocks
// of rows so memory stays bounded.
//
// # Core and optional capabilities
//
// A Model has a small core: its sizes, θ, Clone, Predict, J·v, Jᵀ·u and
// the per-sample Jᵀ_i·u_i. What a family can compute better it offers
// through optional interfaces, found by type assertion: VJPNormer
// (per-sample norms without forming the rows), HVPer (exact H·v and G·v),
// DiagGGNer (diag(G)) and Grammer (K = JJᵀ from the structure). The
// functions PerSampleVJPNorms, GaussNewtonProduct, DiagGGN and
// HessianProduct use them or fall back on the core; the exact Hessian has
// no fallback (it needs second derivatives) and is reported unavailable
// with ErrNoHessian. Package modeltest checks any Model against finite
// differences: a model of one's own is one file and one test call (see its
// Example).
//
// # Families
//
//   - NewLinear: linear regression f = θᵀx (K = 1), or with K outputs.
//   - NewRandomFeatures: f = c·aᵀσ(Wx) with W fixed (not trained): a linear
//     model on the random features φ(x) = σ(Wx).
//   - NewDiagonalLinear: f = ⟨u⊙v, x⟩ or f = ⟨u⊙u − v⊙v, x⟩.
//   - NewDeepLinear: f = ⟨W_L⋯W_1, x⟩ (a network with identity activations).
//   - NewTwoLayer: f = c·Σ_k a_k σ(w_kᵀx + b_k), c = 1/√m or 1/m, with the
//     second layer fixed (a_k = ±1) or trained.
//   - NewMLP: multi-layer perceptrons with K outputs.
//
// All but the diagonal networks are instances of Network, a stack of dense
// layers z = c·(W a + b), a' = σ(z), some of which may be frozen.
//
// The factory builds any of them by name from a Spec (New, Spec.Size for
// the parameter counts without allocating, Spec.Init for the family's
// initialisation): the CLI, the experiments and verify build their models
// through it, and Register adds a family.
//
// Activations: identity, tanh, softplus, sigmoid, GELU (exact erf form),
// leaky ReLU and ReLU. ReLU and leaky ReLU are piecewise linear: their
// second derivative is zero almost everywhere (we take σ” = 0 everywhere
// and σ'(0) = 0 for ReLU, α for leaky ReLU), so the Hessian of such a network
// keeps only the terms that couple layers, and finite-difference checks are
// only meaningful away from the kinks. tanh is computed by a branch-free
// expm1-based routine (AVX-512 when linalg runs its avx512 table, giving the
// same bits as the scalar Go code) within 2 ulp of math.Tanh.
//
// # Cost
//
// For a Network, time goes into linalg.Gemm: per layer and block of rows,
// Predict does one GEMM, the gradient three (forward, ∇W, back-propagated
// cotangent; two for the first trainable layer), J·v three, and H·v about
// eight (forward, two directional, and the backward pass with its
// R-derivative), so H·v costs about twice a gradient (measured 1.9× for
// the 784-256-256-10 MLP). Per-sample gradient norms cost a forward pass and
// the back-propagated cotangents only: the per-sample gradient of a layer is
// the outer product c·δ_i a_iᵀ, whose squared norm is c²‖δ_i‖²‖a_i‖². The
// diagonal of G costs K backward passes, with one GEMM of squared
// quantities per layer: c²(δ⊙δ)ᵀ(a⊙a). The elementwise passes (bias, σ
// and σ', δ = g⊙σ') are a few percent of the time; for tanh, sigmoid and
// (leaky) ReLU, backpropagation forms σ' from the stored outputs instead of
// storing it. With GOMAXPROCS > 1 Gemm and the elementwise passes run in
// parallel; results are bitwise independent of GOMAXPROCS.
//
// # Testing against PyTorch
//
// testdata/reference_input.json (models, parameters, data, directions) is
// written by `go test -run TestWriteReferenceInput -write-reference-input`;
// testdata/make_reference.py recomputes every quantity with PyTorch autograd
// in float64 into testdata/reference_output.json, which TestPyTorchReference
// reads without Python. testdata/bench_torch.py times the operations of
// BenchmarkMLP in PyTorch.
//
// # Concurrency
//
// A model owns workspace that its methods reuse: a Model (and an Objective
// over it) is not safe for concurrent use. Use Clone to get an independent
// copy per goroutine.
package models
