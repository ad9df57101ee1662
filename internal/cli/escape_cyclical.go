package cli

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/noisegeom/noisegeom/escape"
	"github.com/noisegeom/noisegeom/optim"
)

func init() {
	register(&Command{
		Name:    "cyclical",
		Summary: "cyclical against constant learning rates from a sharp minimum: sharpness and loss per cycle",
		Run:     runCyclical,
	})
}

const cyclicalAbout = `Cyclical learning rates (docs/theory.md#cyclical-learning-rates).
From a minimum θ* built as by 'noisegeom escape' (default: a diagonal linear
network at an unbalanced minimum, --unbalance 3),
three arms run from the same seeded perturbations (--radius, isotropic):
SGD with the two-phase cyclical rate (--high-factor × SGD's exact critical
rate for --high-steps steps, then --low-factor × that rate for --low-steps),
SGD at the constant low rate, and GD with the same cyclical rate. At the end
of every cycle: λ_max(G), Tr G, ‖G‖_F and the loss on the full data, as means
over --repeats seeded repeats with standard errors. A high factor between 1
and GD's threshold over SGD's rate makes SGD leave the sharp minimum while GD
stays. Divergence is a result: an arm diverges at the first step at which a
repeat's loss or measurement, or a mean or standard error at a cycle's end,
overflows float64; its table stops at the last cycle before it and the run
says "diverged at step k" (JSON: diverged_at, per arm, −1 when it did not).
Flags are checked before any data are read, and a run whose estimated memory
exceeds --memory (default: the machine's available memory) is refused.
Exit codes: 0 success, 1 failure, 2 usage error.`

type cyclicalFlags struct {
	escapeFlags
	highFactor, lowFactor       float64
	highSteps, lowSteps, cycles int
}

// cyclicalOutput is the JSON document of `noisegeom cyclical`.
type cyclicalOutput struct {
	Config      map[string]any `json:"config"`
	GDThreshold float64        `json:"gd_threshold"`
	SGDCritical float64        `json:"sgd_critical"`
	High, Low   float64        `json:"-"`
	*escape.CyclicalResult
	Seconds float64 `json:"seconds"`
}

func runCyclical(env *Env, args []string) int {
	fs := flag.NewFlagSet("cyclical", flag.ContinueOnError)
	var f cyclicalFlags
	addProblemFlags(fs, &f.prob)
	fs.Lookup("model").DefValue, f.prob.model = "diagonal", "diagonal"
	fs.Lookup("n").DefValue, f.prob.n = "20", 20
	fs.Lookup("d").DefValue, f.prob.d = "30", 30
	fs.IntVar(&f.prob.batch, "batch", 2, "SGD minibatch size B")
	fs.BoolVar(&f.prob.replacement, "replacement", true, "SGD minibatches drawn with replacement")
	fs.Float64Var(&f.highFactor, "high-factor", 1.5, "high phase: this multiple of SGD's exact critical rate")
	fs.Float64Var(&f.lowFactor, "low-factor", 0.1, "low phase and the constant arm: this multiple of SGD's critical rate")
	fs.IntVar(&f.highSteps, "high-steps", 100, "steps of the high phase")
	fs.IntVar(&f.lowSteps, "low-steps", 300, "steps of the low phase")
	fs.IntVar(&f.cycles, "cycles", 3, "cycles")
	fs.IntVar(&f.repeats, "repeats", 8, "seeded repeats (≥ 2)")
	fs.IntVar(&f.workers, "workers", 0, "parallel workers (0: GOMAXPROCS)")
	fs.Float64Var(&f.radius, "radius", 0.1, "norm of the start perturbation")
	fs.Float64Var(&f.unbalance, "unbalance", 3, "--model diagonal: scale c of the unbalanced minimum")
	fs.IntVar(&f.trainSteps, "train-steps", 100000, "models without a constructed minimum: at most this many GD steps")
	fs.Float64Var(&f.trainTol, "train-tol", 1e-18, "models without a constructed minimum: train until the loss is at most this")
	fs.BoolVar(&f.prob.jsonOut, "json", false, "print JSON")
	fs.StringVar(&f.prob.out, "out", "", "also write the JSON to this file")
	addEscapeMemoryFlag(fs, &f.escapeFlags)
	if code, done := parseFlags(env, fs, cyclicalAbout, args); done {
		return code
	}
	f.set = flagsSet(fs)
	out, err := cyclicalMain(env, &f)
	if err != nil {
		return problemError(env, "cyclical", err)
	}
	return writeOutput(env, "cyclical", f.prob.jsonOut, f.prob.out, out, func(w io.Writer) error { return writeCyclical(w, out) })
}

func cyclicalMain(env *Env, f *cyclicalFlags) (*cyclicalOutput, error) {
	if err := cyclicalUsage(f); err != nil {
		return nil, err
	}
	start := time.Now()
	obj, res, minimum, _, err := escapeMinimum(&f.escapeFlags)
	if err != nil {
		return nil, err
	}
	jac, err := escape.JacobianFeatures(obj)
	if err != nil {
		return nil, err
	}
	q, err := escape.NewQuadratic(jac)
	if err != nil {
		return nil, err
	}
	cr, err := q.SGDCritical(f.prob.batch, f.prob.replacement)
	if err != nil {
		return nil, err
	}
	sampling := optim.WithoutReplacement
	if f.prob.replacement {
		sampling = optim.WithReplacement
	}
	pr := newProgress(env.Stderr)
	if pr != nil {
		pr.update(0, 1, "three arms over the repeats")
	}
	c := &escape.Cyclical{Objective: obj, High: f.highFactor * cr.SGD, Low: f.lowFactor * cr.SGD,
		HighSteps: f.highSteps, LowSteps: f.lowSteps, Cycles: f.cycles, Batch: f.prob.batch, Sampling: sampling,
		Radius: f.radius, Repeats: f.repeats, Workers: f.workers, Seed: f.prob.seed}
	r, err := c.Run(env.Context())
	if pr != nil {
		pr.update(1, 1, "")
	}
	if err != nil {
		return nil, err
	}
	return &cyclicalOutput{GDThreshold: cr.GD, SGDCritical: cr.SGD, High: c.High, Low: c.Low, CyclicalResult: r,
		Seconds: time.Since(start).Seconds(), Config: map[string]any{
			"model": f.prob.model, "data": f.prob.data, "n": obj.N(), "p": obj.NumParams(), "batch": f.prob.batch,
			"replacement": f.prob.replacement, "high": c.High, "low": c.Low, "high_steps": f.highSteps,
			"low_steps": f.lowSteps, "cycles": f.cycles, "repeats": f.repeats, "radius": f.radius, "seed": f.prob.seed,
			"minimum": minimum, "residual": res, "unbalance": f.unbalance}}, nil
}

// cyclicalUsage checks every flag of cyclical, and their combinations,
// before any I/O, and the memory the run would need.
func cyclicalUsage(f *cyclicalFlags) error {
	switch {
	case f.prob.batch < 1:
		return alignUsagef("--batch must be ≥ 1, got %d", f.prob.batch)
	case f.repeats < 2:
		return alignUsagef("--repeats must be ≥ 2, got %d", f.repeats)
	case f.workers < 0:
		return alignUsagef("--workers must be ≥ 0, got %d", f.workers)
	case f.cycles < 1:
		return alignUsagef("--cycles must be ≥ 1, got %d", f.cycles)
	case f.highSteps < 0 || f.lowSteps < 0 || f.highSteps+f.lowSteps == 0:
		return alignUsagef("--high-steps and --low-steps must be ≥ 0 with a positive sum, got %d and %d", f.highSteps, f.lowSteps)
	case float64(f.cycles)*(float64(f.highSteps)+float64(f.lowSteps)) > math.MaxInt32:
		return alignUsagef("--cycles × (--high-steps + --low-steps) = %g steps: at most %d", float64(f.cycles)*(float64(f.highSteps)+float64(f.lowSteps)), math.MaxInt32)
	case !positive(f.highFactor):
		return alignUsagef("--high-factor must be finite and > 0, got %g", f.highFactor)
	case !positive(f.lowFactor):
		return alignUsagef("--low-factor must be finite and > 0, got %g", f.lowFactor)
	}
	if err := escapeProblemUsage(&f.escapeFlags); err != nil {
		return err
	}
	z := newEscapeSize(&f.escapeFlags)
	parts := append(z.problemParts(&f.escapeFlags),
		memPart{fmt.Sprintf("the measurements (--repeats %d × --cycles %d)", f.repeats, f.cycles),
			3 * float64(f.repeats) * (w8*4*(float64(f.cycles)+1) + 24)},
		memPart{"the workers' analyses of G (--workers)", z.workers * w8 * (z.n*z.p + 2*z.r*z.r + 8*z.p)})
	return checkEscapeMemory(&f.escapeFlags, parts)
}

// writeCyclical prints one table per arm.
func writeCyclical(w io.Writer, o *cyclicalOutput) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cyclical: %v n=%v p=%v; GD 2/λmax = %.6g, SGD critical = %.6g; high %.6g, low %.6g (%.3g s)\n",
		o.Config["model"], o.Config["n"], o.Config["p"], o.GDThreshold, o.SGDCritical, o.High, o.Low, o.Seconds)
	for _, arm := range []struct {
		name, key string
		cs        []escape.CycleStats
	}{{"SGD cyclical", "sgd_cyclical", o.SGDCyclical}, {"SGD constant (low)", "sgd_constant", o.SGDConstant},
		{"GD cyclical", "gd_cyclical", o.GDCyclical}} {
		fmt.Fprintf(&b, "%s", arm.name)
		if at := o.DivergedAt[arm.key]; at != escape.NotDiverged {
			fmt.Fprintf(&b, ": diverged at step %d (a loss, measurement or standard error overflowed float64)", at)
		}
		fmt.Fprintf(&b, "\n%6s %22s %22s %22s %22s\n", "cycle", "lambda_max", "tr_g", "frob_g", "loss")
		for _, c := range arm.cs {
			st := func(s escape.Stat) string { return fmt.Sprintf("%.5g ± %.2g", s.Mean, s.StdErr) }
			fmt.Fprintf(&b, "%6d %22s %22s %22s %22s\n", c.Cycle, st(c.LambdaMax), st(c.TrG), st(c.FrobG), st(c.Loss))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
