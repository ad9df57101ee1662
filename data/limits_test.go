package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/linalg"
)

// allocated returns the bytes allocated while f runs (TotalAlloc delta).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func gzipBytes(t testing.TB, chunks ...[]byte) []byte {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	require.NoError(t, err)
	for _, c := range chunks {
		_, err := zw.Write(c)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// idxHeader returns the header of an IDX array of type typ and dims.
func idxHeader(typ byte, dims ...uint32) []byte {
	h := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		h = binary.BigEndian.AppendUint32(h, d)
	}
	return h
}

// npyBytes returns an NPY file of the given dtype, shape text and payload.
func npyBytes(dtype, shape string, payload []byte) []byte {
	h := "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shape + ", }\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	return append(append(b, h...), payload...)
}

func writeFile(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

func TestLabelBounds(t *testing.T) {
	f8 := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	x := npyBytes("<f8", "(2, 1)", f8(0.5, 1.5))
	cases := []struct {
		name    string
		file    string // file name; its content is data
		data    []byte
		labels  []byte // NPY or IDX labels file, if any
		classes int
		want    []string // substrings of the error; nil = success
		classN  int      // classes on success
	}{
		{"csv 2^31-1", "a.csv", []byte("1,2\n2147483647,3\n"), nil, 0, []string{"a.csv", "line 2, column 1: label 2147483647 is not a class index in [0, 65536) (the most classes supported, MaxClasses)"}, 0},
		{"csv 2^31", "a.csv", []byte("1,2\n2147483648,3\n"), nil, 0, []string{"line 2", "label 2147483648 "}, 0},
		{"csv above MaxClasses", "a.csv", []byte("0,1\n65536,2\n"), nil, 0, []string{"label 65536"}, 0},
		{"csv above requested", "a.csv", []byte("0,1\n5,2\n"), nil, 3, []string{"line 2", "label 5", "3 classes stated"}, 0},
		{"csv negative with classes", "a.csv", []byte("0,1\n-1,2\n"), nil, 2, []string{"label -1"}, 0},
		{"csv negative is a target", "a.csv", []byte("1,1\n-1,2\n"), nil, 0, nil, 0},
		{"csv stated classes", "a.csv", []byte("0,1\n1,2\n"), nil, 10, nil, 10},
		{"csv gz huge", "a.csv.gz", gzipBytes(t, []byte("3,1\n2147483647,2\n")), nil, 0, []string{"line 2", "2147483647"}, 0},
		{"npy labels 2^31-1", "x.npy", x, npyBytes("<f8", "(2,)", f8(1, 2147483647)), 0, []string{"l.npy", "element 1 (flat index)", "2147483647"}, 0},
		{"npy labels negative", "x.npy", x, npyBytes("<f8", "(2,)", f8(-3, 1)), 0, []string{"element 0 (flat index)", "label -3"}, 0},
		{"npy labels above requested", "x.npy", x, npyBytes("|u1", "(2,)", []byte{1, 7}), 4, []string{"element 1", "label 7", "[0, 4) (4 classes stated)"}, 0},
		{"idx labels above requested", "x-idx", append(idxHeader(IDXUint8, 2, 1), 3, 4), append(idxHeader(IDXUint8, 2), 9, 1), 5, []string{"l-idx", "sample 0", "label 9"}, 0},
		{"idx labels fine", "x-idx", append(idxHeader(IDXUint8, 2, 1), 3, 4), append(idxHeader(IDXUint8, 2), 2, 1), 5, nil, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := FileOptions{Classes: c.classes, CSV: CSVOptions{LabelColumn: 0}}
			path := writeFile(t, c.file, c.data)
			if c.labels != nil {
				name := "l.npy"
				if strings.HasSuffix(c.file, "-idx") {
					name = "l-idx"
				}
				opt.Labels = filepath.Join(filepath.Dir(path), name)
				require.NoError(t, os.WriteFile(opt.Labels, c.labels, 0o644))
			}
			ds, err := LoadFile(path, opt)
			if c.want == nil {
				require.NoError(t, err)
				assert.Equal(t, c.classN, ds.Classes)
				assert.NoError(t, ds.Validate())
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrFormat)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestOneHotTooWide(t *testing.T) {
	ds := &Dataset{Name: "wide", X: linalg.NewDense(4, 1), Labels: []int{0, 1, 2, 1 << 27}, Classes: 1<<27 + 1}
	var err error
	bytes := allocated(func() { err = OneHot(ds) })
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "134217729 classes")
	assert.Less(t, bytes, uint64(1<<20), "refused before allocating")
}

// zeros is an endless stream of zero bytes, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestDecompressedCaps(t *testing.T) {
	small := Limits{Elements: 1 << 14, Bytes: 1 << 16}
	csvGz := gzipBytes(t, bytes.Repeat([]byte("0,1\n"), 1<<20)) // 4 MiB of CSV in ~10 KB
	// 128 MiB of zero bytes in ~130 KB of gzip (the 261 KB file of the issue held 256 MiB).
	f8gz := gzipBytes(t, idxHeader(IDXFloat64, 1<<14), make([]byte, 1<<17))
	bomb := gzipBytes(t, idxHeader(IDXUint8, 1<<14, 1<<13), make([]byte, 128<<20))
	cases := []struct {
		name  string
		read  func() error
		want  []string
		alloc uint64 // bound on the bytes allocated
	}{
		{"gzip IDX bomb", func() error {
			_, err := ReadIDX(bytes.NewReader(bomb), "bomb.gz")
			return err
		}, []string{"bomb.gz", "IDX header [16384 8192] declares 134217728 bytes of data, but a gzip file of", "gzip bomb", "100×"}, 1 << 20},
		{"gzip IDX bomb of unknown size", func() error {
			_, err := ReadIDX(io.MultiReader(bytes.NewReader(bomb)), "bomb.gz")
			return err
		}, []string{"bomb.gz", "gzip data expands to more than 67108864 bytes", "gzip bomb", "100×"}, 160 << 20},
		{"gzip IDX header above the byte limit", func() error {
			_, err := small.ReadIDX(bytes.NewReader(f8gz), "f8.gz")
			return err
		}, []string{"f8.gz", "declares 131072 bytes", "limit of 65536"}, 1 << 20},
		{"IDX header above the element limit", func() error {
			_, err := small.ReadIDX(bytes.NewReader(idxHeader(IDXUint8, 1<<31, 2)), "big")
			return err
		}, []string{"big", "limit of 16384 elements"}, 1 << 20},
		{"NPY header above the byte limit", func() error {
			_, err := small.ReadNPY(bytes.NewReader(npyBytes("<f8", "(16384,)", nil)), "a.npy")
			return err
		}, []string{"a.npy", "declares 131072 bytes", "limit of 65536"}, 1 << 20},
		{"gzip CSV past the byte limit", func() error {
			_, err := Limits{Bytes: 1 << 16}.ReadCSV(bytes.NewReader(csvGz), "a.csv.gz", CSVOptions{LabelColumn: NoLabel})
			return err
		}, []string{"a.csv.gz", "more than 65536 bytes after decompression"}, 4 << 20},
		{"gzip CSV past the element limit", func() error {
			_, err := Limits{Elements: 1000}.ReadCSV(bytes.NewReader(csvGz), "a.csv.gz", CSVOptions{LabelColumn: NoLabel})
			return err
		}, []string{"a.csv.gz", "line 501", "more than 1000 values"}, 4 << 20},
		{"CSV without line breaks", func() error {
			_, err := ReadCSV(io.LimitReader(zeros{}, 64<<20), "zeros.csv", CSVOptions{})
			return err
		}, []string{"zeros.csv", "record starting at line 1 is longer than 8388608 bytes"}, 64 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			bytes := allocated(func() { err = c.read() })
			require.ErrorIs(t, err, ErrTooLarge)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Less(t, bytes, c.alloc)
		})
	}
}

func TestDevZeroAsCSV(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero on this system")
	}
	p := filepath.Join(t.TempDir(), "zero.csv")
	require.NoError(t, os.Symlink("/dev/zero", p))
	_, err := LoadFile(p, FileOptions{})
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), p)
}

func TestDirectoryAsFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"x.npy", "x.csv", "x.csv.gz", "x-idx3-ubyte"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.Mkdir(p, 0o755))
		_, err := LoadFile(p, FileOptions{})
		require.ErrorIs(t, err, ErrIsDir, name)
		assert.Contains(t, err.Error(), p+": is a directory")
	}
	_, err := LoadFile(filepath.Join(dir, "x-idx3-ubyte"), FileOptions{Labels: filepath.Join(dir, "x.npy")})
	assert.ErrorIs(t, err, ErrIsDir)
}

func TestStandardizeExtremeMagnitudes(t *testing.T) {
	const a = 1.5e308
	s2, s5 := math.Sqrt(2), math.Sqrt(5)
	cases := []struct {
		name      string
		x         []float64
		mean, std float64
		z         []float64
	}{
		{"near 1e300", []float64{1e300, 3e300}, 2e300, 1e300, []float64{-1, 1}},
		{"symmetric near 1e300", []float64{1e300, -1e300, 3e300, -3e300}, 0, s5 * 1e300, []float64{1 / s5, -1 / s5, 3 / s5, -3 / s5}},
		// x − mean = −4a/3 overflows float64.
		{"near the maximum", []float64{a, -a, a}, a / 3, a / 3 * math.Sqrt(8), []float64{1 / s2, -s2, 1 / s2}},
		{"near 1e-300", []float64{1e-300, 3e-300}, 2e-300, 1e-300, []float64{-1, 1}},
		{"ordinary", []float64{1, 2, 3, 4}, 2.5, math.Sqrt(1.25), []float64{-1.5 / math.Sqrt(1.25), -0.5 / math.Sqrt(1.25), 0.5 / math.Sqrt(1.25), 1.5 / math.Sqrt(1.25)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := &Dataset{Name: c.name, X: linalg.NewDenseData(len(c.x), 1, append([]float64(nil), c.x...))}
			s := Standardize(ds)
			assert.InEpsilon(t, c.std, s.Std[0], 1e-15)
			if c.mean == 0 {
				assert.Less(t, math.Abs(s.Mean[0]), 1e-15*c.std)
			} else {
				assert.InEpsilon(t, c.mean, s.Mean[0], 1e-15)
			}
			for i, want := range c.z {
				assert.InEpsilon(t, want, ds.X.Data[i], 1e-15, "z[%d]", i)
			}
		})
	}
}

// TestLimitsExact checks that reading exactly up to a limit succeeds.
func TestLimitsExact(t *testing.T) {
	b := append(idxHeader(IDXUint8, 4, 2), 1, 2, 3, 4, 5, 6, 7, 8)
	a, err := Limits{Elements: 8, Bytes: int64(len(b))}.ReadIDX(bytes.NewReader(b), "exact")
	require.NoError(t, err)
	assert.Equal(t, []int{4, 2}, a.Dims)
	_, err = Limits{Elements: 8, Bytes: int64(len(b) - 1)}.ReadIDX(bytes.NewReader(b), "short")
	assert.True(t, errors.Is(err, ErrTooLarge), "%v", err)
}

// TestLoadNamedLabelOutOfRange: a named dataset's labels must lie in its
// classes; the error names the labels file, the sample and the label.
func TestLoadNamedLabelOutOfRange(t *testing.T) {
	dir := t.TempDir()
	img := append(idxHeader(IDXUint8, 3, 2), 1, 2, 3, 4, 5, 6)
	lab := append(idxHeader(IDXUint8, 3), 9, 10, 0)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), img, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), lab, 0o644))
	_, err := LoadNamed("mnist", NamedOptions{Dir: dir})
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), "train-labels-idx1-ubyte: malformed file: sample 1: label 10 is not a class index in [0, 10) (10 classes stated)")
	lab[len(lab)-2] = 1
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), lab, 0o644))
	ds, err := LoadNamed("mnist", NamedOptions{Dir: dir})
	require.NoError(t, err)
	assert.Equal(t, 10, ds.Classes)
}

// TestCSVFieldGuard: a record of more fields than the element limit is
// refused before encoding/csv allocates per field (a short gzip of commas
// once cost over 100 bytes per comma), quoted separators do not count, and
// the error names the line and the limit.
func TestCSVFieldGuard(t *testing.T) {
	lim := Limits{Elements: 100, Bytes: 1 << 20}
	commas := append([]byte("1,2\n"), bytes.Repeat([]byte(","), 50000)...)
	var err error
	got := allocated(func() { _, err = lim.ReadCSV(bytes.NewReader(gzipBytes(t, commas)), "c.csv.gz", CSVOptions{}) })
	require.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorContains(t, err, "line 2: a record with more than 101 fields")
	assert.Less(t, got, uint64(1<<20), "allocated %d bytes", got)

	quoted := "a,b\n\"" + strings.Repeat(",", 500) + "\",1\n"
	_, err = lim.ReadCSV(strings.NewReader(quoted), "q.csv", CSVOptions{LabelColumn: NoLabel})
	assert.NotErrorIs(t, err, ErrTooLarge, "separators inside quotes counted: %v", err)
}
