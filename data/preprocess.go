package data

import (
	"math"
	"slices"

	"github.com/noisegeom/noisegeom/linalg"
)

// ScaleUnit maps the inputs affinely to [0, 1] in place, with one scale
// for all features: it uses ds.Range when set (e.g. 0..255 for IDX bytes),
// else the observed minimum and maximum. Constant inputs are an error.
func ScaleUnit(ds *Dataset) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	if ds.Range != nil {
		lo, hi = ds.Range[0], ds.Range[1]
	} else {
		for i := 0; i < ds.X.Rows; i++ {
			for _, v := range ds.X.Row(i) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if !(hi > lo) {
		return specErr("%s: cannot scale to [0,1]: inputs span [%v, %v]", ds.Name, lo, hi)
	}
	inv := 1 / (hi - lo)
	for i := 0; i < ds.X.Rows; i++ {
		r := ds.X.Row(i)
		for j, v := range r {
			r[j] = (v - lo) * inv
		}
	}
	ds.Range = &[2]float64{0, 1}
	ds.Population = nil // the population spectrum no longer describes X
	return nil
}

// Standardizer holds per-feature means and standard deviations.
type Standardizer struct {
	Mean, Std []float64
}

// FitStandardizer computes per-feature means and (population) standard
// deviations of x by a two-pass algorithm. Each feature is first scaled by
// a power of two that brings its largest magnitude below 1, so the sums
// neither overflow (features near 1e300) nor underflow (near 1e-300); the
// scaling being exact, data of ordinary magnitude gets the same bits as
// unscaled sums would give. Features with zero variance get Std = 1, so
// standardising them only centres them.
func FitStandardizer(x *linalg.Dense) *Standardizer {
	d, n := x.Cols, float64(x.Rows)
	s := &Standardizer{Mean: make([]float64, d), Std: make([]float64, d)}
	exp, scale := featureScales(x)
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			s.Mean[j] += v * scale[j]
		}
	}
	linalg.Scal(1/n, s.Mean) // scaled means
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			e := v*scale[j] - s.Mean[j]
			s.Std[j] += e * e
		}
	}
	for j := range s.Std {
		s.Mean[j] = math.Ldexp(s.Mean[j], exp[j])
		s.Std[j] = math.Ldexp(math.Sqrt(s.Std[j]/n), exp[j])
		if s.Std[j] == 0 {
			s.Std[j] = 1
		}
	}
	return s
}

// featureScales returns, per column of x, an exponent e with
// max|x| < 2^e and the factor 2^-e (e ≥ -1021, so the factor is finite).
func featureScales(x *linalg.Dense) (exp []int, scale []float64) {
	exp, scale = make([]int, x.Cols), make([]float64, x.Cols)
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			scale[j] = math.Max(scale[j], math.Abs(v))
		}
	}
	for j, m := range scale {
		_, e := math.Frexp(m)
		exp[j] = max(e, -1021)
		scale[j] = math.Ldexp(1, -exp[j])
	}
	return exp, scale
}

// Apply standardises x in place: (x − mean)/std per feature. A difference
// that overflows (x and mean of opposite signs near the float64 maximum) is
// computed at half scale, exactly.
func (s *Standardizer) Apply(x *linalg.Dense) {
	for i := 0; i < x.Rows; i++ {
		r := x.Row(i)
		for j, v := range r {
			m, sd := s.Mean[j], s.Std[j]
			if d := v - m; !math.IsInf(d, 0) {
				r[j] = d / sd
			} else {
				r[j] = (v/2 - m/2) / (sd / 2)
			}
		}
	}
}

// Standardize fits a Standardizer on ds and applies it; it returns the
// Standardizer so the same transform can be applied to other splits.
func Standardize(ds *Dataset) *Standardizer {
	s := FitStandardizer(ds.X)
	s.Apply(ds.X)
	ds.Range, ds.Population = nil, nil
	return s
}

// SubsetClasses returns the samples whose label is in classes, relabelled
// to the position in classes (classes[0] → 0, …), with Classes =
// len(classes). Unknown or repeated classes and an empty result are errors.
func SubsetClasses(ds *Dataset, classes []int) (*Dataset, error) {
	if ds.Labels == nil {
		return nil, specErr("%s: class subset needs class labels", ds.Name)
	}
	if len(classes) == 0 {
		return nil, specErr("%s: empty class list", ds.Name)
	}
	pos := make(map[int]int, len(classes))
	for i, c := range classes {
		if c < 0 || c >= ds.Classes {
			return nil, specErr("%s: class %d outside [0, %d)", ds.Name, c, ds.Classes)
		}
		if _, dup := pos[c]; dup {
			return nil, specErr("%s: class %d listed twice", ds.Name, c)
		}
		pos[c] = i
	}
	var idx []int
	for i, l := range ds.Labels {
		if _, ok := pos[l]; ok {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, fileErr(ds.Name, ErrEmpty, "no samples of classes %v", classes)
	}
	out := ds.rows(idx, ds.Name)
	for i := range out.Labels {
		out.Labels[i] = pos[out.Labels[i]]
	}
	out.Classes = len(classes)
	out.Y = nil // targets derived from the old labelling no longer apply
	return out, nil
}

// Subsample returns m samples chosen uniformly without replacement from
// seed (the same seed gives the same rows on every platform), kept in their
// original order.
func Subsample(ds *Dataset, m int, seed uint64) (*Dataset, error) {
	n := ds.X.Rows
	if m < 1 || m > n {
		return nil, specErr("%s: subsample of %d from %d samples", ds.Name, m, n)
	}
	// Partial Fisher–Yates over a permutation of 0..n-1.
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	s := newStream(seed, roleSubsample, 0)
	for i := 0; i < m; i++ {
		j := i + int(s.intN(uint64(n-i)))
		perm[i], perm[j] = perm[j], perm[i]
	}
	idx := perm[:m]
	slices.Sort(idx)
	out := ds.rows(idx, ds.Name)
	return out, nil
}

// OneHot sets Y to the n×Classes one-hot encoding of the labels. A
// one-hot of more than MaxElements values is ErrTooLarge.
func OneHot(ds *Dataset) error {
	if ds.Labels == nil || ds.Classes < 1 {
		return specErr("%s: one-hot targets need class labels", ds.Name)
	}
	if int64(len(ds.Labels))*int64(ds.Classes) > MaxElements {
		return fileErr(ds.Name, ErrTooLarge, "one-hot targets of %d samples × %d classes exceed the limit of %d values", len(ds.Labels), ds.Classes, int64(MaxElements))
	}
	ds.Y = linalg.NewDense(len(ds.Labels), ds.Classes)
	for i, l := range ds.Labels {
		ds.Y.Set(i, l, 1)
	}
	return nil
}

// SignTargets sets Y (n×1) to −1 for class 0 and +1 for class 1 of a
// two-class dataset (e.g. after SubsetClasses with two classes): a scalar
// target.
func SignTargets(ds *Dataset) error {
	if ds.Labels == nil || ds.Classes != 2 {
		return specErr("%s: ±1 targets need exactly two classes, have %d", ds.Name, ds.Classes)
	}
	ds.Y = linalg.NewDense(len(ds.Labels), 1)
	for i, l := range ds.Labels {
		ds.Y.Data[i] = float64(2*l - 1)
	}
	return nil
}
