package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/noisegeom/noisegeom/data"
)

// SignalGrace is how long a command may take to stop after SIGINT or
// SIGTERM before the process ends without it.
const SignalGrace = time.Second

// Signals is the program's one reaction to SIGINT and SIGTERM, installed
// by HandleSignals:
//
//   - the first signal cancels Env.Context; a command that watches it
//     stops, its atomic writes remove their temporary files, and it
//     returns;
//   - if the command has not returned within the grace period, or a second
//     signal arrives, the handler removes the temporary files of every
//     atomic write in progress (data.RemoveTemporaries) and exits itself;
//   - either way the process exits 128+signal: 130 for SIGINT, 143 for
//     SIGTERM (Done maps the command's code).
type Signals struct {
	ctx         context.Context
	stderr      io.Writer
	exit        func(int)
	grace       time.Duration
	removeTemps func() // data.RemoveTemporaries outside tests

	mu       sync.Mutex
	sig      os.Signal // the first signal, nil before
	returned bool      // Done was called
}

// signalContext is the context of the installed handler, for commands.
var signalContext = context.Background()

// interruptNote is printed with a forced exit: what a command that could
// not stop in time keeps, and how to continue (set by setInterruptNote).
var interruptNote struct {
	sync.Mutex
	text string
}

// setInterruptNote sets the line printed if the handler must end the
// process itself, e.g. how to resume; "" prints none.
func setInterruptNote(text string) {
	interruptNote.Lock()
	interruptNote.text = text
	interruptNote.Unlock()
}

// HandleSignals installs the process's signal handler; call it once, in
// main, before Main. Forced exits print a line on stderr and call exit.
func HandleSignals(stderr io.Writer, exit func(int)) *Signals {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	s := newSignals(ch, SignalGrace, stderr, exit, data.RemoveTemporaries)
	signalContext = s.ctx
	return s
}

// newSignals starts the handler on the signals arriving on ch.
func newSignals(ch <-chan os.Signal, grace time.Duration, stderr io.Writer, exit func(int), removeTemps func()) *Signals {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Signals{ctx: ctx, stderr: stderr, exit: exit, grace: grace, removeTemps: removeTemps}
	go s.watch(ch, cancel)
	return s
}

func (s *Signals) watch(ch <-chan os.Signal, cancel context.CancelFunc) {
	first := <-ch
	s.mu.Lock()
	s.sig = first
	s.mu.Unlock()
	cancel()
	select {
	case <-ch:
	case <-time.After(s.grace):
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.returned {
		return
	}
	s.removeTemps()
	fmt.Fprintf(s.stderr, "noisegeom: stopped by %v\n", first)
	interruptNote.Lock()
	if note := interruptNote.text; note != "" {
		fmt.Fprintf(s.stderr, "noisegeom: %s\n", note)
	}
	interruptNote.Unlock()
	s.exit(signalExitCode(first))
}

// Done records that the command returned code and returns the process's
// exit code: code, or 128+signal once a signal has arrived.
func (s *Signals) Done(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.returned = true
	if s.sig != nil {
		return signalExitCode(s.sig)
	}
	return code
}

// signalExitCode is the shell's code for a process ended by sig.
func signalExitCode(sig os.Signal) int {
	if n, ok := sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 128 + int(syscall.SIGINT)
}
