package optim

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordBits renders records exactly: the CSV row and the bits of g.
func recordBits(recs []Record) [][]string {
	out := make([][]string, len(recs))
	for i, r := range recs {
		out[i] = r.Row()
		for _, v := range r.G {
			out[i] = append(out[i], strconv.FormatUint(math.Float64bits(v), 16))
		}
	}
	return out
}

// TestResumeHistory: the records returned after a resume are, bit for
// bit, those of the unbroken run: the history up to the checkpoint comes
// from the checkpoint (it was lost before), and a run that stopped at a
// non-tracking step leaves no extra record in it.
func TestResumeHistory(t *testing.T) {
	cfg := Config{Batch: 8, Sampling: Epochs, Schedule: TwoPhase{0.1, 0.01, 7, 13}, Momentum: 0.9, Seed: 21}
	tr := Tracking{Every: 20, At: []int{0, 5, 33}, Loss: true, GradNorm: true, Analysis: true, TopK: 2}
	const steps = 100
	o, err := New(mlpObjective(64, 8, 16, 3), cfg)
	require.NoError(t, err)
	want, err := Run(o, RunConfig{Steps: steps, Track: tr})
	require.NoError(t, err)
	require.Len(t, want, 8) // 0, 5, 20, 33, 40, 60, 80, 100

	tests := []struct {
		name  string
		first RunConfig // the interrupted run
	}{
		{"killed after the checkpoint at 60", RunConfig{Steps: steps, CheckpointEvery: 30, OnStep: killAt(75)}},
		{"killed right after the checkpoint at 40", RunConfig{Steps: steps, CheckpointEvery: 40, OnStep: killAt(41)}},
		{"stopped at 50, not a tracking step", RunConfig{Steps: 50}},
		{"stopped at 33, a tracking step", RunConfig{Steps: 33}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ck := filepath.Join(t.TempDir(), "ck")
			o, _ := New(mlpObjective(64, 8, 16, 3), cfg)
			first := tt.first
			first.Track, first.Checkpoint = tr, ck
			_, err := Run(o, first)
			if first.OnStep != nil {
				require.ErrorIs(t, err, errKilled)
			} else {
				require.NoError(t, err)
			}
			o2, _ := New(mlpObjective(64, 8, 16, 3), cfg)
			require.NoError(t, o2.LoadCheckpoint(ck))
			resumed := tr
			resumed.At = []int{5, 33} // as the CLI does: no step-0 record on resume
			got, err := Run(o2, RunConfig{Steps: steps, Track: resumed, Checkpoint: ck})
			require.NoError(t, err)
			assert.Equal(t, recordBits(want), recordBits(got))
		})
	}
}

func killAt(step int) func(int, float64) error {
	return func(s int, _ float64) error {
		if s == step {
			return errKilled
		}
		return nil
	}
}

// TestCheckpointFingerprint: a checkpoint of another run is refused with
// the differing field and both values named; the same run loads.
func TestCheckpointFingerprint(t *testing.T) {
	base := Config{Batch: 4, Sampling: Epochs, Schedule: Constant(0.01), Momentum: 0.5, Seed: 1,
		Fingerprint: []Field{{"--model", "linear"}, {"--noise", "0.1"}}}
	ck := filepath.Join(t.TempDir(), "c")
	o, _ := New(linearObjective(20, 3, 1), base)
	o.Step()
	require.NoError(t, o.SaveCheckpoint(ck))

	with := func(f func(*Config)) Config {
		c := base
		c.Fingerprint = append([]Field(nil), base.Fingerprint...)
		f(&c)
		return c
	}
	tests := []struct {
		name     string
		cfg      Config
		dataSeed uint64
		want     []string
	}{
		{"same run", base, 1, nil},
		{"caller field", with(func(c *Config) { c.Fingerprint[0].Value = "mlp" }), 1, []string{`--model: "linear" in the checkpoint, "mlp" in this run`}},
		{"missing field", with(func(c *Config) { c.Fingerprint = c.Fingerprint[:1] }), 1, []string{`--noise: "0.1" in the checkpoint, not in this run`}},
		{"extra field", with(func(c *Config) { c.Fingerprint = append(c.Fingerprint, Field{"--at", "teacher"}) }), 1, []string{`--at: not in the checkpoint, "teacher" in this run`}},
		{"schedule", with(func(c *Config) { c.Schedule = Constant(0.02) }), 1, []string{"schedule", "0.01", "0.02"}},
		{"step schedule", with(func(c *Config) { c.Schedule = Step{0.01, 0.5, 10} }), 1, []string{`schedule: "constant:0.01" in the checkpoint, "step:0.01,0.5,10" in this run`}},
		{"seed", with(func(c *Config) { c.Seed = 7 }), 1, []string{`seed: "1" in the checkpoint, "7" in this run`}},
		{"batch", with(func(c *Config) { c.Batch = 5 }), 1, []string{`batch: "4" in the checkpoint, "5" in this run`}},
		{"weight decay", with(func(c *Config) { c.WeightDecay = 1e-3 }), 1, []string{`weight decay: "0" in the checkpoint, "0.001" in this run`}},
		{"data", base, 2, []string{"data hash"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o2, err := New(linearObjective(20, 3, tt.dataSeed), tt.cfg)
			require.NoError(t, err)
			err = o2.LoadCheckpoint(ck)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, 1, o2.StepCount())
				return
			}
			require.ErrorIs(t, err, ErrCheckpoint)
			for _, w := range append(tt.want, ck) {
				assert.Contains(t, err.Error(), w)
			}
			assert.Equal(t, 0, o2.StepCount(), "a refused checkpoint changes nothing")
		})
	}
}

// TestRunStepsBehind: Run refuses a total below the optimizer's step.
func TestRunStepsBehind(t *testing.T) {
	o, _ := New(linearObjective(20, 3, 1), Config{Batch: 4, Schedule: Constant(0.01)})
	_, err := Run(o, RunConfig{Steps: 10})
	require.NoError(t, err)
	_, err = Run(o, RunConfig{Steps: 5})
	require.ErrorIs(t, err, ErrStepsBehind)
	assert.Contains(t, err.Error(), "5 steps asked, the optimizer is at step 10")
	assert.Equal(t, 10, o.StepCount())
}

// TestCheckpointNotRegular: a device or directory is refused without
// reading it (/dev/zero would otherwise be read until memory runs out).
func TestCheckpointNotRegular(t *testing.T) {
	o, _ := New(linearObjective(20, 3, 1), Config{Batch: 4, Schedule: Constant(0.01)})
	for _, path := range []string{"/dev/zero", t.TempDir()} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		err := o.LoadCheckpoint(path)
		require.ErrorIs(t, err, ErrCheckpoint, path)
		assert.Contains(t, err.Error(), "not a regular file")
	}
}

// fuzzOptimizer is the run the fuzzed checkpoints are loaded into.
func fuzzOptimizer() *Optimizer {
	o, _ := New(linearObjective(10, 3, 1), Config{Batch: 3, Sampling: Epochs, Schedule: Constant(0.01), Momentum: 0.5, Seed: 1})
	return o
}

// sealed returns magic + body + CRC, a checkpoint image that passes the
// checksum, so the fuzzer reaches the decoder.
func sealed(body []byte) []byte {
	raw := append([]byte(checkpointMagic), body...)
	return binary.LittleEndian.AppendUint32(raw, crc32.ChecksumIEEE(raw))
}

// hugeParams is a sealed image whose fingerprint claims p = 2⁶⁰.
func hugeParams() []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint64(b, 1)
	b = binary.LittleEndian.AppendUint32(b, 1)
	for _, s := range []string{"p", "1152921504606846976"} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return sealed(b)
}

// checkpointAllocLimit bounds the bytes the decoder may allocate for an
// image of size n: its own copies are linear in n (records are ≤ 24/84 of
// the bytes they take more than their encoding), plus the fingerprint of
// the run it is compared with.
func checkpointAllocLimit(n int) uint64 { return 64<<10 + 4*uint64(n) }

// FuzzLoadCheckpoint: any bytes, sealed with a valid checksum or not,
// give nil or an ErrCheckpoint error, never a panic, and allocate at most
// checkpointAllocLimit. The seeds are a real checkpoint with history, its
// prefixes and a header claiming 2⁶⁰ parameters.
func FuzzLoadCheckpoint(f *testing.F) {
	ck := filepath.Join(f.TempDir(), "ck")
	o := fuzzOptimizer()
	if _, err := Run(o, RunConfig{Steps: 7, Track: Tracking{Every: 3, Loss: true, Analysis: true, TopK: 1}, Checkpoint: ck}); err != nil {
		f.Fatal(err)
	}
	valid, err := os.ReadFile(ck)
	if err != nil {
		f.Fatal(err)
	}
	if err := fuzzOptimizer().restoreCheckpoint(valid); err != nil {
		f.Fatalf("a valid checkpoint: %v", err)
	}
	f.Add(valid)
	f.Add(valid[len(checkpointMagic) : len(valid)-4]) // sealed by the target
	f.Add(valid[len(checkpointMagic) : len(valid)/2])
	f.Add(hugeParams())
	f.Add([]byte("NGOPTCK1"))
	f.Fuzz(func(t *testing.T, in []byte) {
		o := fuzzOptimizer()
		for _, raw := range [][]byte{in, sealed(in)} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := o.restoreCheckpoint(raw)
			runtime.ReadMemStats(&after)
			if err != nil && !errors.Is(err, ErrCheckpoint) {
				t.Fatalf("error %v does not wrap ErrCheckpoint", err)
			}
			if d := after.TotalAlloc - before.TotalAlloc; d > checkpointAllocLimit(len(raw)) {
				t.Fatalf("%d-byte image allocated %d bytes (limit %d)", len(raw), d, checkpointAllocLimit(len(raw)))
			}
		}
	})
}

// TestCheckpointHugeHeader: a header claiming 2⁶⁰ parameters is refused
// by the fingerprint, before anything of that size is allocated.
func TestCheckpointHugeHeader(t *testing.T) {
	o := fuzzOptimizer()
	raw := hugeParams()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := o.restoreCheckpoint(raw)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, ErrCheckpoint)
	assert.Contains(t, err.Error(), `p: "1152921504606846976" in the checkpoint, "3" in this run`)
	assert.LessOrEqual(t, after.TotalAlloc-before.TotalAlloc, checkpointAllocLimit(len(raw)))
}
