package data

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/noisegeom/noisegeom/linalg"
)

// HeaderMode says whether a CSV file starts with a header row.
type HeaderMode int

const (
	HeaderAuto HeaderMode = iota // header iff the first row has a non-numeric field
	HeaderYes
	HeaderNo
)

// NoLabel as CSVOptions.LabelColumn means the file has no label column.
const NoLabel = -1

// CSVOptions controls ReadCSV. The zero value reads comma-separated values,
// detects a header, and takes column 0 as the label.
type CSVOptions struct {
	Comma  rune       // field separator; 0 means ','
	Header HeaderMode // header row handling
	// LabelColumn is the 0-based label column; NoLabel for none; values
	// below NoLabel count from the end (−2 is the last column).
	LabelColumn int
	// LabelName, when set, selects the label column by header name and
	// overrides LabelColumn (the file must have a header).
	LabelName string
	// Classes, when > 0, states the number of classes: every label must be
	// an integer in [0, Classes), and the dataset has Classes classes.
	Classes int
}

// ReadCSV reads a numeric table (plain or gzip, detected from the first
// bytes) within DefaultLimits: one sample per row, every field a finite
// number. The label column, if any, goes to Y (n×1). When every label is a
// non-negative integer it also fills Labels and Classes, and then a label
// of MaxClasses or more is an error; with opt.Classes set, every label
// must be a class index below it. Rows of different lengths are
// ErrRagged; NaN/Inf are ErrNonFinite; errors name the file, line and
// column.
func ReadCSV(r io.Reader, name string, opt CSVOptions) (*Dataset, error) {
	return DefaultLimits.ReadCSV(r, name, opt)
}

// ReadCSV reads a numeric table as the package-level ReadCSV does, within
// l: at most l.Elements values, l.Bytes decompressed bytes and
// maxCSVRecord bytes per record.
func (l Limits) ReadCSV(r io.Reader, name string, opt CSVOptions) (*Dataset, error) {
	l = l.orDefault()
	s, err := l.openStream(r, name)
	if err != nil {
		return nil, err
	}
	s.record = min(maxCSVRecord, l.Bytes)
	s.markRecord(1)
	br := bufio.NewReader(s)
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" { // UTF-8 byte-order mark
		br.Discard(3)
	}
	comma := ','
	if opt.Comma != 0 {
		comma = opt.Comma
	}
	// A record holds at most Elements values and a label: more fields are
	// refused before encoding/csv, which allocates about 100 bytes per
	// field, sees them.
	guard := &fieldGuard{r: br, name: name, comma: byte(comma), max: l.Elements + 1, line: 1}
	if comma > 0x7f {
		guard.max = math.MaxInt64 // a multi-byte separator: not counted
	}
	cr := csv.NewReader(guard)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // we check raggedness ourselves for a clearer error
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	var (
		cols     = -1
		labelCol = NoLabel
		xs, ys   []float64
		n        int
		integral = true // every label so far is a non-negative integer
		badLabel error  // the first label that is not a class index below the limit
		limit    = labelLimit(opt.Classes)
	)
	for row := 0; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			var fe *FileError
			switch {
			case errors.As(err, &pe):
				return nil, fileErr(name, ErrFormat, "line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
			case errors.As(err, &fe):
				return nil, err
			}
			return nil, fileErr(name, ErrFormat, "%v", err)
		}
		line, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(rec) - 1)
		s.markRecord(last + 1)
		if row == 0 {
			isHeader := opt.Header == HeaderYes
			if opt.Header == HeaderAuto {
				for _, f := range rec {
					_, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
					if ne, ok := err.(*strconv.NumError); err != nil && !(ok && ne.Err == strconv.ErrRange) {
						isHeader = true
						break
					}
				}
			}
			cols = len(rec)
			if labelCol, err = resolveLabel(name, opt, rec, isHeader); err != nil {
				return nil, err
			}
			if isHeader {
				continue
			}
		}
		if len(rec) != cols {
			return nil, fileErr(name, ErrRagged, "line %d has %d fields, earlier rows have %d", line, len(rec), cols)
		}
		if int64(n+1)*int64(cols) > l.Elements {
			return nil, fileErr(name, ErrTooLarge, "line %d: more than %d values (the limit)", line, l.Elements)
		}
		for j, f := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return nil, fileErr(name, ErrNonFinite, "line %d, column %d: %q overflows float64", line, j+1, f)
				}
				return nil, fileErr(name, ErrFormat, "line %d, column %d: %q is not a number", line, j+1, f)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fileErr(name, ErrNonFinite, "line %d, column %d: %q", line, j+1, f)
			}
			if j == labelCol {
				ys = append(ys, v)
				integral = integral && v >= 0 && v == math.Trunc(v)
				if badLabel == nil {
					badLabel = checkLabel(name, fmt.Sprintf("line %d, column %d", line, j+1), v, limit)
				}
			} else {
				xs = append(xs, v)
			}
		}
		n++
	}
	d := cols
	if labelCol != NoLabel {
		d--
	}
	if n == 0 || d <= 0 {
		return nil, fileErr(name, ErrEmpty, "no data rows or no feature columns")
	}
	// A column of non-negative integers holds class labels (as does any
	// column when the caller states the class count): check their range.
	if labelCol != NoLabel && (integral || opt.Classes > 0) && badLabel != nil {
		return nil, badLabel
	}
	ds := &Dataset{Name: name, X: linalg.NewDenseData(n, d, xs)}
	if labelCol != NoLabel {
		ds.Y = linalg.NewDenseData(n, 1, ys)
		if integral {
			ds.Labels = make([]int, n)
			for i, v := range ys {
				ds.Labels[i] = int(v)
				ds.Classes = max(ds.Classes, int(v)+1)
			}
			ds.Classes = max(ds.Classes, opt.Classes)
		}
	}
	return ds, nil
}

func resolveLabel(name string, opt CSVOptions, first []string, isHeader bool) (int, error) {
	cols := len(first)
	if opt.LabelName != "" {
		if !isHeader {
			return 0, fileErr(name, ErrFormat, "label column %q requested but the file has no header", opt.LabelName)
		}
		for j, h := range first {
			if strings.TrimSpace(h) == opt.LabelName {
				return j, nil
			}
		}
		return 0, fileErr(name, ErrFormat, "no column named %q in header", opt.LabelName)
	}
	c := opt.LabelColumn
	switch {
	case c == NoLabel:
		return NoLabel, nil
	case c < NoLabel:
		c = cols + c + 1 // −2 → last
	}
	if c < 0 || c >= cols {
		return 0, fileErr(name, ErrFormat, "label column %d out of range for %d columns", opt.LabelColumn, cols)
	}
	return c, nil
}

// ReadCSVFile reads a CSV file, plain or gzip (see ReadCSV).
func ReadCSVFile(path string, opt CSVOptions) (*Dataset, error) {
	return DefaultLimits.ReadCSVFile(path, opt)
}

// ReadCSVFile reads a CSV file, plain or gzip, within l.
func (l Limits) ReadCSVFile(path string, opt CSVOptions) (*Dataset, error) {
	f, err := openFile(path, "a CSV file")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return l.ReadCSV(f, path, opt)
}

// WriteCSV writes ds as CSV with a header x0..x{d-1} followed by the target
// columns (y0.. from Y, or "label" from Labels when Y is nil). Values are
// written with the shortest representation that round-trips.
func WriteCSV(w io.Writer, ds *Dataset) error { return WriteCSVRows(w, ds, true) }

// WriteCSVRows writes the rows of ds as WriteCSV does, with the header line
// only when header is true (for writing a stream chunk by chunk).
func WriteCSVRows(w io.Writer, ds *Dataset, header bool) error {
	cw := csv.NewWriter(w)
	d := ds.X.Cols
	hdr := make([]string, 0, d+1)
	for j := 0; j < d; j++ {
		hdr = append(hdr, "x"+strconv.Itoa(j))
	}
	k := 0
	switch {
	case ds.Y != nil:
		k = ds.Y.Cols
		for j := 0; j < k; j++ {
			hdr = append(hdr, "y"+strconv.Itoa(j))
		}
	case ds.Labels != nil:
		hdr = append(hdr, "label")
	}
	if header {
		if err := cw.Write(hdr); err != nil {
			return err
		}
	}
	rec := make([]string, len(hdr))
	for i := 0; i < ds.X.Rows; i++ {
		for j, v := range ds.X.Row(i) {
			rec[j] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		switch {
		case ds.Y != nil:
			for j, v := range ds.Y.Row(i) {
				rec[d+j] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		case ds.Labels != nil:
			rec[d] = strconv.Itoa(ds.Labels[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// fieldGuard passes a CSV stream through and fails with ErrTooLarge as
// soon as one record has more than max fields. It follows quotes as
// encoding/csv does (a separator or line break inside quotes belongs to
// the field; "" is an escaped quote). comma is a one-byte separator.
type fieldGuard struct {
	r       io.Reader
	name    string
	comma   byte
	max     int64
	fields  int64 // fields of the current record so far
	line    int   // line of the current record's start, for the message
	inQuote bool
}

func (g *fieldGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, c := range p[:n] {
		switch {
		case c == '"':
			g.inQuote = !g.inQuote
		case g.inQuote:
		case c == '\n':
			g.fields = 0
			g.line++
		case c == g.comma:
			g.fields++
			if g.fields+1 > g.max {
				return 0, fileErr(g.name, ErrTooLarge, "line %d: a record with more than %d fields (the element limit)", g.line, g.max)
			}
		}
	}
	return n, err
}
