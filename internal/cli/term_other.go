//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package cli

// isTerminalFd: without a known terminal ioctl, nothing is a terminal (no
// progress lines are printed).
func isTerminalFd(fd uintptr) bool { return false }
