package cli

import (
	"fmt"
	"io"
	"os"
	"time"
)

// isTerminal reports whether w is a file open on a terminal. Tests replace
// it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminalFd(f.Fd())
}

// progress prints a one-line status that rewrites itself in place, for a
// terminal only.
type progress struct {
	w     io.Writer
	start time.Time
}

// newProgress returns a progress writer on w, or nil when w is not a
// terminal (the caller then passes no callback at all).
func newProgress(w io.Writer) *progress {
	if !isTerminal(w) {
		return nil
	}
	return &progress{w: w, start: time.Now()}
}

// update shows done of total and the next item's label; when done ==
// total it clears the line.
func (p *progress) update(done, total int, label string) {
	if done >= total {
		fmt.Fprint(p.w, "\r\x1b[K")
		return
	}
	elapsed := time.Since(p.start).Round(time.Second)
	fmt.Fprintf(p.w, "\r\x1b[K[%d/%d %v] %s", done+1, total, elapsed, label)
}
