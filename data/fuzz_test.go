package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The fuzz targets check that no input panics, that every failure is a
// *FileError naming the input, that a success is self-consistent and within
// the limits, and that a read allocates no more than allocBound: readers
// use fuzzLimits, small caps that keep each input fast.

var fuzzLimits = Limits{Elements: 1 << 12, Bytes: 1 << 16}

// allocBound is the most a read under fuzzLimits may allocate (TotalAlloc)
// for an input of n bytes: 256 KiB for the gzip and bufio state, 16 bytes
// per input byte, 8 per decompressed byte read (a payload buffer grown by
// doubling, CSV record strings) and 32 per element (float64 conversion,
// slices grown by append, labels).
func allocBound(n int) uint64 {
	return 256<<10 + 16*uint64(n) + 8*uint64(fuzzLimits.Bytes) + 32*uint64(fuzzLimits.Elements)
}

// checkAlloc runs read and fails when it allocates more than allocBound(n).
func checkAlloc(t *testing.T, n int, read func()) {
	if got, bound := allocated(read), allocBound(n); got > bound {
		t.Fatalf("a %d-byte input allocated %d bytes (bound %d)", n, got, bound)
	}
}

func seedFiles(f *testing.F, glob string) {
	names, _ := filepath.Glob(filepath.Join("testdata", glob))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b)
		}
	}
}

func checkFileErr(t *testing.T, err error, name string) {
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != name {
		t.Fatalf("error %v is not a *FileError for %s", err, name)
	}
}

// idxBomb is a gzip bomb of a few KB: an IDX header for 4 MiB of bytes,
// and the bytes.
func idxBomb(f *testing.F) []byte {
	return gzipBytes(f, idxHeader(IDXUint8, 1<<11, 1<<11), make([]byte, 1<<22))
}

// gzipPadded compresses plain followed by pad copies of fill.
func gzipPadded(t *testing.T, plain, fill []byte, pad int) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	zw.Write(plain)
	for range pad {
		zw.Write(fill)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fuzzIDX(t *testing.T, b []byte) {
	var a *IDX
	var vals []float64
	var err, verr error
	checkAlloc(t, len(b), func() {
		if a, err = fuzzLimits.ReadIDX(bytes.NewReader(b), "fuzz.idx"); err == nil {
			vals, verr = a.Float64s()
		}
	})
	if err != nil {
		checkFileErr(t, err, "fuzz.idx")
		return
	}
	if len(a.Raw) != a.Len()*idxSize(a.Type) || int64(a.Len()) > fuzzLimits.Elements {
		t.Fatalf("raw %d bytes for %v", len(a.Raw), a.Dims)
	}
	if len(b) >= 2 && b[0] != 0x1f && len(a.Raw) > len(b) {
		t.Fatalf("%d payload bytes from a %d-byte input", len(a.Raw), len(b))
	}
	if verr != nil {
		checkFileErr(t, verr, "fuzz.idx")
	} else if len(vals) != a.Len() {
		t.Fatalf("%d values for %v", len(vals), a.Dims)
	}
}

func FuzzIDX(f *testing.F) {
	seedFiles(f, "tiny-*")
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 7, 9})
	f.Add([]byte{0, 0, 8, 3, 0, 0x0f, 0x42, 0x40, 0, 0, 3, 0xe8, 0, 0, 3, 0xe8})
	f.Add(append(idxHeader(IDXUint8, 1<<16, 1<<15), 1, 2, 3)) // claims 2^31 elements
	f.Add(idxBomb(f))
	f.Fuzz(fuzzIDX)
}

// FuzzIDXGzip feeds the IDX reader gzip streams of the input followed by
// pad zero bytes (a gzip bomb when pad is large), so mutations of the
// plain bytes reach the decompressed path.
func FuzzIDXGzip(f *testing.F) {
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 7, 9}, uint32(0))
	f.Add(idxHeader(IDXUint8, 1<<11, 1<<11), uint32(1<<18-1))
	f.Add(idxHeader(IDXFloat64, 1<<16, 1<<15), uint32(1000))
	f.Fuzz(func(t *testing.T, plain []byte, pad uint32) {
		fuzzIDX(t, gzipPadded(t, plain, make([]byte, 1<<12), int(pad%(1<<18))>>12))
	})
}

func FuzzNPY(f *testing.F) {
	seedFiles(f, "*.npy")
	f.Add(npyBytes("<f8", "(65536, 32768)", []byte{1, 2, 3}))                                          // claims 2^31 elements
	f.Add(npyBytes("<f8", "(2,)", []byte{0, 0, 0, 0, 0, 0, 0xe0, 0x41, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f})) // label 2^31
	f.Add(npyBytes("|u1", "(3,)", []byte{0, 1, 255}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var a *NPY
		var err, lerr error
		var labels []int
		var classes int
		checkAlloc(t, len(b), func() {
			if a, err = fuzzLimits.ReadNPY(bytes.NewReader(b), "fuzz.npy"); err == nil {
				labels, classes, lerr = labelsFrom("fuzz.npy", a.Data, 0)
			}
		})
		if err != nil {
			checkFileErr(t, err, "fuzz.npy")
			return
		}
		if len(a.Data) != a.Len() || len(a.Data) > len(b) || int64(len(a.Data)) > fuzzLimits.Elements {
			t.Fatalf("%d elements, shape %v, input %d bytes", len(a.Data), a.Shape, len(b))
		}
		if lerr != nil {
			checkFileErr(t, lerr, "fuzz.npy")
		} else if classes > MaxClasses || len(labels) != len(a.Data) {
			t.Fatalf("%d labels in %d classes from %d elements", len(labels), classes, len(a.Data))
		}
		// What we read, we can write and read back identically (as float64).
		var w bytes.Buffer
		if err := WriteNPY(&w, a.Shape, NPYFloat64, a.Data); err != nil {
			t.Fatal(err)
		}
		c, err := ReadNPY(&w, "again.npy")
		if err != nil || len(c.Data) != len(a.Data) {
			t.Fatalf("re-read: %v", err)
		}
	})
}

func fuzzCSV(t *testing.T, b []byte, label, maxValues int) {
	var ds *Dataset
	var err error
	opt := CSVOptions{LabelColumn: label%4 - 2} // last column, none, 0 or 1
	checkAlloc(t, len(b), func() { ds, err = fuzzLimits.ReadCSV(bytes.NewReader(b), "fuzz.csv", opt) })
	if err != nil {
		checkFileErr(t, err, "fuzz.csv")
		return
	}
	if ds.N()*ds.D() > maxValues || int64(ds.N()*ds.D()) > fuzzLimits.Elements {
		t.Fatalf("%d values from %d bytes", ds.N()*ds.D(), len(b))
	}
	if ds.Classes > MaxClasses {
		t.Fatalf("%d classes", ds.Classes)
	}
	if err := ds.Validate(); err != nil {
		t.Fatalf("reader returned an invalid dataset: %v", err)
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("label,a,b\n1,0.5,2\n0,1.5,-3\n"), 2)
	f.Add([]byte("1,2\n3\n"), 0)
	f.Add([]byte("a,\"b\nc\",d\n"), 1)
	f.Add([]byte("0,1\n2147483648,2\n"), 2)                                       // huge label
	f.Add(bytes.Repeat([]byte{0}, 1<<17), 1)                                      // /dev/zero: no line break
	f.Add(gzipBytes(f, []byte("a,b\n"), bytes.Repeat([]byte("0,1\n"), 1<<20)), 0) // gzip bomb
	f.Fuzz(func(t *testing.T, b []byte, label int) {
		maxValues := len(b)
		if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
			maxValues = int(fuzzLimits.Bytes)
		}
		fuzzCSV(t, b, label, maxValues)
	})
}

// FuzzCSVGzip feeds the CSV reader gzip streams of the input followed by
// pad copies of a row, so mutations of the plain text reach the
// decompressed path and large pads make gzip bombs.
func FuzzCSVGzip(f *testing.F) {
	f.Add([]byte("label,a,b\n1,0.5,2\n"), uint32(0), 2)
	f.Add([]byte("x,y\n"), uint32(1<<15-1), 0)
	f.Add([]byte("0,1\n4294967296,2\n"), uint32(3), 2)
	f.Fuzz(func(t *testing.T, plain []byte, pad uint32, label int) {
		fuzzCSV(t, gzipPadded(t, plain, []byte("0,1\n"), int(pad%(1<<15))), label, int(fuzzLimits.Bytes))
	})
}
