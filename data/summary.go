package data

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/noisegeom/noisegeom/linalg"
)

// SpectrumSummary describes a covariance spectrum.
type SpectrumSummary struct {
	Spec      string    `json:"spec,omitempty"` // population spec, e.g. "powerlaw:1.5"
	Trace     float64   `json:"trace"`
	Frobenius float64   `json:"frobenius"`
	Top       []float64 `json:"top_eigenvalues,omitempty"`
	EffDimF   float64   `json:"effective_dim_frobenius"` // Tr(S)²/‖S‖_F²
	EffDimOp  float64   `json:"effective_dim_operator"`  // Tr(S)/‖S‖_op
}

// TargetStats describes one target column.
type TargetStats struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Summary describes a dataset.
type Summary struct {
	Name        string           `json:"name"`
	N           int              `json:"n"`
	D           int              `json:"d"`
	Shape       []int            `json:"shape,omitempty"`
	InputMean   float64          `json:"input_mean"`
	InputMin    float64          `json:"input_min"`
	InputMax    float64          `json:"input_max"`
	Population  *SpectrumSummary `json:"population,omitempty"`
	Sample      *SpectrumSummary `json:"sample_covariance,omitempty"`
	Classes     int              `json:"classes,omitempty"`
	ClassCounts []int            `json:"class_counts,omitempty"`
	Targets     []TargetStats    `json:"targets,omitempty"`
}

// Summarizer accumulates a Summary over chunks of rows, so data generated
// in a stream never needs to be held at once. Memory is O(d²) for the
// sample covariance (when enabled) plus O(K).
type Summarizer struct {
	s      Summary
	cov    *linalg.Dense // Σ (x−shift)(x−shift)ᵀ, nil when disabled
	shift  []float64
	sum    []float64 // Σ (x−shift)
	ysum   []float64
	ysq    []float64
	yshift []float64
	topK   int
}

// NewSummarizer prepares a summary of d-feature inputs with k target
// columns and the given number of classes (0 without labels). topK > 0
// enables the sample covariance (d×d, so keep d moderate) and reports its
// topK largest eigenvalues.
func NewSummarizer(name string, d, k, classes, topK int) *Summarizer {
	z := &Summarizer{topK: min(topK, d)}
	z.s = Summary{Name: name, D: d, Classes: classes, InputMin: math.Inf(1), InputMax: math.Inf(-1)}
	if classes > 0 {
		z.s.ClassCounts = make([]int, classes)
	}
	if k > 0 {
		z.s.Targets = make([]TargetStats, k)
		for j := range z.s.Targets {
			z.s.Targets[j] = TargetStats{Min: math.Inf(1), Max: math.Inf(-1)}
		}
		z.ysum, z.ysq = make([]float64, k), make([]float64, k)
	}
	if z.topK > 0 {
		z.cov = linalg.NewDense(d, d)
	}
	z.sum = make([]float64, d)
	return z
}

// Add accumulates a chunk: x (rows×d), y (rows×k or nil), labels (rows or nil).
func (z *Summarizer) Add(x, y *linalg.Dense, labels []int) {
	if x.Rows == 0 {
		return
	}
	if z.shift == nil {
		z.shift = append([]float64(nil), x.Row(0)...)
		if y != nil {
			z.yshift = append([]float64(nil), y.Row(0)...)
		}
	}
	c := x.Clone()
	for i := 0; i < c.Rows; i++ {
		r := c.Row(i)
		for _, v := range x.Row(i) {
			z.s.InputMin = math.Min(z.s.InputMin, v)
			z.s.InputMax = math.Max(z.s.InputMax, v)
		}
		linalg.Axpy(-1, z.shift, r)
		linalg.Axpy(1, r, z.sum)
	}
	if z.cov != nil {
		linalg.Gemm(linalg.T, linalg.NoTrans, 1, c, c, 1, z.cov)
	}
	if y != nil && z.ysum != nil {
		for i := 0; i < y.Rows; i++ {
			for j, v := range y.Row(i) {
				t := &z.s.Targets[j]
				t.Min, t.Max = math.Min(t.Min, v), math.Max(t.Max, v)
				e := v - z.yshift[j]
				z.ysum[j] += e
				z.ysq[j] += e * e
			}
		}
	}
	for _, l := range labels {
		if l >= 0 && l < len(z.s.ClassCounts) {
			z.s.ClassCounts[l]++
		}
	}
	z.s.N += x.Rows
}

// SetPopulation records the population spectrum of synthetic data.
func (z *Summarizer) SetPopulation(sp *Spectrum) {
	if sp == nil {
		return
	}
	r2, r1 := sp.EffectiveDims()
	var f2 float64
	for _, v := range sp.Values {
		f2 += v * v
	}
	sorted := append([]float64(nil), sp.Values...)
	slices.SortFunc(sorted, func(a, b float64) int { return cmp.Compare(b, a) })
	top := sorted[:min(5, len(sorted))]
	z.s.Population = &SpectrumSummary{Spec: sp.Spec, Trace: sp.Trace(), Frobenius: math.Sqrt(f2), Top: top, EffDimF: r2, EffDimOp: r1}
}

// Finish returns the summary. It fails only if the eigen-solver does.
func (z *Summarizer) Finish() (*Summary, error) {
	s := z.s
	n := float64(s.N)
	if s.N == 0 {
		return &s, nil
	}
	var shiftMean float64
	for j := range z.sum {
		shiftMean += z.shift[j] + z.sum[j]/n
	}
	s.InputMean = shiftMean / float64(s.D)
	for j := range s.Targets {
		m := z.ysum[j] / n
		s.Targets[j].Mean = z.yshift[j] + m
		s.Targets[j].Std = math.Sqrt(math.Max(z.ysq[j]/n-m*m, 0))
	}
	if z.cov != nil {
		d := s.D
		c := z.cov
		// C = Σ(x−s)(x−s)ᵀ/n − (μ−s)(μ−s)ᵀ
		dm := make([]float64, d)
		for j := range dm {
			dm[j] = z.sum[j] / n
		}
		c.Scale(1 / n)
		linalg.Ger(-1, dm, dm, c)
		var tr, f2 float64
		for i := 0; i < d; i++ {
			tr += c.At(i, i)
			for _, v := range c.Row(i) {
				f2 += v * v
			}
		}
		ss := &SpectrumSummary{Trace: tr, Frobenius: math.Sqrt(f2)}
		if f2 > 0 {
			all, _, err := linalg.EigenSym(c, false)
			if err != nil {
				return nil, fmt.Errorf("sample covariance spectrum: %w", err)
			}
			vals := make([]float64, min(z.topK, d))
			for r := range vals {
				vals[r] = all[d-1-r]
			}
			ss.Top = vals
			ss.EffDimF = tr * tr / f2
			if vals[0] > 0 {
				ss.EffDimOp = tr / vals[0]
			}
		}
		s.Sample = ss
	}
	return &s, nil
}

// Summarize describes an in-memory dataset (sample covariance when
// topK > 0).
func Summarize(ds *Dataset, topK int) (*Summary, error) {
	k := 0
	if ds.Y != nil {
		k = ds.Y.Cols
	}
	z := NewSummarizer(ds.Name, ds.D(), k, ds.Classes, topK)
	if ds.Labels == nil {
		z.s.Classes, z.s.ClassCounts = 0, nil
	}
	z.s.Shape = ds.Shape
	z.SetPopulation(ds.Population)
	for i0 := 0; i0 < ds.N(); i0 += pcaChunk {
		i1 := min(ds.N(), i0+pcaChunk)
		var y *linalg.Dense
		var l []int
		if ds.Y != nil {
			y = ds.Y.RowsView(i0, i1)
		}
		if ds.Labels != nil {
			l = ds.Labels[i0:i1]
		}
		z.Add(ds.X.RowsView(i0, i1), y, l)
	}
	return z.Finish()
}
