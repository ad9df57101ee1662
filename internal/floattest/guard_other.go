//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package floattest

import "testing"

// HaveGuardPages reports whether Guarded and GuardedOffset really place
// inaccessible pages around the slice on this platform.
const HaveGuardPages = false

// guarded falls back to an ordinary slice: this platform has no mmap in
// golang.org/x/sys/unix.
func guarded(tb testing.TB, n, off int) []float64 {
	return make([]float64, n)
}
