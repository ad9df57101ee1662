package bench

import (
	"testing"
	"time"
)

func TestNextIters(t *testing.T) {
	tests := []struct {
		prev    int
		per     float64
		minTime time.Duration
		want    int
	}{
		{1, 1e9, 20 * time.Millisecond, 1},        // one call already exceeds minTime
		{1, 1, 20 * time.Millisecond, 100},        // growth capped at 100×
		{1000, 100, time.Millisecond, 12000},      // 1.2 ms / 100 ns
		{1, 0, time.Millisecond, 100},             // a zero estimate does not divide by zero
		{5e8, 1e-3, time.Hour, int(maxIters)},     // capped
		{1, 15e6, 20 * time.Millisecond, 2},       // ceil(24/15)
		{10, 1e6, 10 * time.Millisecond, 12},      // 12 ms / 1 ms
		{3, 25e6, 20 * time.Millisecond, 1},       // shrinks to 1, never 0
		{1, 20e6 * 1.2, 20 * time.Millisecond, 1}, // exactly at the headroom
		{7, 1.2e6 / 7, time.Millisecond, 7},       // steady state keeps the count
		{1 << 20, 1, 10 * time.Millisecond, 12e6}, // 12 ms / 1 ns
		{1, 2.4e7 - 1, 20 * time.Millisecond, 2},  // just under: 2
		{1, 1e7, 20 * time.Millisecond, 3},        // ceil(2.4)
	}
	for _, tt := range tests {
		if got := nextIters(tt.prev, tt.per, tt.minTime); got != tt.want {
			t.Errorf("nextIters(%d, %v, %v) = %d, want %d", tt.prev, tt.per, tt.minTime, got, tt.want)
		}
	}
}

func TestMeasureFastOp(t *testing.T) {
	calls := 0
	op := func() { calls++ }
	const minTime = time.Millisecond
	tm := measure(op, minTime, 3)
	if tm.Samples != 3 {
		t.Errorf("Samples = %d, want 3", tm.Samples)
	}
	if tm.Iters < 2 {
		t.Errorf("Iters = %d for a trivial op, want many", tm.Iters)
	}
	if !(tm.NsPerOp > 0) || tm.NsPerOp*float64(tm.Iters) > 10*float64(minTime) {
		t.Errorf("NsPerOp = %v with Iters %d", tm.NsPerOp, tm.Iters)
	}
	if calls < 1+3*tm.Iters {
		t.Errorf("op called %d times, want at least warm-up + 3×%d", calls, tm.Iters)
	}
}

// TestMeasureSlowOp: an op slower than minTime is called once per sample,
// and sampling stops when the samples add up to repeats·minTime.
func TestMeasureSlowOp(t *testing.T) {
	calls := 0
	const sleep = 4 * time.Millisecond
	op := func() { calls++; time.Sleep(sleep) }
	tm := measure(op, time.Millisecond, 3) // budget 3 ms < one call
	if tm.Iters != 1 || tm.Samples != 1 || calls != 2 {
		t.Errorf("Iters %d, Samples %d, calls %d; want 1, 1, 2 (warm-up + one sample)", tm.Iters, tm.Samples, calls)
	}
	if tm.NsPerOp < float64(sleep) {
		t.Errorf("NsPerOp = %v, want ≥ %v", tm.NsPerOp, float64(sleep))
	}
}

func TestMeasurePeak(t *testing.T) {
	if p := measurePeak(2*time.Millisecond, 2); !(p > 0 && p < 1e5) {
		t.Errorf("measurePeak = %v GFLOP/s, want a positive, plausible value", p)
	}
}
