//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package floattest

import (
	"fmt"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// HaveGuardPages reports whether Guarded and GuardedOffset really place
// inaccessible pages around the slice on this platform.
const HaveGuardPages = true

// guarded maps [guard page][data pages][guard page] and returns n elements
// ending at the trailing guard (off < 0) or starting off elements after the
// leading guard.
func guarded(tb testing.TB, n, off int) []float64 {
	if n < 0 {
		panic(fmt.Sprintf("floattest: negative length %d", n))
	}
	page := unix.Getpagesize()
	need := n * 8
	if off > 0 {
		need += off * 8
	}
	dataLen := (need + page - 1) / page * page
	if dataLen == 0 {
		dataLen = page
	}
	mem, err := unix.Mmap(-1, 0, page+dataLen+page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		tb.Fatalf("floattest: mmap: %v", err)
	}
	tb.Cleanup(func() {
		if err := unix.Munmap(mem); err != nil {
			tb.Errorf("floattest: munmap: %v", err)
		}
	})
	if err := unix.Mprotect(mem[:page], unix.PROT_NONE); err != nil {
		tb.Fatalf("floattest: mprotect: %v", err)
	}
	if err := unix.Mprotect(mem[page+dataLen:], unix.PROT_NONE); err != nil {
		tb.Fatalf("floattest: mprotect: %v", err)
	}
	start := page + dataLen - n*8
	if off >= 0 {
		start = page + off*8
	}
	// &mem[start] is valid even when n == 0 (it then points at the start of
	// a guard page or into the data pages; nothing is dereferenced).
	return unsafe.Slice((*float64)(unsafe.Pointer(&mem[start])), n)
}
