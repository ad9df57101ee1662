package cli

import (
	"flag"
	"fmt"
	"io"
	"math"
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
Exit codes: 0 success, 1 failure, 2 usage error.`

type escapeFlags struct {
	prob                                       alignFlags
	perturbation                               string
	lrFactor, lr, radius, unbalance, escFactor float64
	steps, every, repeats, workers             int
	linearized                                 bool
	trainSteps                                 int
	trainTol                                   float64
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
	if code, done := parseFlags(env, fs, escapeAbout, args); done {
		return code
	}
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
	switch {
	case f.prob.batch < 1:
		return nil, alignUsagef("--batch must be ≥ 1")
	case f.steps < 1 || f.every < 0 || f.repeats < 0 || f.repeats == 1 || f.workers < 0:
		return nil, alignUsagef("--steps must be ≥ 1, --every, --workers ≥ 0, --repeats 0 or ≥ 2")
	case !(f.radius > 0) || !(f.unbalance > 0) || !(f.escFactor > 0):
		return nil, alignUsagef("--radius, --unbalance and --escape-factor must be > 0")
	case !(f.lrFactor > 0) && !(f.lr > 0):
		return nil, alignUsagef("--lr-factor or --lr must be > 0")
	case f.trainSteps < 1 || !(f.trainTol > 0):
		return nil, alignUsagef("--train-steps must be ≥ 1 and --train-tol > 0")
	}
	law, err := escape.ParsePerturbation(f.perturbation)
	if err != nil {
		return nil, alignUsagef("--perturbation: %v", err)
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
	cr, err := c.Run()
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
	b.WriteString("shares: α_k = D_k/Σ D_j at the last step (exact recursion; MC row: Monte Carlo mean)\n")
	b.WriteString("mc_z: largest |MC − exact|/SE over directions and recorded steps. Above a critical rate the\n" +
		"  Monte Carlo D_k are heavy-tailed and the SE understates their spread: a large mc_z over a long\n" +
		"  horizon is not by itself evidence against the recursion (compare over the first tens of steps).\n")
	_, err := io.WriteString(w, b.String())
	return err
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
	switch m := pb.model.(type) {
	case *models.DiagonalLinear:
		res, err = escape.DiagonalMinimum(m, pb.x, pb.y, f.unbalance)
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
