package data

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/noisegeom/noisegeom/linalg"
)

// IDX element types (the third byte of the magic number).
const (
	IDXUint8   byte = 0x08
	IDXInt8    byte = 0x09
	IDXInt16   byte = 0x0B
	IDXInt32   byte = 0x0C
	IDXFloat32 byte = 0x0D
	IDXFloat64 byte = 0x0E
)

func idxSize(t byte) int {
	switch t {
	case IDXUint8, IDXInt8:
		return 1
	case IDXInt16:
		return 2
	case IDXInt32, IDXFloat32:
		return 4
	case IDXFloat64:
		return 8
	}
	return 0
}

// IDX is one array in the IDX format of MNIST and Fashion-MNIST: a magic
// number 0x0000TTNN (T = element type, N = number of dimensions), N
// big-endian uint32 dimensions, then the elements in C order, big-endian.
type IDX struct {
	Name string // file name, for error messages
	Type byte   // element type, one of the IDX* constants
	Dims []int  // dimensions, outermost first
	Raw  []byte // the elements as stored (big-endian)
}

// Len returns the number of elements.
func (a *IDX) Len() int {
	n := 1
	for _, d := range a.Dims {
		n *= d
	}
	return n
}

// Float64s converts the elements to float64. NaN or Inf (possible only in
// the float types) is an ErrNonFinite error.
func (a *IDX) Float64s() ([]float64, error) {
	n := a.Len()
	out := make([]float64, n)
	raw := a.Raw
	for i := range out {
		var v float64
		switch a.Type {
		case IDXUint8:
			v = float64(raw[i])
		case IDXInt8:
			v = float64(int8(raw[i]))
		case IDXInt16:
			v = float64(int16(binary.BigEndian.Uint16(raw[2*i:])))
		case IDXInt32:
			v = float64(int32(binary.BigEndian.Uint32(raw[4*i:])))
		case IDXFloat32:
			v = float64(math.Float32frombits(binary.BigEndian.Uint32(raw[4*i:])))
		case IDXFloat64:
			v = math.Float64frombits(binary.BigEndian.Uint64(raw[8*i:]))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fileErr(a.Name, ErrNonFinite, "element %d is %v", i, v)
		}
		out[i] = v
	}
	return out, nil
}

// ReadIDX reads one IDX array from r (gzip-compressed or plain, detected
// from the first bytes) within DefaultLimits. name is used in error
// messages. The payload must be complete and followed by nothing.
func ReadIDX(r io.Reader, name string) (*IDX, error) { return DefaultLimits.ReadIDX(r, name) }

// ReadIDX reads one IDX array as the package-level ReadIDX does, within l:
// a header declaring more elements or bytes than l allows is rejected
// before anything is allocated, and decompressed data is read through l's
// bounds.
func (l Limits) ReadIDX(r io.Reader, name string) (*IDX, error) {
	l = l.orDefault()
	s, err := l.openStream(r, name)
	if err != nil {
		return nil, err
	}
	var magic [4]byte
	if _, err := io.ReadFull(s, magic[:]); err != nil {
		return nil, shortRead(err, name, "file shorter than the 4-byte IDX magic number")
	}
	if magic[0] != 0 || magic[1] != 0 || idxSize(magic[2]) == 0 || magic[3] == 0 {
		return nil, fileErr(name, ErrBadMagic, "IDX magic number 0x%02x%02x%02x%02x (want 0x0000TTNN with type TT in 08,09,0B,0C,0D,0E and N ≥ 1 dimensions)",
			magic[0], magic[1], magic[2], magic[3])
	}
	nd := int(magic[3])
	hdr := make([]byte, 4*nd)
	if _, err := io.ReadFull(s, hdr); err != nil {
		return nil, shortRead(err, name, "header declares %d dimensions but ends early", nd)
	}
	a := &IDX{Name: name, Type: magic[2], Dims: make([]int, nd)}
	total := int64(1)
	for i := range a.Dims {
		d := int64(binary.BigEndian.Uint32(hdr[4*i:]))
		a.Dims[i] = int(d)
		if d == 0 {
			total = 0
		} else if total > 0 {
			if total > l.Elements/d {
				return nil, fileErr(name, ErrTooLarge, "header dimensions %v exceed the limit of %d elements", dimsUpTo(hdr, i), l.Elements)
			}
			total *= d
		}
	}
	if total == 0 {
		return nil, fileErr(name, ErrEmpty, "IDX dimensions %v hold no elements", a.Dims)
	}
	size := total * int64(idxSize(a.Type))
	what := fmt.Sprintf("IDX header %v", a.Dims)
	if err := l.checkPayload(name, what, total, size); err != nil {
		return nil, err
	}
	if err := s.checkExpansion(what, size); err != nil {
		return nil, err
	}
	if a.Raw, err = readExact(s, size, name, "IDX data"); err != nil {
		return nil, err
	}
	if err := expectEOF(s, name); err != nil {
		return nil, err
	}
	return a, nil
}

func dimsUpTo(hdr []byte, i int) []uint32 {
	out := make([]uint32, i+1)
	for k := range out {
		out[k] = binary.BigEndian.Uint32(hdr[4*k:])
	}
	return out
}

// ReadIDXFile reads an IDX file (plain or gzip) within DefaultLimits.
func ReadIDXFile(path string) (*IDX, error) { return DefaultLimits.ReadIDXFile(path) }

// ReadIDXFile reads an IDX file (plain or gzip) within l.
func (l Limits) ReadIDXFile(path string) (*IDX, error) {
	f, err := openFile(path, "an IDX file")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return l.ReadIDX(f, path)
}

// LoadIDXPair reads an images file (n×…, any element type) and a labels
// file (n unsigned bytes) into a Dataset with raw pixel values (0..255 for
// MNIST) as float64 features, one row per image, labels as classes
// 0..max(label).
func LoadIDXPair(imagesPath, labelsPath string) (*Dataset, error) {
	return loadIDXPair(imagesPath, labelsPath, FileOptions{})
}

// loadIDXPair is LoadIDXPair within opt.Limits, with labels below
// opt.Classes when it is set (and then that many classes).
func loadIDXPair(imagesPath, labelsPath string, opt FileOptions) (*Dataset, error) {
	img, err := opt.Limits.ReadIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	lab, err := opt.Limits.ReadIDXFile(labelsPath)
	if err != nil {
		return nil, err
	}
	return idxDataset(img, lab, opt.Classes)
}

func idxDataset(img, lab *IDX, classes int) (*Dataset, error) {
	if len(lab.Dims) != 1 || (lab.Type != IDXUint8 && lab.Type != IDXInt8) {
		return nil, fileErr(lab.Name, ErrFormat, "labels must be a 1-D array of bytes, got type 0x%02x dims %v", lab.Type, lab.Dims)
	}
	n := img.Dims[0]
	if lab.Dims[0] != n {
		return nil, fileErr(img.Name, ErrMismatch, "%d images but %s holds %d labels", n, lab.Name, lab.Dims[0])
	}
	d := img.Len() / n
	vals, err := img.Float64s()
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: img.Name, X: linalg.NewDenseData(n, d, vals), Labels: make([]int, n)}
	if len(img.Dims) > 1 {
		ds.Shape = append([]int(nil), img.Dims[1:]...)
	}
	if img.Type == IDXUint8 {
		ds.Range = &[2]float64{0, 255}
	}
	limit := labelLimit(classes)
	for i, b := range lab.Raw {
		l := int(b)
		if lab.Type == IDXInt8 {
			l = int(int8(b))
		}
		if err := checkLabel(lab.Name, fmt.Sprintf("sample %d", i), float64(l), limit); err != nil {
			return nil, err
		}
		ds.Labels[i] = l
		ds.Classes = max(ds.Classes, l+1)
	}
	ds.Classes = max(ds.Classes, classes)
	return ds, nil
}

// WriteIDX writes an IDX array (uncompressed) to w. len(raw) must match the
// dimensions and type.
func WriteIDX(w io.Writer, typ byte, dims []int, raw []byte) error {
	if idxSize(typ) == 0 || len(dims) == 0 || len(dims) > 255 {
		return specErr("WriteIDX: bad type 0x%02x or %d dims", typ, len(dims))
	}
	n := idxSize(typ)
	hdr := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		if d < 0 || uint64(d) > math.MaxUint32 {
			return specErr("WriteIDX: dimension %d out of range", d)
		}
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
		n *= d
	}
	if n != len(raw) {
		return specErr("WriteIDX: %d bytes of data for dims %v", len(raw), dims)
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(raw)
	return err
}
