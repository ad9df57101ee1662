package data

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// MaxElements bounds the number of elements any header may declare or a
// CSV file may hold: 2^28 (2 GiB once converted to float64; Fashion-MNIST's
// training images are 47·10^6). Larger claims are rejected with ErrTooLarge
// before anything is allocated.
const MaxElements = 1 << 28

// readChunk is the step in which payloads are read: memory grows only as
// bytes actually arrive, so a short file with a huge header costs little.
const readChunk = 1 << 20

// readExact reads exactly n bytes from r, growing the buffer as data
// arrives. A short read is ErrTruncated.
func readExact(r io.Reader, n int64, name, what string) ([]byte, error) {
	buf := make([]byte, 0, min(n, readChunk))
	for int64(len(buf)) < n {
		step := min(n-int64(len(buf)), readChunk)
		if int64(cap(buf)-len(buf)) < step {
			nb := make([]byte, len(buf), min(n, max(2*int64(cap(buf)), int64(len(buf))+step)))
			copy(nb, buf)
			buf = nb
		}
		k, err := io.ReadFull(r, buf[len(buf):int64(len(buf))+step])
		buf = buf[:len(buf)+k]
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fileErr(name, ErrTruncated, "%s: want %d bytes, file ends after %d", what, n, len(buf))
			}
			var fe *FileError
			if errors.As(err, &fe) {
				return nil, err
			}
			return nil, fileErr(name, ErrFormat, "%s: %v", what, err)
		}
	}
	return buf, nil
}

// maybeGunzip returns a reader that decompresses r if it starts with the
// gzip magic bytes, and r's bytes unchanged otherwise.
func maybeGunzip(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil && len(head) < 2 {
		if errors.Is(err, io.EOF) {
			return br, nil // too short for gzip; the format reader reports it
		}
		return nil, fileErr(name, ErrFormat, "%v", err)
	}
	if head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fileErr(name, ErrFormat, "gzip: %v", err)
		}
		return &gzipErrReader{zr: zr, name: name}, nil
	}
	return br, nil
}

// gzipErrReader turns gzip corruption into FileErrors.
type gzipErrReader struct {
	zr   *gzip.Reader
	name string
}

func (g *gzipErrReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return n, io.ErrUnexpectedEOF
		}
		return n, fileErr(g.name, ErrFormat, "gzip: %v", err)
	}
	return n, err
}

// expectEOF reports an error when r still has bytes.
func expectEOF(r io.Reader, name string) error {
	var b [1]byte
	n, err := io.ReadFull(r, b[:])
	if n > 0 {
		return fileErr(name, ErrFormat, "unexpected bytes after the declared data")
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		var fe *FileError
		if errors.As(err, &fe) {
			return err
		}
		return fileErr(name, ErrFormat, "%v", err)
	}
	return nil
}

// WriteFileAtomic writes a file by calling write on a temporary file in the
// same directory, syncing, and renaming it over path: readers see either the
// old file or the complete new one, never a partial file.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
