package data

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/noisegeom/noisegeom/linalg"
)

// FileOptions controls LoadFile.
type FileOptions struct {
	// Labels is an optional file of class labels, one per sample (IDX or
	// .npy), for NPY and IDX inputs. CSV files carry labels in a column.
	Labels string
	CSV    CSVOptions
	// Classes, when > 0, states the number of classes: labels (from the
	// labels file or the CSV label column) must lie in [0, Classes). It
	// overrides CSV.Classes.
	Classes int
	// Limits bound every file read (zero fields: DefaultLimits).
	Limits Limits
}

// LoadFile loads a dataset from a file chosen by its name: .npy (first
// axis = samples, the rest flattened to features), .csv or .csv.gz (see
// ReadCSV), anything else IDX (plain or gzip). Empty sets are ErrEmpty;
// labels must be class indices below opt.Classes, or below MaxClasses.
func LoadFile(path string, opt FileOptions) (*Dataset, error) {
	lower := strings.ToLower(path)
	var ds *Dataset
	var err error
	switch {
	case strings.HasSuffix(lower, ".npy"):
		ds, err = loadNPYInputs(path, opt.Limits)
	case strings.HasSuffix(lower, ".csv") || strings.HasSuffix(lower, ".csv.gz"):
		if opt.Labels != "" {
			return nil, specErr("%s: a separate labels file applies to NPY and IDX inputs; CSV labels come from a column", path)
		}
		if opt.Classes > 0 {
			opt.CSV.Classes = opt.Classes
		}
		return opt.Limits.ReadCSVFile(path, opt.CSV)
	default:
		if opt.Labels != "" && !strings.HasSuffix(strings.ToLower(opt.Labels), ".npy") {
			return loadIDXPair(path, opt.Labels, opt)
		}
		ds, err = loadIDXInputs(path, opt.Limits)
	}
	if err != nil {
		return nil, err
	}
	if opt.Labels != "" {
		labels, classes, err := readLabelsFile(opt.Labels, opt)
		if err != nil {
			return nil, err
		}
		if len(labels) != ds.N() {
			return nil, fileErr(opt.Labels, ErrMismatch, "%d labels for %d samples in %s", len(labels), ds.N(), path)
		}
		ds.Labels, ds.Classes = labels, classes
	}
	return ds, nil
}

func loadNPYInputs(path string, lim Limits) (*Dataset, error) {
	a, err := lim.ReadNPYFile(path)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) == 0 || a.Len() == 0 {
		return nil, fileErr(path, ErrEmpty, "NPY shape %v holds no samples (want n×d or n×…)", a.Shape)
	}
	n := a.Shape[0]
	ds := &Dataset{Name: path, X: linalg.NewDenseData(n, a.Len()/n, a.Data)}
	if len(a.Shape) > 2 {
		ds.Shape = append([]int(nil), a.Shape[1:]...)
	}
	if a.DType[1:] == "u1" {
		ds.Range = &[2]float64{0, 255}
	}
	return ds, nil
}

func loadIDXInputs(path string, lim Limits) (*Dataset, error) {
	img, err := lim.ReadIDXFile(path)
	if err != nil {
		return nil, err
	}
	v, err := img.Float64s()
	if err != nil {
		return nil, err
	}
	n := img.Dims[0]
	ds := &Dataset{Name: path, X: linalg.NewDenseData(n, img.Len()/n, v)}
	if len(img.Dims) > 1 {
		ds.Shape = append([]int(nil), img.Dims[1:]...)
	}
	if img.Type == IDXUint8 {
		ds.Range = &[2]float64{0, 255}
	}
	return ds, nil
}

// ReadLabelsFile reads class labels (non-negative integers below
// MaxClasses) from an IDX or .npy file (any shape; flattened) and returns
// them with the class count max+1.
func ReadLabelsFile(path string) (labels []int, classes int, err error) {
	return readLabelsFile(path, FileOptions{})
}

// readLabelsFile is ReadLabelsFile within opt.Limits, with labels below
// opt.Classes when it is set (and then that many classes).
func readLabelsFile(path string, opt FileOptions) (labels []int, classes int, err error) {
	var vals []float64
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		a, err := opt.Limits.ReadNPYFile(path)
		if err != nil {
			return nil, 0, err
		}
		vals = a.Data
	} else {
		a, err := opt.Limits.ReadIDXFile(path)
		if err != nil {
			return nil, 0, err
		}
		if vals, err = a.Float64s(); err != nil {
			return nil, 0, err
		}
	}
	return labelsFrom(path, vals, opt.Classes)
}

// labelsFrom converts the values of labels file path to class labels below
// classes (when > 0, and then that many classes) or below MaxClasses.
func labelsFrom(path string, vals []float64, classes int) ([]int, int, error) {
	if len(vals) == 0 {
		return nil, 0, fileErr(path, ErrEmpty, "no labels")
	}
	limit := labelLimit(classes)
	labels := make([]int, len(vals))
	n := classes
	for i, v := range vals {
		if err := checkLabel(path, fmt.Sprintf("element %d (flat index)", i), v, limit); err != nil {
			return nil, 0, err
		}
		labels[i] = int(v)
		n = max(n, labels[i]+1)
	}
	return labels, n, nil
}
