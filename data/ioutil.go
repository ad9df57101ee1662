package data

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
// old file or the complete new one, never a partial file. The temporary
// file is registered for RemoveTemporaries while it exists.
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	return WriteFilesAtomic(context.Background(), []string{path}, func(ws []io.Writer) error { return write(ws[0]) })
}

// WriteFilesAtomic writes several files all-or-nothing. It creates one
// temporary file next to each path, calls write with their writers (in the
// order of paths, so a stream can feed them together), syncs them and
// renames them over paths. If write or anything before the renames fails,
// or ctx is cancelled (it is checked at every buffer flush), the
// temporaries are removed and every pre-existing file is left untouched.
//
// The renames run under the temporaries' registry lock, so
// RemoveTemporaries (a signal handler) never sees half of them done.
// What remains is not atomic: a power loss or SIGKILL between two renames,
// and a rename that fails after others succeeded (the error names the
// files already replaced); a path that is an existing directory is refused
// before anything is written.
func WriteFilesAtomic(ctx context.Context, paths []string, write func(ws []io.Writer) error) error {
	return ReplaceFilesAtomic(ctx, paths, nil, write)
}

// ReplaceFilesAtomic is WriteFilesAtomic that also removes the files named
// in stale, where they exist, right after the renames: a set of files of
// which a new version has fewer members (an export without targets) does
// not keep a member of the old version.
func ReplaceFilesAtomic(ctx context.Context, paths, stale []string, write func(ws []io.Writer) error) (err error) {
	if err := checkTargets(append(slices.Clip(paths), stale...)); err != nil {
		return err
	}
	tmps := make([]*tempFile, 0, len(paths))
	defer func() {
		if err != nil {
			for _, t := range tmps {
				t.discard()
			}
		}
	}()
	ws := make([]io.Writer, len(paths))
	for i, p := range paths {
		t, err := createTemp(p)
		if err != nil {
			return err
		}
		tmps = append(tmps, t)
		t.bw = bufio.NewWriterSize(ctxWriter{ctx, t.f}, 1<<16)
		ws[i] = t.bw
	}
	if err = write(ws); err != nil {
		return err
	}
	for _, t := range tmps {
		if err = t.finish(ctx); err != nil {
			return err
		}
	}
	return commitTemps(tmps, stale)
}

// checkTargets refuses a path named twice or naming a directory.
func checkTargets(paths []string) error {
	seen := make(map[string]bool, len(paths))
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		if seen[abs] {
			return fmt.Errorf("%s: named twice in one atomic write", p)
		}
		seen[abs] = true
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return fmt.Errorf("%s: is a directory", p)
		}
	}
	return nil
}

// ctxWriter fails its writes once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// tempFile is one temporary file of an atomic write.
type tempFile struct {
	path, tmp string
	f         *os.File
	bw        *bufio.Writer
}

// finish flushes, syncs and closes the temporary file, readable by all.
func (t *tempFile) finish(ctx context.Context) error {
	if err := t.bw.Flush(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.f.Sync(); err != nil {
		return err
	}
	if err := t.f.Chmod(0o644); err != nil {
		return err
	}
	return t.f.Close()
}

// discard closes and removes the temporary file.
func (t *tempFile) discard() {
	t.f.Close()
	temporaries.mu.Lock()
	defer temporaries.mu.Unlock()
	os.Remove(t.tmp)
	delete(temporaries.files, t.tmp)
}

// temporaries is the process-wide registry of the temporary files of
// atomic writes in progress.
var temporaries struct {
	mu     sync.Mutex
	files  map[string]bool
	closed bool // RemoveTemporaries ran: no new temporaries
}

// errExiting refuses new temporary files once RemoveTemporaries has run.
var errExiting = errors.New("the process is exiting: no new files are written")

// createTemp creates and registers the temporary file for path.
func createTemp(path string) (*tempFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	temporaries.mu.Lock()
	defer temporaries.mu.Unlock()
	if temporaries.closed {
		return nil, errExiting
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return nil, err
	}
	if temporaries.files == nil {
		temporaries.files = make(map[string]bool)
	}
	temporaries.files[f.Name()] = true
	return &tempFile{path: path, tmp: f.Name(), f: f}, nil
}

// commitTemps renames every temporary file over its path, unregisters it
// and removes the stale files, holding the registry lock so that
// RemoveTemporaries runs before or after all of it.
func commitTemps(tmps []*tempFile, stale []string) error {
	temporaries.mu.Lock()
	defer temporaries.mu.Unlock()
	if temporaries.closed {
		return errExiting
	}
	for i, t := range tmps {
		if err := os.Rename(t.tmp, t.path); err != nil {
			if i > 0 {
				done := make([]string, i)
				for j := range done {
					done[j] = tmps[j].path
				}
				return fmt.Errorf("%w (already replaced: %s)", err, strings.Join(done, ", "))
			}
			return err
		}
		delete(temporaries.files, t.tmp)
	}
	for _, p := range stale {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// RemoveTemporaries removes the temporary files of every atomic write in
// progress and makes later atomic writes fail, leaving every target file
// as it was. It is meant for a signal handler just before the process
// exits, and is safe for concurrent use with the writers.
func RemoveTemporaries() {
	temporaries.mu.Lock()
	defer temporaries.mu.Unlock()
	temporaries.closed = true
	for tmp := range temporaries.files {
		os.Remove(tmp)
		delete(temporaries.files, tmp)
	}
}
