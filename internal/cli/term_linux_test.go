//go:build linux

package cli

import (
	"os"
	"testing"
)

// TestTerminalPty: a pseudo-terminal's master side answers the terminal
// ioctl.
func TestTerminalPty(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer ptmx.Close()
	if !isTerminal(ptmx) {
		t.Error("/dev/ptmx is not reported as a terminal")
	}
}
