package floattest

import (
	"fmt"
	"runtime/debug"
	"testing"
)

// Guarded returns a slice of n float64 whose last element is immediately
// followed by an inaccessible (PROT_NONE) page, so that reading or writing
// even one element past the end faults. Its start is 8·(−n mod 512) bytes
// into a page. The memory is released when tb's test ends. Without guard
// pages on this platform (HaveGuardPages false) it is an ordinary slice.
// len and cap are both n; the elements are zero.
func Guarded(tb testing.TB, n int) []float64 {
	tb.Helper()
	return guarded(tb, n, -1)
}

// GuardedOffset returns a slice of n float64 whose first element sits off
// elements (0 ≤ off < 512) after the end of an inaccessible page: with
// off == 0 reading x[-1] faults, and the start address is off·8 bytes past a
// page boundary, so off = 0..7 covers every offset from a 64-byte cache line
// or vector boundary. Another inaccessible page follows the page holding
// the last element. Otherwise as Guarded.
func GuardedOffset(tb testing.TB, n, off int) []float64 {
	tb.Helper()
	if off < 0 || off >= 512 {
		panic(fmt.Sprintf("floattest: GuardedOffset: offset %d outside [0, 512)", off))
	}
	return guarded(tb, n, off)
}

// NoFault runs f and reports, instead of crashing the test binary, a
// memory fault inside it, such as a kernel touching a guard page. It
// returns false, after tb.Errorf naming what, if f faulted.
func NoFault(tb testing.TB, what string, f func()) (ok bool) {
	tb.Helper()
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			if addr, isFault := r.(interface{ Addr() uintptr }); isFault {
				tb.Errorf("%s: memory fault at %#x (out-of-bounds access into a guard page?): %v", what, addr.Addr(), r)
				ok = false
				return
			}
			panic(r)
		}
	}()
	f()
	return true
}
