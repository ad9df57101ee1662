package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyPixel is the formula make_fixtures.py used for the tiny IDX images.
func tinyPixel(i, r, c int) float64 { return float64((i*7 + r*3 + c) % 256) }

func TestIDXFixture(t *testing.T) {
	for _, gz := range []string{"", ".gz"} {
		ds, err := LoadIDXPair("testdata/tiny-images-idx3-ubyte"+gz, "testdata/tiny-labels-idx1-ubyte"+gz)
		if err != nil {
			t.Fatal(err)
		}
		if ds.N() != 5 || ds.D() != 6 || len(ds.Shape) != 2 || ds.Shape[0] != 3 || ds.Shape[1] != 2 {
			t.Fatalf("shape: n=%d d=%d shape=%v", ds.N(), ds.D(), ds.Shape)
		}
		for i := 0; i < 5; i++ {
			for r := 0; r < 3; r++ {
				for c := 0; c < 2; c++ {
					if got := ds.X.At(i, r*2+c); got != tinyPixel(i, r, c) {
						t.Fatalf("pixel (%d,%d,%d) = %v want %v", i, r, c, got, tinyPixel(i, r, c))
					}
				}
			}
		}
		want := []int{3, 0, 9, 1, 3}
		for i, l := range want {
			if ds.Labels[i] != l {
				t.Errorf("label %d = %d want %d", i, ds.Labels[i], l)
			}
		}
		if ds.Classes != 10 {
			t.Errorf("classes %d", ds.Classes)
		}
	}
	a, err := ReadIDXFile("testdata/tiny-f8-idx2")
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Float64s()
	if err != nil || len(v) != 4 || v[0] != 1.5 || v[1] != -2 || v[2] != 0 || v[3] != 1e300 {
		t.Errorf("float64 IDX: %v %v", v, err)
	}
}

func idxBytes(typ byte, dims []int, raw []byte) []byte {
	var b bytes.Buffer
	if err := WriteIDX(&b, typ, dims, raw); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func gz(b []byte) []byte {
	var o bytes.Buffer
	w := gzip.NewWriter(&o)
	w.Write(b)
	w.Close()
	return o.Bytes()
}

func TestIDXBadInput(t *testing.T) {
	good := idxBytes(IDXUint8, []int{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	huge := []byte{0, 0, 8, 3}
	huge = binary.BigEndian.AppendUint32(huge, 1000000)
	huge = binary.BigEndian.AppendUint32(huge, 1000)
	huge = binary.BigEndian.AppendUint32(huge, 1000) // 10^12 elements
	nanF8 := idxBytes(IDXFloat64, []int{2}, binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, 0x3ff0000000000000), 0x7ff8000000000001))
	corrupt := gz(good)
	corrupt[len(corrupt)-6] ^= 0xff // CRC
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty file", nil, ErrTruncated},
		{"short magic", []byte{0, 0}, ErrTruncated},
		{"wrong magic", append([]byte{1, 2, 8, 1}, good[4:]...), ErrBadMagic},
		{"bad type", []byte{0, 0, 7, 1, 0, 0, 0, 1, 5}, ErrBadMagic},
		{"zero dims", []byte{0, 0, 8, 0}, ErrBadMagic},
		{"truncated header", good[:6], ErrTruncated},
		{"truncated data", good[:len(good)-1], ErrTruncated},
		{"truncated gzip", gz(good)[:20], ErrTruncated},
		{"corrupt gzip", corrupt, ErrFormat},
		{"trailing bytes", append(append([]byte{}, good...), 9), ErrFormat},
		{"10^12 elements", huge, ErrTooLarge},
		{"no elements", idxBytes(IDXUint8, []int{0, 5}, nil), ErrEmpty},
	}
	for _, c := range cases {
		_, err := ReadIDX(bytes.NewReader(c.in), "bad.idx")
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
			continue
		}
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != "bad.idx" || !strings.Contains(err.Error(), "bad.idx") {
			t.Errorf("%s: error %q does not name the file", c.name, err)
		}
	}
	a, err := ReadIDX(bytes.NewReader(nanF8), "nan.idx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Float64s(); !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "nan.idx") {
		t.Errorf("NaN in float IDX: %v", err)
	}
}

func TestIDXPairMismatch(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "img")
	lab := filepath.Join(dir, "lab")
	os.WriteFile(img, idxBytes(IDXUint8, []int{3, 2}, make([]byte, 6)), 0o644)
	os.WriteFile(lab, idxBytes(IDXUint8, []int{4}, make([]byte, 4)), 0o644)
	_, err := LoadIDXPair(img, lab)
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), img) || !strings.Contains(err.Error(), lab) {
		t.Errorf("count mismatch: %v", err)
	}
	os.WriteFile(lab, idxBytes(IDXUint8, []int{3, 1}, make([]byte, 3)), 0o644)
	if _, err := LoadIDXPair(img, lab); !errors.Is(err, ErrFormat) {
		t.Errorf("2-D labels: %v", err)
	}
}

func TestLocateNamedMissing(t *testing.T) {
	empty := t.TempDir()
	t.Setenv(DataEnv, empty)
	_, err := LocateNamed("fashion-mnist", NamedOptions{Dir: filepath.Join(empty, "nowhere")})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{filepath.Join(empty, "nowhere"), "apt-get install dataset-fashion-mnist", "NOISEGEOM_DATA"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// Without Dir: the environment root and the system directory are listed.
	_, err = LocateNamed("mnist", NamedOptions{})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), filepath.Join(empty, "mnist")) ||
		!strings.Contains(err.Error(), "/usr/share/datasets/mnist") {
		t.Errorf("err = %v", err)
	}
	if _, err := LocateNamed("cifar", NamedOptions{}); !errors.Is(err, ErrSpec) {
		t.Errorf("unknown dataset: %v", err)
	}
}

func TestLoadNamedFromEnvDir(t *testing.T) {
	// An MNIST-style directory made from the tiny fixture, found through
	// $NOISEGEOM_DATA/mnist.
	root := t.TempDir()
	dir := filepath.Join(root, "mnist")
	os.Mkdir(dir, 0o755)
	for src, dst := range map[string]string{
		"tiny-images-idx3-ubyte.gz": "t10k-images-idx3-ubyte.gz",
		"tiny-labels-idx1-ubyte":    "t10k-labels-idx1-ubyte",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, dst), b, 0o644)
	}
	t.Setenv(DataEnv, root)
	ds, err := LoadNamed("mnist", NamedOptions{Split: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if ds.N() != 5 || ds.Labels[2] != 9 || ds.Name != "mnist/test" {
		t.Errorf("loaded %v", ds)
	}
	if _, err := LoadNamed("mnist", NamedOptions{Split: "train"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("train split should be missing: %v", err)
	}
}
