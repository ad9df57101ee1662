//go:build linux || darwin || freebsd

package linalg

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// guarded returns a slice of n float64s whose last element is the last
// word before an inaccessible page: any read or write past len faults.
func guarded(t *testing.T, n int) []float64 {
	t.Helper()
	page := unix.Getpagesize()
	size := (n*8+page-1)/page*page + page
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { _ = unix.Munmap(mem) })
	if err := unix.Mprotect(mem[size-page:], unix.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	end := size - page
	b := mem[end-n*8 : end]
	if n == 0 {
		return []float64{}
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(&b[0])), n)
}

// TestMicroKernelGuardPage runs every table's micro-kernel with each of
// its operands ending right before a guard page, for kc = 0..9.
func TestMicroKernelGuardPage(t *testing.T) {
	for _, k := range compiledKernels() {
		if !detectFeatures().supports(k.name) {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			mr, nr := k.gemmMR, k.gemmNR
			for kc := 0; kc < 10; kc++ {
				for _, ldc := range []int{nr, nr + 5} {
					a, b := guarded(t, kc*mr), guarded(t, kc*nr)
					c := guarded(t, (mr-1)*ldc+nr)
					for i := range a {
						a[i] = float64(i%7) - 3
					}
					for i := range b {
						b[i] = float64(i%5) - 2
					}
					k.gemmKernel(kc, a, b, c, ldc)
					for i := 0; i < mr; i++ {
						for j := 0; j < nr; j++ {
							var s float64
							for p := 0; p < kc; p++ {
								s += a[p*mr+i] * b[p*nr+j]
							}
							if c[i*ldc+j] != s { // small integers: exact
								t.Fatalf("kc=%d ldc=%d: c(%d,%d) = %v, want %v", kc, ldc, i, j, c[i*ldc+j], s)
							}
						}
					}
				}
			}
		})
	}
}

// TestGemmGuardPage runs Gemm with A, B and C each ending right before a
// guard page, all transpose combinations, on edge-tile shapes.
func TestGemmGuardPage(t *testing.T) {
	withTables(t, func(t *testing.T) {
		for _, sh := range []gemmShape{{1, 1, 1}, {13, 17, 19}, {7, 33, 5}} {
			for _, tr := range transCases {
				ar, ac := sh.m, sh.k
				if tr[0] {
					ar, ac = ac, ar
				}
				br, bc := sh.k, sh.n
				if tr[1] {
					br, bc = bc, br
				}
				a := &Dense{Rows: ar, Cols: ac, Stride: ac, Data: guarded(t, ar*ac)}
				b := &Dense{Rows: br, Cols: bc, Stride: bc, Data: guarded(t, br*bc)}
				c := &Dense{Rows: sh.m, Cols: sh.n, Stride: sh.n, Data: guarded(t, sh.m*sh.n)}
				for i := range a.Data {
					a.Data[i] = float64(i%3) - 1
				}
				for i := range b.Data {
					b.Data[i] = float64(i%4) - 1
				}
				want, _ := naiveGemm(tr[0], tr[1], 1, a, b, 0, c)
				Gemm(tr[0], tr[1], 1, a, b, 0, c)
				for i := range c.Data {
					if c.Data[i] != want.Data[i] { // small integers: exact
						t.Fatalf("Gemm(%v%v) %v: element %d = %v, want %v", tr[0], tr[1], sh, i, c.Data[i], want.Data[i])
					}
				}
				if sh.m == sh.n && !tr[1] {
					Syrk(tr[0], 1, a, 0, c)
				}
			}
		}
	})
}
