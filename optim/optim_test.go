package optim

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/noisegeom/noisegeom/models"
)

func TestSchedules(t *testing.T) {
	tests := []struct {
		s    Schedule
		t    int
		want float64
	}{
		{Constant(0.3), 17, 0.3},
		{Step{Base: 1, Gamma: 0.5, Every: 10}, 9, 1},
		{Step{Base: 1, Gamma: 0.5, Every: 10}, 10, 0.5},
		{Step{Base: 1, Gamma: 0.5, Every: 10}, 25, 0.25},
		{Cosine{Max: 1, Min: 0.2, Period: 8}, 0, 1},
		{Cosine{Max: 1, Min: 0.2, Period: 8}, 4, 0.6},
		{Cosine{Max: 1, Min: 0.2, Period: 8}, 8, 1},
		{Triangular{Low: 0.1, High: 0.5, Period: 10}, 0, 0.1},
		{Triangular{Low: 0.1, High: 0.5, Period: 10}, 5, 0.5},
		{Triangular{Low: 0.1, High: 0.5, Period: 10}, 3, 0.1 + 0.4*0.6},
		{Triangular{Low: 0.1, High: 0.5, Period: 10}, 13, 0.1 + 0.4*0.6},
		{TwoPhase{High: 0.9, Low: 0.1, HighSteps: 3, LowSteps: 5}, 2, 0.9},
		{TwoPhase{High: 0.9, Low: 0.1, HighSteps: 3, LowSteps: 5}, 3, 0.1},
		{TwoPhase{High: 0.9, Low: 0.1, HighSteps: 3, LowSteps: 5}, 8, 0.9},
	}
	for _, tt := range tests {
		if got := tt.s.LR(tt.t); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("%#v.LR(%d) = %v, want %v", tt.s, tt.t, got, tt.want)
		}
	}
	parse := []struct {
		in   string
		want Schedule
	}{
		{"constant:0.5", Constant(0.5)},
		{"step:1,0.5,10", Step{1, 0.5, 10}},
		{"cosine:1,0,100", Cosine{1, 0, 100}},
		{"triangular:0.1,1,20", Triangular{0.1, 1, 20}},
		{"twophase:1,0.1,5,15", TwoPhase{1, 0.1, 5, 15}},
	}
	for _, tt := range parse {
		got, err := ParseSchedule(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSchedule(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "constant", "constant:x", "linear:1", "step:1,0.5", "constant:-1", "twophase:1,0.1,-5,2"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

// TestStepMatchesNaive checks each update against a loop implementation
// of the rule in the package doc, on the linear model, for every sampling
// scheme, with and without momentum and weight decay.
func TestStepMatchesNaive(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		wantGD   bool
		momentum bool
	}{
		{"gd", Config{Batch: 0, Schedule: Constant(0.05)}, true, false},
		{"gd-batch-n", Config{Batch: 40, Sampling: WithoutReplacement, Schedule: Constant(0.05)}, true, false},
		{"sgd-repl", Config{Batch: 4, Sampling: WithReplacement, Schedule: Constant(0.05), Seed: 3}, false, false},
		{"sgd-norepl-mom-wd", Config{Batch: 5, Sampling: WithoutReplacement, Schedule: Cosine{0.05, 0.01, 7}, Momentum: 0.9, WeightDecay: 1e-2, Seed: 4}, false, true},
		{"sgd-epochs-mom", Config{Batch: 7, Sampling: Epochs, Schedule: Triangular{0.01, 0.05, 6}, Momentum: 0.5, Seed: 5}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := linearObjective(40, 6, 1)
			o, err := New(obj, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := o.Method() == "GD"; got != tt.wantGD {
				t.Fatalf("Method %s", o.Method())
			}
			theta := slices.Clone(o.Params())
			vel := make([]float64, len(theta))
			all := make([]int, obj.N())
			for i := range all {
				all[i] = i
			}
			for s := 0; s < 30; s++ {
				lr := tt.cfg.Schedule.LR(s)
				o.Step()
				idx := all
				if !tt.wantGD {
					idx = o.Indices()
				}
				g := naiveLinearGrad(obj.X, obj.Y, idx, theta)
				for j := range theta {
					d := g[j] + tt.cfg.WeightDecay*theta[j]
					if tt.momentum {
						vel[j] = tt.cfg.Momentum*vel[j] + d
						d = vel[j]
					}
					theta[j] -= lr * d
				}
				for j, v := range o.Params() {
					// Rounding of a p-term gradient and the update: relative 1e-12.
					if math.Abs(v-theta[j]) > 1e-12*(1+math.Abs(theta[j])) {
						t.Fatalf("step %d param %d: %v, naive %v", s, j, v, theta[j])
					}
				}
				copy(theta, o.Params()) // keep the oracle on the same trajectory
			}
		})
	}
}

func TestSamplingLaws(t *testing.T) {
	const n, b = 12, 5
	obj := linearObjective(n, 3, 2)
	// Without replacement: distinct indices in every batch.
	o, _ := New(obj, Config{Batch: b, Sampling: WithoutReplacement, Schedule: Constant(0), Seed: 9})
	counts := make([]int, n)
	const steps = 6000
	for s := 0; s < steps; s++ {
		o.Step()
		seen := map[int]bool{}
		for _, i := range o.Indices() {
			if seen[i] {
				t.Fatalf("step %d: repeated index %d in %v", s, i, o.Indices())
			}
			seen[i] = true
			counts[i]++
		}
	}
	// Each index has inclusion probability B/n; the count is a sum of
	// Bernoullis: allow 5 standard deviations.
	mean, sd := steps*float64(b)/n, math.Sqrt(steps*float64(b)/n*(1-float64(b)/n))
	for i, c := range counts {
		if math.Abs(float64(c)-mean) > 5*sd {
			t.Errorf("no replacement: index %d drawn %d times, expect %.0f ± %.0f", i, c, mean, sd)
		}
	}
	// Epochs: the two complete batches of each epoch are disjoint (B=5,
	// n=12: 2 batches per epoch, 2 samples dropped).
	o, _ = New(obj, Config{Batch: b, Sampling: Epochs, Schedule: Constant(0), Seed: 9})
	for e := 0; e < 50; e++ {
		seen := map[int]bool{}
		for k := 0; k < 2; k++ {
			o.Step()
			for _, i := range o.Indices() {
				if seen[i] {
					t.Fatalf("epoch %d: index %d twice", e, i)
				}
				seen[i] = true
			}
		}
	}
	// With replacement: uniform counts.
	o, _ = New(obj, Config{Batch: b, Sampling: WithReplacement, Schedule: Constant(0), Seed: 9})
	clear(counts)
	for s := 0; s < steps; s++ {
		o.Step()
		for _, i := range o.Indices() {
			counts[i]++
		}
	}
	mean, sd = steps*float64(b)/n, math.Sqrt(steps*float64(b)*(1./n)*(1-1./n))
	for i, c := range counts {
		if math.Abs(float64(c)-mean) > 5*sd {
			t.Errorf("replacement: index %d drawn %d times, expect %.0f ± %.0f", i, c, mean, sd)
		}
	}
}

// trajectory trains the MLP and returns its final parameters.
func trajectory(t *testing.T, cfg Config, steps int) []float64 {
	return trajectoryOn(t, mlpObjective(64, 8, 16, 3), cfg, steps)
}

func trajectoryOn(t *testing.T, obj *models.Objective, cfg Config, steps int) []float64 {
	o, err := New(obj, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(o, RunConfig{Steps: steps}); err != nil {
		t.Fatal(err)
	}
	return slices.Clone(o.Params())
}

func TestDeterministicAcrossThreads(t *testing.T) {
	cfgs := []Config{
		{Batch: 8, Sampling: WithReplacement, Schedule: Constant(0.05), Momentum: 0.9, Seed: 11},
		{Batch: 16, Sampling: Epochs, Schedule: Cosine{0.1, 0.01, 30}, WeightDecay: 1e-3, Seed: 12},
		{Batch: 0, Schedule: Constant(0.1)},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	// Large enough for linalg's parallel Gemm (batch 256 × width 512).
	big := Config{Batch: 256, Sampling: WithoutReplacement, Schedule: Constant(0.01), Momentum: 0.5, Seed: 13}
	runtime.GOMAXPROCS(1)
	a := trajectoryOn(t, mlpObjective(512, 64, 512, 5), big, 3)
	runtime.GOMAXPROCS(2)
	b := trajectoryOn(t, mlpObjective(512, 64, 512, 5), big, 3)
	if !slices.Equal(a, b) {
		t.Fatal("large MLP: GOMAXPROCS 1 and 2 differ")
	}
	for _, cfg := range cfgs {
		runtime.GOMAXPROCS(1)
		a := trajectory(t, cfg, 60)
		runtime.GOMAXPROCS(2)
		b := trajectory(t, cfg, 60)
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("%+v: parameter %d differs between GOMAXPROCS 1 and 2: %v vs %v", cfg, i, a[i], b[i])
			}
		}
		// Another seed must change an SGD trajectory (the test can fail).
		if cfg.Batch > 0 {
			cfg.Seed++
			c := trajectory(t, cfg, 60)
			if slices.Equal(a, c) {
				t.Errorf("%+v: seed does not change the trajectory", cfg)
			}
		}
	}
}

var errKilled = errors.New("killed")

func TestCheckpointResume(t *testing.T) {
	cfgs := []Config{
		{Batch: 8, Sampling: Epochs, Schedule: TwoPhase{0.1, 0.01, 7, 13}, Momentum: 0.9, WeightDecay: 1e-3, Seed: 21},
		{Batch: 5, Sampling: WithoutReplacement, Schedule: Constant(0.05), Seed: 22},
		{Batch: 3, Sampling: WithReplacement, Schedule: Triangular{0.01, 0.1, 10}, Seed: 23},
	}
	for _, cfg := range cfgs {
		dir := t.TempDir()
		ck := filepath.Join(dir, "run.ckpt")
		const steps, every, killAt = 100, 30, 75
		want := trajectory(t, cfg, steps)

		obj := mlpObjective(64, 8, 16, 3)
		o, _ := New(obj, cfg)
		_, err := Run(o, RunConfig{Steps: steps, Checkpoint: ck, CheckpointEvery: every,
			OnStep: func(s int, _ float64) error {
				if s == killAt {
					return errKilled
				}
				return nil
			}})
		if !errors.Is(err, errKilled) {
			t.Fatalf("run: %v", err)
		}
		// A fresh process: new objective at a different init, then load.
		obj2 := mlpObjective(64, 8, 16, 3)
		for i := range obj2.Model.Params() {
			obj2.Model.Params()[i] = 0
		}
		o2, _ := New(obj2, cfg)
		if err := o2.LoadCheckpoint(ck); err != nil {
			t.Fatal(err)
		}
		if o2.StepCount() != 60 {
			t.Fatalf("checkpoint at step %d, want 60", o2.StepCount())
		}
		if _, err := Run(o2, RunConfig{Steps: steps, Checkpoint: ck}); err != nil {
			t.Fatal(err)
		}
		for i, v := range o2.Params() {
			if math.Float64bits(v) != math.Float64bits(want[i]) {
				t.Fatalf("%+v: resumed parameter %d = %v, unbroken %v", cfg, i, v, want[i])
			}
		}
		// The final checkpoint holds the final state.
		o3, _ := New(mlpObjective(64, 8, 16, 3), cfg)
		if err := o3.LoadCheckpoint(ck); err != nil || o3.StepCount() != steps || !slices.Equal(o3.Params(), want) {
			t.Fatalf("final checkpoint: step %d, err %v", o3.StepCount(), err)
		}
		// No temporary files are left behind.
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("directory holds %d entries", len(ents))
		}
	}
}

func TestCheckpointRejects(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "c")
	cfg := Config{Batch: 4, Sampling: Epochs, Schedule: Constant(0.01), Momentum: 0.5, Seed: 1}
	o, _ := New(linearObjective(20, 3, 1), cfg)
	o.Step()
	if err := o.SaveCheckpoint(ck); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(ck)
	cases := []struct {
		name string
		cfg  Config
		n, d int
		file []byte
	}{
		{"seed", Config{Batch: 4, Sampling: Epochs, Schedule: Constant(0.01), Momentum: 0.5, Seed: 2}, 20, 3, raw},
		{"momentum", Config{Batch: 4, Sampling: Epochs, Schedule: Constant(0.01), Seed: 1}, 20, 3, raw},
		{"shape", cfg, 20, 4, raw},
		{"truncated", cfg, 20, 3, raw[:len(raw)-9]},
		{"flipped", cfg, 20, 3, append(append([]byte{}, raw[:40]...), append([]byte{raw[40] ^ 1}, raw[41:]...)...)},
		{"garbage", cfg, 20, 3, []byte("hello")},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		os.WriteFile(path, c.file, 0o644)
		o2, _ := New(linearObjective(c.n, c.d, 1), c.cfg)
		if err := o2.LoadCheckpoint(path); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: err %v, want ErrCheckpoint", c.name, err)
		}
	}
}
