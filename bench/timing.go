package bench

import (
	"math"
	"runtime"
	"time"

	"github.com/noisegeom/noisegeom/linalg"
)

// Timing is the outcome of timing one operation.
type Timing struct {
	NsPerOp float64 // best (smallest) mean time per operation over the samples
	Iters   int     // operations per sample
	Samples int     // samples taken after the warm-up
}

// timeLoop runs op iters times and returns the elapsed wall time.
func timeLoop(op func(), iters int) time.Duration {
	start := time.Now()
	for i := 0; i < iters; i++ {
		op()
	}
	return time.Since(start)
}

// measure times op: one untimed warm-up call (caches, page faults, pooled
// buffers), then it grows the iteration count until one run of iters calls
// lasts at least minTime, and keeps repeats such runs, reporting the best
// mean. Runs shorter than minTime only calibrate. When a single call
// already exceeds minTime (iters = 1), sampling also stops once the samples
// add up to repeats·minTime, so that a slow operation is timed once or
// twice rather than repeats times.
func measure(op func(), minTime time.Duration, repeats int) Timing {
	runtime.GC()
	warm := timeLoop(op, 1)
	budget := time.Duration(repeats) * minTime
	iters := nextIters(1, float64(warm), minTime)
	var (
		best    float64
		samples int
		total   time.Duration
	)
	for samples < repeats {
		d := timeLoop(op, iters)
		per := float64(d) / float64(iters)
		if samples == 0 && d < minTime && iters < maxIters {
			// Calibration run: too short to count.
			iters = max(nextIters(iters, per, minTime), iters+1)
			continue
		}
		if samples == 0 || per < best {
			best = per
		}
		samples++
		total += d
		if iters == 1 && total >= budget {
			break
		}
	}
	return Timing{NsPerOp: max(best, 1e-3), Iters: iters, Samples: samples}
}

// nextIters predicts how many calls of per ns each last minTime with 20%
// headroom, growing by at most 100× over the previous count (the estimate
// from a single short call is unreliable), and at least 1.
func nextIters(prev int, per float64, minTime time.Duration) int {
	n := math.Ceil(1.2 * float64(minTime) / max(per, 1e-3))
	n = min(n, 100*float64(prev), maxIters)
	return max(int(n), 1)
}

// maxIters bounds the calls per sample, so that a no-op cannot loop forever.
const maxIters = 1e9

// peakIters is the FMALoop iteration count of the first calibration run.
const peakIters = 1 << 10

// measurePeak returns the active table's single-core FMA peak in GFLOP/s:
// linalg.FMALoop timed over at least minTime, best of repeats runs.
func measurePeak(minTime time.Duration, repeats int) float64 {
	iters := peakIters
	best := 0.0
	for samples := 0; samples < repeats; {
		start := time.Now()
		flops := linalg.FMALoop(iters)
		d := time.Since(start)
		if d < minTime && iters < maxIters {
			per := float64(d) / float64(iters)
			iters = max(nextIters(iters, per, minTime), iters+1)
			continue
		}
		samples++
		best = max(best, float64(flops)/float64(d.Nanoseconds()))
	}
	return best
}
