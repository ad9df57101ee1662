// Package data supplies inputs for noisegeom: synthetic Gaussian data with a
// controlled covariance spectrum and teachers, readers and writers for the
// IDX, CSV and NPY formats, the named real datasets (Fashion-MNIST, MNIST)
// and preprocessing (scaling, standardisation, class subsets, seeded
// subsamples, one-hot targets, PCA).
//
// Synthetic data is a pure function of its spec and seed: every sample is
// drawn from its own random stream (seeded from the spec seed and the sample
// index), and all arithmetic on generated values is written so that the Go
// compiler cannot fuse it into FMA instructions and uses no platform
// assembly (the package carries its own log and exp). The same spec
// therefore produces the same bits on amd64 and arm64, in any chunk size and
// any order of generation.
//
// Readers never panic on bad input. Every failure is a *FileError naming the
// file, wrapping one of the sentinel errors below so callers can test it
// with errors.Is. Headers that claim more elements or bytes than Limits
// allow are rejected before anything is allocated; payloads are read
// incrementally through a bound on the decompressed bytes (with a guard
// against gzip bombs and a bound on one CSV record), so memory use grows
// with the data actually present and stays within the limits. Class labels
// must be integers below MaxClasses, or below the class count the caller
// states.
package data
