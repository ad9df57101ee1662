package experiments

// Shared helpers of the synthetic-data experiments mu-vs-n, mu-vs-p and
// degeneracy: seeds derived from parameters, Gaussian inputs, linear
// teachers, offsets δ, the measurement through analysis.FromObjective, and
// small statistics. Every identifier carries the prefix syn so the files of
// other experiments in this package cannot collide with them.

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/internal/report"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// synLabelNoise is the label-noise standard deviation s of every synthetic
// experiment here; with the offsets of synOffset (δᵀSδ = 1) the population
// loss is 2L = 1 + s² = 1.25 at θ* + δ and s² = 0.25 at θ*.
const synLabelNoise = 0.5

// synSeed mixes a base seed and a unit's parameters into a seed
// (splitmix64 finaliser after each part): it depends on the values only,
// never on the order units run in.
func synSeed(base uint64, parts ...uint64) uint64 {
	h := base*1000003 + 0x9e3779b97f4a7c15
	mix := func(z uint64) uint64 {
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	h = mix(h)
	for _, p := range parts {
		h = mix(h ^ (p + 0x9e3779b97f4a7c15))
	}
	return h
}

// synTag turns a short name into a number for synSeed.
func synTag(s string) uint64 {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// synInputs draws n inputs x ~ N(0, S) (S = diag(spectrum)) and returns
// them with S.
func synInputs(sp data.Spectrum, n int, seed uint64) (x, s *linalg.Dense, err error) {
	gen, err := data.NewGenerator(data.GaussianSpec{N: n, Spectrum: sp, Seed: seed})
	if err != nil {
		return nil, nil, err
	}
	return gen.Generate().X, gen.Covariance(), nil
}

// synGaussian returns d standard normal numbers from seed.
func synGaussian(d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x73796e))
	v := make([]float64, d)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// synOffset returns δ along a direction uniform on the sphere (from seed),
// scaled so that δᵀSδ = 1: the excess loss at θ* + δ is ½.
func synOffset(s *linalg.Dense, seed uint64) []float64 {
	d := s.Rows
	z := synGaussian(d, seed)
	sz := make([]float64, d)
	linalg.Gemv(linalg.NoTrans, 1, s, z, 0, sz)
	linalg.Scal(1/math.Sqrt(linalg.Dot(z, sz)), z)
	return z
}

// synLinearLabels returns y = xθ* + s·ε, ε ~ N(0, 1) from seed.
func synLinearLabels(x *linalg.Dense, theta []float64, noise float64, seed uint64) *linalg.Dense {
	y := linalg.NewDense(x.Rows, 1)
	linalg.Gemv(linalg.NoTrans, 1, x, theta, 0, y.Data)
	eps := synGaussian(x.Rows, seed)
	linalg.Axpy(noise, eps, y.Data)
	return y
}

// synAnalyse runs analysis.FromObjective on model, x, y with the square
// loss; topK = 0 asks for no directions.
func synAnalyse(model models.Model, x, y *linalg.Dense, path string, topK int, seed uint64) (*analysis.Result, error) {
	opt := analysis.Options{Path: path, TopK: max(topK, 1), Flat: -1, Random: -1, Seed: seed}
	obj := models.NewObjective(model, models.Square{}, x, y)
	return analysis.FromObjective(obj, opt)
}

// synVal is a metric's value, NaN when undefined.
func synVal(m analysis.Metric) float64 {
	if !m.Defined {
		return math.NaN()
	}
	return m.Value
}

// synStat is sampleStats with SE = 0 (not NaN) for a single value, so
// that one-seed scales still draw a point without an error bar.
type synStat = sampleStats

func synSummary(xs []float64) synStat {
	st := describe(xs)
	if st.N == 1 {
		st.SE = 0
	}
	return st
}

// synSeries builds a series of mean ± 1 SE points.
func synSeries(label string, xs []float64, st []synStat) report.Series {
	s := report.Series{Label: label, X: xs}
	for _, v := range st {
		s.Y = append(s.Y, v.Mean)
		s.ErrLo = append(s.ErrLo, v.Mean-v.SE)
		s.ErrHi = append(s.ErrHi, v.Mean+v.SE)
	}
	return s
}

// synFmt formats a number with 4 significant digits.
func synFmt(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// synInts formats a list of integers "16, 32, …".
func synInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// synSortedFloats returns the distinct values sorted ascending.
func synSortedFloats(xs []float64) []float64 {
	seen := map[float64]bool{}
	var out []float64
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Float64s(out)
	return out
}

// synBiasAllowance is the finite-sample bias allowed between the mean of a
// sample μ (or μ_c) and its population value v: 2·v·(1 + r₂)/n with
// r₂ = Tr(S)²/‖S‖_F². For Gaussian inputs E‖Ĝ‖_F² = ‖S‖_F²(1 + (1 + r₂)/n)
// (Wishart second moment), and the diagonal terms of Tr(Σ̂₁Ĝ) inflate the
// numerator by the same relative order; the ratio's leading-order relative
// bias is at most the sum of the two, 2(1 + r₂)/n.
func synBiasAllowance(v, r2 float64, n int) float64 {
	return 2 * math.Abs(v) * (1 + r2) / float64(n)
}
