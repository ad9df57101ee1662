package cli

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

func init() {
	register(&Command{
		Name:    "train",
		Summary: "train a model by SGD or GD with schedules, trackers, checkpoints and resume",
		Run:     runTrain,
	})
}

const trainAbout = `Trains a model on a dataset by SGD or full-batch GD (--optimizer gd) on the
square loss ½‖f(x) − y‖², averaged, with the model and data flags of align.

Minibatches (--batch B): --sampling replacement (i.i.d. indices),
noreplacement (B distinct indices each step) or epochs (shuffled epochs,
last short batch dropped). Update: v ← m·v + g + λθ, θ ← θ − η_t·v
(--momentum m, --weight-decay λ). --schedule: constant:η, step:η,γ,every,
cosine:max,min,period, triangular:low,high,period (cyclical) or
twophase:high,low,nhigh,nlow (cyclical high/low phases); --lr η is
constant:η.

Trackers (--track, comma-separated: loss, grad, lambda_g, lambda_h,
analysis (Tr G, ‖G‖_F, μ, λ_max(G), g along the top --k directions),
distance (from --reference)) are evaluated on the full data every
--track-every steps and at the end, written with --csv and in the JSON.

Checkpoints (--checkpoint PATH): θ, momentum, random state and epoch
permutation, written atomically every --checkpoint-every steps and at the
end; --resume continues from PATH to the same final bits as an unbroken run
(give the same flags) and to the same tracked records (CSV and JSON). A
checkpoint of another run (model, data, schedule, seed, batch, trackers,
…) is refused naming each differing field with both values, and so is a
--steps below the checkpoint's step; both are found by reading the
checkpoint and exit 1. The same --seed gives the same trajectory whatever
the thread count. --save PATH.npy writes the final θ (readable by
align --at PATH.npy).
Exit codes: 0 success, 1 failure (e.g. divergence), 2 usage error.`

type trainFlags struct {
	prob                                                         alignFlags
	optimizer, sampling, schedule, track, reference, at, trackAt string
	checkpoint, csvPath, save                                    string
	steps, trackEvery, ckEvery, k                                int
	lr, momentum, wd                                             float64
	resume                                                       bool
}

func runTrain(env *Env, args []string) int {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	var f trainFlags
	addProblemFlags(fs, &f.prob)
	fs.StringVar(&f.optimizer, "optimizer", "sgd", "sgd or gd (full batch)")
	fs.IntVar(&f.prob.batch, "batch", 32, "minibatch size B (sgd)")
	fs.StringVar(&f.sampling, "sampling", "replacement", "replacement, noreplacement or epochs")
	fs.StringVar(&f.schedule, "schedule", "", "learning-rate schedule (see above); default constant:--lr")
	fs.Float64Var(&f.lr, "lr", 0.01, "constant learning rate (when --schedule is not given)")
	fs.Float64Var(&f.momentum, "momentum", 0, "momentum m in [0, 1)")
	fs.Float64Var(&f.wd, "weight-decay", 0, "weight decay λ ≥ 0")
	fs.IntVar(&f.steps, "steps", 1000, "number of steps")
	fs.StringVar(&f.at, "at", "init", "start: init, teacher, teacher+R or PATH.npy")
	fs.StringVar(&f.track, "track", "loss", "trackers: loss, grad, lambda_g, lambda_h, analysis, distance (comma-separated; none)")
	fs.IntVar(&f.trackEvery, "track-every", 100, "track every N steps (0: only at the start and the end)")
	fs.StringVar(&f.trackAt, "track-at", "", "also track at these steps, e.g. 5,50,500")
	fs.IntVar(&f.k, "k", 0, "with --track analysis: g along the top k eigenvectors of G")
	fs.StringVar(&f.reference, "reference", "start", "distance reference: start, teacher or PATH.npy")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "checkpoint file")
	fs.IntVar(&f.ckEvery, "checkpoint-every", 0, "checkpoint every N steps (0: at the end only)")
	fs.BoolVar(&f.resume, "resume", false, "resume from --checkpoint")
	fs.StringVar(&f.csvPath, "csv", "", "write the tracked records as CSV to this file")
	fs.StringVar(&f.save, "save", "", "write the final parameters to this .npy file")
	fs.BoolVar(&f.prob.jsonOut, "json", false, "print JSON")
	fs.StringVar(&f.prob.out, "out", "", "also write the JSON to this file")
	fs.Float64Var(&f.prob.memoryMB, "memory", 0, "memory budget in MB for the data and the model (0: the machine's available memory); larger runs are refused")
	if code, done := parseFlags(env, fs, trainAbout, args); done {
		return code
	}
	out, err := trainMain(env, &f)
	if err != nil {
		return problemError(env, "train", err)
	}
	return writeOutput(env, "train", f.prob.jsonOut, f.prob.out, out, func(w io.Writer) error { return writeTrain(w, out) })
}

// writeOutput writes the JSON to --out atomically and prints JSON or text.
// The JSON is made only when asked for (jsonOut or path), by
// marshalJSONSafe: non-finite values become null with a note.
func writeOutput(env *Env, cmd string, jsonOut bool, path string, v any, text func(io.Writer) error) int {
	var js []byte
	if jsonOut || path != "" {
		var err error
		if js, err = marshalJSONSafe(v); err != nil {
			return failure(env, cmd, err)
		}
		js = append(js, '\n')
	}
	if path != "" {
		if err := data.WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write(js); return err }); err != nil {
			return failure(env, cmd, err)
		}
	}
	write := func() error { return text(env.Stdout) }
	if jsonOut {
		write = func() error { _, err := env.Stdout.Write(js); return err }
	}
	if err := write(); err != nil {
		return failure(env, cmd, err)
	}
	return ExitOK
}

// trainOutput is the JSON document of `noisegeom train`.
type trainOutput struct {
	Config  map[string]any `json:"config"`
	Method  string         `json:"method"`
	Steps   int            `json:"steps"`
	Resumed int            `json:"resumed_from"`
	Records []optim.Record `json:"records"`
	Seconds float64        `json:"seconds"`
}

// startProblem builds the problem and puts the model at --at.
func startProblem(f *alignFlags, at string) (*problem, error) {
	act, err := models.ParseActivation(f.activation)
	if err != nil {
		return nil, alignUsagef("--activation: %v", err)
	}
	if f.n < 1 || f.width < 1 {
		return nil, alignUsagef("--n and --width must be ≥ 1")
	}
	atTeacher, radius, err := parseAt(at)
	if err != nil {
		return nil, err
	}
	pb, err := buildProblem(f, act, atTeacher)
	if err != nil {
		return nil, err
	}
	if f.data != "synthetic" {
		if err := initModel(f.model, pb.model, f.seed, false); err != nil {
			return nil, err
		}
	}
	switch {
	case atTeacher:
		copy(pb.model.Params(), pb.theta)
		if radius > 0 {
			v := make([]float64, len(pb.theta))
			rng := rand.New(rand.NewPCG(f.seed, 0x6f6666736574))
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			if nrm := linalg.Nrm2(v); nrm > 0 {
				linalg.Axpy(radius/nrm, v, pb.model.Params())
			}
		}
	case strings.HasSuffix(at, ".npy"):
		arr, err := data.ReadNPYFile(at)
		if err != nil {
			return nil, err
		}
		if arr.Len() != pb.model.NumParams() {
			return nil, alignUsagef("--at %s holds %d values, the model has p = %d parameters", at, arr.Len(), pb.model.NumParams())
		}
		copy(pb.model.Params(), arr.Data)
	}
	return pb, nil
}

func trainMain(env *Env, f *trainFlags) (*trainOutput, error) {
	if f.steps < 0 || f.trackEvery < 0 || f.ckEvery < 0 || f.k < 0 {
		return nil, alignUsagef("--steps, --track-every, --checkpoint-every and --k must be ≥ 0")
	}
	if f.resume && f.checkpoint == "" {
		return nil, alignUsagef("--resume needs --checkpoint")
	}
	sampling, err := optim.ParseSampling(f.sampling)
	if err != nil {
		return nil, alignUsagef("--sampling: %v", err)
	}
	if err := checkTrainFloats(f); err != nil {
		return nil, err
	}
	sched := optim.Schedule(optim.Constant(f.lr))
	if f.schedule != "" {
		if sched, err = optim.ParseSchedule(f.schedule); err != nil {
			return nil, alignUsagef("--schedule: %v", err)
		}
	}
	cfg := optim.Config{Batch: f.prob.batch, Sampling: sampling, Schedule: sched, Momentum: f.momentum,
		WeightDecay: f.wd, Seed: f.prob.seed, Fingerprint: trainFingerprint(f)}
	switch f.optimizer {
	case "gd":
		cfg.Batch = 0
	case "sgd":
		if f.prob.batch < 1 {
			return nil, alignUsagef("--batch must be ≥ 1")
		}
	default:
		return nil, alignUsagef("--optimizer %q: want sgd or gd", f.optimizer)
	}
	at, err := parseInts(f.trackAt)
	if err != nil {
		return nil, alignUsagef("--track-at: %v", err)
	}
	tr := optim.Tracking{Every: f.trackEvery, At: append([]int{0}, at...), TopK: f.k}
	if f.track != "none" && f.track != "" {
		for _, name := range strings.Split(f.track, ",") {
			switch name {
			case "loss":
				tr.Loss = true
			case "grad":
				tr.GradNorm = true
			case "lambda_g":
				tr.LambdaG = true
			case "lambda_h":
				tr.LambdaH = true
			case "analysis":
				tr.Analysis = true
			case "distance":
				tr.Reference = []float64{} // set below
			default:
				return nil, alignUsagef("--track %q: want loss, grad, lambda_g, lambda_h, analysis, distance or none", name)
			}
		}
	}
	start := time.Now()
	pb, err := startProblem(&f.prob, f.at)
	if err != nil {
		return nil, err
	}
	obj := models.NewObjective(pb.model, models.Square{}, pb.x, pb.y)
	if tr.Reference != nil {
		switch {
		case f.reference == "start":
			tr.Reference = append([]float64(nil), obj.Model.Params()...)
		case f.reference == "teacher":
			if pb.theta == nil {
				return nil, alignUsagef("--reference teacher needs --data synthetic")
			}
			tr.Reference = pb.theta
		case strings.HasSuffix(f.reference, ".npy"):
			arr, err := data.ReadNPYFile(f.reference)
			if err != nil {
				return nil, err
			}
			if arr.Len() != obj.NumParams() {
				return nil, alignUsagef("--reference %s holds %d values, p = %d", f.reference, arr.Len(), obj.NumParams())
			}
			tr.Reference = arr.Data
		default:
			return nil, alignUsagef("--reference %q: want start, teacher or PATH.npy", f.reference)
		}
	}
	o, err := optim.New(obj, cfg)
	if err != nil {
		return nil, alignUsagef("%v", err)
	}
	if f.optimizer == "sgd" && sampling != optim.WithReplacement && f.prob.batch > obj.N() {
		return nil, alignUsagef("--batch %d exceeds n = %d without replacement", f.prob.batch, obj.N())
	}
	resumed := 0
	if f.resume {
		if err := o.LoadCheckpoint(f.checkpoint); err != nil {
			return nil, err
		}
		resumed = o.StepCount()
		if f.steps < resumed {
			return nil, fmt.Errorf("--steps %d is below the step %d of the checkpoint %s: give --steps ≥ %d", f.steps, resumed, f.checkpoint, resumed)
		}
		tr.At = tr.At[1:]
	}
	rc := optim.RunConfig{Steps: f.steps, Track: tr, Checkpoint: f.checkpoint, CheckpointEvery: f.ckEvery}
	if pr := newProgress(env.Stderr); pr != nil {
		every := max(f.steps/200, 1)
		rc.OnStep = func(s int, loss float64) error {
			if s%every == 0 {
				pr.update(s, f.steps, fmt.Sprintf("step %d, batch loss %.4g", s, loss))
			}
			return nil
		}
		defer pr.update(f.steps, f.steps, "")
	}
	recs, err := optim.Run(o, rc)
	if err != nil {
		return nil, err
	}
	if f.csvPath != "" {
		if err := data.WriteFileAtomic(f.csvPath, func(w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write(optim.Columns)
			for _, r := range recs {
				cw.Write(r.Row())
			}
			cw.Flush()
			return cw.Error()
		}); err != nil {
			return nil, err
		}
	}
	if f.save != "" {
		th := obj.Model.Params()
		if err := data.WriteFileAtomic(f.save, func(w io.Writer) error {
			return data.WriteNPY(w, []int{len(th)}, data.NPYFloat64, th)
		}); err != nil {
			return nil, err
		}
	}
	if recs == nil {
		recs = []optim.Record{}
	}
	out := &trainOutput{Method: o.Method(), Steps: o.StepCount(), Resumed: resumed, Records: recs,
		Seconds: time.Since(start).Seconds(), Config: map[string]any{
			"model": f.prob.model, "data": f.prob.data, "n": obj.N(), "p": obj.NumParams(), "outputs": pb.outputs,
			"batch": cfg.Batch, "sampling": sampling.String(), "schedule": scheduleName(f),
			"momentum": f.momentum, "weight_decay": f.wd, "seed": f.prob.seed, "at": f.at}}
	return out, nil
}

// checkTrainFloats refuses float flags outside their meaningful range
// (NaN and ±Inf are refused for every command by parseFlags).
func checkTrainFloats(f *trainFlags) error {
	switch {
	case !(f.lr > 0):
		return alignUsagef("--lr %g: the learning rate must be > 0", f.lr)
	case !(f.momentum >= 0 && f.momentum < 1):
		return alignUsagef("--momentum %g: must be in [0, 1)", f.momentum)
	case !(f.wd >= 0):
		return alignUsagef("--weight-decay %g: must be ≥ 0", f.wd)
	}
	return nil
}

// writeTrain prints the records as a table.
func writeTrain(w io.Writer, o *trainOutput) error {
	var b strings.Builder
	fmt.Fprintf(&b, "train: %s, %d steps (resumed from %d), n=%v p=%v (%.3g s)\n", o.Method, o.Steps, o.Resumed,
		o.Config["n"], o.Config["p"], o.Seconds)
	fmt.Fprintf(&b, "%8s %10s %12s %12s %12s %12s %12s %12s %10s %12s\n", "step", "lr", "loss", "grad_norm",
		"lambda_g", "lambda_h", "tr_g", "frob_g", "mu", "distance")
	f := func(v float64) string {
		if math.IsNaN(v) {
			return "-" // not tracked
		}
		return fmtNonFinite("%.6g", v)
	}
	for _, r := range o.Records {
		fmt.Fprintf(&b, "%8d %10s %12s %12s %12s %12s %12s %12s %10s %12s\n", r.Step, f(r.LR), f(r.Loss), f(r.GradNorm),
			f(r.LambdaG), f(r.LambdaH), f(r.TrG), f(r.FrobG), f(r.Mu), f(r.Distance))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// trainFingerprint lists the flags that define a training run beyond
// optim's own fingerprint (which holds n, p, batch, sampling, seed,
// momentum, weight decay, the schedule and a hash of the data): a
// checkpoint written with other values is refused on --resume. The
// tracking flags are included so that the resumed history is one run's.
func trainFingerprint(f *trainFlags) []optim.Field {
	p := &f.prob
	pairs := []string{
		"--model", p.model, "--width", fmt.Sprint(p.width), "--activation", p.activation,
		"--bias", fmt.Sprint(p.bias), "--data", p.data, "--d", fmt.Sprint(p.d), "--spectrum", p.spectrum,
		"--rotate", fmt.Sprint(p.rotate), "--noise", fmt.Sprint(p.noise), "--classes", p.classes,
		"--targets", p.targets, "--at", f.at, "--optimizer", f.optimizer, "--track", f.track,
		"--track-every", fmt.Sprint(f.trackEvery), "--track-at", f.trackAt, "--k", fmt.Sprint(f.k),
		"--reference", f.reference,
	}
	fields := make([]optim.Field, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		fields = append(fields, optim.Field{Name: pairs[i], Value: pairs[i+1]})
	}
	return fields
}

// scheduleName is --schedule, or constant:--lr.
func scheduleName(f *trainFlags) string {
	if f.schedule != "" {
		return f.schedule
	}
	return fmt.Sprintf("constant:%g", f.lr)
}
