package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/noisegeom/noisegeom/escape"
	"github.com/noisegeom/noisegeom/internal/report"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/optim"
)

// The "cyclical" experiment (docs/theory.md#the-papers-claims, claim 5): from a sharp minimum of
// a diagonal linear network, SGD with a two-phase cyclical rate (high phase
// above SGD's exact critical rate but below GD's threshold, low phase well
// below it), SGD at the constant low rate, and GD with the same cyclical
// rate. Sharpness (λ_max, Tr G, ‖G‖_F) and loss at the end of every cycle,
// over seeded repeats. One unit per (arm, repeat group); repeat r starts
// from the same perturbation and uses the same minibatch seed in every arm.

const cyclicalClaim = "A cyclical learning rate whose high phase lies above SGD's escape threshold but below GD's makes " +
	"SGD leave a sharp minimum along flat directions, and the low phase settles it in a flatter basin; GD with the same " +
	"cyclical rate, and SGD at a constant low rate, stay. Compared by the sharpness (λ_max, Tr G, ‖G‖_F) and the loss " +
	"per cycle (docs/theory.md#the-papers-claims, claim 5)."

func init() {
	register(&Experiment{
		Name:      "cyclical",
		Title:     "Cyclical learning rates: SGD leaves a sharp minimum for a flatter one, GD stays",
		Claim:     cyclicalClaim,
		Plan:      cyclicalPlan,
		Result:    func() any { return new(cycUnitResult) },
		Summarize: cyclicalSummarize,
	})
}

// cycScale holds the sizes of one scale.
type cycScale struct {
	Model                  escModel
	Batch                  int
	HighFactor, LowFactor  float64 // multiples of SGD's exact critical rate
	HighSteps, LowSteps    int
	Cycles, Repeats, Group int // Group: repeats per unit
	Radius                 float64
}

// Verdict criteria, fixed in advance (see cyclicalMethod).
const (
	cycSEs      = 2.0  // SGD+cyclical flatter by more than this many combined SEs
	cycStayFrac = 0.05 // GD+cyclical and SGD constant: |λ_end/λ_start − 1| ≤ this
)

// cycArms lists the arms in plan order.
var cycArms = []string{"sgd-cyclical", "sgd-constant", "gd-cyclical"}

var cycArmLabels = map[string]string{
	"sgd-cyclical": "SGD, cyclical rate", "sgd-constant": "SGD, constant low rate", "gd-cyclical": "GD, cyclical rate",
}

func cyclicalScale(s Scale) cycScale {
	switch s {
	case Tiny:
		return cycScale{Model: escModel{Name: "diagonal", N: 10, D: 16, Spectrum: "isotropic", Unbalance: 3, Index: 3},
			Batch: 2, HighFactor: 1.5, LowFactor: 0.1, HighSteps: 20, LowSteps: 40, Cycles: 2, Repeats: 4, Group: 2,
			Radius: 0.1}
	case Full:
		return cycScale{Model: escModel{Name: "diagonal", N: 100, D: 200, Spectrum: "isotropic", Unbalance: 3, Index: 3},
			Batch: 2, HighFactor: 1.5, LowFactor: 0.1, HighSteps: 200, LowSteps: 600, Cycles: 10, Repeats: 128, Group: 16,
			Radius: 0.1}
	}
	return cycScale{Model: escModel{Name: "diagonal", N: 30, D: 50, Spectrum: "isotropic", Unbalance: 3, Index: 3},
		Batch: 2, HighFactor: 1.5, LowFactor: 0.1, HighSteps: 100, LowSteps: 300, Cycles: 6, Repeats: 32, Group: 8,
		Radius: 0.1}
}

// cycUnit is one arm over repeats [From, To).
type cycUnit struct {
	Arm      string
	From, To int
}

func (u cycUnit) ID() string { return fmt.Sprintf("%s-r%d-%d", u.Arm, u.From, u.To-1) }

func cyclicalUnits(sc cycScale) []cycUnit {
	var out []cycUnit
	for _, arm := range cycArms {
		for from := 0; from < sc.Repeats; from += sc.Group {
			out = append(out, cycUnit{Arm: arm, From: from, To: min(from+sc.Group, sc.Repeats)})
		}
	}
	return out
}

func cyclicalPlan(cfg Config) ([]Unit, error) {
	sc := cyclicalScale(cfg.Scale)
	var units []Unit
	for _, u := range cyclicalUnits(sc) {
		u := u
		id := u.ID()
		units = append(units, Unit{ID: id, Run: func(ctx context.Context) (Record, error) {
			res, err := cycRun(ctx, cfg, sc, u)
			if err != nil {
				return Record{}, fmt.Errorf("cyclical %s: %w", id, err)
			}
			return newRecord(res)
		}})
	}
	return units, nil
}

// cycSeeds derives the start and minibatch seeds of repeat r from the
// base seed and r only, so every arm sees the same start and stream.
func cycSeeds(base uint64, r int) (uint64, uint64) {
	a := base*1000003 + uint64(r)*0x9e3779b97f4a7c15 + 0x6379636c
	return a ^ 0x7374617274, a ^ 0x6261746368
}

// cycEscapeArm maps the experiment's arms to escape.Cyclical's.
var cycEscapeArm = map[string]string{
	"sgd-cyclical": escape.ArmSGDCyclical, "sgd-constant": escape.ArmSGDConstant, "gd-cyclical": escape.ArmGDCyclical,
}

// cycUnitResult is one cyclical unit's result: the problem's setup and,
// repeat by repeat, the measurements at the end of every cycle (entry 0:
// the start).
type cycUnitResult struct {
	Setup   cycSetup    `json:"setup"`
	Repeats []cycRepeat `json:"repeats"`
}

// cycSetup describes the minimum and the rates (the same in every unit).
type cycSetup struct {
	GDThreshold float64 `json:"gd_threshold"`
	SGDCritical float64 `json:"sgd_critical"`
	High        float64 `json:"high"`
	Low         float64 `json:"low"`
	LambdaStar  float64 `json:"lambda_star"`
	ThetaNorm   float64 `json:"theta_norm"`
	Radius      float64 `json:"radius"`
	N           int     `json:"n"`
	P           int     `json:"p"`
	Batch       int     `json:"batch"`
	HighSteps   int     `json:"high_steps"`
	LowSteps    int     `json:"low_steps"`
	Residual    float64 `json:"residual"`
}

// cycRepeat is one repeat's measurements at the end of every cycle.
type cycRepeat struct {
	Repeat int         `json:"repeat"`
	Cycles []cycValues `json:"cycles"`
}

// cycValues are the measurements at the end of one cycle.
type cycValues struct {
	LambdaMax float64 `json:"lambda_max"`
	TrG       float64 `json:"tr_g"`
	FrobG     float64 `json:"frob_g"`
	Loss      float64 `json:"loss"`
}

// The measurements, as the summary's figures and tables read them.
var (
	cycLambdaMax = func(v cycValues) float64 { return v.LambdaMax }
	cycTrG       = func(v cycValues) float64 { return v.TrG }
	cycFrobG     = func(v cycValues) float64 { return v.FrobG }
	cycLoss      = func(v cycValues) float64 { return v.Loss }
)

// cycRun runs unit u's repeats of its arm through escape.Cyclical (one
// worker: the runner runs units in parallel). A diverged repeat is an
// error: the verdicts compare finite sharpness.
func cycRun(ctx context.Context, cfg Config, sc cycScale, u cycUnit) (cycUnitResult, error) {
	pb, err := escBuildProblem(cfg, sc.Model)
	if err != nil {
		return cycUnitResult{}, err
	}
	cr, err := pb.Q.SGDCritical(sc.Batch, true)
	if err != nil {
		return cycUnitResult{}, err
	}
	high, low := sc.HighFactor*cr.SGD, sc.LowFactor*cr.SGD
	theta := pb.Obj.Model.Params()
	res := cycUnitResult{Setup: cycSetup{GDThreshold: cr.GD, SGDCritical: cr.SGD, High: high, Low: low,
		LambdaStar: pb.Q.Lambda[0], ThetaNorm: linalg.Nrm2(theta), Radius: sc.Radius, N: pb.Obj.N(), P: len(theta),
		Batch: sc.Batch, HighSteps: sc.HighSteps, LowSteps: sc.LowSteps, Residual: pb.Residual}}
	c := &escape.Cyclical{Objective: pb.Obj, High: high, Low: low, HighSteps: sc.HighSteps, LowSteps: sc.LowSteps,
		Cycles: sc.Cycles, Batch: sc.Batch, Sampling: optim.WithReplacement, Radius: sc.Radius, Workers: 1,
		Seeds: func(r int) (uint64, uint64) { return cycSeeds(cfg.Seed, r) }}
	reps, err := c.RunArm(ctx, cycEscapeArm[u.Arm], u.From, u.To)
	if err != nil {
		return cycUnitResult{}, err
	}
	for _, rep := range reps {
		if rep.DivergedAt != escape.NotDiverged {
			return cycUnitResult{}, fmt.Errorf("repeat %d diverged at step %d", rep.Repeat, rep.DivergedAt)
		}
		out := cycRepeat{Repeat: rep.Repeat}
		for _, m := range rep.Cycles {
			out.Cycles = append(out.Cycles, cycValues{LambdaMax: m.LambdaMax, TrG: m.TrG, FrobG: m.FrobG, Loss: m.Loss})
		}
		res.Repeats = append(res.Repeats, out)
	}
	return res, nil
}

// cycStat is a mean over repeats and its standard error.
type cycStat struct{ Mean, SE float64 }

func cycMeanSE(xs []float64) cycStat {
	m, se := meanSE(xs)
	return cycStat{m, se}
}

func (s cycStat) String() string {
	return strconv.FormatFloat(s.Mean, 'g', 5, 64) + " ± " + strconv.FormatFloat(s.SE, 'g', 2, 64)
}

// cycView is what the steps of the cyclical summary read: the scale, the
// setup and, per arm and cycle, the measurements of every repeat.
type cycView struct {
	sc    cycScale
	setup cycSetup
	vals  map[string][][]cycValues
}

// stat is the mean and SE of a measurement of an arm at a cycle's end.
func (v *cycView) stat(arm string, m func(cycValues) float64, cy int) cycStat {
	xs := make([]float64, len(v.vals[arm][cy]))
	for i, x := range v.vals[arm][cy] {
		xs[i] = m(x)
	}
	return cycMeanSE(xs)
}

func cyclicalSummarize(cfg Config, records []Record) (report.Section, error) {
	v, err := cycLoad(cfg, records)
	if err != nil {
		return report.Section{}, err
	}
	sec := report.Section{Name: "cyclical", Title: "Cyclical learning rates: SGD leaves a sharp minimum for a flatter one, GD stays",
		Claim: cyclicalClaim, Method: cyclicalMethod(v.sc, cfg, v.setup)}
	sec.Figures = v.figures()
	sec.Tables = append(sec.Tables, v.finalTable())
	if h, g := v.setup.High, v.setup.GDThreshold; !(h < g) {
		sec.Notes = append(sec.Notes, fmt.Sprintf("η_high = %s is not below GD's threshold %s: the high phase does not lie "+
			"between the two thresholds, so the comparison does not test the claim.", escFmt(h), escFmt(g)))
	}
	sec.Verdicts = v.verdicts()
	return sec, nil
}

// cycLoad reads the units' results and groups the measurements by arm and
// cycle, checking that every unit holds its repeats and cycles.
func cycLoad(cfg Config, records []Record) (*cycView, error) {
	sc := cyclicalScale(cfg.Scale)
	units := cyclicalUnits(sc)
	ids := make([]string, len(units))
	for i, u := range units {
		ids[i] = u.ID()
	}
	res, err := decodeResults[cycUnitResult]("cyclical", ids, records)
	if err != nil {
		return nil, err
	}
	v := &cycView{sc: sc, setup: res[0].Setup, vals: map[string][][]cycValues{}}
	for _, arm := range cycArms {
		v.vals[arm] = make([][]cycValues, sc.Cycles+1)
	}
	for i, r := range res {
		u := units[i]
		if len(r.Repeats) != u.To-u.From {
			return nil, fmt.Errorf("cyclical: unit %s has %d repeats, want %d", ids[i], len(r.Repeats), u.To-u.From)
		}
		for _, rep := range r.Repeats {
			if len(rep.Cycles) != sc.Cycles+1 {
				return nil, fmt.Errorf("cyclical: unit %s repeat %d has %d cycles, want %d", ids[i], rep.Repeat, len(rep.Cycles), sc.Cycles+1)
			}
			for cy, x := range rep.Cycles {
				v.vals[u.Arm][cy] = append(v.vals[u.Arm][cy], x)
			}
		}
	}
	return v, nil
}

// series returns one series per arm of a measurement over the cycles.
func (v *cycView) series(m func(cycValues) float64, logY bool) []report.Series {
	cycles := make([]float64, v.sc.Cycles+1)
	for i := range cycles {
		cycles[i] = float64(i)
	}
	var out []report.Series
	for _, arm := range cycArms {
		s := report.Series{Label: cycArmLabels[arm], X: cycles}
		for cy := range cycles {
			st := v.stat(arm, m, cy)
			y, lo, hi := st.Mean, st.Mean-st.SE, st.Mean+st.SE
			if logY {
				y = escPos(y) // a non-positive lower end runs off the log axis
			}
			s.Y, s.ErrLo, s.ErrHi = append(s.Y, y), append(s.ErrLo, lo), append(s.ErrHi, hi)
		}
		out = append(out, s)
	}
	return out
}

// figures are sharpness, loss and Tr G at the end of each cycle.
func (v *cycView) figures() []report.Figure {
	sc, setup := v.sc, v.setup
	start := v.stat("sgd-cyclical", cycLambdaMax, 0)
	period := sc.HighSteps + sc.LowSteps
	return []report.Figure{
		{Name: "sharpness", Title: "Sharpness λ_max(G) at the end of each cycle",
			Caption: fmt.Sprintf("Mean ± 1 SE over %d seeded repeats (the same starts in every arm). One cycle = %d steps at "+
				"η_high = %s then %d at η_low = %s; cycle 0 is the perturbed start. GD's high phase would be unstable "+
				"only at λ_max > 2/η_high = %s.", sc.Repeats, sc.HighSteps, escFmt(setup.High), sc.LowSteps,
				escFmt(setup.Low), escFmt(2/setup.High)),
			XLabel: fmt.Sprintf("cycle (%d steps each)", period), YLabel: "sharpness λ_max(G) (curvature units)",
			Series: v.series(cycLambdaMax, false),
			HLines: []report.RefLine{{Label: "start sharpness (cycle 0)", At: start.Mean}}},
		{Name: "loss", Title: "Training loss at the end of each cycle",
			Caption: fmt.Sprintf("Mean ± 1 SE over %d seeded repeats, measured after the low phase.", sc.Repeats),
			XLabel:  fmt.Sprintf("cycle (%d steps each)", period), YLabel: "training loss L (loss units)", YLog: true,
			Series: v.series(cycLoss, true)},
		{Name: "trace", Title: "Tr G at the end of each cycle",
			Caption: fmt.Sprintf("Mean ± 1 SE over %d seeded repeats.", sc.Repeats),
			XLabel:  fmt.Sprintf("cycle (%d steps each)", period), YLabel: "Tr G (curvature units)",
			Series: v.series(cycTrG, false)}}
}

// finalTable lists every arm at the start and the end.
func (v *cycView) finalTable() report.Table {
	sc := v.sc
	tab := report.Table{Name: "final", Caption: fmt.Sprintf("Start (cycle 0) and end (cycle %d), mean ± SE over %d repeats.",
		sc.Cycles, sc.Repeats), Columns: []string{"arm", "cycle", "λ_max", "Tr G", "‖G‖_F", "loss"}}
	for _, arm := range cycArms {
		for _, cy := range []int{0, sc.Cycles} {
			tab.Rows = append(tab.Rows, []string{cycArmLabels[arm], strconv.Itoa(cy), v.stat(arm, cycLambdaMax, cy).String(),
				v.stat(arm, cycTrG, cy).String(), v.stat(arm, cycFrobG, cy).String(), v.stat(arm, cycLoss, cy).String()})
		}
	}
	return tab
}

// verdicts: SGD with the cyclical rate ends flatter than the start and
// the other arms; the other arms stay.
func (v *cycView) verdicts() []report.Verdict {
	sc := v.sc
	start := v.stat("sgd-cyclical", cycLambdaMax, 0)
	end := func(arm string) cycStat { return v.stat(arm, cycLambdaMax, sc.Cycles) }
	sgd, con, gd := end("sgd-cyclical"), end("sgd-constant"), end("gd-cyclical")
	comb := func(a, b cycStat) float64 { return math.Hypot(a.SE, b.SE) }
	held := sgd.Mean < start.Mean-cycSEs*comb(sgd, start) && sgd.Mean < con.Mean-cycSEs*comb(sgd, con) &&
		sgd.Mean < gd.Mean-cycSEs*comb(sgd, gd)
	out := []report.Verdict{{
		Statement: "SGD with the cyclical rate ends flatter than the start and than both other arms",
		Measured: fmt.Sprintf("λ_max after %d cycles: SGD cyclical %s; start %s; SGD constant %s; GD cyclical %s "+
			"(gaps %.1f, %.1f, %.1f combined SEs)", sc.Cycles, sgd, start, con, gd,
			(start.Mean-sgd.Mean)/comb(sgd, start), (con.Mean-sgd.Mean)/comb(sgd, con), (gd.Mean-sgd.Mean)/comb(sgd, gd)),
		Expected: fmt.Sprintf("lower than each by more than %g combined SEs √(SE_a² + SE_b²)", cycSEs),
		Held:     held}}
	for _, arm := range []string{"gd-cyclical", "sgd-constant"} {
		e := end(arm)
		rel := e.Mean/start.Mean - 1
		st := "GD with the same cyclical rate stays at the sharp minimum"
		if arm == "sgd-constant" {
			st = "SGD at the constant low rate (below its critical rate) stays at the sharp minimum"
		}
		out = append(out, report.Verdict{
			Statement: st,
			Measured:  fmt.Sprintf("λ_max %s after %d cycles vs %s at the start (%+.2f%%)", e, sc.Cycles, start, 100*rel),
			Expected:  fmt.Sprintf("within ±%g%% of the start", 100*cycStayFrac),
			Held:      math.Abs(rel) <= cycStayFrac})
	}
	return out
}

func cyclicalMethod(sc cycScale, cfg Config, setup cycSetup) string {
	m := sc.Model
	return fmt.Sprintf("A diagonal linear network u⊙v (n = %d, d = %d, p = %d, x ~ N(0, I), y ~ N(0, 1), data seed from "+
		"seed %d) at the unbalanced interpolating minimum u = c√|β|, v = sign(β)√|β|/c with c = %g, β = X⁺y "+
		"(‖θ*‖ = %s, λ_max(G(θ*)) = %s). SGD uses minibatches of B = %d drawn with replacement; its exact critical rate "+
		"is η* = %s, GD's threshold 2/λ_max = %s. Arms: SGD with the two-phase rate η_high = %g·η* = %s for %d steps, "+
		"then η_low = %g·η* = %s for %d steps, repeated %d times; SGD at η_low throughout; GD with the same two-phase rate. "+
		"Each of %d repeats starts from θ* plus an isotropic Gaussian perturbation of expected norm %g, the same start and "+
		"minibatch seed in every arm; one unit per (arm, group of %d repeats). At the end of every cycle: λ_max(G) (Lanczos), "+
		"Tr G, ‖G‖_F and the loss on the full data (analysis.FromObjective).\n\n"+
		"Criteria, fixed from the theory before running: SGD at η_high > η* is linearly unstable at θ*, its second moment "+
		"grows along all directions (claim 4), so it must leave; GD at η_high < 2/λ_max and SGD at η_low < η* are linearly "+
		"stable at θ* and return to a minimum within O(ρ) of the start, whose sharpness differs from the start's by a "+
		"relative O(ρ/‖θ*‖) = %.1f%%. Hence: (1) SGD+cyclical ends with λ_max below the start and below both other arms "+
		"by more than %g combined standard errors; (2) GD+cyclical and (3) SGD constant end within ±%g%% of the start "+
		"(several times ρ/‖θ*‖).",
		m.N, m.D, 2*m.D, cfg.Seed, m.Unbalance, escFmt(setup.ThetaNorm), escFmt(setup.LambdaStar),
		sc.Batch, escFmt(setup.SGDCritical), escFmt(setup.GDThreshold), sc.HighFactor,
		escFmt(setup.High), sc.HighSteps, sc.LowFactor, escFmt(setup.Low), sc.LowSteps, sc.Cycles,
		sc.Repeats, sc.Radius, sc.Group, 100*sc.Radius/setup.ThetaNorm, cycSEs, 100*cycStayFrac)
}
