package optim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"github.com/noisegeom/noisegeom/data"
)

// checkpointMagic opens every checkpoint file (format version 1).
const checkpointMagic = "NGOPTCK1"

// Checkpoint layout, little-endian: magic; u64 step, n, p, batch,
// sampling, seed; f64 momentum, weight decay; p f64 θ; u8 has momentum
// buffer then p f64; u32 length + PCG state bytes; u64 len(perm), perm
// entries, pos; u32 CRC-32 (IEEE) of everything before it.

// SaveCheckpoint writes the optimizer's state to path atomically: a
// temporary file in the same directory, synced, then renamed over path.
func (o *Optimizer) SaveCheckpoint(path string) error {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString(checkpointMagic)
	p := len(o.Params())
	w(uint64(o.step))
	w(uint64(o.obj.N()))
	w(uint64(p))
	w(int64(o.cfg.Batch))
	w(uint64(o.cfg.Sampling))
	w(o.cfg.Seed)
	w(o.cfg.Momentum)
	w(o.cfg.WeightDecay)
	w(o.Params())
	if o.vel != nil {
		w(uint8(1))
		w(o.vel)
	} else {
		w(uint8(0))
	}
	st, err := o.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	w(uint32(len(st)))
	b.Write(st)
	w(uint64(len(o.perm)))
	for _, v := range o.perm {
		w(uint64(v))
	}
	w(uint64(o.pos))
	w(crc32.ChecksumIEEE(b.Bytes()))
	return data.WriteFileAtomic(path, func(out io.Writer) error { _, err := out.Write(b.Bytes()); return err })
}

// ErrCheckpoint wraps every reason a checkpoint cannot be loaded.
var ErrCheckpoint = errors.New("optim: bad checkpoint")

// LoadCheckpoint restores the state saved by SaveCheckpoint into o, which
// must have been built with the same objective shape and the same Config
// (batch, sampling, seed, momentum, weight decay; the schedule is not
// stored and must match too for bit-identical resumption).
func (o *Optimizer) LoadCheckpoint(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrCheckpoint, path, fmt.Sprintf(format, args...))
	}
	if len(raw) < len(checkpointMagic)+4 || string(raw[:len(checkpointMagic)]) != checkpointMagic {
		return bad("not a checkpoint")
	}
	body := raw[:len(raw)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(raw[len(raw)-4:]) {
		return bad("checksum mismatch (truncated or corrupt)")
	}
	r := bytes.NewReader(body[len(checkpointMagic):])
	var rerr error
	rd := func(v any) {
		if rerr == nil {
			rerr = binary.Read(r, binary.LittleEndian, v)
		}
	}
	var step, n, p, sampling, seed uint64
	var batch int64
	var mom, wd float64
	rd(&step)
	rd(&n)
	rd(&p)
	rd(&batch)
	rd(&sampling)
	rd(&seed)
	rd(&mom)
	rd(&wd)
	if rerr != nil {
		return bad("%v", rerr)
	}
	P := len(o.Params())
	switch {
	case n != uint64(o.obj.N()) || p != uint64(P):
		return bad("n = %d, p = %d; this run has n = %d, p = %d", n, p, o.obj.N(), P)
	case batch != int64(o.cfg.Batch) || sampling != uint64(o.cfg.Sampling) || seed != o.cfg.Seed ||
		math.Float64bits(mom) != math.Float64bits(o.cfg.Momentum) || math.Float64bits(wd) != math.Float64bits(o.cfg.WeightDecay):
		return bad("configuration differs (batch %d, sampling %d, seed %d, momentum %g, weight decay %g)", batch, sampling, seed, mom, wd)
	}
	theta := make([]float64, P)
	rd(theta)
	var hasVel uint8
	rd(&hasVel)
	var vel []float64
	if hasVel == 1 {
		vel = make([]float64, P)
		rd(vel)
	}
	var stLen uint32
	rd(&stLen)
	if rerr != nil || int(stLen) > r.Len() {
		return bad("truncated")
	}
	st := make([]byte, stLen)
	rd(st)
	var permLen uint64
	rd(&permLen)
	if rerr != nil || permLen != uint64(len(o.perm)) {
		return bad("permutation length %d, want %d", permLen, len(o.perm))
	}
	perm := make([]int, permLen)
	for i := range perm {
		var v uint64
		rd(&v)
		if v >= n {
			return bad("permutation entry %d out of range", v)
		}
		perm[i] = int(v)
	}
	var pos uint64
	rd(&pos)
	if rerr != nil || r.Len() != 0 || pos > n {
		return bad("malformed tail")
	}
	if (hasVel == 1) != (o.vel != nil) {
		return bad("momentum buffer presence differs")
	}
	if err := o.pcg.UnmarshalBinary(st); err != nil {
		return bad("random state: %v", err)
	}
	copy(o.Params(), theta)
	copy(o.vel, vel)
	copy(o.perm, perm)
	o.pos, o.step = int(pos), int(step)
	return nil
}
