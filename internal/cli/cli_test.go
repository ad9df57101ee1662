package cli

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestPanicExitsOne(t *testing.T) {
	register(&Command{Name: "boom", Summary: "panics", Run: func(*Env, []string) int { panic("kaboom") }})
	defer delete(commands, "boom")
	var out, errOut bytes.Buffer
	if code := Main("prog", []string{"boom"}, &out, &errOut); code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	if s := errOut.String(); !strings.Contains(s, "internal error: kaboom") || !strings.Contains(s, "goroutine") {
		t.Errorf("stderr %q, want the panic value and a stack", s)
	}
}

func TestUsageListsCommands(t *testing.T) {
	var out bytes.Buffer
	if code := Main("prog", []string{"help"}, &out, io.Discard); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, name := range commandNames() {
		if !strings.Contains(out.String(), "  "+name+" ") || commands[name].Summary == "" {
			t.Errorf("usage does not list %q with a summary:\n%s", name, out.String())
		}
	}
}

// fakeTerminal makes isTerminal true for the duration of a test.
func fakeTerminal(t *testing.T) {
	old := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminal = old })
}

func TestProgressOnTerminal(t *testing.T) {
	fakeTerminal(t)
	var errOut bytes.Buffer
	code := Main("prog", []string{"bench", "--kernel", "dot", "--n", "8", "--threads", "1", "--impl", "generic",
		"--min-time", "1ms", "--repeats", "1"}, io.Discard, &errOut)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := regexp.MustCompile(`^\r\x1b\[K\[1/1 [0-9]+s\] dot n=8 impl=generic threads=1\r\x1b\[K$`)
	if got := errOut.String(); !want.MatchString(got) {
		t.Errorf("progress %q, want a match for %q", got, want)
	}
}

func TestNoProgressOffTerminal(t *testing.T) {
	if p := newProgress(&bytes.Buffer{}); p != nil {
		t.Error("progress on a buffer")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(w) {
		t.Error("a pipe is reported as a terminal")
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Error(os.DevNull + " is reported as a terminal")
	}
}

func TestKiB(t *testing.T) {
	for n, want := range map[int]string{0: "0 B", 1000: "1000 B", 32 << 10: "32 KiB", 1 << 20: "1 MiB", 1536 << 10: "1536 KiB", 32 << 20: "32 MiB"} {
		if got := kib(n); got != want {
			t.Errorf("kib(%d) = %q, want %q", n, got, want)
		}
	}
}
