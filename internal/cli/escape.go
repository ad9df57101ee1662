package cli

import (
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/noisegeom/noisegeom/escape"
	"github.com/noisegeom/noisegeom/models"
)

func init() {
	register(&Command{
		Name:    "escape",
		Summary: "GD against SGD from a sharp minimum: thresholds, escape profiles α_k, shares, escape times",
		Run:     runEscape,
	})
}

const escapeAbout = `Escape from a minimum θ* (docs/theory.md#escape-from-a-minimum).
θ* is constructed exactly:
--model linear: the minimum-norm interpolant X⁺y (interpolating when n ≤ d);
--model diagonal: the diagonal network u⊙v with effective weights X⁺y,
unbalanced by --unbalance c (u = c√|β|, v = sign(β)√|β|/c; c > 1 is sharper).
Other models (twolayer, mlp, randomfeatures) reach a minimum by GD from their
initialisation at half of 2/λ_max until the loss is at most --train-tol
(at most --train-steps steps; failure exits 1).
One output only (synthetic data, or fashion-mnist with --targets sign and two
--classes).

GD and SGD start from θ* + w₀ (w₀ of expected norm --radius, in the span of
the data or isotropic: --perturbation) and run --steps steps, each at
--lr-factor F times its own threshold (GD: 2/λ_max(G); SGD: the exact critical
rate of the second-moment recursion for --batch and --replacement), or both at
--lr. Along the eigenvectors u_k of G(θ*), D_k(t) = E[(u_kᵀw_t)²] is computed
exactly from the recursion of the linearisation, and, with --repeats R ≥ 2, by
R seeded Monte Carlo runs on the true model (--linearized: on the
linearisation) in parallel (--workers). Reported: α_k = D_k/Σ_j D_j at the
last step, the shares of the top-1, top-5 and beyond-10 directions, the loss
shares λ_k D_k/Σ λ_j D_j, the escape step (first recorded step with loss ≥
--escape-factor × L₀) and, for Monte Carlo, the largest |MC − exact|/SE
(above the critical rate (u_kᵀw_t)² grows heavy tails, so over long horizons
the sample mean and its SE understate D_k and this z is not a valid test; the
package tests check agreement over short horizons).
G(θ*) is decomposed densely (p×p) when p ≤ 2000 or p ≤ n, otherwise through
the n×n Gram matrix: then only its range directions are resolved and alpha
ends with one more entry, the mass outside the range (λ = 0).
Divergence is a result: a method diverges at the first step at which its
loss, a D_k or (Monte Carlo) a mean or standard error overflows float64; the
run stops there, reports "diverged at step k" (JSON: diverged_at in each
series, −1 when it did not) and takes its shares at the last recorded step
before it.
Flags are checked before any data are read, and a run whose estimated memory
exceeds --memory (default: the machine's available memory) is refused.
Exit codes: 0 success, 1 failure, 2 usage error.`

type escapeFlags struct {
	prob                                       alignFlags
	perturbation                               string
	lrFactor, lr, radius, unbalance, escFactor float64
	steps, every, repeats, workers             int
	linearized                                 bool
	trainSteps                                 int
	trainTol                                   float64
	// set holds the names of the flags given on the command line.
	set map[string]bool
}

// addEscapeMemoryFlag registers --memory (MB) of escape and cyclical.
func addEscapeMemoryFlag(fs *flag.FlagSet, f *escapeFlags) {
	fs.Float64Var(&f.prob.memoryMB, "memory", 0, "memory budget in MB (0: the machine's available memory); larger runs are refused")
}

// flagsSet returns the names of the flags given on the command line.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return set
}

func runEscape(env *Env, args []string) int {
	fs := flag.NewFlagSet("escape", flag.ContinueOnError)
	var f escapeFlags
	addProblemFlags(fs, &f.prob)
	fs.IntVar(&f.prob.batch, "batch", 1, "SGD minibatch size B")
	fs.BoolVar(&f.prob.replacement, "replacement", false, "SGD minibatches drawn with replacement")
	fs.Float64Var(&f.lrFactor, "lr-factor", 1.1, "each method runs at this multiple of its own threshold")
	fs.Float64Var(&f.lr, "lr", 0, "one absolute learning rate for both (overrides --lr-factor)")
	fs.IntVar(&f.steps, "steps", 200, "steps")
	fs.IntVar(&f.every, "every", 20, "record D_k every N steps")
	fs.IntVar(&f.repeats, "repeats", 100, "Monte Carlo repeats (0: exact recursion only)")
	fs.IntVar(&f.workers, "workers", 0, "parallel workers for the repeats (0: GOMAXPROCS)")
	fs.Float64Var(&f.radius, "radius", 1e-3, "expected norm of the perturbation w₀")
	fs.StringVar(&f.perturbation, "perturbation", "span", "law of w₀: span (of the data) or isotropic")
	fs.Float64Var(&f.unbalance, "unbalance", 1, "--model diagonal: scale c of the unbalanced minimum")
	fs.Float64Var(&f.escFactor, "escape-factor", 100, "escape when the loss reaches this multiple of L₀")
	fs.IntVar(&f.trainSteps, "train-steps", 100000, "models without a constructed minimum: at most this many GD steps")
	fs.Float64Var(&f.trainTol, "train-tol", 1e-18, "models without a constructed minimum: train until the loss is at most this")
	fs.BoolVar(&f.linearized, "linearized", false, "Monte Carlo on the linearised model instead of the true one")
	fs.BoolVar(&f.prob.jsonOut, "json", false, "print JSON")
	fs.StringVar(&f.prob.out, "out", "", "also write the JSON to this file")
	addEscapeMemoryFlag(fs, &f)
	if code, done := parseFlags(env, fs, escapeAbout, args); done {
		return code
	}
	f.set = flagsSet(fs)
	out, err := escapeMain(env, &f)
	if err != nil {
		return problemError(env, "escape", err)
	}
	return writeOutput(env, "escape", f.prob.jsonOut, f.prob.out, out, func(w io.Writer) error { return writeEscape(w, out) })
}

// escapeOutput is the JSON document of `noisegeom escape`.
type escapeOutput struct {
	Config map[string]any `json:"config"`
	*escape.CompareResult
	Residual float64 `json:"residual"`
	Seconds  float64 `json:"seconds"`
}

func escapeMain(env *Env, f *escapeFlags) (*escapeOutput, error) {
	law, err := escapeUsage(f)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	obj, res, minimum, trainSteps, err := escapeMinimum(f)
	if err != nil {
		return nil, err
	}
	pr := newProgress(env.Stderr)
	if pr != nil {
		pr.update(0, 1, "exact recursion and Monte Carlo")
	}
	c := &escape.Compare{Objective: obj, Batch: f.prob.batch, Replacement: f.prob.replacement, LRFactor: f.lrFactor,
		LR: f.lr, Law: law, Radius: f.radius, Steps: f.steps, Every: f.every, Repeats: f.repeats, Workers: f.workers,
		Linearized: f.linearized, Seed: f.prob.seed, EscapeFactor: f.escFactor}
	cr, err := c.Run(env.Context())
	if pr != nil {
		pr.update(1, 1, "")
	}
	if err != nil {
		return nil, err
	}
	out := &escapeOutput{CompareResult: cr, Residual: res, Seconds: time.Since(start).Seconds(),
		Config: map[string]any{"model": f.prob.model, "data": f.prob.data, "n": obj.N(), "p": obj.NumParams(),
			"batch": f.prob.batch, "replacement": f.prob.replacement, "lr_factor": f.lrFactor, "lr": f.lr,
			"radius": f.radius, "perturbation": law.String(), "steps": f.steps, "every": f.every,
			"repeats": f.repeats, "seed": f.prob.seed, "linearized": f.linearized, "unbalance": f.unbalance,
			"minimum": minimum, "train_steps": trainSteps}}
	if f.prob.data == "synthetic" {
		out.Config["d"], out.Config["spectrum"], out.Config["noise"] = f.prob.d, f.prob.spectrum, f.prob.noise
	}
	return out, nil
}

// escapeUsage checks every flag of escape, and their combinations, before
// any I/O, and the memory the run would need; it returns the perturbation
// law.
func escapeUsage(f *escapeFlags) (escape.Perturbation, error) {
	lrSet := f.set["lr"]
	switch {
	case f.prob.batch < 1:
		return 0, alignUsagef("--batch must be ≥ 1, got %d", f.prob.batch)
	case f.steps < 1:
		return 0, alignUsagef("--steps must be ≥ 1, got %d", f.steps)
	case f.every < 0:
		return 0, alignUsagef("--every must be ≥ 0, got %d", f.every)
	case f.repeats < 0 || f.repeats == 1:
		return 0, alignUsagef("--repeats must be 0 (exact recursion only) or ≥ 2, got %d", f.repeats)
	case f.workers < 0:
		return 0, alignUsagef("--workers must be ≥ 0, got %d", f.workers)
	case lrSet && !positive(f.lr):
		return 0, alignUsagef("--lr must be a finite learning rate > 0, got %g", f.lr)
	case !positive(f.lrFactor):
		return 0, alignUsagef("--lr-factor must be finite and > 0, got %g", f.lrFactor)
	case !positive(f.escFactor):
		return 0, alignUsagef("--escape-factor must be finite and > 0, got %g", f.escFactor)
	}
	law, err := escape.ParsePerturbation(f.perturbation)
	if err != nil {
		return 0, alignUsagef("--perturbation: %v", err)
	}
	if err := escapeProblemUsage(f); err != nil {
		return 0, err
	}
	return law, escapeMemory(f)
}

// positive reports whether v is finite and > 0.
func positive(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

// escapeProblemUsage checks, before any I/O, the flags escape and
// cyclical share: the problem (one output), the minimum and the
// perturbation radius.
func escapeProblemUsage(f *escapeFlags) error {
	p := &f.prob
	spec, err := checkProblem(p)
	if err != nil {
		return err
	}
	switch {
	case spec.outputs != 1:
		return alignUsagef("one output needed; use --targets sign with two --classes (got --targets %s --classes %q)", p.targets, p.classes)
	case !p.replacement && p.batch > spec.n:
		return alignUsagef("--batch %d exceeds n = %d without replacement", p.batch, spec.n)
	case !positive(f.radius):
		return alignUsagef("--radius must be finite and > 0, got %g", f.radius)
	case !positive(f.unbalance):
		return alignUsagef("--unbalance must be finite and > 0, got %g", f.unbalance)
	case f.trainSteps < 1:
		return alignUsagef("--train-steps must be ≥ 1, got %d", f.trainSteps)
	case !positive(f.trainTol):
		return alignUsagef("--train-tol must be finite and > 0, got %g", f.trainTol)
	}
	return nil
}

// escapeSize holds upper bounds, from the flags alone, on the sizes that
// drive the memory of escape and cyclical: samples, inputs, parameters,
// the rank of G and the workers running at once.
type escapeSize struct{ n, d, p, r, workers float64 }

const w8 = 8 // bytes per float64

func newEscapeSize(f *escapeFlags) escapeSize {
	n, d, _, p := problemSize(&f.prob)
	workers := float64(f.workers)
	if workers == 0 {
		workers = float64(runtime.GOMAXPROCS(0))
	}
	return escapeSize{n: n, d: d, p: p, r: math.Min(n, p), workers: math.Min(workers, math.Max(float64(f.repeats), 1))}
}

// problemParts estimates the data and G(θ*) with its eigenvectors (dense
// p×p, or through the n×n Gram matrix; see escape.NewQuadratic) and the
// exact recursion and critical rate on the range (r×r).
func (z escapeSize) problemParts(f *escapeFlags) []memPart {
	n, d, p, r := z.n, z.d, z.p, z.r
	decomp := 4 * p * p
	if p > float64(escape.DenseMaxP) && p > n {
		decomp = 2*n*n + p*r
	}
	return []memPart{
		{fmt.Sprintf("the data and their covariance (--n %d, %g inputs)", f.prob.n, d), w8 * (2*n*(d+1) + 2*d*d)},
		{"G(θ*) and its eigenvectors (--n, --d, --width)", w8 * (n*p + decomp + 2*n*r + 12*r*r)},
	}
}

// checkEscapeMemory refuses (usage error) a run whose parts add up to more
// than the budget of --memory, then parses the spectrum (it holds --d
// values, so only after the check).
func checkEscapeMemory(f *escapeFlags, parts []memPart) error {
	budget, err := memoryBudget(f.prob.memoryMB)
	if err != nil {
		return err
	}
	if err := budget.check(parts...); err != nil {
		return err
	}
	return checkSpectrum(&f.prob)
}

// escapeMemory checks the memory of escape: the problem, the recorded
// series and the Monte Carlo trajectories.
func escapeMemory(f *escapeFlags) error {
	z := newEscapeSize(f)
	records := 2.0
	if f.every > 0 {
		records += float64(f.steps / f.every)
	}
	width := math.Min(z.p, z.r+1) + 1 // D_k (and the remainder) and the loss
	parts := append(z.problemParts(f), memPart{fmt.Sprintf("the recorded series (--steps %d / --every %d)", f.steps, f.every),
		4 * w8 * records * width})
	if f.repeats >= 2 {
		parts = append(parts,
			memPart{fmt.Sprintf("the Monte Carlo trajectories (--repeats %d × %g recorded steps × %g values)", f.repeats, records, width),
				float64(f.repeats) * records * (w8*width + 24)},
			memPart{"the workers' model copies (--workers)", z.workers * w8 * 8 * z.p})
	}
	return checkEscapeMemory(f, parts)
}

// writeEscape prints the comparison for people.
func writeEscape(w io.Writer, o *escapeOutput) error {
	var b strings.Builder
	fmt.Fprintf(&b, "escape: %v n=%v p=%v rank %d, residual of θ* %.3g, L₀ %.4g (%.3g s)\n",
		o.Config["model"], o.Config["n"], o.Config["p"], o.Rank, o.Residual, o.Loss0, o.Seconds)
	k := min(5, len(o.Lambda))
	fmt.Fprintf(&b, "λ(G) top %d: %.4g\n", k, o.Lambda[:k])
	fmt.Fprintf(&b, "%-4s %12s %12s %10s %10s %10s %10s %8s %8s\n", "", "threshold", "lr", "top1", "top5", "beyond10",
		"loss_top1", "escape", "mc_z")
	for _, a := range []escape.Arm{o.GD, o.SGD} {
		fmt.Fprintf(&b, "%-4s %12.6g %12.6g %10.4f %10.4f %10.4f %10.4f %8d %8.3g\n", a.Method, a.Threshold, a.LR,
			a.ShareTop1, a.ShareTop5, a.ShareBeyond10, a.LossShareTop1, a.EscapeStep, a.MaxZ)
		if a.MCProfile != nil {
			fmt.Fprintf(&b, "  MC %36s %10.4f %10.4f %10.4f %10.4f\n", "", a.MCProfile.ShareTop1, a.MCProfile.ShareTop5,
				a.MCProfile.ShareBeyond10, a.MCProfile.LossShareTop1)
		}
	}
	for _, a := range []escape.Arm{o.GD, o.SGD} {
		writeDiverged(&b, a.Method+" exact recursion", a.Exact)
		writeDiverged(&b, a.Method+" Monte Carlo", a.MC)
	}
	b.WriteString("shares: α_k = D_k/Σ D_j at the last recorded step (exact recursion; MC row: Monte Carlo mean)\n")
	b.WriteString("mc_z: largest |MC − exact|/SE over directions and recorded steps. Above a critical rate the\n" +
		"  Monte Carlo D_k are heavy-tailed and the SE understates their spread: a large mc_z over a long\n" +
		"  horizon is not by itself evidence against the recursion (compare over the first tens of steps).\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeDiverged says where a series diverged, if it did, and at which
// step its shares are taken.
func writeDiverged(b *strings.Builder, what string, s *escape.Series) {
	if s == nil || s.DivergedAt == escape.NotDiverged {
		return
	}
	fmt.Fprintf(b, "%s: diverged at step %d (a loss, second moment or standard error overflowed float64)", what, s.DivergedAt)
	if n := len(s.Steps); n > 0 {
		fmt.Fprintf(b, "; shares at step %d, the last recorded before it\n", s.Steps[n-1])
	} else {
		b.WriteString("; nothing recorded\n")
	}
}

// escapeMinimum builds the problem of the shared flags and puts the model
// at a minimum: constructed (linear, diagonal) or trained by GD. It
// returns the objective, the residual norm, "exact" or "trained" and the
// GD steps taken.
func escapeMinimum(f *escapeFlags) (*models.Objective, float64, string, int, error) {
	pb, err := startProblem(&f.prob, "init")
	if err != nil {
		return nil, 0, "", 0, err
	}
	if pb.outputs != 1 {
		return nil, 0, "", 0, alignUsagef("one output needed; use --targets sign with two --classes")
	}
	if !f.prob.replacement && f.prob.batch > pb.x.Rows {
		return nil, 0, "", 0, alignUsagef("--batch %d exceeds n = %d without replacement", f.prob.batch, pb.x.Rows)
	}
	var res float64
	minimum, trainSteps := "exact", 0
	obj := models.NewObjective(pb.model, models.Square{}, pb.x, pb.y)
	switch f.prob.model {
	case "diagonal":
		res, err = escape.DiagonalMinimum(pb.model.(*models.DiagonalLinear), pb.x, pb.y, f.unbalance)
	default:
		if f.prob.model != "linear" {
			minimum = "trained"
			var loss float64
			loss, trainSteps, err = escape.TrainToMinimum(obj, 0.5, f.trainSteps, f.trainTol)
			res = math.Sqrt(2 * loss * float64(obj.N()))
			break
		}
		var th []float64
		th, res, err = escape.MinNormInterpolant(pb.x, pb.y)
		if err == nil {
			copy(pb.model.Params(), th)
		}
	}
	return obj, res, minimum, trainSteps, err
}
