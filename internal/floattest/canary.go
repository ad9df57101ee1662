package floattest

import (
	"fmt"
	"math"
	"unsafe"
)

// CanaryBits is the bit pattern of canary elements: a signaling NaN with a
// recognisable payload. A kernel that wrongly reads a canary and computes
// with it turns its result into NaN; one that writes over it is caught by
// a bitwise comparison, even when it writes back a value computed from the
// canary itself (y[n] += a·x[n] past the end), because arithmetic quiets a
// signaling NaN and so changes its bits. Only a plain copy preserves them.
const CanaryBits = 0x7ff4_dead_beef_cafe

// Canary returns the canary value.
func Canary() float64 { return math.Float64frombits(CanaryBits) }

// SetCanaries fills s with the canary value.
func SetCanaries(s []float64) {
	c := Canary()
	for i := range s {
		s[i] = c
	}
}

// CheckCanaries returns an error naming the first element of s (called
// what) that no longer holds the canary.
func CheckCanaries(s []float64, what string) error {
	for i, v := range s {
		if math.Float64bits(v) != CanaryBits {
			return fmt.Errorf("%s[%d] overwritten: %v (bits %#016x), want canary %#016x",
				what, i, v, math.Float64bits(v), uint64(CanaryBits))
		}
	}
	return nil
}

// Align is the alignment, in bytes, that Padded offsets are measured from:
// a cache line, and the width of the widest vector register in use
// (AVX-512).
const Align = 64

// Padded is a slice with canary elements on both sides of it.
type Padded struct {
	// Data is the payload, with len(Data) == cap(Data) == n.
	Data []float64
	buf  []float64
	lo   int // index of Data[0] in buf
}

// NewPadded returns n zeroed elements with pad canaries (at least) on
// each side, placed so that &Data[0] is off·8 bytes past an Align-byte
// boundary (off is taken modulo 8).
func NewPadded(n, off, pad int) *Padded {
	const per = Align / 8
	off = ((off % per) + per) % per
	buf := make([]float64, pad+per+n+pad)
	SetCanaries(buf)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	lo := pad
	for (base+uintptr(lo)*8)%Align != uintptr(off)*8 {
		lo++
	}
	p := &Padded{buf: buf, lo: lo}
	p.Data = buf[lo : lo+n : lo+n]
	clear(p.Data)
	return p
}

// PaddedCopy returns a Padded holding a copy of x.
func PaddedCopy(x []float64, off, pad int) *Padded {
	p := NewPadded(len(x), off, pad)
	copy(p.Data, x)
	return p
}

// Check returns an error naming the first canary, before or after Data,
// that changed, or nil. (When n == 0, Go points the empty Data at the start
// of the buffer, so a write "at Data[0]" shows up as a changed canary
// before it.)
func (p *Padded) Check() error {
	if err := CheckCanaries(p.buf[:p.lo], "canary before"); err != nil {
		return fmt.Errorf("%w (Data[%d])", err, -p.lo+firstBad(p.buf[:p.lo]))
	}
	after := p.buf[p.lo+len(p.Data):]
	if err := CheckCanaries(after, "canary after"); err != nil {
		return fmt.Errorf("%w (Data[%d])", err, len(p.Data)+firstBad(after))
	}
	return nil
}

func firstBad(s []float64) int {
	for i, v := range s {
		if math.Float64bits(v) != CanaryBits {
			return i
		}
	}
	return -1
}
