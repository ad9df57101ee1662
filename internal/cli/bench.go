package cli

import (
	"flag"
	"fmt"

	"github.com/noisegeom/noisegeom/bench"
)

func init() {
	register(&Command{
		Name:    "bench",
		Summary: "run the cross-CPU benchmark suite for every available kernel table",
		Run:     runBench,
	})
}

const benchAbout = `Times linalg's kernels for every available kernel table (or those named by
--impl) and thread count, and prints one row per measurement: kernel, table,
size n, where the operands fit (L1/L2/L3/mem), threads, GFLOP/s, GB/s, the
fraction of the table's measured FMA peak, and ns per call. Each figure is the
best of --repeats samples of at least --min-time each, after a warm-up call.
--json prints a JSON array instead, one object per measurement with the machine
facts in each, to compare runs across CPUs (see the bench package docs).
Progress is shown on stderr when it is a terminal.`

func runBench(env *Env, args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	cfg := bench.DefaultConfig()
	cfg.RegisterFlags(fs)
	asJSON := fs.Bool("json", false, "print a JSON array of results instead of a table")
	if code, done := parseFlags(env, fs, benchAbout, args); done {
		return code
	}
	if err := cfg.Validate(); err != nil {
		return usageError(env, "bench", err)
	}
	if p := newProgress(env.Stderr); p != nil {
		cfg.Progress = p.update
	}
	rep, err := bench.Run(cfg)
	if err != nil {
		return failure(env, "bench", err)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(env.Stderr, "%s bench: %v\n", env.Prog, s)
	}
	if *asJSON {
		err = bench.WriteJSON(env.Stdout, rep)
	} else {
		err = bench.WriteTable(env.Stdout, rep)
	}
	if err != nil {
		return failure(env, "bench", err)
	}
	return ExitOK
}
