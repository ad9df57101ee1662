package data

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// NPY dtypes supported by the reader and writer.
const (
	NPYFloat64 = "<f8"
	NPYFloat32 = "<f4"
	NPYUint8   = "|u1"
)

// maxNPYHeader bounds the header length (numpy writes well under 1 KiB).
const maxNPYHeader = 1 << 16

// NPY is an array in numpy's .npy format (C order).
type NPY struct {
	Shape []int     // dimensions, outermost first; empty for a scalar
	DType string    // as written in the file, e.g. "<f8", ">f4", "|u1"
	Data  []float64 // elements in C order
}

// Len returns the number of elements.
func (a *NPY) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// ReadNPY reads a .npy array (format versions 1.0, 2.0 and 3.0) of dtype
// float64, float32 (either byte order) or uint8, in C order, within
// DefaultLimits. Other dtypes, Fortran order, NaN/Inf elements, a header
// declaring more than the limits allow, and truncated data are errors
// naming the file.
func ReadNPY(r io.Reader, name string) (*NPY, error) { return DefaultLimits.ReadNPY(r, name) }

// ReadNPY reads a .npy array as the package-level ReadNPY does, within l.
// NPY input is never decompressed.
func (l Limits) ReadNPY(r io.Reader, name string) (*NPY, error) {
	l = l.orDefault()
	r = &boundedStream{r: r, name: name, limit: l.Bytes}
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, shortRead(err, name, "file shorter than the 8-byte NPY preamble")
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, fileErr(name, ErrBadMagic, "not an NPY file (want \\x93NUMPY, got %q)", pre[:6])
	}
	var hlen int64
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, shortRead(err, name, "NPY header length missing")
		}
		hlen = int64(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, shortRead(err, name, "NPY header length missing")
		}
		hlen = int64(binary.LittleEndian.Uint32(b[:]))
	default:
		return nil, fileErr(name, ErrUnsupported, "NPY format version %d.%d", pre[6], pre[7])
	}
	if hlen > maxNPYHeader {
		return nil, fileErr(name, ErrTooLarge, "NPY header of %d bytes (limit %d)", hlen, maxNPYHeader)
	}
	hb, err := readExact(r, hlen, name, "NPY header")
	if err != nil {
		return nil, err
	}
	a := &NPY{}
	fortran, err := parseNPYHeader(string(hb), a)
	if err != nil {
		return nil, fileErr(name, ErrFormat, "NPY header %q: %v", strings.TrimSpace(string(hb)), err)
	}
	if fortran {
		return nil, fileErr(name, ErrUnsupported, "Fortran-order NPY arrays are not supported (save with C order, e.g. np.ascontiguousarray)")
	}
	size := 0
	var order binary.ByteOrder = binary.LittleEndian
	switch a.DType {
	case "<f8", ">f8", "=f8":
		size = 8
	case "<f4", ">f4", "=f4":
		size = 4
	case "|u1", "<u1", ">u1", "=u1":
		size = 1
	default:
		return nil, fileErr(name, ErrUnsupported, "NPY dtype %q (supported: float64 <f8, float32 <f4, uint8 |u1)", a.DType)
	}
	if a.DType[0] == '>' {
		order = binary.BigEndian
	}
	total := int64(1)
	for _, d := range a.Shape {
		if d == 0 {
			total = 0
			break
		}
		if total > l.Elements/int64(d) {
			return nil, fileErr(name, ErrTooLarge, "NPY shape %v exceeds the limit of %d elements", a.Shape, l.Elements)
		}
		total *= int64(d)
	}
	if err := l.checkPayload(name, fmt.Sprintf("NPY shape %v", a.Shape), total, total*int64(size)); err != nil {
		return nil, err
	}
	raw, err := readExact(r, total*int64(size), name, "NPY data")
	if err != nil {
		return nil, err
	}
	if err := expectEOF(r, name); err != nil {
		return nil, err
	}
	a.Data = make([]float64, total)
	for i := range a.Data {
		var v float64
		switch size {
		case 8:
			v = math.Float64frombits(order.Uint64(raw[8*i:]))
		case 4:
			v = float64(math.Float32frombits(order.Uint32(raw[4*i:])))
		case 1:
			v = float64(raw[i])
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fileErr(name, ErrNonFinite, "element %d (flat index) is %v", i, v)
		}
		a.Data[i] = v
	}
	return a, nil
}

// parseNPYHeader parses the Python dict literal of an NPY header:
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }.
func parseNPYHeader(h string, a *NPY) (fortran bool, err error) {
	p := &pyParser{s: strings.TrimRight(h, " \n\x00")}
	p.ws()
	if !p.eat('{') {
		return false, fmt.Errorf("want '{'")
	}
	seen := map[string]bool{}
	for {
		p.ws()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return false, err
		}
		p.ws()
		if !p.eat(':') {
			return false, fmt.Errorf("want ':' after %q", key)
		}
		p.ws()
		switch key {
		case "descr":
			if a.DType, err = p.str(); err != nil {
				return false, fmt.Errorf("descr: %v (structured dtypes are not supported)", err)
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				fortran = true
			case p.word("False"):
				fortran = false
			default:
				return false, fmt.Errorf("fortran_order is not True or False")
			}
		case "shape":
			if a.Shape, err = p.tuple(); err != nil {
				return false, err
			}
		default:
			return false, fmt.Errorf("unknown key %q", key)
		}
		if seen[key] {
			return false, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		p.ws()
		if !p.eat(',') {
			p.ws()
			if !p.eat('}') {
				return false, fmt.Errorf("want ',' or '}' after %q", key)
			}
			break
		}
	}
	p.ws()
	if p.i != len(p.s) {
		return false, fmt.Errorf("trailing text after the dict")
	}
	if !seen["descr"] || !seen["fortran_order"] || !seen["shape"] {
		return false, fmt.Errorf("missing descr, fortran_order or shape")
	}
	return fortran, nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) word(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *pyParser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("want a quoted string at offset %d", p.i)
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *pyParser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, fmt.Errorf("shape is not a tuple")
	}
	shape := []int{}
	for {
		p.ws()
		if p.eat(')') {
			return shape, nil
		}
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i {
			return nil, fmt.Errorf("shape holds a non-integer")
		}
		v, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil || v > MaxElements {
			return nil, fmt.Errorf("shape dimension %s too large", p.s[p.i:j])
		}
		shape = append(shape, int(v))
		if len(shape) > 32 {
			return nil, fmt.Errorf("more than 32 dimensions")
		}
		p.i = j
		p.ws()
		if !p.eat(',') {
			p.ws()
			if !p.eat(')') {
				return nil, fmt.Errorf("want ',' or ')' in shape")
			}
			return shape, nil
		}
	}
}

// ReadNPYFile reads a .npy file within DefaultLimits.
func ReadNPYFile(path string) (*NPY, error) { return DefaultLimits.ReadNPYFile(path) }

// ReadNPYFile reads a .npy file within l.
func (l Limits) ReadNPYFile(path string) (*NPY, error) {
	f, err := openFile(path, "an NPY file")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return l.ReadNPY(f, path)
}

// WriteNPY writes data (C order, len = product of shape) as a version 1.0
// .npy array of the given dtype (NPYFloat64, NPYFloat32 or NPYUint8). The
// header is padded so the data starts at a multiple of 64 bytes, as numpy
// does. Float32 output rejects values that overflow float32; uint8 output
// rejects values that are not integers in 0..255; NaN/Inf are rejected.
func WriteNPY(w io.Writer, shape []int, dtype string, data []float64) error {
	nw, err := NewNPYWriter(w, shape, dtype)
	if err != nil {
		return err
	}
	if err := nw.Write(data); err != nil {
		return err
	}
	return nw.Close()
}

// NPYWriter streams the elements of an .npy array whose shape is known in
// advance (e.g. synthetic data generated in chunks).
type NPYWriter struct {
	w           io.Writer
	dtype       string
	size        int
	total, done int
	buf         []byte
}

// NewNPYWriter writes the header for an array of the given shape and dtype
// and returns a writer for its elements.
func NewNPYWriter(w io.Writer, shape []int, dtype string) (*NPYWriter, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return nil, specErr("WriteNPY: negative dimension in shape %v", shape)
		}
		n *= d
	}
	size := map[string]int{NPYFloat64: 8, NPYFloat32: 4, NPYUint8: 1}[dtype]
	if size == 0 {
		return nil, specErr("WriteNPY: unsupported dtype %q", dtype)
	}
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	st := strings.Join(dims, ", ")
	if len(shape) == 1 {
		st += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", dtype, st)
	pad := 64 - (10+len(h)+1)%64
	if pad == 64 {
		pad = 0
	}
	h += strings.Repeat(" ", pad) + "\n"
	if len(h) > math.MaxUint16 {
		return nil, specErr("WriteNPY: header too long")
	}
	buf := make([]byte, 0, 10+len(h))
	buf = append(buf, "\x93NUMPY\x01\x00"...)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(h)))
	buf = append(buf, h...)
	if _, err := w.Write(buf); err != nil {
		return nil, err
	}
	return &NPYWriter{w: w, dtype: dtype, size: size, total: n}, nil
}

// Write appends elements (in C order). Writing more than the shape holds,
// NaN/Inf, and values the dtype cannot hold are errors.
func (nw *NPYWriter) Write(data []float64) error {
	if len(data) > nw.total-nw.done {
		return specErr("WriteNPY: %d elements written, shape holds %d", nw.done+len(data), nw.total)
	}
	out := nw.buf[:0]
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return specErr("WriteNPY: element %d is %v", nw.done+i, v)
		}
		switch nw.dtype {
		case NPYFloat64:
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
		case NPYFloat32:
			f := float32(v)
			if math.IsInf(float64(f), 0) {
				return specErr("WriteNPY: element %d = %v overflows float32", nw.done+i, v)
			}
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
		case NPYUint8:
			if v != math.Trunc(v) || v < 0 || v > 255 {
				return specErr("WriteNPY: element %d = %v is not an integer in 0..255", nw.done+i, v)
			}
			out = append(out, byte(v))
		}
		if len(out) >= 1<<16 {
			if _, err := nw.w.Write(out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
	if _, err := nw.w.Write(out); err != nil {
		return err
	}
	nw.buf = out[:0]
	nw.done += len(data)
	return nil
}

// Close checks that exactly the declared number of elements was written.
func (nw *NPYWriter) Close() error {
	if nw.done != nw.total {
		return specErr("WriteNPY: %d elements written, shape holds %d", nw.done, nw.total)
	}
	return nil
}

// WriteNPYFile writes a .npy file atomically (temporary file + rename).
func WriteNPYFile(path string, shape []int, dtype string, data []float64) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return WriteNPY(w, shape, dtype, data) })
}
