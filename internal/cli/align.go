package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

func init() {
	register(&Command{
		Name:    "align",
		Summary: "noise alignment metrics (μ, μ_c, μ_iso, directional g) of a model on data at a point θ",
		Run:     runAlign,
	})
}

const alignAbout = `Evaluates the noise-geometry metrics (docs/theory.md#loss-alignment) for a
model, a dataset and a point θ: μ = Tr(Σ₁G)/(2L‖G‖_F²), μ_c (centered Σ),
μ_iso and μ/μ_iso, the directional alignment g = vᵀΣv/(2L·vᵀGv) along the
top-k and the flattest nonzero eigenvectors of G and along random
directions, the escape indicator Tr(ΣG) (and Tr(ΣH) with --hessian), the
stability thresholds 2/λ_max and √(B/μ)/‖G‖_F, and, for --model linear on
synthetic data, the population closed forms of Gaussian linear regression.
Loss: ½‖f(x) − y‖², averaged, or with --loss cross_entropy the softmax
cross-entropy (G = JᵀΛJ/n, Λ = diag(p) − ppᵀ).

Data: --data synthetic draws x ~ N(0, S) (--n, --d, --spectrum, --rotate) with
labels y = f(x; θ*) + noise from a teacher θ* of the same model family (linear:
θ* ~ N(0, I/d); others: the family's initialisation drawn from seed+1).
--data fashion-mnist loads --n training images (seeded subsample, pixels scaled
to [0, 1]) of --classes, with one-hot targets (K = number of classes) or, with
--targets sign and two classes, ±1 targets (K = 1).

Point: --at init (the family's initialisation from --seed; zero for linear),
teacher (θ*, synthetic only), teacher+R (θ* plus a random offset of norm R), or
PATH.npy: the p parameters in the model's flat layout (frozen weights, e.g. the
fixed second layer, keep their initialisation from --seed).

Path: --path auto chooses by estimated cost and --memory; gram forms K = JJᵀ,
dense forms p×p matrices, matrixfree uses Lanczos on J·v, Jᵀ·u products.
--memory bounds the data, the model and the path's matrices together: a
run (or a forced --path) that would not fit is refused before anything is
allocated, with the estimate. The matrix-free traces are exact (p products)
for p ≤ 4096 and estimated by probes, with a standard error, above; a run
predicted to take more than three minutes (e.g. --probes 0 on a large model)
is refused without --force. The flattest directions are skipped by default
where they cannot be resolved (matrixfree with p > nK; --flat N forces them),
and the output says how many were resolved.
Undefined metrics (L = 0, G = 0, an overflow) print as "undefined (reason)",
null in JSON; other non-finite values are null in JSON and listed.
Exit codes: 0 success, 1 failure (e.g. data not found), 2 usage error.`

type alignFlags struct {
	model, data, dataDir, spectrum, activation, at, path, classes, targets, out   string
	loss                                                                          string
	n, d, width, batch, k, flat, random, probes, bootstrap, angles, htop, hprobes int
	noise, memoryMB                                                               float64
	seed                                                                          uint64
	rotate, replacement, jsonOut, hessian, bias, force                            bool
}

// alignUsageError marks a bad combination of flags (exit 2).
type alignUsageError struct{ error }

func alignUsagef(format string, args ...any) error {
	return alignUsageError{fmt.Errorf(format, args...)}
}

// problemError reports an error of the commands built on the shared
// problem flags (align, train, escape, cyclical) and returns its exit code:
// bad flag combinations and invalid data specs are usage errors (2), the
// rest failures (1).
func problemError(env *Env, cmd string, err error) int {
	var ue alignUsageError
	switch {
	case errors.As(err, &ue):
		return usageError(env, cmd, ue.error)
	case errors.Is(err, data.ErrSpec):
		return usageError(env, cmd, err)
	}
	return failure(env, cmd, err)
}

func runAlign(env *Env, args []string) int {
	fs := flag.NewFlagSet("align", flag.ContinueOnError)
	var f alignFlags
	addProblemFlags(fs, &f)
	fs.StringVar(&f.loss, "loss", "square", "loss: square or cross_entropy (fashion-mnist with onehot targets; G is then the generalized Gauss–Newton matrix)")
	fs.IntVar(&f.batch, "batch", 1, "minibatch size B for the minibatch factor and the SGD threshold")
	fs.BoolVar(&f.replacement, "replacement", false, "minibatches drawn with replacement (factor 1/B instead of (n−B)/(B(n−1)))")
	fs.IntVar(&f.k, "k", 10, "number of top eigen-directions of G")
	fs.IntVar(&f.flat, "flat", -1, "number of flattest nonzero eigen-directions (default --k where they can be resolved; 0 for none)")
	fs.IntVar(&f.random, "random", 3, "number of random directions")
	fs.StringVar(&f.at, "at", "init", "point θ: init, teacher or teacher+R (R ≥ 0)")
	fs.StringVar(&f.path, "path", "auto", "computation: auto, gram, dense or matrixfree")
	fs.Float64Var(&f.memoryMB, "memory", defaultMemoryMB, "memory budget in MB for the data, the model and the path's matrices (the path choice)")
	fs.BoolVar(&f.hessian, "hessian", false, "also compute Tr H and Tr(ΣH) (n + p Hessian-vector products)")
	fs.IntVar(&f.probes, "probes", -1, fmt.Sprintf("matrixfree: Gaussian probes for the traces, with a standard error (0: exact, p products; -1: exact for p ≤ %d, else %d probes)", analysis.AutoExactMax, analysis.AutoProbes))
	fs.BoolVar(&f.force, "force", false, fmt.Sprintf("run even when the predicted time exceeds %d s", costLimitSeconds))
	fs.IntVar(&f.bootstrap, "bootstrap", 0, "bootstrap resamples for standard errors of μ, μ_c, μ_iso (Gram and dense paths)")
	fs.IntVar(&f.angles, "angles", 0, "principal angles between the top-k eigenspaces of Σ and G (k = this)")
	fs.IntVar(&f.hprobes, "hessian-probes", 0, "with --hessian: estimate Tr H and Tr(ΣH) with this many Gaussian probes (Gram and matrixfree paths)")
	fs.IntVar(&f.htop, "htop", 0, "also g along the top eigenvectors of the Hessian H (this many)")
	fs.BoolVar(&f.jsonOut, "json", false, "print JSON")
	fs.StringVar(&f.out, "out", "", "also write the JSON to this file")
	if code, done := parseFlags(env, fs, alignAbout, args); done {
		return code
	}
	plan, err := checkAlign(&f)
	if err != nil {
		return problemError(env, "align", err)
	}
	if plan.seconds > costWarnSeconds {
		fmt.Fprintf(env.Stderr, "%s align: predicted time about %.3g s (%s)\n", env.Prog, plan.seconds, plan.cost)
	}
	out, err := alignMain(&f, plan)
	if err != nil {
		return problemError(env, "align", err)
	}
	out.NonFinite = nonFiniteFields(out)
	return writeOutput(env, "align", f.jsonOut, f.out, out, func(w io.Writer) error { return writeAlign(w, out) })
}

// alignOutput is the JSON document of `noisegeom align`.
type alignOutput struct {
	Config map[string]any `json:"config"`
	*analysis.Result
	BatchFactor float64             `json:"batch_factor"`
	Thresholds  analysis.Thresholds `json:"thresholds"`
	Theory      *alignTheory        `json:"theory,omitempty"`
	// Critical is the exact SGD critical learning rate: of linear
	// regression (d ≤ criticalMaxD, any K), or of a single-output model
	// with p ≤ criticalMaxD linearised at θ (a note says so).
	Critical *analysis.CriticalRate `json:"sgd_critical,omitempty"`
	// InputEffDims are Tr(C)²/‖C‖_F² and Tr(C)/‖C‖_op of the sample
	// covariance C of the inputs (d ≤ effDimMaxD).
	InputEffDims []float64 `json:"input_eff_dims,omitempty"`
	Seconds      float64   `json:"seconds"`
	// NonFinite lists the values that are not finite ("path: reason")
	// for the text output; the JSON has them as null with a "<key>_note".
	NonFinite []string `json:"-"`
}

// alignTheory is the population prediction for linear regression on
// Gaussian data.
type alignTheory struct {
	*analysis.Theory
	Thresholds analysis.Thresholds `json:"thresholds"`
}

// addProblemFlags registers the model and data flags shared by align,
// train and escape.
func addProblemFlags(fs *flag.FlagSet, f *alignFlags) {
	fs.StringVar(&f.model, "model", "linear", "model family: linear, twolayer, randomfeatures, diagonal or mlp (one hidden layer of --width)")
	fs.StringVar(&f.data, "data", "synthetic", "data: synthetic or fashion-mnist")
	fs.StringVar(&f.dataDir, "data-dir", "", "directory holding the fashion-mnist files (default: $NOISEGEOM_DATA, /usr/share/datasets)")
	fs.IntVar(&f.n, "n", 1000, "number of samples")
	fs.IntVar(&f.d, "d", 20, "synthetic: input dimension")
	fs.StringVar(&f.spectrum, "spectrum", "isotropic", "synthetic: isotropic, powerlaw:α, lowrank:r, spiked:k,s or list:λ1,λ2,...")
	fs.BoolVar(&f.rotate, "rotate", false, "synthetic: random rotation of the covariance")
	fs.Float64Var(&f.noise, "noise", 0.1, "synthetic: standard deviation of the label noise")
	fs.IntVar(&f.width, "width", 64, "hidden width m (twolayer, randomfeatures, mlp)")
	fs.StringVar(&f.activation, "activation", "tanh", "activation: tanh, softplus, sigmoid, gelu, leaky_relu, relu or identity")
	fs.BoolVar(&f.bias, "bias", false, "twolayer: trainable biases")
	fs.StringVar(&f.classes, "classes", "", "fashion-mnist: classes to keep, e.g. 0,6 (default all ten)")
	fs.StringVar(&f.targets, "targets", "onehot", "fashion-mnist: onehot or sign (two classes)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for data, parameters and directions")
}

// alignPlan is what align's flags determine before any I/O.
type alignPlan struct {
	spec      *problemSpec
	loss      models.Loss
	atTeacher bool
	radius    float64
	opt       analysis.Options
	// seconds is the predicted time of the operator products (matrix-free
	// traces, exact Hessian traces), cost the sentence explaining it.
	seconds float64
	cost    string
}

// checkAlign validates align's flags and the problem flags without any
// I/O (usage errors, exit 2, whether or not the data exists), checks the
// memory of the problem and of the path against --memory, and predicts
// the cost of the operator products, refusing above costLimitSeconds
// without --force.
func checkAlign(f *alignFlags) (*alignPlan, error) {
	switch {
	case f.k < 1 || f.batch < 1:
		return nil, alignUsagef("--k and --batch must be ≥ 1, got %d and %d", f.k, f.batch)
	case f.random < 0 || f.bootstrap < 0 || f.angles < 0 || f.htop < 0 || f.hprobes < 0:
		return nil, alignUsagef("--random, --bootstrap, --angles, --htop and --hessian-probes must be ≥ 0")
	case f.probes < -1 || f.flat < -1:
		return nil, alignUsagef("--probes and --flat must be ≥ 0 (or -1 for the default)")
	case !(f.memoryMB > 0) || math.IsInf(f.memoryMB, 0):
		return nil, alignUsagef("--memory must be a finite number of MB > 0, got %v", f.memoryMB)
	}
	switch f.path {
	case "auto", analysis.PathGram, analysis.PathDense, analysis.PathMatrixFree:
	default:
		return nil, alignUsagef("--path %q: want auto, gram, dense or matrixfree", f.path)
	}
	loss, err := models.ParseLoss(f.loss)
	if err != nil {
		return nil, alignUsagef("--loss: %v", err)
	}
	if loss.Name() != "square" && (f.data != "fashion-mnist" || f.targets != "onehot") {
		return nil, alignUsagef("--loss %s needs class targets: --data fashion-mnist with --targets onehot", f.loss)
	}
	pl := &alignPlan{loss: loss}
	if pl.atTeacher, pl.radius, err = parseAt(f.at); err != nil {
		return nil, err
	}
	if pl.atTeacher && f.data != "synthetic" {
		return nil, alignUsagef("--at %s needs --data synthetic (real data has no teacher)", f.at)
	}
	if pl.spec, err = checkProblem(f); err != nil {
		return nil, err
	}
	if _, err := analysis.BatchFactor(pl.spec.n, f.batch, f.replacement); err != nil {
		return nil, alignUsagef("--batch %d exceeds n = %d without --replacement", f.batch, pl.spec.n)
	}
	pl.opt = alignOptions(f, int(pl.spec.p))
	if err := checkAlignMemory(f, pl); err != nil {
		return nil, err
	}
	if err := checkSpectrum(f); err != nil {
		return nil, err
	}
	if err := predictAlignCost(f, pl); err != nil {
		return nil, err
	}
	return pl, nil
}

// alignOptions maps the flags onto analysis.Options for p parameters
// (MemoryBudget is set by checkAlignMemory).
func alignOptions(f *alignFlags, p int) analysis.Options {
	opt := analysis.Options{Path: f.path, TopK: f.k, Flat: f.flat, Random: f.random, Seed: f.seed,
		Hessian: f.hessian, Probes: f.probes, Bootstrap: f.bootstrap, Angles: f.angles,
		HessianTop: f.htop, HessianProbes: f.hprobes}
	switch f.flat {
	case -1:
		opt.Flat, opt.FlatIfResolvable = f.k, true
	case 0:
		opt.Flat = -1
	}
	if f.random == 0 {
		opt.Random = -1
	}
	if f.probes < 0 {
		opt.Probes = 0
		if p > analysis.AutoExactMax {
			opt.Probes = analysis.AutoProbes
		}
	}
	return opt
}

func alignMain(f *alignFlags, pl *alignPlan) (*alignOutput, error) {
	start := time.Now()
	pb, err := buildProblem(f, pl.spec.act, pl.atTeacher)
	if err != nil {
		return nil, err
	}
	atTeacher, radius, loss := pl.atTeacher, pl.radius, pl.loss
	x, y, model, theta, popS, outputs := pb.x, pb.y, pb.model, pb.theta, pb.popS, pb.outputs
	if atTeacher {
		copy(model.Params(), theta)
		if radius > 0 {
			v := make([]float64, len(theta))
			rng := rand.New(rand.NewPCG(f.seed, 0x6f6666736574))
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			if nrm := linalg.Nrm2(v); nrm > 0 {
				linalg.Axpy(radius/nrm, v, model.Params())
			}
		}
	} else if f.data != "synthetic" {
		if err := initModel(f.model, model, f.seed, false); err != nil {
			return nil, err
		}
	}
	if strings.HasSuffix(f.at, ".npy") {
		// θ from a file: the model's p parameters in its flat layout;
		// frozen weights keep the family's initialisation from --seed.
		arr, err := data.ReadNPYFile(f.at)
		if err != nil {
			return nil, err
		}
		if arr.Len() != model.NumParams() {
			return nil, alignUsagef("--at %s holds %d values, the model has p = %d parameters", f.at, arr.Len(), model.NumParams())
		}
		copy(model.Params(), arr.Data)
	}
	obj := models.NewObjective(model, loss, x, y)
	opt := pl.opt
	res, err := analysis.FromObjective(obj, opt)
	if err != nil {
		return nil, err
	}
	out := &alignOutput{Result: res, Config: map[string]any{
		"model": f.model, "data": f.data, "n": obj.N(), "d": x.Cols, "outputs": outputs,
		"p": obj.NumParams(), "at": f.at, "seed": f.seed, "batch": f.batch,
		"replacement": f.replacement, "k": f.k, "loss": loss.Name(), "memory_mb": f.memoryMB,
	}}
	if res.Path == analysis.PathMatrixFree {
		out.Config["probes"] = opt.Probes
	}
	if f.data == "synthetic" {
		out.Config["spectrum"] = f.spectrum
		out.Config["rotate"] = f.rotate
		out.Config["noise"] = f.noise
	}
	if f.model != "linear" {
		out.Config["width"] = f.width
		out.Config["activation"] = pl.spec.act.String()
	}
	if out.BatchFactor, err = analysis.BatchFactor(obj.N(), f.batch, f.replacement); err != nil {
		return nil, alignUsagef("%v", err)
	}
	lmax := 0.0
	if len(res.Eigenvalues) > 0 {
		lmax = res.Eigenvalues[0]
	}
	out.Thresholds = analysis.StabilityThresholds(lmax, res.Mu, res.FrobG2, f.batch)
	if f.data == "synthetic" && f.model == "linear" {
		delta := append([]float64(nil), model.Params()...)
		linalg.Axpy(-1, theta, delta)
		th, err := analysis.LinearGaussian{S: popS, Delta: delta, Noise2: f.noise * f.noise}.Evaluate()
		if err != nil {
			return nil, err
		}
		out.Theory = &alignTheory{Theory: th,
			Thresholds: analysis.StabilityThresholds(th.LambdaMax, th.Mu, th.FrobS2, f.batch)}
	}
	// The exact SGD critical rate: for linear regression from the inputs
	// (with K outputs every row of W − W* follows the same second-moment
	// recursion, driven by the same sampled inputs, so the rate is that of
	// one output); for another single-output model with p ≤ criticalMaxD,
	// that of the model linearised at θ (features J).
	var feats *linalg.Dense
	switch {
	case loss.Name() != "square":
	case f.model == "linear" && x.Cols <= criticalMaxD:
		feats = x
	case outputs == 1 && obj.NumParams() <= criticalMaxD && obj.N() > 0:
		feats = linalg.NewDense(obj.N(), obj.NumParams())
		obj.Jacobian(feats, 0)
		res.Notes = append(res.Notes, "exact SGD critical rate of the model linearised at θ (features J)")
	}
	if feats != nil {
		cr, err := analysis.SGDCriticalRate(feats, f.batch, f.replacement)
		if err == nil {
			out.Critical = &cr
		} else {
			res.Notes = append(res.Notes, "exact SGD critical rate: "+err.Error())
		}
	}
	if x.Cols <= effDimMaxD {
		c, _ := data.Covariance(x)
		if vals, _, err := linalg.EigenSym(c, false); err == nil {
			r2, r1 := data.EffectiveDims(vals)
			out.InputEffDims = []float64{r2, r1}
		}
	}
	out.Seconds = time.Since(start).Seconds()
	return out, nil
}

// problem is the data and model built from the shared flags.
type problem struct {
	x, y    *linalg.Dense
	model   models.Model
	theta   []float64     // teacher parameters (synthetic)
	popS    *linalg.Dense // population covariance (synthetic)
	outputs int
}

// buildProblem checks the problem flags (checkProblem: usage errors and
// the memory estimate come before any I/O), then draws or loads the data
// and builds the model of --model at the family's initialisation
// (synthetic data: with labels from a teacher of the same family).
// atTeacher rejects real data.
func buildProblem(f *alignFlags, act models.Activation, atTeacher bool) (*problem, error) {
	spec, err := checkProblem(f)
	if err != nil {
		return nil, err
	}
	if err := checkProblemMemory(f, spec); err != nil {
		return nil, err
	}
	switch {
	case f.data == "synthetic":
		return syntheticProblem(f, act)
	case atTeacher:
		return nil, alignUsagef("--at teacher needs --data synthetic (real data has no teacher)")
	}
	ds, err := loadFashion(f, spec.classes)
	if err != nil {
		return nil, err
	}
	model, err := newAlignModel(f, ds.D(), ds.Y.Cols, act)
	if err != nil {
		return nil, err
	}
	return &problem{x: ds.X, y: ds.Y, model: model, outputs: ds.Y.Cols}, nil
}

// syntheticProblem draws the synthetic data of the flags through
// newSyntheticGenerator. The linear model's teacher is data's linear
// teacher (θ* ~ N(0, I/d) from --seed) with the labels and noise the
// generator draws, the same as `data --synthetic --teacher linear`; other
// families' teachers share the student's frozen weights (second layer,
// random features) and draw their trainable ones from seed+1.
func syntheticProblem(f *alignFlags, act models.Activation) (*problem, error) {
	ss := syntheticSpec{n: f.n, d: f.d, spectrum: f.spectrum, rotate: f.rotate, teacher: "none", outputs: 1, seed: f.seed}
	if f.model == "linear" {
		ss.teacher, ss.noise = "linear", f.noise
	}
	gen, te, err := newSyntheticGenerator(ss)
	if err != nil {
		return nil, alignUsagef("%v", err)
	}
	model, err := newAlignModel(f, f.d, 1, act)
	if err != nil {
		return nil, err
	}
	if err := initModel(f.model, model, f.seed, false); err != nil {
		return nil, err
	}
	ds := gen.Generate()
	pb := &problem{x: ds.X, y: ds.Y, model: model, popS: gen.Covariance(), outputs: 1}
	if lt, ok := te.(*data.LinearTeacher); ok {
		pb.theta = linearTheta(lt)
		return pb, nil
	}
	teacher, draw := model.Clone(), model.Clone()
	if err := initModel(f.model, draw, f.seed+1, true); err != nil {
		return nil, err
	}
	copy(teacher.Params(), draw.Params())
	pb.theta = append([]float64(nil), teacher.Params()...)
	pb.y = linalg.NewDense(f.n, 1)
	teacher.Predict(pb.y, pb.x)
	rng := rand.New(rand.NewPCG(f.seed, 0x6e6f697365))
	for i := range pb.y.Data {
		pb.y.Data[i] += f.noise * rng.NormFloat64()
	}
	return pb, nil
}

// linearTheta returns a linear teacher's Θ (K×d) in the flat layout of
// models.NewLinear (row-major).
func linearTheta(t *data.LinearTeacher) []float64 {
	th := t.Theta
	out := make([]float64, 0, th.Rows*th.Cols)
	for i := 0; i < th.Rows; i++ {
		out = append(out, th.Row(i)...)
	}
	return out
}

// criticalMaxD bounds d for the exact critical rate (Lanczos on
// d(d+1)/2-dimensional symmetric matrices, n·d² per step).
const criticalMaxD = 200

// effDimMaxD bounds d for the input effective dimensions (n·d² + d³).
const effDimMaxD = 2000

// parseAt parses init, teacher or teacher+R (a path ending in .npy is
// handled by the caller).
func parseAt(s string) (teacher bool, radius float64, err error) {
	switch {
	case strings.HasSuffix(s, ".npy"):
		return false, 0, nil
	case s == "init":
		return false, 0, nil
	case s == "teacher":
		return true, 0, nil
	case strings.HasPrefix(s, "teacher+"):
		r, err := strconv.ParseFloat(strings.TrimPrefix(s, "teacher+"), 64)
		if err != nil || !(r >= 0) || math.IsInf(r, 0) {
			return false, 0, alignUsagef("--at %q: R must be a finite number ≥ 0", s)
		}
		return true, r, nil
	}
	return false, 0, alignUsagef("--at %q: want init, teacher, teacher+R or a parameter file PATH.npy", s)
}

// newAlignModel builds the model family of --model for d inputs and K
// outputs through the model factory (alignSpec).
func newAlignModel(f *alignFlags, d, K int, act models.Activation) (models.Model, error) {
	spec, err := alignSpec(f.model, d, K, f.width, f.bias)
	if err != nil {
		return nil, err
	}
	spec.Act, spec.FrozenSeed = act, f.seed+7
	m, err := models.New(spec)
	if err != nil {
		return nil, alignSpecError(f.model, err)
	}
	return m, nil
}

// alignFamilies are the factory's families --model offers.
var alignFamilies = []string{"linear", "twolayer", "randomfeatures", "diagonal", "mlp"}

// alignSpec returns the factory spec of --model (one hidden layer of
// --width; twolayer with a fixed ±1/√m second layer, randomfeatures and
// diagonal with one output, diagonal as u⊙v) for d inputs and K outputs,
// checked by the factory (usage errors).
func alignSpec(model string, d, K, width int, bias bool) (models.Spec, error) {
	if !slices.Contains(alignFamilies, model) {
		return models.Spec{}, alignUsagef("--model %q: want linear, twolayer, randomfeatures, diagonal or mlp", model)
	}
	spec := models.Spec{Family: model, Inputs: d, Outputs: K, Width: width, Bias: bias, Diagonal: models.Product}
	if _, _, err := spec.Size(); err != nil {
		return spec, alignSpecError(model, err)
	}
	return spec, nil
}

// alignSpecError turns a factory error into the usage error of --model.
func alignSpecError(model string, err error) error {
	var se *models.SpecError
	if errors.As(err, &se) && se.Field == "Outputs" {
		return alignUsagef("--model %s has one output; use --targets sign with two --classes", model)
	}
	return alignUsagef("--model %s: %v", model, err)
}

// initModel draws the family's initialisation (models.Spec.Init). For a
// teacher, random features draw N(0, 1) second-layer weights (their
// initialisation is zero); the linear teacher is data's
// (syntheticProblem).
func initModel(family string, m models.Model, seed uint64, teacher bool) error {
	if err := (models.Spec{Family: family}).Init(m, seed); err != nil {
		return err
	}
	if teacher && family == "randomfeatures" {
		rng := rand.New(rand.NewPCG(seed, 0x7465616368))
		for i := range m.Params() {
			m.Params()[i] = rng.NormFloat64()
		}
	}
	return nil
}

// loadFashion loads, subsamples, scales and encodes Fashion-MNIST (the
// flags were checked by checkProblem; classes are the parsed --classes).
func loadFashion(f *alignFlags, classes []int) (*data.Dataset, error) {
	ds, err := data.LoadNamed("fashion-mnist", data.NamedOptions{Dir: f.dataDir, Split: "train"})
	if err != nil {
		return nil, err
	}
	if len(classes) > 0 {
		if ds, err = data.SubsetClasses(ds, classes); err != nil {
			return nil, err
		}
	}
	if f.n < ds.N() {
		if ds, err = data.Subsample(ds, f.n, f.seed); err != nil {
			return nil, err
		}
	}
	if err := data.ScaleUnit(ds); err != nil {
		return nil, err
	}
	if f.targets == "sign" {
		err = data.SignTargets(ds)
	} else {
		err = data.OneHot(ds)
	}
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// fm formats a metric with 6 significant digits or as undefined (reason).
func fm(m analysis.Metric) string {
	if !m.Defined {
		return "undefined (" + m.Reason + ")"
	}
	return strconv.FormatFloat(m.Value, 'g', 6, 64)
}

// writeAlign prints the result for people.
func writeAlign(w io.Writer, o *alignOutput) error {
	var b strings.Builder
	r := o.Result
	fmt.Fprintf(&b, "align: n=%d p=%d K=%d path=%s (%.3g s)\n", r.N, r.P, r.Outputs, r.Path, o.Seconds)
	for _, note := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", note)
	}
	if len(o.NonFinite) > 0 {
		fmt.Fprintf(&b, "  warning: not finite (an overflow in the inputs or parameters; null in JSON): %s\n", strings.Join(o.NonFinite, "; "))
	}
	fmt.Fprintf(&b, "loss        %.6g\n", r.Loss)
	fmt.Fprintf(&b, "mu          %s\n", fm(r.Mu))
	fmt.Fprintf(&b, "mu_c        %s\n", fm(r.MuC))
	fmt.Fprintf(&b, "mu_iso      %s\n", fm(r.MuIso))
	fmt.Fprintf(&b, "mu/mu_iso   %s\n", fm(r.MuOverIso))
	fmt.Fprintf(&b, "escape_gn   %s   (Tr(ΣG) over its isotropic value)\n", fm(r.EscapeGN))
	if r.HKnown {
		fmt.Fprintf(&b, "escape_h    %s   (Tr(ΣH) = %.6g, Tr H = %.6g", fm(r.EscapeH), r.TrSigmaH, r.TrH)
		if r.HStdErr > 0 {
			fmt.Fprintf(&b, ", probe SE of Tr(ΣH) %.3g", r.HStdErr)
		}
		b.WriteString(")\n")
	}
	fmt.Fprintf(&b, "ingredients Tr G=%.6g ‖G‖_F²=%.6g Tr Σ₁=%.6g Tr Σ=%.6g Tr(Σ₁G)=%.6g Tr(ΣG)=%.6g\n",
		r.TrG, r.FrobG2, r.TrSigma1, r.TrSigma, r.TrSigma1G, r.TrSigmaG)
	if r.TraceStdErr > 0 {
		fmt.Fprintf(&b, "probes      standard error of the probe estimate of Tr(Σ₁G): %.3g\n", r.TraceStdErr)
	}
	if r.FlatWanted > 0 && r.FlatFound < r.FlatWanted {
		fmt.Fprintf(&b, "flat        %d of %d flattest directions resolved (see the notes)\n", r.FlatFound, r.FlatWanted)
	}
	fmt.Fprintf(&b, "thresholds  GD 2/λmax = %s, SGD √(B/μ)/‖G‖_F = %s (B=%d, batch factor %.4g)\n",
		fm(o.Thresholds.GD), fm(o.Thresholds.SGD), o.Thresholds.Batch, o.BatchFactor)
	if t := o.Theory; t != nil {
		fmt.Fprintf(&b, "theory      mu=%s mu_c=%s mu_iso=%s loss=%.6g, GD %s, SGD %s\n",
			fm(t.Mu), fm(t.MuC), fm(t.MuIso), t.Loss, fm(t.Thresholds.GD), fm(t.Thresholds.SGD))
	}
	if e := o.InputEffDims; len(e) == 2 {
		fmt.Fprintf(&b, "inputs      effective dimensions Tr(C)²/‖C‖_F² = %.4g, Tr(C)/‖C‖_op = %.4g (sample covariance)\n", e[0], e[1])
	}
	if c := o.Critical; c != nil {
		fmt.Fprintf(&b, "exact SGD   critical η* = %.6g (B=%d, replacement %v; GD 2/λmax = %.6g; rank %d)\n",
			c.SGD, c.Batch, c.Replacement, c.GD, c.Rank)
	}
	if se := r.StdErr; se != nil {
		fmt.Fprintf(&b, "bootstrap   %d resamples: SE(mu)=%.3g SE(mu_c)=%.3g SE(mu_iso)=%.3g SE(mu/mu_iso)=%.3g\n",
			se.Replicates, se.Mu, se.MuC, se.MuIso, se.MuOverIso)
	}
	if len(r.Angles) > 0 {
		fmt.Fprintf(&b, "angles      principal angles (degrees) between top-%d eigenspaces of Σ and G:", len(r.Angles))
		for _, a := range r.Angles {
			fmt.Fprintf(&b, " %.3g", a*180/math.Pi)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%-7s %3s %14s %12s\n", "kind", "k", "lambda", "g")
	for _, d := range r.Directional {
		fmt.Fprintf(&b, "%-7s %3d %14.6g %12v\n", d.Kind, d.K, d.Lambda, fm(d.G))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
