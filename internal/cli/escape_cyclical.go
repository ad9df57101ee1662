package cli

import (
	"flag"
	"fmt"
	"io"
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
stays. A diverging repeat fails the run (exit 1).
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
	if code, done := parseFlags(env, fs, cyclicalAbout, args); done {
		return code
	}
	out, err := cyclicalMain(env, &f)
	if err != nil {
		return problemError(env, "cyclical", err)
	}
	return writeOutput(env, "cyclical", f.prob.jsonOut, f.prob.out, out, func(w io.Writer) error { return writeCyclical(w, out) })
}

func cyclicalMain(env *Env, f *cyclicalFlags) (*cyclicalOutput, error) {
	switch {
	case f.prob.batch < 1 || f.repeats < 2 || f.cycles < 1 || f.highSteps < 0 || f.lowSteps < 0 || f.highSteps+f.lowSteps == 0 || f.workers < 0:
		return nil, alignUsagef("--batch ≥ 1, --repeats ≥ 2, --cycles ≥ 1, --high-steps, --low-steps ≥ 0 with a positive sum")
	case !(f.highFactor > 0) || !(f.lowFactor > 0) || !(f.radius > 0) || !(f.unbalance > 0):
		return nil, alignUsagef("--high-factor, --low-factor, --radius and --unbalance must be > 0")
	case f.trainSteps < 1 || !(f.trainTol > 0):
		return nil, alignUsagef("--train-steps must be ≥ 1 and --train-tol > 0")
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
	r, err := c.Run()
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

// writeCyclical prints one table per arm.
func writeCyclical(w io.Writer, o *cyclicalOutput) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cyclical: %v n=%v p=%v; GD 2/λmax = %.6g, SGD critical = %.6g; high %.6g, low %.6g (%.3g s)\n",
		o.Config["model"], o.Config["n"], o.Config["p"], o.GDThreshold, o.SGDCritical, o.High, o.Low, o.Seconds)
	for _, arm := range []struct {
		name string
		cs   []escape.CycleStats
	}{{"SGD cyclical", o.SGDCyclical}, {"SGD constant (low)", o.SGDConstant}, {"GD cyclical", o.GDCyclical}} {
		fmt.Fprintf(&b, "%s\n%6s %22s %22s %22s %22s\n", arm.name, "cycle", "lambda_max", "tr_g", "frob_g", "loss")
		for _, c := range arm.cs {
			st := func(s escape.Stat) string { return fmt.Sprintf("%.5g ± %.2g", s.Mean, s.StdErr) }
			fmt.Fprintf(&b, "%6d %22s %22s %22s %22s\n", c.Cycle, st(c.LambdaMax), st(c.TrG), st(c.FrobG), st(c.Loss))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
