package cli

import (
	"fmt"
	"strings"

	"github.com/noisegeom/noisegeom/analysis"
)

// The predicted time of align's operator products: about productSeconds
// per sample and stored parameter for one trace step (G·v and Σ₁·Gv: two
// J·v and two Jᵀ·u), measured at about 1.1e-9 s on a two-core x86-64 for
// an MLP (n = 400, p = 1409) and doubled for a margin. Above
// costWarnSeconds align prints the prediction on stderr; above
// costLimitSeconds it refuses without --force.
const (
	productSeconds   = 2e-9
	costWarnSeconds  = 10
	costLimitSeconds = 180
)

// checkAlignMemory refuses when the data and the model (checkProblem) and
// the matrices of the path do not fit --memory together, naming the
// estimate, the limit and, for a forced path, the paths that would fit. It
// sets pl.opt.MemoryBudget to what the problem leaves for the path (the
// budget --path auto chooses within).
func checkAlignMemory(f *alignFlags, pl *alignPlan) error {
	s := pl.spec
	limit := f.memoryMB * 1e6 // > 0: checkAlign refused the rest
	left := limit - s.bytes
	need := pl.pathBytes
	path := f.path
	if path == "auto" {
		path = analysis.PathAuto
	}
	if m := need(path); m > left {
		what := "the smallest path (" + smallestPath(need) + ")"
		if path != analysis.PathAuto {
			what = "--path " + path
		}
		return alignUsagef("%s needs about %s beside %s for the data and the model (n = %d, K = %d, p = %.0f): %s in all, over --memory %s; %s",
			what, fmtMB(m), fmtMB(s.bytes), s.n, s.outputs, s.p, fmtMB(m+s.bytes), fmtMB(limit), fitHint(need, left, s.bytes))
	}
	pl.opt.MemoryBudget = int64(left)
	return nil
}

// pathBytes estimates the bytes of the matrices of path for the problem.
func (pl *alignPlan) pathBytes(path string) float64 {
	s := pl.spec
	return analysis.PathMemory(path, s.n, s.outputs, int(s.p), pl.loss.Name() != "square", pl.opt)
}

var alignPaths = []string{analysis.PathDense, analysis.PathGram, analysis.PathMatrixFree}

func smallestPath(need func(string) float64) string {
	best := alignPaths[0]
	for _, p := range alignPaths[1:] {
		if need(p) < need(best) {
			best = p
		}
	}
	return best
}

// fitHint names the paths that fit in left bytes, or the --memory that
// the smallest would need.
func fitHint(need func(string) float64, left, problem float64) string {
	var fit []string
	for _, p := range alignPaths {
		if need(p) <= left {
			fit = append(fit, "--path "+p)
		}
	}
	if len(fit) > 0 {
		return strings.Join(fit, " or ") + " fits"
	}
	return fmt.Sprintf("no path fits: --memory %.0f or more is needed (--path %s), or lower --n, --d or --width",
		(need(smallestPath(need))+problem)/1e6+1, smallestPath(need))
}

// predictAlignCost predicts the time of the operator products that grow
// with p: the exact matrix-free traces (p trace steps, or --probes) and
// the exact Hessian traces (p + n Hessian-vector products), and refuses
// above costLimitSeconds without --force, naming the cheaper estimator.
func predictAlignCost(f *alignFlags, pl *alignPlan) error {
	s, opt := pl.spec, pl.opt
	step := productSeconds * float64(s.n) * (s.p + s.frozen)
	var steps float64
	var what, instead []string
	if matrixFree(f, pl) {
		if opt.Probes == 0 {
			steps += s.p
			what = append(what, fmt.Sprintf("exact matrix-free traces: p = %.0f products", s.p))
			instead = append(instead, fmt.Sprintf("--probes %d", analysis.AutoProbes))
		} else {
			steps += float64(opt.Probes)
		}
	}
	if opt.Hessian && opt.HessianProbes == 0 {
		steps += s.p + float64(s.n)
		what = append(what, fmt.Sprintf("exact Hessian traces: p + n = %.0f Hessian-vector products", s.p+float64(s.n)))
		instead = append(instead, fmt.Sprintf("--hessian-probes %d", analysis.AutoProbes))
	}
	pl.seconds = steps * step
	pl.cost = strings.Join(what, ", ")
	if pl.cost == "" {
		pl.cost = fmt.Sprintf("%.0f products", steps)
	}
	pl.cost += fmt.Sprintf(" of about %.3g s each", step)
	if pl.seconds > costLimitSeconds && !f.force && len(what) > 0 {
		return alignUsagef("predicted time about %.3g s (%s), over %d s: estimate the traces with %s (with a standard error), or run anyway with --force",
			pl.seconds, pl.cost, costLimitSeconds, strings.Join(instead, " and "))
	}
	return nil
}

// matrixFree reports whether the run takes the matrix-free path: forced,
// or --path auto when neither the dense nor the Gram path's matrices fit
// the budget left.
func matrixFree(f *alignFlags, pl *alignPlan) bool {
	switch f.path {
	case analysis.PathMatrixFree:
		return true
	case "auto":
		left := float64(pl.opt.MemoryBudget)
		return pl.pathBytes(analysis.PathDense) > left && pl.pathBytes(analysis.PathGram) > left
	}
	return false
}
