package data

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestFashionMNISTReal checks the real Fashion-MNIST files (Debian package
// dataset-fashion-mnist) against values computed independently with
// gzip + numpy by testdata/fashion_mnist_reference.py. Skipped when the
// files are absent.
func TestFashionMNISTReal(t *testing.T) {
	dir := filepath.Join(SystemDataDir, "fashion-mnist")
	if _, err := os.Stat(filepath.Join(dir, "t10k-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("Fashion-MNIST not installed in %s (apt-get install dataset-fashion-mnist): %v", dir, err)
	}
	b, err := os.ReadFile("testdata/fashion_mnist_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string]struct {
		N, Rows, Cols int
		FirstLabels   []int `json:"first_labels"`
		LabelCounts   []int `json:"label_counts"`
		PixelSum      int64 `json:"pixel_sum"`
		FirstImageSum int64 `json:"first_image_sum"`
		LastImageSum  int64 `json:"last_image_sum"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	splits := []string{"test", "train"}
	if testing.Short() {
		splits = splits[:1]
	}
	for _, split := range splits {
		r := ref[split]
		ds, err := LoadNamed("fashion-mnist", NamedOptions{Dir: dir, Split: split})
		if err != nil {
			t.Fatal(err)
		}
		if ds.N() != r.N || ds.D() != r.Rows*r.Cols || ds.Shape[0] != r.Rows || ds.Shape[1] != r.Cols || ds.Classes != 10 {
			t.Fatalf("%s: n=%d d=%d shape=%v classes=%d", split, ds.N(), ds.D(), ds.Shape, ds.Classes)
		}
		for i, l := range r.FirstLabels {
			if ds.Labels[i] != l {
				t.Errorf("%s: label %d = %d, want %d", split, i, ds.Labels[i], l)
			}
		}
		for c, k := range ds.ClassCounts() {
			if k != r.LabelCounts[c] {
				t.Errorf("%s: class %d count %d, want %d", split, c, k, r.LabelCounts[c])
			}
		}
		// Pixel values are integers < 256: the float64 sums are exact.
		var total int64
		for i := 0; i < ds.N(); i++ {
			var s float64
			for _, v := range ds.X.Row(i) {
				s += v
			}
			total += int64(s)
			if i == 0 && int64(s) != r.FirstImageSum {
				t.Errorf("%s: first image sum %v, want %d", split, s, r.FirstImageSum)
			}
			if i == ds.N()-1 && int64(s) != r.LastImageSum {
				t.Errorf("%s: last image sum %v, want %d", split, s, r.LastImageSum)
			}
		}
		if total != r.PixelSum {
			t.Errorf("%s: pixel sum %d, want %d", split, total, r.PixelSum)
		}
	}
}
