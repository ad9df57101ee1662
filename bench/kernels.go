package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/noisegeom/noisegeom/linalg"
)

// Kernel is one benchmarked linalg routine, parameterised by a size n: the
// vector length for level 1, the order of the square matrix for levels 2
// and 3.
type Kernel struct {
	Name    string
	Level   int    // BLAS level: 1, 2 or 3
	Summary string // what one operation computes
	Default bool   // part of the default suite

	// Flops counts the useful floating-point operations of one operation
	// at size n by the usual BLAS conventions (a multiply-add is 2).
	Flops func(n int) float64
	// Bytes counts the compulsory memory traffic of one operation: every
	// operand element read once, every output element written once (and
	// read too when the routine updates it).
	Bytes func(n int) float64
	// Footprint is the operands' total size in bytes: it decides in which
	// cache level a size fits and guards against exhausting memory.
	Footprint func(n int) float64

	// setup allocates and fills the operands for size n once and returns
	// the operation to time. The operation must leave its operands in a
	// state where it can be repeated indefinitely without overflow.
	setup func(n int, rng *rand.Rand) func()
}

func (k *Kernel) String() string { return k.Name }

// sink keeps the results of read-only kernels alive.
var sink float64

func f(n int) float64 { return float64(n) }

// kernels is the registry, in the order the suite runs and prints them.
var kernels = []*Kernel{
	{
		Name: "dot", Level: 1, Default: true, Summary: "s = xᵀy",
		Flops:     func(n int) float64 { return 2 * f(n) },
		Bytes:     func(n int) float64 { return 16 * f(n) },
		Footprint: func(n int) float64 { return 16 * f(n) },
		setup: func(n int, rng *rand.Rand) func() {
			x, y := randVec(rng, n), randVec(rng, n)
			return func() { sink += linalg.Dot(x, y) }
		},
	},
	{
		Name: "axpy", Level: 1, Default: true, Summary: "y += α·x",
		Flops:     func(n int) float64 { return 2 * f(n) },
		Bytes:     func(n int) float64 { return 24 * f(n) },
		Footprint: func(n int) float64 { return 16 * f(n) },
		setup: func(n int, rng *rand.Rand) func() {
			x, y := randVec(rng, n), randVec(rng, n)
			alpha := 0.5
			return func() {
				linalg.Axpy(alpha, x, y)
				alpha = -alpha // y drifts only by rounding
			}
		},
	},
	{
		Name: "axpby", Level: 1, Summary: "y = α·x + β·y",
		Flops:     func(n int) float64 { return 3 * f(n) },
		Bytes:     func(n int) float64 { return 24 * f(n) },
		Footprint: func(n int) float64 { return 16 * f(n) },
		setup: func(n int, rng *rand.Rand) func() {
			x, y := randVec(rng, n), randVec(rng, n)
			// y converges to 2·0.5·x = x: bounded whatever the repeat count.
			return func() { linalg.Axpby(0.5, x, 0.5, y) }
		},
	},
	{
		Name: "scal", Level: 1, Summary: "x *= α",
		Flops:     func(n int) float64 { return f(n) },
		Bytes:     func(n int) float64 { return 16 * f(n) },
		Footprint: func(n int) float64 { return 8 * f(n) },
		setup: func(n int, rng *rand.Rand) func() {
			x := randVec(rng, n)
			alpha := 2.0
			return func() {
				linalg.Scal(alpha, x)
				alpha = 1 / alpha // ×2 then ×0.5: exact, no drift
			}
		},
	},
	{
		Name: "asum", Level: 1, Summary: "s = Σ|xᵢ|",
		Flops:     func(n int) float64 { return f(n) },
		Bytes:     func(n int) float64 { return 8 * f(n) },
		Footprint: func(n int) float64 { return 8 * f(n) },
		setup: func(n int, rng *rand.Rand) func() {
			x := randVec(rng, n)
			return func() { sink += linalg.Asum(x) }
		},
	},
	{
		Name: "nrm2", Level: 1, Summary: "s = ‖x‖₂ (overflow-safe)",
		Flops:     func(n int) float64 { return 2 * f(n) },
		Bytes:     func(n int) float64 { return 8 * f(n) },
		Footprint: func(n int) float64 { return 8 * f(n) },
		setup: func(n int, rng *rand.Rand) func() {
			x := randVec(rng, n)
			return func() { sink += linalg.Nrm2(x) }
		},
	},
	{
		Name: "gemv_n", Level: 2, Default: true, Summary: "y = A·x, A n×n",
		Flops:     func(n int) float64 { return 2 * f(n) * f(n) },
		Bytes:     func(n int) float64 { return 8 * (f(n)*f(n) + 2*f(n)) },
		Footprint: func(n int) float64 { return 8 * (f(n)*f(n) + 2*f(n)) },
		setup: func(n int, rng *rand.Rand) func() {
			a, x, y := randMat(rng, n, n), randVec(rng, n), make([]float64, n)
			return func() { linalg.Gemv(linalg.NoTrans, 1, a, x, 0, y) }
		},
	},
	{
		Name: "gemv_t", Level: 2, Default: true, Summary: "y = Aᵀ·x, A n×n",
		Flops:     func(n int) float64 { return 2 * f(n) * f(n) },
		Bytes:     func(n int) float64 { return 8 * (f(n)*f(n) + 2*f(n)) },
		Footprint: func(n int) float64 { return 8 * (f(n)*f(n) + 2*f(n)) },
		setup: func(n int, rng *rand.Rand) func() {
			a, x, y := randMat(rng, n, n), randVec(rng, n), make([]float64, n)
			return func() { linalg.Gemv(linalg.T, 1, a, x, 0, y) }
		},
	},
	{
		Name: "ger", Level: 2, Summary: "A += α·x·yᵀ, A n×n",
		Flops:     func(n int) float64 { return 2 * f(n) * f(n) },
		Bytes:     func(n int) float64 { return 8 * (2*f(n)*f(n) + 2*f(n)) },
		Footprint: func(n int) float64 { return 8 * (f(n)*f(n) + 2*f(n)) },
		setup: func(n int, rng *rand.Rand) func() {
			a, x, y := randMat(rng, n, n), randVec(rng, n), randVec(rng, n)
			alpha := 0.5
			return func() {
				linalg.Ger(alpha, x, y, a)
				alpha = -alpha
			}
		},
	},
	{
		Name: "symv", Level: 2, Summary: "y = A·x, A n×n symmetric (lower triangle read)",
		Flops:     func(n int) float64 { return 2 * f(n) * f(n) },
		Bytes:     func(n int) float64 { return 8 * (f(n)*(f(n)+1)/2 + 2*f(n)) },
		Footprint: func(n int) float64 { return 8 * (f(n)*f(n) + 2*f(n)) },
		setup: func(n int, rng *rand.Rand) func() {
			a, x, y := randMat(rng, n, n), randVec(rng, n), make([]float64, n)
			return func() { linalg.Symv(1, a, x, 0, y) }
		},
	},
	{
		Name: "gemm", Level: 3, Default: true, Summary: "C = A·B, all n×n",
		Flops:     func(n int) float64 { return 2 * f(n) * f(n) * f(n) },
		Bytes:     func(n int) float64 { return 8 * 3 * f(n) * f(n) },
		Footprint: func(n int) float64 { return 8 * 3 * f(n) * f(n) },
		setup:     gemmSetup(linalg.NoTrans, linalg.NoTrans),
	},
	{
		Name: "gemm_tn", Level: 3, Summary: "C = Aᵀ·B, all n×n",
		Flops:     func(n int) float64 { return 2 * f(n) * f(n) * f(n) },
		Bytes:     func(n int) float64 { return 8 * 3 * f(n) * f(n) },
		Footprint: func(n int) float64 { return 8 * 3 * f(n) * f(n) },
		setup:     gemmSetup(linalg.T, linalg.NoTrans),
	},
	{
		Name: "gemm_nt", Level: 3, Summary: "C = A·Bᵀ, all n×n",
		Flops:     func(n int) float64 { return 2 * f(n) * f(n) * f(n) },
		Bytes:     func(n int) float64 { return 8 * 3 * f(n) * f(n) },
		Footprint: func(n int) float64 { return 8 * 3 * f(n) * f(n) },
		setup:     gemmSetup(linalg.NoTrans, linalg.T),
	},
	{
		// LAPACK's convention counts the one triangle a BLAS Syrk must
		// compute: k·n·(n+1) with k = n.
		Name: "syrk", Level: 3, Default: true, Summary: "C = A·Aᵀ, all n×n (flops k·n·(n+1))",
		Flops:     func(n int) float64 { return f(n) * f(n) * (f(n) + 1) },
		Bytes:     func(n int) float64 { return 8 * 2 * f(n) * f(n) },
		Footprint: func(n int) float64 { return 8 * 2 * f(n) * f(n) },
		setup: func(n int, rng *rand.Rand) func() {
			a, c := randMat(rng, n, n), linalg.NewDense(n, n)
			return func() { linalg.Syrk(linalg.NoTrans, 1, a, 0, c) }
		},
	},
}

func gemmSetup(tA, tB linalg.Trans) func(n int, rng *rand.Rand) func() {
	return func(n int, rng *rand.Rand) func() {
		a, b, c := randMat(rng, n, n), randMat(rng, n, n), linalg.NewDense(n, n)
		return func() { linalg.Gemm(tA, tB, 1, a, b, 0, c) }
	}
}

// groups are names that stand for several kernels in --kernel.
var groups = map[string]func(*Kernel) bool{
	"all":     func(*Kernel) bool { return true },
	"default": func(k *Kernel) bool { return k.Default },
	"level1":  func(k *Kernel) bool { return k.Level == 1 },
	"level2":  func(k *Kernel) bool { return k.Level == 2 },
	"level3":  func(k *Kernel) bool { return k.Level == 3 },
	"gemv":    func(k *Kernel) bool { return strings.HasPrefix(k.Name, "gemv") },
}

// Kernels returns every kernel of the suite in run order.
func Kernels() []*Kernel { return slices.Clone(kernels) }

// KernelNames returns the names of every kernel in run order.
func KernelNames() []string {
	names := make([]string, len(kernels))
	for i, k := range kernels {
		names[i] = k.Name
	}
	return names
}

// GroupNames returns the group names --kernel accepts, sorted.
func GroupNames() []string {
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	return names
}

// DefaultKernels returns the names of the kernels run when none is named.
func DefaultKernels() []string {
	var names []string
	for _, k := range kernels {
		if k.Default {
			names = append(names, k.Name)
		}
	}
	return names
}

// LookupKernel returns the kernel of that name.
func LookupKernel(name string) (*Kernel, bool) {
	for _, k := range kernels {
		if k.Name == name {
			return k, true
		}
	}
	return nil, false
}

// SelectKernels resolves kernel and group names (case-insensitive) into
// kernels, in the suite's run order, without duplicates. No names selects
// the default suite. An unknown name is an error that names it and lists
// the valid ones.
func SelectKernels(names []string) ([]*Kernel, error) {
	if len(names) == 0 {
		names = []string{"default"}
	}
	want := map[string]bool{}
	for _, raw := range names {
		name := strings.ToLower(strings.TrimSpace(raw))
		if match, ok := groups[name]; ok {
			for _, k := range kernels {
				if match(k) {
					want[k.Name] = true
				}
			}
			continue
		}
		if _, ok := LookupKernel(name); !ok {
			return nil, fmt.Errorf("unknown kernel %q (kernels: %s; groups: %s)",
				raw, strings.Join(KernelNames(), ", "), strings.Join(GroupNames(), ", "))
		}
		want[name] = true
	}
	var out []*Kernel
	for _, k := range kernels {
		if want[k.Name] {
			out = append(out, k)
		}
	}
	return out, nil
}

func randVec(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	return x
}

func randMat(rng *rand.Rand, r, c int) *linalg.Dense {
	m := linalg.NewDense(r, c)
	for i := range m.Data {
		m.Data[i] = 2*rng.Float64() - 1
	}
	return m
}
