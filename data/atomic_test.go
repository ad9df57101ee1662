package data

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reopenTemporaries undoes RemoveTemporaries for the rest of the tests.
func reopenTemporaries(t *testing.T) {
	t.Cleanup(func() {
		temporaries.mu.Lock()
		temporaries.closed = false
		temporaries.mu.Unlock()
	})
}

// dirContents maps each file name in dir to its contents.
func dirContents(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	m := map[string]string{}
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		m[e.Name()] = string(b)
	}
	return m
}

func TestWriteFilesAtomicAllOrNothing(t *testing.T) {
	old := map[string]string{"a.txt": "old a", "b.txt": "old b"}
	boom := errors.New("boom")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name  string
		ctx   context.Context
		write func(ws []io.Writer) error
		err   error  // nil: success
		msg   string // substring of the error
	}{
		{"success", context.Background(), func(ws []io.Writer) error {
			io.WriteString(ws[0], "new a")
			_, err := io.WriteString(ws[1], "new b")
			return err
		}, nil, ""},
		{"second file fails", context.Background(), func(ws []io.Writer) error {
			io.WriteString(ws[0], "new a")
			io.WriteString(ws[1], "half of b")
			return boom
		}, boom, "boom"},
		{"cancelled during a large write", cancelled, func(ws []io.Writer) error {
			_, err := ws[0].Write(make([]byte, 1<<20))
			return err
		}, context.Canceled, ""},
		{"cancelled after a small write", cancelled, func(ws []io.Writer) error {
			_, err := io.WriteString(ws[0], "x")
			return err
		}, context.Canceled, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, s := range old {
				require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644))
			}
			err := WriteFilesAtomic(c.ctx, []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")}, c.write)
			got := dirContents(t, dir)
			if c.err == nil {
				require.NoError(t, err)
				assert.Equal(t, map[string]string{"a.txt": "new a", "b.txt": "new b"}, got)
				return
			}
			require.ErrorIs(t, err, c.err)
			assert.Contains(t, err.Error(), c.msg)
			assert.Equal(t, old, got, "pre-existing files changed or temporaries left")
		})
	}
}

func TestWriteFilesAtomicRefusesBeforeWriting(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "d.npy"), 0o755))
	called := false
	write := func([]io.Writer) error { called = true; return nil }
	for _, paths := range [][]string{
		{filepath.Join(dir, "x.npy"), filepath.Join(dir, "d.npy")},
		{filepath.Join(dir, "x.npy"), filepath.Join(dir, ".", "x.npy")},
	} {
		err := WriteFilesAtomic(context.Background(), paths, write)
		require.Error(t, err, "%v", paths)
		assert.Contains(t, err.Error(), filepath.Base(paths[1]))
	}
	assert.False(t, called)
	assert.Equal(t, map[string]string{"d.npy": ""}, dirContents(t, dir))
}

func TestRemoveTemporariesDuringWrite(t *testing.T) {
	reopenTemporaries(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "x.npy")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o644))
	err := WriteFilesAtomic(context.Background(), []string{target, filepath.Join(dir, "y.npy")}, func(ws []io.Writer) error {
		io.WriteString(ws[0], "new")
		require.Len(t, dirContents(t, dir), 3, "the temporaries exist while writing")
		RemoveTemporaries()
		assert.Equal(t, map[string]string{"x.npy": "old"}, dirContents(t, dir), "RemoveTemporaries left a temporary")
		return nil
	})
	require.ErrorIs(t, err, errExiting)
	assert.Equal(t, map[string]string{"x.npy": "old"}, dirContents(t, dir))
	// Once the process is exiting, no new temporary appears.
	require.ErrorIs(t, WriteFileAtomic(filepath.Join(dir, "z"), func(io.Writer) error { return nil }), errExiting)
	assert.Len(t, dirContents(t, dir), 1)
}

// TestRemoveTemporariesConcurrent races writers against RemoveTemporaries
// (run with -race): afterwards every target is either absent or complete
// and no temporary is left.
func TestRemoveTemporariesConcurrent(t *testing.T) {
	reopenTemporaries(t)
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := filepath.Join(dir, strings.Repeat("f", i+1))
			WriteFilesAtomic(context.Background(), []string{p, p + "_y"}, func(ws []io.Writer) error {
				for _, w := range ws {
					if _, err := w.Write(make([]byte, 1<<17)); err != nil {
						return err
					}
				}
				return nil
			})
		}()
	}
	RemoveTemporaries()
	wg.Wait()
	got := dirContents(t, dir)
	for name, s := range got {
		assert.False(t, strings.HasPrefix(name, "."), "temporary %s left", name)
		assert.Len(t, s, 1<<17, name)
		other := name + "_y"
		if strings.HasSuffix(name, "_y") {
			other = strings.TrimSuffix(name, "_y")
		}
		assert.Contains(t, got, other, "%s written without its partner", name)
	}
}

func TestReplaceFilesAtomicRemovesStale(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, n := range []string{"x.npy", "x_y.npy", "x_labels.npy"} {
		require.NoError(t, os.WriteFile(p(n), []byte("old"), 0o644))
	}
	write := func(ws []io.Writer) error { _, err := io.WriteString(ws[0], "new"); return err }
	require.NoError(t, ReplaceFilesAtomic(context.Background(), []string{p("x.npy")}, []string{p("x_y.npy"), p("x_labels.npy"), p("absent")}, write))
	assert.Equal(t, map[string]string{"x.npy": "new"}, dirContents(t, dir))

	// A failed write removes nothing.
	require.NoError(t, os.WriteFile(p("x_y.npy"), []byte("old"), 0o644))
	boom := errors.New("boom")
	require.ErrorIs(t, ReplaceFilesAtomic(context.Background(), []string{p("x.npy")}, []string{p("x_y.npy")},
		func([]io.Writer) error { return boom }), boom)
	assert.Equal(t, map[string]string{"x.npy": "new", "x_y.npy": "old"}, dirContents(t, dir))

	// A stale name that is a directory or also written is refused up front.
	require.NoError(t, os.Mkdir(p("d"), 0o755))
	require.Error(t, ReplaceFilesAtomic(context.Background(), []string{p("x.npy")}, []string{p("d")}, write))
	require.Error(t, ReplaceFilesAtomic(context.Background(), []string{p("x.npy")}, []string{p("x.npy")}, write))
	assert.Equal(t, map[string]string{"x.npy": "new", "x_y.npy": "old", "d": ""}, dirContents(t, dir))
}
