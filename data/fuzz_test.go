package data

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The fuzz targets check that no input panics, that every failure is a
// *FileError naming the input, and that a success is self-consistent.
// Allocation is bounded by construction (payloads are read incrementally
// and headers above MaxElements are rejected); the targets additionally
// check that a successful read holds no more elements than the input could
// encode.

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

func FuzzIDX(f *testing.F) {
	seedFiles(f, "tiny-*")
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 7, 9})
	f.Add([]byte{0, 0, 8, 3, 0, 0x0f, 0x42, 0x40, 0, 0, 3, 0xe8, 0, 0, 3, 0xe8})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadIDX(bytes.NewReader(b), "fuzz.idx")
		if err != nil {
			checkFileErr(t, err, "fuzz.idx")
			return
		}
		if len(a.Raw) != a.Len()*idxSize(a.Type) {
			t.Fatalf("raw %d bytes for %v", len(a.Raw), a.Dims)
		}
		if len(b) >= 2 && b[0] != 0x1f && len(a.Raw) > len(b) {
			t.Fatalf("%d payload bytes from a %d-byte input", len(a.Raw), len(b))
		}
		if _, err := a.Float64s(); err != nil {
			checkFileErr(t, err, "fuzz.idx")
		}
	})
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("label,a,b\n1,0.5,2\n0,1.5,-3\n"), 0)
	f.Add([]byte("1,2\n3\n"), -2)
	f.Add([]byte("a,\"b\nc\",d\n"), -1)
	f.Fuzz(func(t *testing.T, b []byte, label int) {
		ds, err := ReadCSV(bytes.NewReader(b), "fuzz.csv", CSVOptions{LabelColumn: label % 4})
		if err != nil {
			checkFileErr(t, err, "fuzz.csv")
			return
		}
		if ds.N()*ds.D() > len(b) {
			t.Fatalf("%d values from %d bytes", ds.N()*ds.D(), len(b))
		}
		if err := ds.Validate(); err != nil {
			t.Fatalf("reader returned an invalid dataset: %v", err)
		}
	})
}

func FuzzNPY(f *testing.F) {
	seedFiles(f, "*.npy")
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadNPY(bytes.NewReader(b), "fuzz.npy")
		if err != nil {
			checkFileErr(t, err, "fuzz.npy")
			return
		}
		if len(a.Data) != a.Len() || len(a.Data) > len(b) {
			t.Fatalf("%d elements, shape %v, input %d bytes", len(a.Data), a.Shape, len(b))
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
