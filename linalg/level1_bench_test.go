package linalg

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Benchmarks of the level-1/2 routines: per kernel, per table (every table
// in Implementations(), switched with SetImplementation and called through
// the public API) and per operand size, from L1-resident to memory-sized.
// Peers (OpenBLAS, gonum) join the same sub-benchmarks when built with the
// openblas tag (level1_openblas_bench_test.go), so one run prints
//
//	BenchmarkDot/n=4K/avx512  BenchmarkDot/n=4K/avx2  ...  BenchmarkDot/n=4K/openblas-t1
//
// side by side. Example:
//
//	go test -tags openblas -run x -bench 'Dot|Axpy|Gemv' -benchtime 200ms -count 5 ./linalg/

// l1Impl is one implementation of the benchmarked operations. A nil field
// means the implementation lacks that operation.
type l1Impl struct {
	name string
	// setup runs before timing and returns the function that undoes it.
	setup func() (restore func())
	dot   func(x, y []float64) float64
	axpy  func(alpha float64, x, y []float64)
	axpby func(alpha float64, x []float64, beta float64, y []float64)
	scal  func(alpha float64, x []float64)
	asum  func(x []float64) float64
	gemv  func(t Trans, alpha float64, a *Dense, x []float64, beta float64, y []float64)
}

// l1BenchPeers are other libraries' implementations, registered by
// level1_openblas_bench_test.go.
var l1BenchPeers []l1Impl

// l1BenchImpls lists every runnable table, best first, then the peers.
func l1BenchImpls() []l1Impl {
	var out []l1Impl
	for _, name := range Implementations() {
		out = append(out, l1Impl{
			name: name,
			setup: func() func() {
				prev := Implementation()
				if err := SetImplementation(name); err != nil {
					panic(err)
				}
				return func() {
					if err := SetImplementation(prev); err != nil {
						panic(err)
					}
				}
			},
			dot: Dot, axpy: Axpy, axpby: Axpby, scal: Scal, asum: Asum, gemv: Gemv,
		})
	}
	return append(out, l1BenchPeers...)
}

// l1BenchSizes are vector lengths (elements per operand; for Gemv, elements
// of the matrix): 1K and 4K sit in L1/L2, 64K in L2, 1M in L3, 8M in memory.
var l1BenchSizes = []int{1 << 10, 1 << 12, 1 << 16, 1 << 20, 1 << 23}

func l1SizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dM", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprint(n)
}

func l1BenchVector(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	x := make([]float64, n)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	return x
}

// l1BenchVec runs body for every size and implementation that has the
// operation; bytesPerElem is the memory traffic per element.
func l1BenchVec(b *testing.B, bytesPerElem int64, has func(l1Impl) bool,
	body func(im l1Impl, x, y []float64)) {
	for _, n := range l1BenchSizes {
		x, y := l1BenchVector(n, 1), l1BenchVector(n, 2)
		for _, im := range l1BenchImpls() {
			if !has(im) {
				continue
			}
			b.Run(fmt.Sprintf("n=%s/%s", l1SizeName(n), im.name), func(b *testing.B) {
				defer im.setup()()
				b.SetBytes(bytesPerElem * int64(n))
				b.ReportAllocs()
				for b.Loop() {
					body(im, x, y)
				}
			})
		}
	}
}

func BenchmarkDot(b *testing.B) {
	l1BenchVec(b, 16, func(im l1Impl) bool { return im.dot != nil },
		func(im l1Impl, x, y []float64) { sinkFloat += im.dot(x, y) })
}

func BenchmarkAxpy(b *testing.B) {
	l1BenchVec(b, 24, func(im l1Impl) bool { return im.axpy != nil },
		func(im l1Impl, x, y []float64) { im.axpy(1e-3, x, y) })
}

func BenchmarkAxpby(b *testing.B) {
	l1BenchVec(b, 24, func(im l1Impl) bool { return im.axpby != nil },
		func(im l1Impl, x, y []float64) { im.axpby(0.5, x, 0.5, y) })
}

func BenchmarkScal(b *testing.B) {
	// Alternate 2 and 0.5 so that values neither grow nor go subnormal.
	var flip bool
	l1BenchVec(b, 16, func(im l1Impl) bool { return im.scal != nil },
		func(im l1Impl, x, _ []float64) {
			flip = !flip
			if flip {
				im.scal(2, x)
			} else {
				im.scal(0.5, x)
			}
		})
}

func BenchmarkAsum(b *testing.B) {
	l1BenchVec(b, 8, func(im l1Impl) bool { return im.asum != nil },
		func(im l1Impl, x, _ []float64) { sinkFloat += im.asum(x) })
}

// l1GemvShape turns a matrix size into rows×cols: square up to 1M
// elements, 2048×(size/2048) beyond.
func l1GemvShape(size int) (m, n int) {
	m = 1
	for m*m < size {
		m *= 2
	}
	if m*m != size || m > 1024 {
		m = min(size, 2048)
	}
	return m, size / m
}

func benchGemv(b *testing.B, t Trans) {
	for _, size := range l1BenchSizes {
		m, n := l1GemvShape(size)
		a := NewDenseData(m, n, l1BenchVector(m*n, 3))
		nx, ny := n, m
		if t {
			nx, ny = m, n
		}
		x, y := l1BenchVector(nx, 4), l1BenchVector(ny, 5)
		for _, im := range l1BenchImpls() {
			if im.gemv == nil {
				continue
			}
			b.Run(fmt.Sprintf("n=%s/%dx%d/%s", l1SizeName(size), m, n, im.name), func(b *testing.B) {
				defer im.setup()()
				b.SetBytes(8 * int64(m*n+nx+2*ny))
				b.ReportAllocs()
				for b.Loop() {
					im.gemv(t, 1e-3, a, x, 1, y)
				}
			})
		}
	}
}

func BenchmarkGemvN(b *testing.B) { benchGemv(b, NoTrans) }
func BenchmarkGemvT(b *testing.B) { benchGemv(b, T) }
