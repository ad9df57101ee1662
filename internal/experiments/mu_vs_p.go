package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/internal/report"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

// The criteria of mu-vs-p, fixed before the run: the mean μ over seeds is
// ≥ muVsPBound at every width, and μ at the largest width is at least
// muVsPRatio times μ at the smallest.
const (
	muVsPBound = 0.5
	muVsPRatio = 0.75
)

type muVsPSize struct {
	N, D, Seeds int
	Widths      []int
	// Steps of full-batch GD (η = 1/λ_max(G) at initialisation) before the
	// second measurement.
	Steps int
}

func muVsPSizes(s Scale) muVsPSize {
	switch s {
	case Tiny:
		return muVsPSize{N: 32, D: 4, Seeds: 2, Widths: []int{4, 16}, Steps: 5}
	case Full:
		return muVsPSize{N: 1024, D: 64, Seeds: 12, Widths: []int{16, 64, 256, 1024, 4096}, Steps: 50}
	}
	return muVsPSize{N: 256, D: 32, Seeds: 10, Widths: []int{16, 64, 256, 1024}, Steps: 20}
}

// muVsPFamily is one model family of the sweep.
type muVsPFamily struct {
	key, label string
	widths     bool   // swept over widths (else one p)
	act        string // activation of the two-layer and random-feature models
	olm        bool   // an over-parameterized linear model (claim 1)
}

// muVsPPoints are the two points measured per model: the initialisation
// and the end of a short full-batch GD run from it.
var muVsPPoints = []struct{ key, label string }{
	{"init", "at initialisation"},
	{"gd", "after GD"},
}

var muVsPFamilies = []muVsPFamily{
	{key: "linear", label: "linear regression (p = d)", olm: true},
	{key: "diagonal", label: "diagonal linear net u⊙v (p = 2d)", olm: true},
	{key: "deeplinear2", label: "deep linear, depth 2", widths: true, olm: true},
	{key: "deeplinear3", label: "deep linear, depth 3", widths: true, olm: true},
	{key: "randomfeatures", label: "random features (tanh)", widths: true, act: "tanh", olm: true},
	{key: "twolayer-tanh", label: "two-layer, tanh", widths: true, act: "tanh"},
	{key: "twolayer-softplus", label: "two-layer, softplus", widths: true, act: "softplus"},
	{key: "twolayer-leaky_relu", label: "two-layer, leaky ReLU", widths: true, act: "leaky_relu"},
	{key: "twolayer-relu", label: "two-layer, ReLU", widths: true, act: "relu"},
}

func init() {
	register(&Experiment{
		Name:  "mu-vs-p",
		Title: "Loss alignment against over-parameterization",
		Claim: "μ is bounded below independently of the number of parameters p for over-parameterized linear " +
			"models (linear regression, diagonal and deep linear networks, random features; docs/theory.md#the-papers-claims, claim 1) " +
			"and independently of the width m for two-layer networks f(x) = Σ_k a_k σ(w_kᵀx) with the second layer " +
			"fixed and an activation with bounded derivative (claim 2; the bound is vacuous for ReLU).",
		Plan:      muVsPPlan,
		Result:    func() any { return new(muVsPResult) },
		Summarize: muVsPSummarize,
	})
}

func muVsPPlan(cfg Config) ([]Unit, error) {
	sz := muVsPSizes(cfg.Scale)
	var units []Unit
	for fi, fam := range muVsPFamilies {
		widths := []int{0}
		if fam.widths {
			widths = sz.Widths
		}
		for _, w := range widths {
			fi, fam, w := fi, fam, w
			id := strings.ReplaceAll(fam.key, "_", "-")
			if fam.widths {
				id += fmt.Sprintf("-w%05d", w)
			}
			units = append(units, Unit{ID: id, Run: func(ctx context.Context) (Record, error) {
				res, err := muVsPUnit(ctx, cfg, sz, fi, fam, w)
				if err != nil {
					return Record{}, err
				}
				return newRecord(res)
			}})
		}
	}
	return units, nil
}

// muVsPModel builds and initialises the model of a family.
func muVsPModel(fam muVsPFamily, d, w int, seed uint64) (models.Model, error) {
	var act models.Activation
	if fam.act != "" {
		a, err := models.ParseActivation(fam.act)
		if err != nil {
			return nil, err
		}
		act = a
	}
	spec := models.Spec{Inputs: d, Width: w, Act: act, Diagonal: models.Product}
	switch {
	case fam.key == "linear":
		spec.Family = "linear" // θ = 0
		return newModel(spec, false, seed)
	case fam.key == "diagonal":
		spec.Family = "diagonal"
	case fam.key == "deeplinear2" || fam.key == "deeplinear3":
		spec.Family, spec.Depth = "deeplinear", 1
		if fam.key == "deeplinear3" {
			spec.Depth = 2
		}
	case fam.key == "randomfeatures":
		spec.Family, spec.FrozenSeed = "randomfeatures", seed // θ = 0, W frozen from seed
		return newModel(spec, false, seed)
	case strings.HasPrefix(fam.key, "twolayer-"):
		spec.Family = "twolayer"
	default:
		return nil, fmt.Errorf("mu-vs-p: unknown family %q", fam.key)
	}
	return newModel(spec, true, seed)
}

// muVsPResult is one (family, width) unit: seed by seed, the
// measurements at the initialisation then after GD.
type muVsPResult struct {
	Family     string         `json:"family"`
	Activation string         `json:"activation"`
	Width      int            `json:"width"`
	N          int            `json:"n"`
	D          int            `json:"d"`
	Steps      int            `json:"steps"`
	Measures   []muVsPMeasure `json:"measures"`
}

// muVsPMeasure is one seed at one point ("init" or "gd"); NaN:
// undefined. LossRatio is L/L₀, Eta GD's rate.
type muVsPMeasure struct {
	Point     string  `json:"point"`
	Path      string  `json:"path"`
	Seed      int     `json:"seed"`
	P         int     `json:"p"`
	Mu        float64 `json:"mu"`
	MuC       float64 `json:"mu_c"`
	MuIso     float64 `json:"mu_iso"`
	MuOverIso float64 `json:"mu_over_iso"`
	Loss      float64 `json:"loss"`
	LossRatio float64 `json:"loss_ratio"`
	Eta       float64 `json:"eta"`
}

// The measurements the summary reads.
var (
	muVsPMu        = func(m muVsPMeasure) float64 { return m.Mu }
	muVsPMuC       = func(m muVsPMeasure) float64 { return m.MuC }
	muVsPMuIso     = func(m muVsPMeasure) float64 { return m.MuIso }
	muVsPMuOverIso = func(m muVsPMeasure) float64 { return m.MuOverIso }
	muVsPLossRatio = func(m muVsPMeasure) float64 { return m.LossRatio }
)

// muVsPValues extracts one measurement from ms.
func muVsPValues(ms []muVsPMeasure, val func(muVsPMeasure) float64) []float64 {
	out := make([]float64, len(ms))
	for i, m := range ms {
		out[i] = val(m)
	}
	return out
}

func muVsPUnit(ctx context.Context, cfg Config, sz muVsPSize, fi int, fam muVsPFamily, w int) (muVsPResult, error) {
	act := fam.act
	if act == "" {
		act = "identity"
	}
	out := muVsPResult{Family: fam.key, Activation: act, Width: w, N: sz.N, D: sz.D, Steps: sz.Steps}
	sp, err := data.Isotropic(sz.D)
	if err != nil {
		return out, err
	}
	for rep := 0; rep < sz.Seeds; rep++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		// The data of seed rep is shared by every family and width
		// (common random numbers); the model's initialisation is its own.
		dseed := synSeed(cfg.Seed, synTag("mu-vs-p/data"), uint64(rep))
		x, _, err := synInputs(sp, sz.N, dseed)
		if err != nil {
			return out, err
		}
		thetaStar := synGaussian(sz.D, dseed+1)
		linalg.Scal(1/math.Sqrt(float64(sz.D)), thetaStar)
		y := synLinearLabels(x, thetaStar, synLabelNoise, dseed+2)
		model, err := muVsPModel(fam, sz.D, w, synSeed(cfg.Seed, synTag("mu-vs-p/init"), uint64(fi), uint64(w), uint64(rep)))
		if err != nil {
			return out, err
		}
		obj := models.NewObjective(model, models.Square{}, x, y)
		var eta, loss0 float64
		for _, pt := range muVsPPoints {
			if pt.key == "gd" {
				// Full-batch GD from the initialisation, η = 1/λ_max(G(θ₀)):
				// half GD's stability limit of the linearised model.
				grad := make([]float64, model.NumParams())
				for step := 0; step < sz.Steps; step++ {
					if err := ctx.Err(); err != nil {
						return out, err
					}
					obj.Gradient(grad)
					linalg.Axpy(-eta, grad, model.Params())
				}
			}
			res, err := synAnalyse(model, x, y, analysis.PathGram, 0, dseed)
			if err != nil {
				return out, err
			}
			if pt.key == "init" {
				loss0 = res.Loss
				if len(res.Eigenvalues) > 0 && res.Eigenvalues[0] > 0 {
					eta = 1 / res.Eigenvalues[0]
				}
			}
			out.Measures = append(out.Measures, muVsPMeasure{Point: pt.key, Path: res.Path, Seed: rep,
				P: model.NumParams(), Mu: synVal(res.Mu), MuC: synVal(res.MuC), MuIso: synVal(res.MuIso),
				MuOverIso: synVal(res.MuOverIso), Loss: res.Loss, LossRatio: res.Loss / loss0, Eta: eta})
		}
	}
	return out, nil
}

// muVsPFamPoint names one family at one point.
type muVsPFamPoint struct{ family, point string }

// muVsPStat is a family's μ and μ_iso over its widths at one point, with
// the parameter counts and widths.
type muVsPStat struct {
	ps, ws    []float64
	st, stIso []synStat
}

// muVsPView is what the steps of the mu-vs-p summary read: the sweep, the
// units' results by (family, width), and the statistics per family and
// point.
type muVsPView struct {
	sz    muVsPSize
	units map[muVsPUnitKey]*muVsPResult
	stats map[muVsPFamPoint]*muVsPStat
}

type muVsPUnitKey struct {
	family string
	width  int
}

// get returns the measurements of a family at a point and width.
func (v *muVsPView) get(family, point string, width int) []muVsPMeasure {
	var out []muVsPMeasure
	if u := v.units[muVsPUnitKey{family, width}]; u != nil {
		for _, m := range u.Measures {
			if m.Point == point {
				out = append(out, m)
			}
		}
	}
	return out
}

// widths returns the widths a family is measured at (0: not swept).
func (v *muVsPView) widths(fam muVsPFamily) []int {
	if fam.widths {
		return v.sz.Widths
	}
	return []int{0}
}

func muVsPSummarize(cfg Config, records []Record) (report.Section, error) {
	v, err := muVsPLoad(cfg, records)
	if err != nil {
		return report.Section{}, err
	}
	sec := report.Section{
		Name:  "mu-vs-p",
		Title: "Loss alignment against over-parameterization",
		Claim: "μ is bounded below independently of p for over-parameterized linear models (docs/theory.md#the-papers-claims, claim 1) and " +
			"independently of the width m for two-layer networks with the second layer fixed and an activation with " +
			"bounded derivative (claim 2; vacuous for ReLU).",
		Method: muVsPMethod(v.sz),
	}
	for _, pt := range muVsPPoints {
		sec.Figures = append(sec.Figures, v.figures(pt.key, pt.label)...)
	}
	for _, fam := range muVsPFamilies {
		sec.Verdicts = append(sec.Verdicts, v.familyVerdict(fam))
	}
	sec.Tables = append(sec.Tables, v.summaryTable())
	sec.Notes = append(sec.Notes,
		"μ_iso falls like 1/p once p ≫ n (G has rank ≤ n), so μ/μ_iso measures how much better than isotropic the SGD noise is aligned.",
		"The ReLU verdict uses the same criterion as the others, but the paper gives no guarantee for ReLU; it is reported, not claimed.",
		"GD uses η = 1/λ_max(G) at initialisation for every family; the loss ratio L/L₀ in the table shows how far each model moved.")
	return sec, nil
}

// muVsPLoad reads the units' results and computes the statistics of
// every family at both points; every (family, point, width) must have
// measurements.
func muVsPLoad(cfg Config, records []Record) (*muVsPView, error) {
	plan, err := muVsPPlan(cfg)
	if err != nil {
		return nil, err
	}
	res, err := decodeResults[muVsPResult]("mu-vs-p", unitIDs(plan), records)
	if err != nil {
		return nil, err
	}
	v := &muVsPView{sz: muVsPSizes(cfg.Scale), units: map[muVsPUnitKey]*muVsPResult{}, stats: map[muVsPFamPoint]*muVsPStat{}}
	for i := range res {
		v.units[muVsPUnitKey{res[i].Family, res[i].Width}] = &res[i]
	}
	for _, pt := range muVsPPoints {
		for _, fam := range muVsPFamilies {
			fs := &muVsPStat{}
			v.stats[muVsPFamPoint{fam.key, pt.key}] = fs
			for _, w := range v.widths(fam) {
				rows := v.get(fam.key, pt.key, w)
				if len(rows) == 0 {
					return nil, fmt.Errorf("mu-vs-p: no rows for %s %s width %d", fam.key, pt.key, w)
				}
				fs.ps = append(fs.ps, float64(rows[0].P))
				fs.ws = append(fs.ws, float64(w))
				fs.st = append(fs.st, synSummary(muVsPValues(rows, muVsPMu)))
				fs.stIso = append(fs.stIso, synSummary(muVsPValues(rows, muVsPMuIso)))
			}
		}
	}
	return v, nil
}

func muVsPMethod(sz muVsPSize) string {
	wMax, wMin := sz.Widths[len(sz.Widths)-1], sz.Widths[0]
	return fmt.Sprintf("Fixed data: n = %d inputs x ~ N(0, I_d), d = %d, labels from a linear teacher θ* ~ N(0, I/d) "+
		"with label noise s = %.2g (the same data for every family and width of a seed). Models: linear regression "+
		"and random features start at θ = 0; diagonal net u⊙v with entries d^(−1/4)(1 + ½ξ); deep linear d → w → 1 "+
		"and d → w → w → 1 (LeCun); random features (1/√m)θᵀtanh(Wx), W ~ N(0, 1/d) frozen; two-layer "+
		"(1/√m)Σ_k a_k σ(w_kᵀx) with a_k = ±1 fixed and LeCun w_k. Two points per model, both away from any "+
		"minimum (nonzero loss; the paper's bound holds at any θ): the initialisation, and after %d steps of "+
		"full-batch GD from it with η = 1/λ_max(G(θ₀)). Widths {%s}; %d seeds (data and initialisation); μ, μ_c, "+
		"μ_iso by the Gram path (K = JJᵀ, n×n, exact for any p). Points are mean ± 1 SE over seeds. Criteria "+
		"fixed before the run, per family and point: the mean μ is ≥ %.2g at every width (the constant of the "+
		"n ≥ 2r₂ bound of mu-vs-n: μ is the r²-weighted mean of the row energies Σ_j K_ij² over their plain "+
		"mean, ≥ 1 in population for linear regression; a p-independent bound must hold at some fixed "+
		"constant, and half the linear-regression floor is the one we test), and no downward trend: μ at "+
		"the largest width is ≥ %.2g × μ at the smallest (a decay m^(−γ) over the %d× range of widths "+
		"passes only if γ ≤ %.2g). The paper's bound needs σ' bounded away from 0 and ∞; for ReLU it is "+
		"vacuous, so ReLU is checked against the same criterion but its verdict is informational.",
		sz.N, sz.D, synLabelNoise, sz.Steps, synInts(sz.Widths), sz.Seeds, muVsPBound, muVsPRatio,
		wMax/wMin, -math.Log(muVsPRatio)/math.Log(float64(wMax/wMin)))
}

// summaryTable lists every family, point and width.
func (v *muVsPView) summaryTable() report.Table {
	table := report.Table{Name: "summary", Caption: "Mean μ, μ_c, μ_iso and μ/μ_iso over seeds per family, width and point; L/L₀ is the loss relative to initialisation.",
		Columns: []string{"family", "point", "width", "p", "μ (mean ± SE)", "μ_c", "μ_iso", "μ/μ_iso", "min per-seed μ", "L/L₀"}}
	for _, pt := range muVsPPoints {
		for _, fam := range muVsPFamilies {
			for _, w := range v.widths(fam) {
				rows := v.get(fam.key, pt.key, w)
				s := synSummary(muVsPValues(rows, muVsPMu))
				wl := "—"
				if fam.widths {
					wl = strconv.Itoa(w)
				}
				table.Rows = append(table.Rows, []string{fam.key, pt.key, wl, strconv.Itoa(rows[0].P),
					synFmt(s.Mean) + " ± " + synFmt(s.SE), synFmt(synSummary(muVsPValues(rows, muVsPMuC)).Mean),
					synFmt(synSummary(muVsPValues(rows, muVsPMuIso)).Mean), synFmt(synSummary(muVsPValues(rows, muVsPMuOverIso)).Mean),
					synFmt(s.Min), synFmt(synSummary(muVsPValues(rows, muVsPLossRatio)).Mean)})
			}
		}
	}
	return table
}

// figures are μ against p and, for the two-layer networks, μ and μ_iso
// against the width, at one point.
func (v *muVsPView) figures(point, label string) []report.Figure {
	sz := v.sz
	bound := []report.RefLine{{Label: fmt.Sprintf("bound μ = %.2g", muVsPBound), At: muVsPBound}}
	suffix := ""
	if point != "init" {
		suffix = "-" + point
	}
	figP := report.Figure{Name: "mu-p" + suffix, Title: "Loss alignment μ against the number of parameters p, " + label,
		Caption: fmt.Sprintf("Mean ± 1 SE over %d seeds, fixed n = %d and d = %d. Dashed: the bound tested.", sz.Seeds, sz.N, sz.D),
		XLabel:  "number of parameters p (parameters)", YLabel: "loss alignment μ (dimensionless)", XLog: true, HLines: bound}
	figW := report.Figure{Name: "mu-width" + suffix, Title: "Two-layer networks: μ and μ_iso against width m, " + label,
		Caption: "Mean ± 1 SE over seeds. μ_iso = Tr Σ₁·Tr G/(p·2L‖G‖_F²) is the alignment isotropic noise of the same " +
			"total variance would have; μ/μ_iso (the gap on this log axis) grows with p.",
		XLabel: "hidden width m (units)", YLabel: "alignment μ, μ_iso (dimensionless)", XLog: true, YLog: true, HLines: bound}
	for _, fam := range muVsPFamilies {
		fs := v.stats[muVsPFamPoint{fam.key, point}]
		if fam.olm || fam.key == "twolayer-tanh" {
			ser := synSeries(fam.label, fs.ps, fs.st)
			if !fam.widths {
				ser.Style = "points"
			}
			figP.Series = append(figP.Series, ser)
		}
		if strings.HasPrefix(fam.key, "twolayer-") {
			figW.Series = append(figW.Series, synSeries("μ, "+fam.act, fs.ws, fs.st))
			iso := synSeries("μ_iso, "+fam.act, fs.ws, fs.stIso)
			iso.Style = "dashed"
			figW.Series = append(figW.Series, iso)
		}
	}
	return []report.Figure{figP, figW}
}

// familyVerdict: the family's mean μ stays above the bound at both points
// and, over widths, does not fall.
func (v *muVsPView) familyVerdict(fam muVsPFamily) report.Verdict {
	wMax, wMin := v.sz.Widths[len(v.sz.Widths)-1], v.sz.Widths[0]
	held := true
	var measured []string
	for _, pt := range muVsPPoints {
		fs := v.stats[muVsPFamPoint{fam.key, pt.key}]
		minMean, minAt := math.Inf(1), 0
		for i, s := range fs.st {
			if s.Mean < minMean || math.IsNaN(s.Mean) {
				minMean, minAt = s.Mean, i
			}
		}
		held = held && minMean >= muVsPBound
		m := fmt.Sprintf("%s: min mean μ = %s (p = %d)", pt.label, synFmt(minMean), int(fs.ps[minAt]))
		if fam.widths {
			last := len(fs.st) - 1
			ratio := fs.st[last].Mean / fs.st[0].Mean
			held = held && ratio >= muVsPRatio
			m += fmt.Sprintf(", μ(m = %d)/μ(m = %d) = %s/%s = %s", wMax, wMin,
				synFmt(fs.st[last].Mean), synFmt(fs.st[0].Mean), synFmt(ratio))
		}
		measured = append(measured, m)
	}
	expected := fmt.Sprintf("mean μ ≥ %.2g at both points", muVsPBound)
	if fam.widths {
		expected = fmt.Sprintf("mean μ ≥ %.2g at every width and both points, and μ(largest width)/μ(smallest) ≥ %.2g", muVsPBound, muVsPRatio)
	}
	statement := fmt.Sprintf("%s: μ bounded below independently of p", fam.label)
	if strings.HasPrefix(fam.key, "twolayer-") {
		statement = fmt.Sprintf("%s: μ bounded below independently of the width m", fam.label)
	}
	if fam.act == "relu" && !fam.olm {
		statement += " (bound vacuous for ReLU: informational)"
		expected = "no guarantee (σ' not bounded below); same criterion checked: " + expected
	}
	return report.Verdict{Statement: statement, Measured: strings.Join(measured, "; "), Expected: expected, Held: held}
}
