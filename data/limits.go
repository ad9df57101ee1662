package data

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// MaxClasses bounds class labels: every label must lie in [0, MaxClasses)
// (or in [0, Classes) when the caller states the class count), so that a
// corrupt label such as 2147483648 is an error naming the file, row and
// value rather than a one-hot target of that width.
const MaxClasses = 1 << 16

// Limits bound what a reader accepts, counted after decompression. Both
// are checked against a header before anything is allocated, and streams
// of unknown length (gzip, pipes, CSV) are read through a bound that fails
// with ErrTooLarge, naming the limit, as soon as it is passed; memory grows
// with the bytes actually read, never with what a header claims.
//
// A gzip stream is further held to gzipRatio decompressed bytes per
// compressed byte once it passes gzipFloor (real datasets compress 2–10×;
// a gzip bomb expands about 1000×), and one CSV record to maxCSVRecord
// bytes (a file with no line breaks, such as /dev/zero, fails there).
type Limits struct {
	Elements int64 // most elements a header may declare or a CSV may hold; 0 = MaxElements
	Bytes    int64 // most decompressed bytes a reader consumes; 0 = DefaultLimits.Bytes
}

// DefaultLimits are the limits of the package-level readers: MaxElements
// elements and 64 bytes of decompressed input per element.
var DefaultLimits = Limits{Elements: MaxElements, Bytes: 64 * MaxElements}

const (
	gzipFloor    = 64 << 20 // decompressed bytes allowed whatever the ratio
	gzipRatio    = 100      // decompressed bytes per compressed byte beyond gzipFloor
	maxCSVRecord = 8 << 20  // bytes of one CSV record (≈ a million numbers)
)

// orDefault fills zero fields from DefaultLimits.
func (l Limits) orDefault() Limits {
	if l.Elements <= 0 {
		l.Elements = DefaultLimits.Elements
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultLimits.Bytes
	}
	return l
}

// checkPayload rejects a header that declares more than the limits allow;
// what describes the header (e.g. "NPY shape [3 4]").
func (l Limits) checkPayload(name, what string, elements, bytes int64) error {
	if elements > l.Elements {
		return fileErr(name, ErrTooLarge, "%s declares %d elements, above the limit of %d", what, elements, l.Elements)
	}
	if bytes > l.Bytes {
		return fileErr(name, ErrTooLarge, "%s declares %d bytes of data, above the limit of %d", what, bytes, l.Bytes)
	}
	return nil
}

// openStream prepares r for a reader: it decompresses gzip input
// (detected from the magic bytes) and bounds the result by l.
func (l Limits) openStream(r io.Reader, name string) (*boundedStream, error) {
	raw := &countingReader{r: r}
	z, err := maybeGunzip(raw, name)
	if err != nil {
		return nil, err
	}
	s := &boundedStream{r: z, name: name, limit: l.Bytes}
	if _, gz := z.(*gzipErrReader); gz {
		s.compressed = raw
		s.compressedSize = knownSize(r)
	}
	return s, nil
}

// knownSize returns the size of r when it is a regular file or an
// in-memory reader, else 0.
func knownSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size()
	case interface{ Stat() (os.FileInfo, error) }:
		if st, err := v.Stat(); err == nil && st.Mode().IsRegular() {
			return st.Size()
		}
	}
	return 0
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// boundedStream reads at most limit bytes; one byte more is an
// ErrTooLarge error naming the limit. For gzip input (compressed != nil) it
// also enforces the expansion ratio, and with record > 0 at most record
// bytes past the last call to markRecord.
type boundedStream struct {
	r              io.Reader
	name           string
	limit, n       int64
	compressed     *countingReader
	compressedSize int64 // size of the whole gzip input when known, else 0
	record         int64 // 0: no record bound
	mark           int64 // n at the start of the current record
	line           int   // line of the current record, for the message
}

// room returns how many more bytes the stream may deliver (negative once
// a bound is passed).
func (s *boundedStream) room() int64 {
	room := s.limit - s.n
	if s.compressed != nil {
		room = min(room, max(gzipFloor, gzipRatio*s.compressed.n)-s.n)
	}
	if s.record > 0 {
		room = min(room, s.mark+s.record-s.n)
	}
	return room
}

func (s *boundedStream) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if room := s.room(); room <= 0 {
		p = p[:1] // one more byte decides whether the data goes past a bound
	} else if int64(len(p)) > room {
		p = p[:room]
	}
	k, err := s.r.Read(p)
	s.n += int64(k)
	if k > 0 && s.room() < 0 {
		return 0, s.tooLarge()
	}
	return k, err
}

// checkExpansion rejects, before it is read, a payload of n more bytes that
// a gzip input of known size could only hold by expanding beyond the
// ratio; what describes the header.
func (s *boundedStream) checkExpansion(what string, n int64) error {
	if s.compressed == nil || s.compressedSize <= 0 {
		return nil
	}
	if most := max(gzipFloor, gzipRatio*s.compressedSize); s.n+n > most {
		return fileErr(s.name, ErrTooLarge, "%s declares %d bytes of data, but a gzip file of %d bytes may expand to at most %d (%s)",
			what, n, s.compressedSize, most, bombAdvice)
	}
	return nil
}

var bombAdvice = fmt.Sprintf("%d× past %d MiB: refused as a likely gzip bomb; if the file is genuine, gunzip it and pass the plain file",
	gzipRatio, gzipFloor>>20)

// markRecord starts a new record (for the record bound) at the given line.
func (s *boundedStream) markRecord(line int) { s.mark, s.line = s.n, line }

func (s *boundedStream) tooLarge() error {
	switch {
	case s.n > s.limit:
		what := ""
		if s.compressed != nil {
			what = " after decompression"
		}
		return fileErr(s.name, ErrTooLarge, "more than %d bytes%s (the limit)", s.limit, what)
	case s.record > 0 && s.n > s.mark+s.record:
		return fileErr(s.name, ErrTooLarge, "the record starting at line %d is longer than %d bytes (the limit of one CSV record)", s.line, s.record)
	default:
		return fileErr(s.name, ErrTooLarge, "gzip data expands to more than %d bytes from %d compressed bytes (more than %s)",
			s.n-1, s.compressed.n, bombAdvice)
	}
}

// shortRead turns a failed header read into an ErrTruncated error with the
// given detail, keeping errors that already name the file (a bound passed,
// corrupt gzip data).
func shortRead(err error, name, format string, args ...any) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return err
	}
	return fileErr(name, ErrTruncated, format, args...)
}

// openFile opens a data file for reading; a directory is an ErrIsDir
// error naming the format wanted (what, e.g. "an NPY file").
func openFile(path, what string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fileErr(path, ErrIsDir, "want %s", what)
	}
	return f, nil
}

// labelLimit returns the bound labels must stay below: classes when the
// caller states it, else MaxClasses.
func labelLimit(classes int) int {
	if classes > 0 {
		return classes
	}
	return MaxClasses
}

// checkLabel reports whether v is a class label below limit, with an
// error naming the file and where (e.g. "line 3, column 1").
func checkLabel(name, where string, v float64, limit int) error {
	if v >= 0 && v < float64(limit) && v == math.Trunc(v) {
		return nil
	}
	bound := "the most classes supported, MaxClasses"
	if limit != MaxClasses {
		bound = fmt.Sprintf("%d classes stated", limit)
	}
	text := strconv.FormatFloat(v, 'g', -1, 64)
	if v == math.Trunc(v) && math.Abs(v) < 1e21 {
		text = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fileErr(name, ErrFormat, "%s: label %s is not a class index in [0, %d) (%s)", where, text, limit, bound)
}
