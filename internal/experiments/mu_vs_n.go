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
)

// muVsNBound is the lower bound tested for the per-seed μ once
// n ≥ muVsNFactor·r₂: half the population floor μ ≥ 1 of linear regression.
const (
	muVsNBound  = 0.5
	muVsNFactor = 2
)

// muVsNSize is the sweep of mu-vs-n at one scale.
type muVsNSize struct {
	D       int
	Ns      []int
	Seeds   int
	Spectra []string
}

func muVsNSizes(s Scale) muVsNSize {
	spectra := func(d int) []string {
		k := max(1, d/32)
		return []string{"isotropic", "powerlaw:1", "spiked:" + strconv.Itoa(k) + ",25"}
	}
	switch s {
	case Tiny:
		return muVsNSize{D: 8, Ns: []int{8, 32, 256}, Seeds: 3, Spectra: spectra(8)}
	case Full:
		return muVsNSize{D: 128, Ns: []int{16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384}, Seeds: 24, Spectra: spectra(128)}
	}
	return muVsNSize{D: 128, Ns: []int{16, 32, 64, 128, 256, 512, 1024, 2048, 4096}, Seeds: 16, Spectra: spectra(128)}
}

// synSpecID makes a spectrum spec file-name safe: "spiked:2,25" → "spiked-2-25".
func synSpecID(spec string) string {
	return strings.NewReplacer(":", "-", ",", "-").Replace(spec)
}

func init() {
	register(&Experiment{
		Name:  "mu-vs-n",
		Title: "Loss alignment against sample size",
		Claim: "For over-parameterized linear models with Gaussian inputs x ~ N(0, S), the loss alignment " +
			"μ = Tr(Σ₁G)/(2L‖G‖_F²) is bounded below by a constant under sample-size conditions set by an " +
			"effective dimension of S (Tr(S)²/‖S‖_F² or Tr(S)/‖S‖_op), not by p (docs/theory.md#the-papers-claims, claim 1). For " +
			"Gaussian linear regression the population values are μ = 1 + 2δᵀS³δ/(2L‖S‖_F²) and " +
			"μ_c = 1 + δᵀS³δ/(2L‖S‖_F²) (docs/theory.md#gaussian-linear-regression); the finite-sample values must converge to them.",
		Plan:      muVsNPlan,
		Summarize: muVsNSummarize,
	})
}

func muVsNPlan(cfg Config) ([]Unit, error) {
	sz := muVsNSizes(cfg.Scale)
	var units []Unit
	for si, spec := range sz.Spectra {
		for _, n := range sz.Ns {
			si, spec, n := si, spec, n
			id := fmt.Sprintf("%s-n%05d", synSpecID(spec), n)
			units = append(units, Unit{ID: id, Run: func(ctx context.Context) (Record, error) {
				rows, err := muVsNUnit(ctx, cfg, sz, si, spec, n)
				return Record{Experiment: "mu-vs-n", Unit: id, Rows: rows}, err
			}})
		}
	}
	return units, nil
}

// muVsNUnit measures μ and μ_c of linear regression at θ* and θ* + δ for
// every seed at one (spectrum, n).
func muVsNUnit(ctx context.Context, cfg Config, sz muVsNSize, si int, spec string, n int) ([]Row, error) {
	sp, err := data.ParseSpectrum(spec, sz.D)
	if err != nil {
		return nil, err
	}
	r2, r1 := sp.EffectiveDims()
	var rows []Row
	for rep := 0; rep < sz.Seeds; rep++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		seed := synSeed(cfg.Seed, synTag("mu-vs-n"), uint64(si), uint64(n), uint64(rep))
		x, s, err := synInputs(sp, n, seed)
		if err != nil {
			return nil, err
		}
		// δ depends on the spectrum only (the same at every n and seed),
		// so the population value is one number per spectrum.
		delta := synOffset(s, synSeed(cfg.Seed, synTag("mu-vs-n/delta"), uint64(si)))
		thetaStar := synGaussian(sz.D, seed+1)
		linalg.Scal(1/math.Sqrt(float64(sz.D)), thetaStar)
		y := synLinearLabels(x, thetaStar, synLabelNoise, seed+2)
		for _, pt := range []string{"minimum", "offset"} {
			dlt := make([]float64, sz.D)
			if pt == "offset" {
				copy(dlt, delta)
			}
			model, err := linearAt(thetaStar, dlt)
			if err != nil {
				return nil, err
			}
			res, err := synAnalyse(model, x, y, analysis.PathAuto, 0, seed)
			if err != nil {
				return nil, err
			}
			th, err := analysis.LinearGaussian{S: s, Delta: dlt, Noise2: synLabelNoise * synLabelNoise}.Evaluate()
			if err != nil {
				return nil, err
			}
			rows = append(rows, Row{
				Labels: map[string]string{"spectrum": spec, "point": pt, "path": res.Path},
				Values: map[string]float64{
					"n": float64(n), "d": float64(sz.D), "seed": float64(rep),
					"mu": synVal(res.Mu), "mu_c": synVal(res.MuC), "mu_iso": synVal(res.MuIso),
					"loss": res.Loss, "mu_pop": synVal(th.Mu), "mu_c_pop": synVal(th.MuC),
					"loss_pop": th.Loss, "r2": r2, "r1": r1,
				},
			})
		}
	}
	return rows, nil
}

var muVsNPoints = []struct{ key, label string }{
	{"offset", "θ = θ* + δ"},
	{"minimum", "θ = θ*"},
}

func muVsNSummarize(cfg Config, records []Record) (report.Section, error) {
	sz := muVsNSizes(cfg.Scale)
	plan, err := muVsNPlan(cfg)
	if err != nil {
		return report.Section{}, err
	}
	by, err := recordsByUnit("mu-vs-n", unitIDs(plan), records)
	if err != nil {
		return report.Section{}, err
	}
	g := synGroupRows(plan, by, func(r Row) string {
		return r.Label("spectrum") + "|" + r.Label("point") + "|" + strconv.Itoa(int(r.Value("n")))
	})
	get := func(spec, pt string, n int) []Row { return g.rows[spec+"|"+pt+"|"+strconv.Itoa(n)] }
	nsF := make([]float64, len(sz.Ns))
	for i, n := range sz.Ns {
		nsF[i] = float64(n)
	}
	nMax := sz.Ns[len(sz.Ns)-1]

	sec := report.Section{
		Name:  "mu-vs-n",
		Title: "Loss alignment against sample size",
		Claim: "For over-parameterized linear models with Gaussian inputs, μ is bounded below by a constant " +
			"under sample-size conditions set by an effective dimension of S, not by p (docs/theory.md#the-papers-claims, claim 1); " +
			"finite-sample μ and μ_c converge to the population closed forms (docs/theory.md#gaussian-linear-regression).",
		Method: fmt.Sprintf("Linear regression f = θᵀx, d = %d, x ~ N(0, S) with S = diag(spectrum) for the spectra %s; "+
			"labels y = θ*ᵀx + ε from a teacher θ* ~ N(0, I/d) with label noise s = %.2g. Two points: the minimum θ = θ* "+
			"(population μ = μ_c = 1) and θ = θ* + δ with δ a fixed direction uniform on the sphere scaled to δᵀSδ = 1 "+
			"(the same δ at every n and seed, so the population value is one number per spectrum). "+
			"n ∈ {%s}, %d seeds per n (fresh inputs, teacher and noise each), μ and μ_c by analysis.FromObjective "+
			"(path auto: Gram for small n, dense p×p for large n); points are mean ± 1 SE over seeds. "+
			"Criteria fixed before the run: (a) at the largest n, |mean − population| ≤ 4 SE + 2·v·(1 + r₂)/n for "+
			"v = population μ or μ_c and r₂ = Tr(S)²/‖S‖_F² (the leading-order finite-sample bias: E‖Ĝ‖_F² = "+
			"‖S‖_F²(1 + (1 + r₂)/n) for Gaussian inputs and the numerator Tr(Σ̂₁Ĝ) is inflated to the same relative "+
			"order, so the ratio's relative bias is at most twice that); (b) every per-seed μ is ≥ %.2g once "+
			"n ≥ %d·r₂: the population μ is ≥ 1 for linear regression at every θ (δᵀS³δ ≥ 0), and at n ≥ 2r₂ the "+
			"relative Wishart fluctuation (1 + r₂)/n of ‖Ĝ‖_F² is about ½, leaving μ ≥ 1/(1 + ½) > 0.5.",
			sz.D, strings.Join(sz.Spectra, ", "), synLabelNoise, synInts(sz.Ns), sz.Seeds, muVsNBound, muVsNFactor),
	}

	effTable := report.Table{Name: "spectra", Caption: "Effective dimensions and population alignment of each input spectrum (d = " + strconv.Itoa(sz.D) + ").",
		Columns: []string{"spectrum", "r₂ = Tr(S)²/‖S‖_F²", "r₁ = Tr(S)/‖S‖_op", "population μ at θ*+δ", "population μ_c at θ*+δ", "n from which (b) is tested (2·r₂)"}}
	muC := report.Figure{Name: "mu-c", Title: "Centered loss alignment μ_c against n (θ = θ* + δ)",
		Caption: "Mean ± 1 SE over seeds; dashed lines: population μ_c = 1 + δᵀS³δ/(2L‖S‖_F²) per spectrum.",
		XLabel:  "sample size n (samples)", YLabel: "centered loss alignment μ_c (dimensionless)", XLog: true}

	bMin, bWhere := math.Inf(1), ""
	bCount := 0
	for _, spec := range sz.Spectra {
		rows0 := get(spec, "offset", sz.Ns[0])
		if len(rows0) == 0 {
			return report.Section{}, fmt.Errorf("mu-vs-n: no rows for %s", spec)
		}
		r2, r1 := rows0[0].Value("r2"), rows0[0].Value("r1")
		muPop, mucPop := rows0[0].Value("mu_pop"), rows0[0].Value("mu_c_pop")
		effTable.Rows = append(effTable.Rows, []string{spec, synFmt(r2), synFmt(r1), synFmt(muPop), synFmt(mucPop), synFmt(muVsNFactor * r2)})

		fig := report.Figure{Name: "mu-" + synSpecID(spec), Title: "Loss alignment μ against n, spectrum " + spec,
			Caption: fmt.Sprintf("Mean ± 1 SE over %d seeds. Dashed: population μ (docs/theory.md#gaussian-linear-regression). Vertical: n = %d·r₂ = %s, from which μ ≥ %.2g is tested.",
				sz.Seeds, muVsNFactor, synFmt(muVsNFactor*r2), muVsNBound),
			XLabel: "sample size n (samples)", YLabel: "loss alignment μ (dimensionless)", XLog: true,
			VLines: []report.RefLine{{Label: "n = 2·r₂", At: muVsNFactor * r2}}}
		for _, pt := range muVsNPoints {
			var st, stc []synStat
			for _, n := range sz.Ns {
				rows := get(spec, pt.key, n)
				st = append(st, synSummary(synValues(rows, "mu")))
				stc = append(stc, synSummary(synValues(rows, "mu_c")))
				for _, r := range rows {
					if float64(n) >= muVsNFactor*r2 {
						bCount++
						if v := r.Value("mu"); v < bMin || math.IsNaN(v) {
							bMin = v
							bWhere = fmt.Sprintf("%s, %s, n = %d, seed %d", spec, pt.label, n, int(r.Value("seed")))
						}
					}
				}
			}
			fig.Series = append(fig.Series, synSeries("μ at "+pt.label, nsF, st))
			rows := get(spec, pt.key, sz.Ns[0])
			fig.HLines = append(fig.HLines, report.RefLine{Label: "population μ at " + pt.label, At: rows[0].Value("mu_pop")})
			if pt.key == "offset" {
				muC.Series = append(muC.Series, synSeries(spec, nsF, stc))
				muC.HLines = append(muC.HLines, report.RefLine{Label: "population μ_c, " + spec, At: rows[0].Value("mu_c_pop")})
			}
		}
		sec.Figures = append(sec.Figures, fig)

		// (a) convergence at the largest n.
		held := true
		var parts []string
		for _, pt := range muVsNPoints {
			rows := get(spec, pt.key, nMax)
			for _, m := range []struct{ name, pop, sym string }{{"mu", "mu_pop", "μ"}, {"mu_c", "mu_c_pop", "μ_c"}} {
				st := synSummary(synValues(rows, m.name))
				pop := rows[0].Value(m.pop)
				tol := 4*st.SE + synBiasAllowance(pop, r2, nMax)
				ok := math.Abs(st.Mean-pop) <= tol
				held = held && ok
				parts = append(parts, fmt.Sprintf("%s at %s: %s ± %s vs %s (|Δ| = %s = %s SE, tol %s)",
					m.sym, pt.label, synFmt(st.Mean), synFmt(st.SE), synFmt(pop), synFmt(math.Abs(st.Mean-pop)),
					synFmt(math.Abs(st.Mean-pop)/st.SE), synFmt(tol)))
			}
		}
		sec.Verdicts = append(sec.Verdicts, report.Verdict{
			Statement: fmt.Sprintf("Spectrum %s: finite-sample μ and μ_c at n = %d match the population closed forms", spec, nMax),
			Measured:  strings.Join(parts, "; "),
			Expected:  fmt.Sprintf("|mean − population| ≤ 4 SE + 2·v·(1 + r₂)/n (r₂ = %s, n = %d)", synFmt(r2), nMax),
			Held:      held,
		})
	}
	sec.Figures = append(sec.Figures, muC)
	sec.Tables = append(sec.Tables, effTable)
	bHeld := bCount > 0 && bMin >= muVsNBound
	measured := fmt.Sprintf("min per-seed μ = %s (%s) over %d measurements with n ≥ %d·r₂", synFmt(bMin), bWhere, bCount, muVsNFactor)
	if bCount == 0 {
		measured = "no n reached 2·r₂ at this scale"
	}
	sec.Verdicts = append(sec.Verdicts, report.Verdict{
		Statement: fmt.Sprintf("μ is bounded below by %.2g once n ≥ %d·r₂, for every spectrum and both points", muVsNBound, muVsNFactor),
		Measured:  measured,
		Expected:  fmt.Sprintf("every per-seed μ ≥ %.2g", muVsNBound),
		Held:      bHeld,
	})
	sec.Notes = append(sec.Notes,
		"Population values are computed with analysis.LinearGaussian from the exact S of the generator (S diagonal, no rotation).",
		"At the minimum θ* the residuals are the label noise alone, independent of x, so μ stays near 1 even for n < d.",
		"The bias allowance 2·v·(1 + r₂)/n is a conservative upper bound: at θ* the leading-order biases of Tr(Σ̂₁Ĝ) and ‖Ĝ‖_F² "+
			"cancel exactly (both are (1 + r₂)/n in relative terms), and the measured deviations are within a few SE. For the "+
			"isotropic spectrum the tolerance exceeds μ_pop − 1 ≈ 2/(2L·d), so that verdict does not separate μ_pop from 1 at "+
			"this n; the |Δ| in SE units is given for a sharper reading.")
	return sec, nil
}
