package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DataEnv is the environment variable naming a root directory of datasets:
// dataset NAME is looked for in $NOISEGEOM_DATA/NAME and $NOISEGEOM_DATA.
const DataEnv = "NOISEGEOM_DATA"

// SystemDataDir is where Debian's dataset packages install datasets.
const SystemDataDir = "/usr/share/datasets"

// Named datasets and how to get them.
var namedDatasets = map[string]struct {
	classes int
	install string
}{
	"fashion-mnist": {10, "install the Debian package with `sudo apt-get install dataset-fashion-mnist`, " +
		"or download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and " +
		"t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist (data/fashion) " +
		"into a directory and pass it with --data-dir or set " + DataEnv},
	"mnist": {10, "download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz " +
		"and t10k-labels-idx1-ubyte.gz (the MNIST IDX files) into a directory and pass it with --data-dir or set " + DataEnv},
}

// NamedDatasets returns the names LoadNamed accepts.
func NamedDatasets() []string { return []string{"fashion-mnist", "mnist"} }

// idxFileNames returns the candidate file names of a split's images and
// labels: the official names, gzipped or not, and the dotted variant some
// mirrors use.
func idxFileNames(split string) (images, labels []string, err error) {
	prefix := ""
	switch split {
	case "train", "":
		prefix = "train"
	case "test", "t10k":
		prefix = "t10k"
	default:
		return nil, nil, specErr("unknown split %q (want train or test)", split)
	}
	for _, kind := range []string{"images-idx3", "labels-idx1"} {
		base := prefix + "-" + kind + "-ubyte"
		dotted := prefix + "-" + strings.Replace(kind, "-", ".", 1) + "-ubyte"
		c := []string{base + ".gz", base, dotted + ".gz", dotted}
		if kind == "images-idx3" {
			images = c
		} else {
			labels = c
		}
	}
	return images, labels, nil
}

func firstExisting(dir string, names []string) string {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// LoadIDXDir loads a split ("train" or "test") from a directory of
// MNIST-style IDX files (train-images-idx3-ubyte[.gz] and so on).
func LoadIDXDir(dir, split string) (*Dataset, error) { return loadIDXDir(dir, split, FileOptions{}) }

// loadIDXDir is LoadIDXDir with opt's limits and class count.
func loadIDXDir(dir, split string, opt FileOptions) (*Dataset, error) {
	imgs, labs, err := idxFileNames(split)
	if err != nil {
		return nil, err
	}
	ip, lp := firstExisting(dir, imgs), firstExisting(dir, labs)
	if ip == "" || lp == "" {
		return nil, fileErr(dir, ErrNotFound, "no %s or no %s (or their .gz) in this directory", imgs[1], labs[1])
	}
	return loadIDXPair(ip, lp, opt)
}

// NamedOptions select where and what LoadNamed loads.
type NamedOptions struct {
	// Dir, when set, is the only directory searched (the dataset's files
	// directly in it, or in Dir/NAME).
	Dir string
	// Split is "train" (default) or "test".
	Split string
}

// LocateNamed returns the directory holding dataset name's files for the
// split. Without opt.Dir it searches $NOISEGEOM_DATA/NAME, $NOISEGEOM_DATA
// and /usr/share/datasets/NAME in that order. The error (ErrNotFound) lists
// every place it looked and how to install the dataset.
func LocateNamed(name string, opt NamedOptions) (string, error) {
	info, ok := namedDatasets[name]
	if !ok {
		return "", specErr("unknown dataset %q (known: %s)", name, strings.Join(NamedDatasets(), ", "))
	}
	imgs, labs, err := idxFileNames(opt.Split)
	if err != nil {
		return "", err
	}
	var dirs []string
	var notes []string
	if opt.Dir != "" {
		dirs = []string{opt.Dir, filepath.Join(opt.Dir, name)}
	} else {
		if root := os.Getenv(DataEnv); root != "" {
			dirs = append(dirs, filepath.Join(root, name), root)
		} else {
			notes = append(notes, "$"+DataEnv+" is not set")
		}
		dirs = append(dirs, filepath.Join(SystemDataDir, name))
	}
	for _, d := range dirs {
		st, err := os.Stat(d)
		switch {
		case err != nil:
			notes = append(notes, d+" (does not exist)")
		case !st.IsDir():
			notes = append(notes, d+" (not a directory)")
		case firstExisting(d, imgs) == "" || firstExisting(d, labs) == "":
			notes = append(notes, fmt.Sprintf("%s (no %s / %s[.gz])", d, imgs[1], labs[1]))
		default:
			return d, nil
		}
	}
	return "", fmt.Errorf("data: %w: %s; looked in: %s. To get it, %s", ErrNotFound, name, strings.Join(notes, "; "), info.install)
}

// LoadNamed loads a named dataset ("fashion-mnist", "mnist") split with raw
// pixel values 0..255 (use ScaleUnit or Standardize next).
func LoadNamed(name string, opt NamedOptions) (*Dataset, error) {
	dir, err := LocateNamed(name, opt)
	if err != nil {
		return nil, err
	}
	// Labels must lie in the dataset's classes; the error names the file,
	// sample and label.
	ds, err := loadIDXDir(dir, opt.Split, FileOptions{Classes: namedDatasets[name].classes})
	if err != nil {
		return nil, err
	}
	split := opt.Split
	if split == "" {
		split = "train"
	}
	ds.Name = name + "/" + split
	return ds, nil
}
