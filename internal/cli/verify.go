package cli

import (
	"flag"
	"fmt"
	"io/fs"
	"strings"

	"github.com/noisegeom/noisegeom/internal/verify"
)

func init() {
	register(&Command{
		Name:    "verify",
		Summary: "recompute reference cases and compare with independent implementations (numpy, LAPACK, PyTorch)",
		Run:     runVerify,
	})
}

// verifyFS is the reference data verify reads; tests substitute a copy.
var verifyFS fs.FS = verify.Reference

func runVerify(env *Env, args []string) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the results as a JSON object")
	only := fs.String("only", "", "run only the cases matching these comma-separated `patterns` (glob as in path.Match, or substring)")
	list := fs.Bool("list", false, "list the case names (after --only) and exit")
	verbose := fs.Bool("v", false, "print every check of every case with its error measure and tolerance")
	about := "Recomputes a fixed set of reference cases with noisegeom's own code (linalg: Gemm,\n" +
		"Gemv, Nrm2, EigenSym, tridiagonal eigenvalues, Lanczos; models: gradients, J·v, Jᵀu,\n" +
		"H·v, G·v; analysis: μ, μ_c, μ_iso, g on every path and the population closed forms;\n" +
		"escape: the exact second-moment recursion and SGD's critical rate) and compares them\n" +
		"with reference outputs made by independent implementations (numpy/OpenBLAS,\n" +
		"LAPACK via numpy and scipy, exact rational arithmetic, PyTorch autograd, explicit\n" +
		"p×p formulas, exact quadrature, enumeration of every minibatch), embedded in the\n" +
		"binary. Each tolerance comes from an error bound (shown with -v). Prints one line\n" +
		"per case (case, source, max error, tolerance, status) and a summary line.\n" +
		"Exit status: 0 every case passed, 1 any MISMATCH, 2 usage error (including an\n" +
		"--only pattern that matches no case). The generating script is\n" +
		"internal/verify/reference/make_reference.py."
	if code, done := parseFlags(env, fs, about, args); done {
		return code
	}
	cases, err := verify.Select(verify.Load(verifyFS), *only)
	if err != nil {
		return usageError(env, "verify", fmt.Errorf("--only: %w", err))
	}
	if *list {
		if _, err := fmt.Fprintln(env.Stdout, strings.Join(verify.Names(cases), "\n")); err != nil {
			return failure(env, "verify", err)
		}
		return ExitOK
	}
	results := verify.RunAll(cases)
	if *asJSON {
		err = verify.WriteJSON(env.Stdout, results)
	} else {
		err = verify.WriteTable(env.Stdout, results, *verbose)
	}
	if err != nil {
		return failure(env, "verify", err)
	}
	if n := verify.Mismatches(results); n > 0 {
		fmt.Fprintf(env.Stderr, "%s verify: %d of %d cases do not match their reference\n", env.Prog, n, len(results))
		return ExitFailure
	}
	return ExitOK
}
