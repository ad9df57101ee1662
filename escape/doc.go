// Package escape measures how gradient descent and SGD leave a sharp
// minimum θ* (docs/theory.md#escape-from-a-minimum and
// docs/theory.md#cyclical-learning-rates).
//
// Near an interpolating minimum of the square loss, w = θ − θ* obeys
// w_{t+1} = (I − η A_B) w_t for the linearised model, with
// A_B = (1/B) Σ_{i∈B} f_i f_iᵀ the minibatch Gauss–Newton matrix and f_i
// the Jacobian rows at θ* (K = 1). Along the eigenvectors u_k of
// G = A = FᵀF/n (eigenvalues λ_1 ≥ λ_2 ≥ …) the escape profile is
//
//	D_k(t) = E[(u_kᵀ w_t)²],  α_k(t) = D_k(t) / Σ_j D_j(t).
//
// Quadratic computes D_k(t) exactly from the second-moment recursion
// M_{t+1} = E[(I − ηA_B) M_t (I − ηA_B)] (with replacement and without
// replacement within a step; GD is the case B = n), in the eigenbasis of A
// restricted to its range; directions outside the range never move. For
// p > DenseMaxP (and p > n) only the range directions are resolved, through
// the n×n Gram matrix, and the rest is one remainder entry.
// MonteCarlo runs the optimizer of package optim from R seeded
// perturbations of θ* on the true (possibly nonlinear) model, in parallel
// over repeats: repeat r draws everything from (Seed, r), so results do
// not depend on the number of workers. Profile summarises a D(t) vector:
// α_k, the shares of the top-1, top-5 and beyond-10 directions, and the
// loss shares λ_k D_k / Σ_j λ_j D_j.
//
// Above the critical rate the law of (u_kᵀw_t)² acquires heavy tails (a
// product of random matrices): over long horizons the Monte Carlo mean and
// its standard error understate D_k, so agreement with the recursion is
// tested over short horizons (TestMonteCarloMatchesExact).
//
// Divergence is a result, not an error (see NotDiverged): Exact,
// MonteCarlo and Cyclical stop at the first step at which a loss, second
// moment or statistic overflows float64, report it as DivergedAt and keep
// what they recorded before.
//
// Minima: MinNormInterpolant gives the minimum-norm interpolant of a
// linear model; DiagonalMinimum an interpolating (optionally unbalanced,
// hence sharp) minimum of a diagonal linear network.
//
// Compare runs GD and SGD at multiples of their own thresholds (GD
// 2/λ_max; SGD the exact critical rate of analysis.SGDCriticalRate) and
// reports both the exact and the Monte Carlo profiles. Cyclical compares
// SGD with a cyclical rate, SGD at a constant rate and GD with the
// cyclical rate on any model, per cycle, over seeded repeats.
package escape
