package bench

import (
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/noisegeom/noisegeom/linalg"
)

// tinyConfig is a run that finishes in well under a second, even under
// qemu or the race detector.
func tinyConfig(kernels ...string) Config {
	return Config{
		Kernels:  kernels,
		Sizes:    []int{9, 33},
		Threads:  []int{1, 2},
		MinTime:  time.Millisecond,
		Repeats:  2,
		PeakTime: 2 * time.Millisecond,
	}
}

func finitePositive(x float64) bool { return x > 0 && !math.IsInf(x, 0) && !math.IsNaN(x) }

func TestTinyRun(t *testing.T) {
	cfg := tinyConfig("all")
	procs := runtime.GOMAXPROCS(0)
	impl := linalg.Implementation()
	calls := 0
	cfg.Progress = func(done, total int, label string) {
		calls++
		if done > total || total != len(Kernels())*2*len(linalg.Implementations())*2 {
			t.Errorf("progress %d/%d %q", done, total, label)
		}
	}
	rep, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOMAXPROCS(0) != procs || linalg.Implementation() != impl {
		t.Errorf("Run left GOMAXPROCS %d, table %s; want %d, %s restored",
			runtime.GOMAXPROCS(0), linalg.Implementation(), procs, impl)
	}
	want := len(Kernels()) * 2 * len(linalg.Implementations()) * 2
	if len(rep.Results) != want || len(rep.Skipped) != 0 || calls != want+1 {
		t.Fatalf("%d results, %d skipped, %d progress calls; want %d, 0, %d",
			len(rep.Results), len(rep.Skipped), calls, want, want+1)
	}
	if got := len(rep.Peaks); got != len(linalg.Implementations()) {
		t.Errorf("%d peaks, want one per table", got)
	}
	for _, p := range rep.Peaks {
		if !finitePositive(p.GFLOPS) {
			t.Errorf("peak %+v", p)
		}
	}
	for _, r := range rep.Results {
		k, _ := LookupKernel(r.Kernel)
		ok := r.Schema == SchemaVersion && r.Machine == rep.Machine &&
			slices.Contains(linalg.Implementations(), r.Impl) &&
			(r.N == 9 || r.N == 33) && (r.Threads == 1 || r.Threads == 2) &&
			finitePositive(r.NsPerOp) && finitePositive(r.GFLOPS) && finitePositive(r.GBPS) &&
			finitePositive(r.PeakGFLOPS) && finitePositive(r.PeakFraction) &&
			r.GFLOPS < 1e5 && r.GBPS < 1e5 && r.Iters >= 1 && r.Samples >= 1 &&
			r.FlopsPerOp == k.Flops(r.N) && r.BytesPerOp == k.Bytes(r.N) &&
			math.Abs(r.GFLOPS-r.FlopsPerOp/r.NsPerOp) <= 1e-12*r.GFLOPS &&
			math.Abs(r.PeakFraction-r.GFLOPS/r.PeakGFLOPS) <= 1e-12*r.PeakFraction &&
			r.MinTimeNs == 1e6
		if !ok {
			t.Errorf("implausible result %+v", r)
		}
	}
}

// TestRunRestoresTable: a table set before Run is the one active after it.
func TestRunRestoresTable(t *testing.T) {
	orig := linalg.Implementation()
	defer linalg.SetImplementation(orig)
	if err := linalg.SetImplementation("generic"); err != nil {
		t.Fatal(err)
	}
	cfg := tinyConfig("dot")
	cfg.Threads = []int{1}
	if _, err := Run(cfg); err != nil {
		t.Fatal(err)
	}
	if got := linalg.Implementation(); got != "generic" {
		t.Errorf("after Run the table is %s, want generic", got)
	}
}

// TestRunSkipsSlowSizes: with a limit every call exceeds, only the first
// size of each kernel runs; the rest are skipped with their prediction.
func TestRunSkipsSlowSizes(t *testing.T) {
	cfg := tinyConfig("gemm", "dot")
	cfg.Sizes = []int{64, 8, 8} // sorted and deduplicated by Run
	cfg.Impls = []string{"generic"}
	cfg.Threads = []int{1}
	cfg.MaxOpTime = time.Nanosecond
	rep, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || rep.Results[0].N != 8 || rep.Results[1].N != 8 {
		t.Fatalf("results %+v, want dot and gemm at n=8 only", rep.Results)
	}
	if len(rep.Skipped) != 2 {
		t.Fatalf("skipped %+v, want dot and gemm at n=64", rep.Skipped)
	}
	for i, s := range rep.Skipped {
		r := rep.Results[i]
		k, _ := LookupKernel(s.Kernel)
		want := r.NsPerOp * k.Flops(64) / k.Flops(8)
		if s.N != 64 || s.Kernel != r.Kernel || math.Abs(s.PredictedNsOp-want) > 1e-9*want {
			t.Errorf("skip %+v, want %s n=64 predicted %v ns", s, r.Kernel, want)
		}
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	if _, err := Run(Config{Threads: []int{0}}); err == nil {
		t.Error("Run accepted threads 0")
	}
}

// TestResultFormula checks GFLOP/s, GB/s and the peak fraction against
// hand computations.
func TestResultFormula(t *testing.T) {
	rep := &Report{Machine: &Machine{NumCPU: 2}, Peaks: []Peak{{"generic", 8}}}
	gemm, _ := LookupKernel("gemm")
	tests := []struct {
		threads                int
		gflops, gbps, fraction float64
	}{
		// 2·100³ = 2e6 flops in 5e5 ns: 4 GFLOP/s; 8·3·100² = 240000 bytes: 0.48 GB/s.
		{1, 4, 0.48, 0.5},   // peak 8
		{2, 4, 0.48, 0.25},  // peak 16
		{16, 4, 0.48, 0.25}, // 2 CPUs: peak still 16
	}
	for _, tt := range tests {
		r := newResult(rep, gemm, 100, "generic", tt.threads, Timing{NsPerOp: 5e5, Iters: 1, Samples: 1}, time.Millisecond)
		if r.GFLOPS != tt.gflops || math.Abs(r.GBPS-tt.gbps) > 1e-15 || r.PeakFraction != tt.fraction {
			t.Errorf("threads %d: gflops %v gbps %v fraction %v; want %v %v %v",
				tt.threads, r.GFLOPS, r.GBPS, r.PeakFraction, tt.gflops, tt.gbps, tt.fraction)
		}
	}
	if got := GFLOPS(2e9, 1e9); got != 2 {
		t.Errorf("GFLOPS(2e9 flops, 1 s) = %v, want 2", got)
	}
	if got := GFLOPS(1, 0); got != 0 {
		t.Errorf("GFLOPS(1, 0) = %v, want 0", got)
	}
	if got := rep.PeakFor("avx9", 1); got != 0 {
		t.Errorf("PeakFor(unknown) = %v, want 0", got)
	}
}
