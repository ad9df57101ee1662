package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/noisegeom/noisegeom/bench"
	"github.com/noisegeom/noisegeom/internal/experiments"
)

func init() {
	register(&Command{
		Name:    "reproduce",
		Summary: "run the paper's experiments and write report.md/.html, figures (SVG, PNG), CSVs and run.json",
		Run:     runReproduce,
	})
	register(&Command{
		Name:    "merge",
		Summary: "combine the shard directories of a sharded reproduce run into one report",
		Run:     runMerge,
	})
}

const reproduceAbout = `Runs the experiments that test each claim of the paper
(docs/theory.md#the-papers-claims) and writes into --out: report.md and
report.html (figures inline), figures/*.svg and *.png, data/*.csv (one per
figure and table), run.json (version, commit, Go, CPU, kernel table, seeds,
flags, time per experiment) and units/ (one record per finished unit of
work).

The default scale finishes in minutes on a laptop; --full runs sizes closer
to the paper's (hours). A killed run continues with --resume (same flags):
finished units are kept and skipped. A sweep splits into independent shards
with --shard i/N (0 ≤ i < N, one directory each); 'noisegeom merge' combines
them into one report. Experiments (--only, comma-separated):
%s
Exit codes: 0 success (a claim that did not hold is a result, not a failure;
it is marked in the report), 1 an experiment failed, 2 usage error, 130/143
stopped by SIGINT/SIGTERM (finished units are kept: --resume continues).`

type reproduceFlags struct {
	out, only, shard, dataDir, scale string
	full, resume, list, asJSON       bool
	seed                             uint64
	jobs                             int
}

func experimentList() string {
	var b strings.Builder
	for _, e := range experiments.All() {
		fmt.Fprintf(&b, "  %-14s %s\n", e.Name, e.Title)
	}
	return b.String()
}

func runReproduce(env *Env, args []string) int {
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	var f reproduceFlags
	fs.StringVar(&f.out, "out", "noisegeom-report", "output directory")
	fs.BoolVar(&f.full, "full", false, "run at the full scale (hours) instead of the quick default")
	fs.StringVar(&f.scale, "scale", "", "scale: tiny (seconds, for smoke tests), quick (default) or full")
	fs.StringVar(&f.only, "only", "", "run only these experiments (comma-separated names)")
	fs.BoolVar(&f.resume, "resume", false, "continue a run in --out, skipping finished units")
	fs.StringVar(&f.shard, "shard", "", "run only shard i of N (i/N, zero-based); combine with 'noisegeom merge'")
	fs.Uint64Var(&f.seed, "seed", 1, "base seed: every unit derives its seeds from it and its own parameters")
	fs.StringVar(&f.dataDir, "data-dir", "", "directory searched first for named datasets (default: $NOISEGEOM_DATA, /usr/share/datasets)")
	fs.IntVar(&f.jobs, "jobs", 0, "units of one experiment run at once (0 = number of CPUs)")
	fs.BoolVar(&f.list, "list", false, "list the experiments and their unit counts at the chosen scale, then exit")
	fs.BoolVar(&f.asJSON, "json", false, "print the outcome as JSON on stdout")
	if code, done := parseFlags(env, fs, fmt.Sprintf(reproduceAbout, experimentList()), args); done {
		return code
	}
	scale := experiments.Quick
	if f.full {
		scale = experiments.Full
	}
	if f.scale != "" {
		s, err := experiments.ParseScale(f.scale)
		if err != nil {
			return usageError(env, "reproduce", err)
		}
		if f.full && s != experiments.Full {
			return usageError(env, "reproduce", errors.New("--full contradicts --scale "+f.scale))
		}
		scale = s
	}
	exps, err := experiments.Select(f.only)
	if err != nil {
		return usageError(env, "reproduce", fmt.Errorf("--only: %w", err))
	}
	var shard experiments.Shard
	if f.shard != "" {
		if shard, err = experiments.ParseShard(f.shard); err != nil {
			return usageError(env, "reproduce", fmt.Errorf("--shard: %w", err))
		}
	}
	if f.jobs < 0 {
		return usageError(env, "reproduce", errors.New("--jobs must be ≥ 0"))
	}
	cfg := experiments.Config{Scale: scale, Seed: f.seed, DataDir: f.dataDir}
	if f.list {
		return listExperiments(env, exps, cfg)
	}
	ctx := env.Context()
	setInterruptNote(fmt.Sprintf("finished units are kept in %s; run the same command with --resume to continue", f.out))
	defer setInterruptNote("")
	opt := experiments.Options{
		Out: f.out, Experiments: exps, Config: cfg, Shard: shard, Resume: f.resume, Jobs: f.jobs,
		Provenance: currentProvenance(), Progress: unitProgress(env),
		Warn: func(msg string) { fmt.Fprintf(env.Stderr, "%s reproduce: warning: %s\n", env.Prog, msg) },
	}
	start := time.Now()
	out, err := experiments.Run(ctx, opt)
	if out != nil {
		writeOutcome(env, out, f.out, shard, f.asJSON, time.Since(start))
	}
	if err != nil {
		return failure(env, "reproduce", err)
	}
	return outcomeCode(env, "reproduce", out)
}

func runMerge(env *Env, args []string) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	out := fs.String("out", "", "directory for the merged run and its report (may be one of the shard directories)")
	asJSON := fs.Bool("json", false, "print the outcome as JSON on stdout")
	about := "Usage: merge --out DIR SHARD_DIR...\n\n" +
		"Combines the directories written by 'noisegeom reproduce --shard i/N' (same\n" +
		"flags otherwise) into one run directory with the report, exactly as one\n" +
		"unsharded run would have written it. Every unit must have a record in some\n" +
		"shard; otherwise the error names the missing units and their shards.\n" +
		"Exit codes: 0 success, 1 failure, 2 usage error."
	fs.SetOutput(io.Discard)
	// merge takes positional directories; parse flags by hand around them.
	var dirs []string
	rest := args
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(env.Stdout, "%s\n\nFlags:\n  --out DIR\n  --json\n", about)
				return ExitOK
			}
			return usageError(env, "merge", err)
		}
		rest = fs.Args()
		if len(rest) > 0 {
			dirs = append(dirs, rest[0])
			rest = rest[1:]
		}
	}
	if *out == "" {
		return usageError(env, "merge", errors.New("--out is required"))
	}
	if len(dirs) == 0 {
		return usageError(env, "merge", errors.New("name the shard directories to merge"))
	}
	start := time.Now()
	res, err := experiments.Merge(env.Context(), experiments.MergeOptions{Out: *out, Dirs: dirs, Provenance: currentProvenance()})
	if err != nil {
		return failure(env, "merge", err)
	}
	writeOutcome(env, res, *out, experiments.Shard{}, *asJSON, time.Since(start))
	return outcomeCode(env, "merge", res)
}

func listExperiments(env *Env, exps []*experiments.Experiment, cfg experiments.Config) int {
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "NAME\tUNITS (%s)\tTITLE\n", cfg.Scale)
	for _, e := range exps {
		units, err := e.Plan(cfg)
		n := fmt.Sprint(len(units))
		if err != nil {
			n = "cannot plan: " + err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, n, e.Title)
	}
	if err := tw.Flush(); err != nil {
		return failure(env, "reproduce", err)
	}
	return ExitOK
}

// currentProvenance gathers the facts run.json and the report record.
func currentProvenance() experiments.Provenance {
	m := bench.CurrentMachine()
	rev := m.Revision
	switch {
	case rev == "":
		rev = checkoutRevision(m.Module)
	case m.Modified:
		rev += " (modified)"
	}
	impl := m.Impl
	if m.KernelsEnv != "" {
		impl += " (NOISEGEOM_KERNELS)"
	}
	return experiments.Provenance{
		Facts: []experiments.Fact{
			{Key: "noisegeom", Value: m.Version},
			{Key: "commit", Value: rev},
			{Key: "Go", Value: fmt.Sprintf("%s %s/%s", m.GoVersion, m.GOOS, m.GOARCH)},
			{Key: "CPU", Value: fmt.Sprintf("%s, %d logical CPUs", orNone(m.CPU), m.NumCPU)},
			{Key: "kernel table", Value: impl},
		},
		Machine: m,
		Args:    append([]string{"noisegeom"}, os.Args[1:]...),
	}
}

// checkoutRevision is the commit of the git checkout the program runs in,
// for binaries built without VCS stamping (go run, -buildvcs=false): it
// asks git in the working directory, and only believes it when that
// checkout's go.mod declares module.
func checkoutRevision(module string) string {
	const unknown = "unknown (binary not stamped, and the working directory is not a git checkout of it)"
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil || module == "" {
		return unknown
	}
	gomod, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(top)), "go.mod"))
	if err != nil || !strings.Contains(string(gomod), "module "+module+"\n") {
		return unknown
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return unknown
	}
	rev := strings.TrimSpace(string(head))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		rev += " (modified)"
	}
	return rev + " (from the working directory's git checkout)"
}

// unitProgress prints one line per finished unit on a terminal.
func unitProgress(env *Env) func(experiments.Progress) {
	p := newProgress(env.Stderr)
	if p == nil {
		return nil
	}
	return func(u experiments.Progress) {
		label := fmt.Sprintf("%s/%s %.1fs", u.Experiment, u.Unit, u.Seconds)
		if u.Done < u.Total {
			// Units differ in cost; the mean so far is a rough guide.
			left := time.Since(p.start) / time.Duration(u.Done) * time.Duration(u.Total-u.Done)
			label += fmt.Sprintf(" (about %s left)", left.Round(time.Second))
		}
		if u.Err != nil {
			label += " FAILED: " + u.Err.Error()
			fmt.Fprintf(env.Stderr, "\r\x1b[K%s\n", label)
		}
		p.update(u.Done-1, u.Total, label)
		if u.Done == u.Total {
			p.update(u.Total, u.Total, "")
		}
	}
}

func writeOutcome(env *Env, out *experiments.Outcome, dir string, shard experiments.Shard, asJSON bool, wall time.Duration) {
	if asJSON {
		b, _ := json.MarshalIndent(map[string]any{"out": dir, "report": out.Report, "experiments": out.Experiments,
			"wall_seconds": wall.Seconds()}, "", "  ")
		env.Stdout.Write(append(b, '\n'))
		return
	}
	writeSummary(env.Stdout, out.Experiments)
	switch {
	case out.Report:
		fmt.Fprintf(env.Stdout, "report: %s (and report.html), run.json; wall %s\n",
			filepath.Join(dir, "report.md"), experiments.FormatSeconds(wall.Seconds()))
	case !shard.Whole():
		fmt.Fprintf(env.Stdout, "shard %s done in %s; when every shard is done: noisegeom merge --out REPORT_DIR SHARD_DIRS...\n",
			shard, experiments.FormatSeconds(wall.Seconds()))
	}
}

// writeSummary prints one line per experiment: a one-word status (the
// reasons follow the table as notes, so that a long message does not widen
// it), the unit counts, this invocation's wall time and the mean wall time
// of a unit.
func writeSummary(w io.Writer, exps []experiments.ExperimentOutcome) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXPERIMENT\tSTATUS\tUNITS\tRAN\tREUSED\tTIME\tPER UNIT")
	var notes []string
	for _, e := range exps {
		perUnit := "-"
		if e.Recorded > 0 {
			perUnit = experiments.FormatSeconds(e.UnitSeconds / float64(e.Recorded))
		}
		status := e.Status
		if e.Error != "" && e.Status != experiments.StatusStopped {
			status += " [" + strconv.Itoa(len(notes)+1) + "]"
			notes = append(notes, e.Name+": "+e.Error)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", e.Name, status, e.Units, e.Ran, e.Reused,
			experiments.FormatSeconds(e.WallSeconds), perUnit)
	}
	tw.Flush()
	for i, n := range notes {
		fmt.Fprintf(w, "[%d] %s\n", i+1, n)
	}
}

func outcomeCode(env *Env, cmd string, out *experiments.Outcome) int {
	if out.Failed() {
		fmt.Fprintf(env.Stderr, "%s %s: some experiments did not complete (see above and the report)\n", env.Prog, cmd)
		return ExitFailure
	}
	ran := false
	for _, e := range out.Experiments {
		if e.Status == experiments.StatusSkipped {
			fmt.Fprintf(env.Stderr, "%s %s: %s not run (the reason is in the output above and in the report)\n", env.Prog, cmd, e.Name)
		} else {
			ran = true
		}
	}
	if !ran {
		return failure(env, cmd, errors.New("no experiment could run"))
	}
	return ExitOK
}
