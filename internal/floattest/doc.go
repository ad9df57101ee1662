// Package floattest holds helpers for testing floating-point kernels:
// guarded slices whose last element sits right before an inaccessible page,
// canary-padded slices, deterministic generators of random vectors that
// include special values, an exact (arbitrary-precision) oracle for sums of
// products with IEEE special-value semantics, and ULP/relative-error
// helpers.
//
// It is imported by tests only; the numerical packages never import it.
package floattest
