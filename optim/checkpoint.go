package optim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/noisegeom/noisegeom/data"
)

// checkpointMagic opens every checkpoint file (format version 2; version
// 1 files, which held no fingerprint or history, are refused).
const checkpointMagic = "NGOPTCK2"

// Checkpoint layout, little-endian: magic; u64 step; u32 number of
// fingerprint fields, each u32 length + name, u32 length + value; p f64
// θ; u8 has momentum buffer then p f64; u32 length + PCG state bytes; u64
// len(perm), perm entries, pos; u64 number of history records, each u64
// step, 9 f64 (LR … Distance in Record order), u32 len(G), G; u32 CRC-32
// (IEEE) of everything before it.

// Limits of a checkpoint's variable parts, checked before allocating.
const (
	maxCheckpointFields = 256     // fingerprint fields
	maxFieldLen         = 4096    // bytes of one name or value
	maxCheckpointTail   = 1 << 28 // bytes beyond the fixed-size state (fields and history)
	recordBytes         = 8 + 9*8 + 4
)

// Field is one name/value pair of a run's fingerprint.
type Field struct{ Name, Value string }

// Fingerprint returns the fields that a checkpoint must match to be
// resumed by o: Config.Fingerprint first, then n, p, batch, sampling,
// seed, momentum, weight decay, the schedule and a hash of the data.
func (o *Optimizer) Fingerprint() []Field {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return append(append([]Field(nil), o.cfg.Fingerprint...),
		Field{"n", strconv.Itoa(o.obj.N())},
		Field{"p", strconv.Itoa(len(o.Params()))},
		Field{"batch", strconv.Itoa(o.cfg.Batch)},
		Field{"sampling", o.cfg.Sampling.String()},
		Field{"seed", strconv.FormatUint(o.cfg.Seed, 10)},
		Field{"momentum", f(o.cfg.Momentum)},
		Field{"weight decay", f(o.cfg.WeightDecay)},
		Field{"schedule", scheduleString(o.cfg.Schedule)},
		Field{"data hash", o.dataHash()})
}

// scheduleString is s in ParseSchedule's form if it has one (String),
// else its Go syntax.
func scheduleString(s Schedule) string {
	if st, ok := s.(fmt.Stringer); ok {
		return st.String()
	}
	return fmt.Sprintf("%#v", s)
}

// dataHash is the FNV-1a hash of the bits of the objective's X and Y.
func (o *Optimizer) dataHash() string {
	h := fnv.New64a()
	var b [8]byte
	for _, m := range [][]float64{o.obj.X.Data, o.obj.Y.Data} {
		for _, v := range m {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			h.Write(b[:])
		}
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

// SaveCheckpoint writes the optimizer's state, its fingerprint and its
// tracked history (History) to path atomically: a temporary file in the
// same directory, synced, then renamed over path.
func (o *Optimizer) SaveCheckpoint(path string) error {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	str := func(s string) { w(uint32(len(s))); b.WriteString(s) }
	b.WriteString(checkpointMagic)
	w(uint64(o.step))
	fp := o.Fingerprint()
	w(uint32(len(fp)))
	for _, f := range fp {
		str(f.Name)
		str(f.Value)
	}
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
	w(uint64(len(o.hist)))
	for _, r := range o.hist {
		w(uint64(r.Step))
		w([]float64{r.LR, r.Loss, r.GradNorm, r.LambdaG, r.LambdaH, r.TrG, r.FrobG, r.Mu, r.Distance})
		w(uint32(len(r.G)))
		w(r.G)
	}
	w(crc32.ChecksumIEEE(b.Bytes()))
	return data.WriteFileAtomic(path, func(out io.Writer) error { _, err := out.Write(b.Bytes()); return err })
}

// ErrCheckpoint wraps every reason a checkpoint cannot be loaded.
var ErrCheckpoint = errors.New("optim: bad checkpoint")

// LoadCheckpoint restores the state and history saved by SaveCheckpoint
// into o. It refuses, naming every differing field with both values, a
// checkpoint whose fingerprint differs from o's (another model, data,
// schedule, seed, batch, …), and a file that is not a regular file or is
// larger than o's state allows; nothing of o changes on an error.
func (o *Optimizer) LoadCheckpoint(path string) error {
	raw, err := readCheckpointFile(path, o.maxCheckpointSize())
	if err == nil {
		err = o.restoreCheckpoint(raw)
	}
	if err != nil && errors.Is(err, ErrCheckpoint) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return err
}

// maxCheckpointSize bounds the size of a checkpoint o can load.
func (o *Optimizer) maxCheckpointSize() int64 {
	return int64(len(checkpointMagic)+1024) + 16*int64(len(o.Params())) + 8*int64(len(o.perm)) + maxCheckpointTail
}

// readCheckpointFile reads a regular file of at most limit bytes.
func readCheckpointFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrCheckpoint)
	} else if st.Size() > limit {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d this run's state can take", ErrCheckpoint, st.Size(), limit)
	}
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(raw)) > limit {
		err = fmt.Errorf("%w: more than %d bytes", ErrCheckpoint, limit)
	}
	return raw, err
}

// ckReader decodes little-endian values from a checkpoint body; the first
// error sticks and later reads are no-ops.
type ckReader struct {
	b   []byte
	err error
}

// take returns the next n bytes, or nil with r.err set if fewer remain.
func (r *ckReader) take(n uint64, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w: truncated in %s (%d bytes wanted, %d left)", ErrCheckpoint, what, n, len(r.b))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *ckReader) u8(what string) uint8 {
	if b := r.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (r *ckReader) u32(what string) uint32 {
	if b := r.take(4, what); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *ckReader) u64(what string) uint64 {
	if b := r.take(8, what); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// f64s reads n float64s; n is checked against the bytes left first.
func (r *ckReader) f64s(n uint64, what string) []float64 {
	if n > uint64(len(r.b))/8 {
		r.take(math.MaxUint64, what)
		return nil
	}
	b := r.take(8*n, what)
	if b == nil {
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v
}

// str reads a u32 length and at most maxFieldLen bytes.
func (r *ckReader) str(what string) string {
	n := r.u32(what)
	if r.err == nil && n > maxFieldLen {
		r.err = fmt.Errorf("%w: %s of %d bytes (limit %d)", ErrCheckpoint, what, n, maxFieldLen)
	}
	return string(r.take(uint64(n), what))
}

// restoreCheckpoint validates a whole checkpoint image against o and
// only then copies it into o. Every error wraps ErrCheckpoint (or is the
// mismatch of the fingerprint, which does too); every allocation is
// bounded by len(raw) or by o's own sizes.
func (o *Optimizer) restoreCheckpoint(raw []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrCheckpoint, fmt.Sprintf(format, args...))
	}
	if len(raw) < len(checkpointMagic)+4 || string(raw[:len(checkpointMagic)-1]) != checkpointMagic[:len(checkpointMagic)-1] {
		return bad("not a checkpoint")
	}
	if string(raw[:len(checkpointMagic)]) != checkpointMagic {
		return bad("format %q; this version reads %q", raw[:len(checkpointMagic)], checkpointMagic)
	}
	body := raw[:len(raw)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(raw[len(raw)-4:]) {
		return bad("checksum mismatch (truncated or corrupt)")
	}
	r := &ckReader{b: body[len(checkpointMagic):]}
	step := r.u64("step")
	nf := r.u32("fingerprint")
	if r.err == nil && nf > maxCheckpointFields {
		return bad("%d fingerprint fields (limit %d)", nf, maxCheckpointFields)
	}
	var fields []Field
	for i := uint32(0); i < nf && r.err == nil; i++ {
		fields = append(fields, Field{r.str("field name"), r.str("field value")})
	}
	if r.err != nil {
		return r.err
	}
	if err := compareFingerprints(fields, o.Fingerprint()); err != nil {
		return err
	}
	P := uint64(len(o.Params()))
	theta := r.f64s(P, "parameters")
	hasVel := r.u8("momentum flag")
	var vel []float64
	if hasVel == 1 {
		vel = r.f64s(P, "momentum buffer")
	}
	if r.err == nil && (hasVel > 1 || (hasVel == 1) != (o.vel != nil)) {
		return bad("momentum buffer flag %d does not fit momentum %g", hasVel, o.cfg.Momentum)
	}
	st := r.take(uint64(r.u32("random state length")), "random state")
	permLen := r.u64("permutation length")
	if r.err == nil && permLen != uint64(len(o.perm)) {
		return bad("permutation length %d, want %d", permLen, len(o.perm))
	}
	n := uint64(o.obj.N())
	perm := make([]int, len(o.perm))
	for i := range perm {
		v := r.u64("permutation")
		if r.err == nil && v >= n {
			return bad("permutation entry %d out of range [0, %d)", v, n)
		}
		perm[i] = int(v)
	}
	pos := r.u64("position")
	if r.err == nil && pos > n {
		return bad("epoch position %d > n = %d", pos, n)
	}
	hist, err := readHistory(r, step)
	if err != nil {
		return err
	}
	if len(r.b) != 0 {
		return bad("%d stray bytes at the end", len(r.b))
	}
	var pcg = o.pcg
	if err := pcg.UnmarshalBinary(st); err != nil {
		return bad("random state: %v", err)
	}
	o.pcg = pcg
	copy(o.Params(), theta)
	copy(o.vel, vel)
	copy(o.perm, perm)
	o.pos, o.step, o.hist = int(pos), int(step), hist
	return nil
}

// readHistory reads the tracked records; their steps increase and do not
// pass the checkpoint's step.
func readHistory(r *ckReader, step uint64) ([]Record, error) {
	nrec := r.u64("history length")
	if r.err != nil {
		return nil, r.err
	}
	if nrec > uint64(len(r.b))/recordBytes {
		return nil, fmt.Errorf("%w: %d history records cannot fit in %d bytes", ErrCheckpoint, nrec, len(r.b))
	}
	hist := make([]Record, 0, nrec)
	for i := uint64(0); i < nrec && r.err == nil; i++ {
		s := r.u64("record step")
		v := r.f64s(9, "record")
		g := r.f64s(uint64(r.u32("record g length")), "record g")
		if r.err != nil {
			break
		}
		if s > step || (i > 0 && s <= uint64(hist[i-1].Step)) {
			return nil, fmt.Errorf("%w: history record %d at step %d out of order (checkpoint step %d)", ErrCheckpoint, i, s, step)
		}
		if len(g) == 0 {
			g = nil
		}
		hist = append(hist, Record{Step: int(s), LR: v[0], Loss: v[1], GradNorm: v[2], LambdaG: v[3], LambdaH: v[4],
			TrG: v[5], FrobG: v[6], Mu: v[7], Distance: v[8], G: g})
	}
	return hist, r.err
}

// compareFingerprints names every field whose value differs between the
// checkpoint (got) and this run (want), or is present in only one.
func compareFingerprints(got, want []Field) error {
	have := make(map[string]string, len(got))
	for _, f := range got {
		have[f.Name] = f.Value
	}
	var diffs []string
	seen := make(map[string]bool, len(want))
	for _, f := range want {
		seen[f.Name] = true
		switch v, ok := have[f.Name]; {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: not in the checkpoint, %q in this run", f.Name, f.Value))
		case v != f.Value:
			diffs = append(diffs, fmt.Sprintf("%s: %q in the checkpoint, %q in this run", f.Name, v, f.Value))
		}
	}
	for _, f := range got {
		if !seen[f.Name] {
			diffs = append(diffs, fmt.Sprintf("%s: %q in the checkpoint, not in this run", f.Name, f.Value))
		}
	}
	if diffs != nil {
		return fmt.Errorf("%w: written by another run (%s)", ErrCheckpoint, strings.Join(diffs, "; "))
	}
	return nil
}
