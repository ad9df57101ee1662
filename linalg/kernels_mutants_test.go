package linalg

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unsafe"

	ft "github.com/noisegeom/noisegeom/internal/floattest"
)

// TestKernelChecksCatchBugs runs the kernel checks on deliberately broken
// tables and requires each to be caught: the suite can fail, and it fails
// for the bugs assembly kernels typically have (over-reads and over-writes,
// lost tails, ignored strides, flushed subnormals, swallowed NaNs, reading
// y when beta is 0 or not).
func TestKernelChecksCatchBugs(t *testing.T) {
	at := func(s []float64, i int) *float64 { // s[i] without bounds checks
		return (*float64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), 8*i))
	}
	mutants := []struct {
		name string
		fill func(k *kernels)
		run  func(tb testing.TB, tables []*kernels)
	}{
		{"dot reads x[n]", func(k *kernels) {
			k.dot = func(x, y []float64) float64 {
				s := dotGeneric(x, y)
				if len(x) > 0 {
					s += 0 * *at(x, len(x))
				}
				return s
			}
		}, vtRunDot},
		{"dot reads x[n] without using it", func(k *kernels) {
			k.dot = func(x, y []float64) float64 {
				if len(x) > 0 {
					vtSink = *at(x, len(x)) // only a guard page can see this
				}
				return dotGeneric(x, y)
			}
		}, vtRunDot},
		{"dot reads y[-1] without using it", func(k *kernels) {
			k.dot = func(x, y []float64) float64 {
				if len(y) > 0 {
					vtSink = *at(y, -1)
				}
				return dotGeneric(x, y)
			}
		}, vtRunDot},
		{"dot loses the tail when n%8 == 5", func(k *kernels) {
			k.dot = func(x, y []float64) float64 {
				if len(x)%8 == 5 {
					return dotGeneric(x[:len(x)-1], y[:len(x)-1])
				}
				return dotGeneric(x, y)
			}
		}, vtRunDot},
		{"dot skips NaN products", func(k *kernels) {
			k.dot = func(x, y []float64) float64 {
				var s float64
				for i := range x {
					if p := x[i] * y[i]; !math.IsNaN(p) {
						s += p
					}
				}
				return s
			}
		}, vtRunDot},
		{"dot in float32", func(k *kernels) {
			k.dot = func(x, y []float64) float64 {
				var s float32
				for i := range x {
					s += float32(x[i]) * float32(y[i])
				}
				return float64(s)
			}
		}, vtRunDot},
		{"axpy writes y[n]", func(k *kernels) {
			k.axpy = func(alpha float64, x, y []float64) {
				axpyGeneric(alpha, x, y)
				if len(y) > 0 && len(y)%4 == 3 {
					*at(y, len(y)) = 0
				}
			}
		}, func(tb testing.TB, ks []*kernels) { vtForVec(tb, ks, "axpy", 2, 2, vtAxpyPrep(false, nil)) }},
		{"axpy writes y[-1]", func(k *kernels) {
			k.axpy = func(alpha float64, x, y []float64) {
				axpyGeneric(alpha, x, y)
				if len(y) > 0 {
					*at(y, -1) = 1
				}
			}
		}, func(tb testing.TB, ks []*kernels) { vtForVec(tb, ks, "axpy", 2, 2, vtAxpyPrep(false, nil)) }},
		{"axpby skips y when beta == 0", func(k *kernels) {
			k.axpby = func(alpha float64, x []float64, beta float64, y []float64) {
				if beta == 0 {
					for i := range x {
						y[i] = alpha * x[i]
					}
					return
				}
				axpbyGeneric(alpha, x, beta, y)
			}
		}, func(tb testing.TB, ks []*kernels) { vtForVec(tb, ks, "axpby", 2, 4, vtAxpbyPrep(false, nil)) }},
		{"scal flushes subnormals", func(k *kernels) {
			k.scal = func(alpha float64, x []float64) {
				for i := range x {
					x[i] *= alpha
					if math.Abs(x[i]) < 0x1p-1022 {
						x[i] = 0
					}
				}
			}
		}, func(tb testing.TB, ks []*kernels) { vtForVec(tb, ks, "scal", 1, 6, vtScalPrep(nil)) }},
		{"asum of nothing is -0", func(k *kernels) {
			k.asum = func(x []float64) float64 {
				if len(x) == 0 {
					return math.Copysign(0, -1)
				}
				return asumGeneric(x)
			}
		}, func(tb testing.TB, ks []*kernels) { vtForVec(tb, ks, "asum", 1, 7, vtAsumPrep) }},
		{"asum drops NaN", func(k *kernels) {
			k.asum = func(x []float64) float64 {
				var s float64
				for _, v := range x {
					if !math.IsNaN(v) {
						s += math.Abs(v)
					}
				}
				return s
			}
		}, func(tb testing.TB, ks []*kernels) { vtForVec(tb, ks, "asum", 1, 7, vtAsumPrep) }},
		{"gemvN skips the last row", func(k *kernels) {
			k.gemvN = func(alpha float64, a []float64, lda int, x, y []float64) {
				if len(y) > 0 {
					y = y[:len(y)-1]
				}
				gemvNGeneric(alpha, a, lda, x, y)
			}
		}, func(tb testing.TB, ks []*kernels) { vtGemv(tb, ks, false) }},
		{"gemvN ignores lda", func(k *kernels) {
			k.gemvN = func(alpha float64, a []float64, lda int, x, y []float64) {
				gemvNGeneric(alpha, a, len(x), x, y)
			}
		}, func(tb testing.TB, ks []*kernels) { vtGemv(tb, ks, false) }},
		{"gemvT drops the last row when m%4 == 3", func(k *kernels) {
			k.gemvT = func(alpha float64, a []float64, lda int, x, y []float64) {
				if len(x)%4 == 3 {
					x = x[:len(x)-1]
				}
				gemvTGeneric(alpha, a, lda, x, y)
			}
		}, func(tb testing.TB, ks []*kernels) { vtGemv(tb, ks, true) }},
		{"gemm kernel writes the gap after row 0", func(k *kernels) {
			k.gemmKernel = func(kc int, a, b, c []float64, ldc int) {
				gemmKernelGeneric4x4(kc, a, b, c, ldc)
				if ldc > 4 {
					c[4] = c[3]
				}
			}
		}, vtGemmKernel},
		{"gemm kernel ignores the last p", func(k *kernels) {
			k.gemmKernel = func(kc int, a, b, c []float64, ldc int) {
				gemmKernelGeneric4x4(max(kc-1, 0), a, b, c, ldc)
			}
		}, vtGemmKernel},
	}
	for _, m := range mutants {
		if strings.Contains(m.name, "without using it") && !ft.HaveGuardPages {
			continue // only a guard page can catch these
		}
		rec := &vtRecorder{TB: t}
		k := newTable("mutant", m.fill)
		m.run(rec, []*kernels{k})
		if rec.failed == 0 {
			t.Errorf("mutant %q passed the checks", m.name)
		} else {
			t.Logf("mutant %q caught: %s", m.name, rec.first)
		}
	}
}

// TestKernelChecksAcceptCorrectVariants: a correct kernel that sums in
// another order with fused multiply-adds passes the checks (they test the
// contract, not the generic kernel's rounding).
func TestKernelChecksAcceptCorrectVariants(t *testing.T) {
	rec := &vtRecorder{TB: t}
	k := newTable("reversed-fma", func(k *kernels) {
		k.dot = func(x, y []float64) float64 {
			var s float64
			for i := len(x) - 1; i >= 0; i-- {
				s = math.FMA(x[i], y[i], s)
			}
			return s
		}
	})
	vtRunDot(rec, []*kernels{k})
	if rec.failed != 0 {
		t.Errorf("a correct reordered FMA dot failed the checks: %s", rec.first)
	}
}

var vtSink float64

func vtRunDot(tb testing.TB, ks []*kernels) { vtForVec(tb, ks, "dot", 2, 1, vtDotPrep) }

// vtRecorder is a testing.TB that records failures instead of reporting
// them.
type vtRecorder struct {
	testing.TB
	failed int
	first  string
}

func (r *vtRecorder) Helper() {}
func (r *vtRecorder) Errorf(format string, args ...any) {
	r.failed++
	if r.first == "" {
		r.first = fmt.Sprintf(format, args...)
	}
}
func (r *vtRecorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }
