package data

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// Dataset is n samples of d features with optional targets.
type Dataset struct {
	Name string        // where it came from (file, named dataset, synthetic spec)
	X    *linalg.Dense // n×d inputs
	// Y holds real-valued targets, n×K (nil when there are none). Readers
	// that find class labels also fill Labels; OneHot and SignTargets
	// derive Y from Labels.
	Y       *linalg.Dense
	Labels  []int // class labels in [0, Classes), length n, or nil
	Classes int   // number of classes when Labels != nil
	Shape   []int // per-sample shape when meaningful (e.g. 28, 28), else nil
	// Range is the known range of input values (e.g. 0..255 for IDX bytes),
	// used by ScaleUnit; nil when unknown.
	Range *[2]float64
	// Population holds the covariance spectrum of synthetic inputs (nil for
	// real data).
	Population *Spectrum
}

// N returns the number of samples.
func (ds *Dataset) N() int { return ds.X.Rows }

// D returns the number of features.
func (ds *Dataset) D() int { return ds.X.Cols }

// Validate checks shapes, label ranges and that every value is finite.
func (ds *Dataset) Validate() error {
	name := ds.Name
	if ds.X == nil || ds.X.Rows == 0 || ds.X.Cols == 0 {
		return fileErr(name, ErrEmpty, "no samples or no features")
	}
	n := ds.X.Rows
	if err := checkFiniteDense(name, "input", ds.X); err != nil {
		return err
	}
	if ds.Y != nil {
		if ds.Y.Rows != n {
			return fileErr(name, ErrMismatch, "%d inputs but %d targets", n, ds.Y.Rows)
		}
		if err := checkFiniteDense(name, "target", ds.Y); err != nil {
			return err
		}
	}
	if ds.Labels != nil {
		if len(ds.Labels) != n {
			return fileErr(name, ErrMismatch, "%d inputs but %d labels", n, len(ds.Labels))
		}
		for i, l := range ds.Labels {
			if l < 0 || l >= ds.Classes {
				return fileErr(name, ErrFormat, "label %d of sample %d outside [0, %d)", l, i, ds.Classes)
			}
		}
	}
	return nil
}

func checkFiniteDense(name, what string, m *linalg.Dense) error {
	for i := 0; i < m.Rows; i++ {
		for j, v := range m.Row(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fileErr(name, ErrNonFinite, "%s %v at row %d, column %d", what, v, i, j)
			}
		}
	}
	return nil
}

// ClassCounts returns the number of samples of each class (nil without labels).
func (ds *Dataset) ClassCounts() []int {
	if ds.Labels == nil {
		return nil
	}
	c := make([]int, ds.Classes)
	for _, l := range ds.Labels {
		if l >= 0 && l < len(c) {
			c[l]++
		}
	}
	return c
}

// rows returns a new dataset holding the given rows, in the given order.
func (ds *Dataset) rows(idx []int, name string) *Dataset {
	out := &Dataset{Name: name, Classes: ds.Classes, Shape: ds.Shape, Population: ds.Population, Range: ds.Range}
	out.X = linalg.NewDense(len(idx), ds.X.Cols)
	for r, i := range idx {
		copy(out.X.Row(r), ds.X.Row(i))
	}
	if ds.Y != nil {
		out.Y = linalg.NewDense(len(idx), ds.Y.Cols)
		for r, i := range idx {
			copy(out.Y.Row(r), ds.Y.Row(i))
		}
	}
	if ds.Labels != nil {
		out.Labels = make([]int, len(idx))
		for r, i := range idx {
			out.Labels[r] = ds.Labels[i]
		}
	}
	return out
}

func (ds *Dataset) String() string {
	s := fmt.Sprintf("%s: n=%d d=%d", ds.Name, ds.X.Rows, ds.X.Cols)
	if ds.Labels != nil {
		s += fmt.Sprintf(" classes=%d", ds.Classes)
	}
	if ds.Y != nil {
		s += fmt.Sprintf(" targets=%d", ds.Y.Cols)
	}
	return s
}
