package bench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/noisegeom/noisegeom/linalg"
)

// SchemaVersion is the version of the JSON objects Result encodes to; it
// changes when a key changes meaning or disappears.
const SchemaVersion = 1

// Result is one measurement: a kernel at a size, on a kernel table, with a
// thread count. Its JSON form is the unit of cross-CPU comparison (see the
// package documentation for the schema).
type Result struct {
	Schema       int      `json:"schema"`
	Kernel       string   `json:"kernel"`
	Impl         string   `json:"impl"`
	N            int      `json:"n"`
	Threads      int      `json:"threads"`
	GFLOPS       float64  `json:"gflops"`        // FlopsPerOp / NsPerOp
	GBPS         float64  `json:"gbps"`          // BytesPerOp / NsPerOp
	PeakGFLOPS   float64  `json:"peak_gflops"`   // measured FMA peak of Impl for Threads
	PeakFraction float64  `json:"peak_fraction"` // GFLOPS / PeakGFLOPS
	NsPerOp      float64  `json:"ns_per_op"`     // best mean time of one call
	FlopsPerOp   float64  `json:"flops_per_op"`
	BytesPerOp   float64  `json:"bytes_per_op"`
	Fits         string   `json:"fits"` // L1, L2, L3 or mem: where the operands fit
	Iters        int      `json:"iters"`
	Samples      int      `json:"samples"`
	MinTimeNs    int64    `json:"min_time_ns"`
	Machine      *Machine `json:"machine"`
}

// Peak is a kernel table's measured single-core FMA peak.
type Peak struct {
	Impl   string  `json:"impl"`
	GFLOPS float64 `json:"gflops"`
}

// Skip records a measurement left out because it was predicted to exceed
// Config.MaxOpTime.
type Skip struct {
	Kernel        string
	Impl          string
	N, Threads    int
	PredictedNsOp float64
	MaxOpTime     time.Duration
}

func (s Skip) String() string {
	return fmt.Sprintf("skipped %s n=%d impl=%s threads=%d: predicted %v per call exceeds the limit of %v",
		s.Kernel, s.N, s.Impl, s.Threads, time.Duration(s.PredictedNsOp).Round(time.Millisecond), s.MaxOpTime)
}

// Report is the outcome of Run.
type Report struct {
	Machine *Machine
	Peaks   []Peak // one per table, in the order run
	Results []Result
	Skipped []Skip
}

// PeakFor returns the FMA peak of impl with threads goroutines: the
// measured single-core peak times the number of cores they can occupy,
// min(threads, NumCPU).
func (r *Report) PeakFor(impl string, threads int) float64 {
	for _, p := range r.Peaks {
		if p.Impl == impl {
			return p.GFLOPS * float64(min(threads, max(r.Machine.NumCPU, 1)))
		}
	}
	return 0
}

// GFLOPS converts a flop count and a time in nanoseconds to GFLOP/s (one
// flop per nanosecond is one GFLOP/s). Likewise bytes per ns are GB/s.
func GFLOPS(flops, ns float64) float64 {
	if ns <= 0 {
		return 0
	}
	return flops / ns
}

// Run runs the suite: for every kernel and size (operands allocated once
// per size) it times every table and thread count; each table's FMA peak
// is measured before and after, the better of the two counting. It switches tables with linalg.SetImplementation
// and thread counts with runtime.GOMAXPROCS and restores both before it
// returns. It must not run concurrently with other users of linalg.
func Run(cfg Config) (rep *Report, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ks, _ := SelectKernels(cfg.Kernels)
	impls := dedupe(cfg.Impls)
	threads := dedupe(cfg.Threads)

	rep = &Report{Machine: CurrentMachine()}
	origImpl := linalg.Implementation()
	origProcs := runtime.GOMAXPROCS(0)
	defer func() {
		runtime.GOMAXPROCS(origProcs)
		if e := linalg.SetImplementation(origImpl); e != nil && err == nil {
			err = fmt.Errorf("restoring kernel table %s: %w", origImpl, e)
		}
	}()

	// The peaks are measured before and after the kernels and the larger
	// counts: a transient load on the machine during one of the two would
	// otherwise understate the peak and overstate every fraction.
	measurePeaks := func() error {
		for i, impl := range impls {
			if err := linalg.SetImplementation(impl); err != nil {
				return err
			}
			runtime.GOMAXPROCS(origProcs)
			p := measurePeak(cfg.PeakTime, cfg.Repeats)
			if i == len(rep.Peaks) {
				rep.Peaks = append(rep.Peaks, Peak{impl, p})
			}
			rep.Peaks[i].GFLOPS = max(rep.Peaks[i].GFLOPS, p)
		}
		return nil
	}
	if err := measurePeaks(); err != nil {
		return nil, err
	}

	type plan struct {
		k     *Kernel
		sizes []int
	}
	var plans []plan
	total := 0
	for _, k := range ks {
		sizes := cfg.Sizes
		if len(sizes) == 0 {
			sizes = DefaultSizes(k, rep.Machine.Caches())
		}
		sizes = dedupe(sizes)
		slices.Sort(sizes)
		plans = append(plans, plan{k, sizes})
		total += len(sizes) * len(impls) * len(threads)
	}

	type key struct {
		kernel, impl string
		threads      int
	}
	type last struct {
		n  int
		ns float64
	}
	prev := map[key]last{}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6e6f697365))
	done := 0
	for _, p := range plans {
		for _, n := range p.sizes {
			// Decide what to run before allocating anything.
			type combo struct {
				impl    string
				threads int
			}
			var run []combo
			for _, impl := range impls {
				for _, t := range threads {
					if l, ok := prev[key{p.k.Name, impl, t}]; ok && cfg.MaxOpTime > 0 {
						pred := l.ns * p.k.Flops(n) / p.k.Flops(l.n)
						if pred > float64(cfg.MaxOpTime) {
							rep.Skipped = append(rep.Skipped, Skip{p.k.Name, impl, n, t, pred, cfg.MaxOpTime})
							done++
							continue
						}
					}
					run = append(run, combo{impl, t})
				}
			}
			if len(run) == 0 {
				continue
			}
			op := p.k.setup(n, rng)
			for _, c := range run {
				if err := linalg.SetImplementation(c.impl); err != nil {
					return nil, err
				}
				runtime.GOMAXPROCS(c.threads)
				if cfg.Progress != nil {
					cfg.Progress(done, total, fmt.Sprintf("%s n=%d impl=%s threads=%d", p.k.Name, n, c.impl, c.threads))
				}
				tm := measure(op, cfg.MinTime, cfg.Repeats)
				done++
				prev[key{p.k.Name, c.impl, c.threads}] = last{n, tm.NsPerOp}
				rep.Results = append(rep.Results, newResult(rep, p.k, n, c.impl, c.threads, tm, cfg.MinTime))
			}
		}
	}
	if err := measurePeaks(); err != nil {
		return nil, err
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		r.PeakGFLOPS = rep.PeakFor(r.Impl, r.Threads)
		r.PeakFraction = 0
		if r.PeakGFLOPS > 0 {
			r.PeakFraction = r.GFLOPS / r.PeakGFLOPS
		}
	}
	if cfg.Progress != nil {
		cfg.Progress(total, total, "")
	}
	return rep, nil
}

func newResult(rep *Report, k *Kernel, n int, impl string, threads int, tm Timing, minTime time.Duration) Result {
	r := Result{
		Schema:     SchemaVersion,
		Kernel:     k.Name,
		Impl:       impl,
		N:          n,
		Threads:    threads,
		NsPerOp:    tm.NsPerOp,
		FlopsPerOp: k.Flops(n),
		BytesPerOp: k.Bytes(n),
		PeakGFLOPS: rep.PeakFor(impl, threads),
		Fits:       Fits(k, n, rep.Machine.Caches()),
		Iters:      tm.Iters,
		Samples:    tm.Samples,
		MinTimeNs:  minTime.Nanoseconds(),
		Machine:    rep.Machine,
	}
	r.GFLOPS = GFLOPS(r.FlopsPerOp, r.NsPerOp)
	r.GBPS = GFLOPS(r.BytesPerOp, r.NsPerOp)
	if r.PeakGFLOPS > 0 {
		r.PeakFraction = r.GFLOPS / r.PeakGFLOPS
	}
	return r
}

// dedupe removes repeated values, keeping the first of each.
func dedupe[T comparable](xs []T) []T {
	seen := map[T]bool{}
	var out []T
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
