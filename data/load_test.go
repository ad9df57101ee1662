package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	// NPY inputs with NPY labels.
	x := filepath.Join(dir, "x.npy")
	l := filepath.Join(dir, "l.npy")
	WriteNPYFile(x, []int{3, 2, 2}, NPYUint8, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	WriteNPYFile(l, []int{3}, NPYUint8, []float64{2, 0, 2})
	ds, err := LoadFile(x, FileOptions{Labels: l})
	if err != nil {
		t.Fatal(err)
	}
	if ds.N() != 3 || ds.D() != 4 || ds.X.At(2, 3) != 11 || ds.Classes != 3 || ds.Labels[0] != 2 || len(ds.Shape) != 2 || ds.Range == nil {
		t.Errorf("loaded %v %v", ds, ds.Labels)
	}
	// IDX with an IDX labels file, and IDX images alone.
	if ds, err := LoadFile("testdata/tiny-images-idx3-ubyte", FileOptions{Labels: "testdata/tiny-labels-idx1-ubyte.gz"}); err != nil || ds.Labels[2] != 9 {
		t.Errorf("IDX pair: %v", err)
	}
	if ds, err := LoadFile("testdata/tiny-images-idx3-ubyte.gz", FileOptions{}); err != nil || ds.N() != 5 || ds.Labels != nil {
		t.Errorf("IDX alone: %v", err)
	}
	// Errors: label count mismatch, empty NPY, fractional labels, labels with CSV.
	WriteNPYFile(l, []int{2}, NPYUint8, []float64{1, 0})
	if _, err := LoadFile(x, FileOptions{Labels: l}); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), l) {
		t.Errorf("mismatch: %v", err)
	}
	if _, err := LoadFile("testdata/f8_empty_0x3.npy", FileOptions{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	WriteNPYFile(l, []int{3}, NPYFloat64, []float64{1, 0.5, 2})
	if _, err := LoadFile(x, FileOptions{Labels: l}); !errors.Is(err, ErrFormat) {
		t.Errorf("fractional labels: %v", err)
	}
	c := filepath.Join(dir, "a.csv")
	os.WriteFile(c, []byte("1,2\n"), 0o644)
	if _, err := LoadFile(c, FileOptions{Labels: l}); !errors.Is(err, ErrSpec) {
		t.Errorf("CSV with labels file: %v", err)
	}
}
