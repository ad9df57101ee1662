// Package linalg is noisegeom's dense linear-algebra core: a row-major
// matrix type with views, BLAS-like level 1, 2 and 3 routines, and the SIMD
// kernels they spend their time in.
//
// Every inner kernel exists as portable Go and, unless the purego build tag
// is set, in assembly for AVX2+FMA and AVX-512F on amd64 and for NEON on
// arm64. One kernel table is chosen at start-up from the CPU's features;
// Implementation names it. The environment variable NOISEGEOM_KERNELS
// (generic, avx2, avx512 or neon) forces a table. A name this binary or
// CPU cannot run does not stop the package from loading: the best table is
// used and KernelsEnvError reports the problem, which programs should check
// before computing (the noisegeom command exits 2 with its message).
//
// Conventions: vectors are []float64 with unit stride; matrices are *Dense.
// Shape mismatches are programmer errors and panic with a message prefixed
// "linalg:". Routines write into destination arguments and allocate nothing
// on their hot paths.
package linalg
