package cli

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignals drives the handler with fake signals: a command that returns
// after the signal exits 128+signal through Done; one that does not return
// within the grace period, or meets a second signal, is ended by the
// handler after it removed the temporaries.
func TestSignals(t *testing.T) {
	cases := []struct {
		name    string
		signals []os.Signal
		returns bool // the command returns after the first signal
		code    int
	}{
		{"SIGINT, command returns", []os.Signal{os.Interrupt}, true, 130},
		{"SIGTERM, command returns", []os.Signal{syscall.SIGTERM}, true, 143},
		{"SIGINT, command hangs", []os.Signal{os.Interrupt}, false, 130},
		{"SIGTERM, command hangs", []os.Signal{syscall.SIGTERM}, false, 143},
		{"second signal", []os.Signal{syscall.SIGTERM, os.Interrupt}, false, 143},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			grace := 200 * time.Millisecond
			if len(c.signals) > 1 {
				grace = time.Hour
			}
			ch := make(chan os.Signal, 2)
			exited := make(chan int, 1)
			removed := make(chan bool, 1)
			var stderr bytes.Buffer
			s := newSignals(ch, grace, &stderr, func(code int) { exited <- code }, func() { removed <- true })
			require.NoError(t, s.ctx.Err())
			start := time.Now()
			ch <- c.signals[0]
			select {
			case <-s.ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the context was not cancelled")
			}
			if c.returns {
				assert.Equal(t, c.code, s.Done(1))
				time.Sleep(2 * grace)
				assert.Empty(t, exited, "the handler exited although the command returned")
				assert.Empty(t, removed)
				return
			}
			for _, sig := range c.signals[1:] {
				ch <- sig
			}
			select {
			case code := <-exited:
				assert.Equal(t, c.code, code)
				assert.Len(t, removed, 1, "temporaries not removed before the exit")
				if len(c.signals) == 1 {
					assert.GreaterOrEqual(t, time.Since(start), grace, "exited before the grace period")
				}
				assert.Contains(t, stderr.String(), "stopped by")
			case <-time.After(5 * time.Second):
				t.Fatal("the handler did not exit")
			}
		})
	}
}

func TestSignalsDoneWithoutSignal(t *testing.T) {
	s := newSignals(make(chan os.Signal), time.Millisecond, &bytes.Buffer{}, func(int) { t.Error("exit called") }, func() {})
	for _, code := range []int{ExitOK, ExitFailure, ExitUsage} {
		assert.Equal(t, code, s.Done(code))
	}
}

// TestSignalsInterruptNote: a forced exit prints the note a command set
// (reproduce's how-to-resume), and none once it is cleared.
func TestSignalsInterruptNote(t *testing.T) {
	for _, note := range []string{"finished units are kept in out; run again with --resume", ""} {
		setInterruptNote(note)
		ch := make(chan os.Signal, 1)
		exited := make(chan int, 1)
		var stderr bytes.Buffer
		newSignals(ch, time.Millisecond, &stderr, func(code int) { exited <- code }, func() {})
		ch <- os.Interrupt
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			t.Fatal("the handler did not exit")
		}
		if note != "" {
			assert.Contains(t, stderr.String(), note)
		} else {
			assert.Equal(t, 1, bytes.Count(stderr.Bytes(), []byte("\n")), stderr.String())
		}
	}
	setInterruptNote("")
}
