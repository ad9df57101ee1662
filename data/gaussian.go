package data

import (
	"fmt"

	"github.com/noisegeom/noisegeom/linalg"
)

// GaussianSpec describes synthetic data x ~ N(0, S), y = teacher(x) + noise.
type GaussianSpec struct {
	N        int      // number of samples
	Spectrum Spectrum // eigenvalues of S; d = len(Spectrum.Values)
	// Rotate makes S = Qᵀ diag(λ) Q with Q a Haar-random orthogonal matrix
	// drawn from Seed, so S is not diagonal. Without it S = diag(λ).
	Rotate  bool
	Seed    uint64
	Teacher Teacher // nil for inputs only
	Noise   float64 // standard deviation of Gaussian label noise (≥ 0)
}

// Generator produces the samples of a GaussianSpec. Sample i depends only on
// (spec, i): chunks may be generated in any size, order or concurrently, and
// the bits are the same on every platform. A Generator is immutable and safe
// for concurrent use.
type Generator struct {
	spec    GaussianSpec
	d, k    int
	sqrtLam []float64
	rot     *linalg.Dense // rows are the eigenvectors of S; nil without rotation
}

// NewGenerator checks spec and prepares the generator (drawing the rotation,
// O(d³), when asked).
func NewGenerator(spec GaussianSpec) (*Generator, error) {
	d := len(spec.Spectrum.Values)
	switch {
	case spec.N < 0:
		return nil, specErr("n = %d < 0", spec.N)
	case d == 0:
		return nil, specErr("empty spectrum")
	case !(spec.Noise >= 0) || spec.Noise > 1e300:
		return nil, specErr("label noise %v must be finite and ≥ 0", spec.Noise)
	}
	for j, v := range spec.Spectrum.Values {
		if !(v >= 0) || v > 1e300 {
			return nil, specErr("eigenvalue %d is %v", j, v)
		}
	}
	g := &Generator{spec: spec, d: d, sqrtLam: make([]float64, d)}
	for j, v := range spec.Spectrum.Values {
		g.sqrtLam[j] = sqrt(v)
	}
	if spec.Teacher != nil {
		if spec.Teacher.Inputs() != d {
			return nil, specErr("teacher takes %d inputs, spectrum has d = %d", spec.Teacher.Inputs(), d)
		}
		g.k = spec.Teacher.Outputs()
	} else if spec.Noise != 0 {
		return nil, specErr("label noise without a teacher")
	}
	if spec.Rotate {
		g.rot = haarRotation(d, spec.Seed)
	}
	return g, nil
}

// D returns the input dimension and K the number of target columns (0
// without a teacher).
func (g *Generator) D() int { return g.d }
func (g *Generator) K() int { return g.k }
func (g *Generator) N() int { return g.spec.N }

// Rotation returns Q (rows are the eigenvectors of S, in the order of the
// spectrum), or nil when the spec has no rotation. Do not modify it.
func (g *Generator) Rotation() *linalg.Dense { return g.rot }

// Covariance returns the population covariance S (d×d).
func (g *Generator) Covariance() *linalg.Dense {
	s := linalg.NewDense(g.d, g.d)
	lam := g.spec.Spectrum.Values
	if g.rot == nil {
		for j, v := range lam {
			s.Set(j, j, v)
		}
		return s
	}
	for j, v := range lam {
		q := g.rot.Row(j)
		for a := 0; a < g.d; a++ {
			detAxpy(mul(v, q[a]), q, s.Row(a))
		}
	}
	return s
}

// fillBlock is the number of samples combined with the rotation at once:
// each row of Q is then read from memory once per block instead of once per
// sample. Every output element is still summed over j = 0..d−1 in order,
// so the bits do not depend on the block.
const fillBlock = 16

// Fill writes samples start, start+1, … into the rows of x (and y, which
// must be nil without a teacher, else x.Rows×K).
func (g *Generator) Fill(start int, x, y *linalg.Dense) {
	if x.Cols != g.d || (y == nil) != (g.k == 0) || (y != nil && (y.Rows != x.Rows || y.Cols != g.k)) {
		panic(fmt.Sprintf("data: Generator.Fill: shapes x %d×%d, y %v for d=%d K=%d", x.Rows, x.Cols, y != nil, g.d, g.k))
	}
	var st stream
	var cb *linalg.Dense // c = √λ ⊙ z for a block, when rotating
	if g.rot != nil {
		cb = linalg.NewDense(min(fillBlock, x.Rows), g.d)
	}
	for r0 := 0; r0 < x.Rows; r0 += fillBlock {
		r1 := min(r0+fillBlock, x.Rows)
		for r := r0; r < r1; r++ {
			dst := x.Row(r)
			if cb != nil {
				dst = cb.Row(r - r0)
			}
			st.reset(g.spec.Seed, roleInput, uint64(start+r))
			st.normals(dst)
			for j, z := range dst {
				dst[j] = mul(g.sqrtLam[j], z)
			}
		}
		if cb != nil {
			// x_r = Σ_j c_rj·q_j, summed over j in order.
			for r := r0; r < r1; r++ {
				clear(x.Row(r))
			}
			for j := 0; j < g.d; j++ {
				q := g.rot.Row(j)
				for r := r0; r < r1; r++ {
					if c := cb.Data[(r-r0)*cb.Stride+j]; c != 0 {
						detAxpy(c, q, x.Row(r))
					}
				}
			}
		}
		if g.k == 0 {
			continue
		}
		for r := r0; r < r1; r++ {
			yr := y.Row(r)
			g.spec.Teacher.Eval(x.Row(r), yr)
			if g.spec.Noise > 0 {
				st.reset(g.spec.Seed, roleNoise, uint64(start+r))
				for k := range yr {
					yr[k] += mul(g.spec.Noise, st.normal())
				}
			}
		}
	}
}

// Stream generates the N samples in chunks of at most chunk rows, calling fn
// with the index of the first row and views of the chunk (reused between
// calls: copy what you keep). It stops at the first error fn returns.
func (g *Generator) Stream(chunk int, fn func(start int, x, y *linalg.Dense) error) error {
	if chunk < 1 {
		return specErr("chunk size %d < 1", chunk)
	}
	chunk = min(chunk, max(g.spec.N, 1))
	xb := linalg.NewDense(chunk, g.d)
	var yb *linalg.Dense
	if g.k > 0 {
		yb = linalg.NewDense(chunk, g.k)
	}
	for start := 0; start < g.spec.N; start += chunk {
		r := min(chunk, g.spec.N-start)
		x := xb.RowsView(0, r)
		var y *linalg.Dense
		if yb != nil {
			y = yb.RowsView(0, r)
		}
		g.Fill(start, x, y)
		if err := fn(start, x, y); err != nil {
			return err
		}
	}
	return nil
}

// Generate returns all N samples at once as a Dataset.
func (g *Generator) Generate() *Dataset {
	ds := &Dataset{Name: g.Spec(), X: linalg.NewDense(g.spec.N, g.d)}
	sp := g.spec.Spectrum
	ds.Population = &sp
	if g.k > 0 {
		ds.Y = linalg.NewDense(g.spec.N, g.k)
	}
	g.Fill(0, ds.X, ds.Y)
	return ds
}

// Spec returns a one-line description of the generator's spec.
func (g *Generator) Spec() string {
	s := fmt.Sprintf("gaussian n=%d d=%d spectrum=%s rotate=%v seed=%d", g.spec.N, g.d, g.spec.Spectrum.Spec, g.spec.Rotate, g.spec.Seed)
	if g.spec.Teacher != nil {
		s += fmt.Sprintf(" teacher=%s K=%d noise=%v", g.spec.Teacher.Spec(), g.k, g.spec.Noise)
	}
	return s
}

// Generate is shorthand for NewGenerator(spec) followed by Generate.
func Generate(spec GaussianSpec) (*Dataset, error) {
	g, err := NewGenerator(spec)
	if err != nil {
		return nil, err
	}
	return g.Generate(), nil
}
