package report

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// sampleDocument is a realistic report: the kinds of figures the
// experiments draw, with the labels they use.
func sampleDocument() Document {
	rng := rand.New(rand.NewPCG(1, 2))
	ns := []float64{16, 32, 64, 128, 256, 512, 1024, 2048, 4096}
	var series []Series
	for i, spec := range []struct {
		label string
		c     float64
	}{{"isotropic", 1.2}, {"power-law, α = 1", 2.0}, {"spiked, κ = 10", 3.1}} {
		s := Series{Label: spec.label}
		for _, n := range ns {
			mu := 1 / (1 + spec.c/math.Sqrt(n)) * (1 + 0.01*rng.NormFloat64())
			se := 0.3 / math.Sqrt(n) * (1 + 0.2*float64(i))
			s.X = append(s.X, n)
			s.Y = append(s.Y, mu)
			s.ErrLo = append(s.ErrLo, mu-se)
			s.ErrHi = append(s.ErrHi, mu+se)
		}
		series = append(series, s)
	}
	pred := Series{Label: "population prediction", Style: "dashed"}
	for n := 16.0; n <= 4096; n *= 1.25 {
		pred.X = append(pred.X, n)
		pred.Y = append(pred.Y, 1/(1+1.2/math.Sqrt(n)))
	}
	series = append(series, pred)
	muFig := Figure{
		Name: "mu", Title: "Loss alignment μ against sample size n",
		Caption: "Mean over 8 seeds, bars ±1 SE. The dashed line is the population closed form for isotropic inputs.",
		XLabel:  "sample size n (samples)", YLabel: "loss alignment μ (dimensionless)",
		XLog: true, Series: series, HLines: []RefLine{{Label: "μ = 1", At: 1}},
	}

	var esc []Series
	for i, sp := range []struct {
		label string
		rate  float64
		noise float64
	}{{"GD, η = 0.9·2/λ_max", 0.002, 0}, {"SGD, B = 32", 0.045, 0}, {"SGD, B = 8", 0.11, 0}, {"SGD, B = 8 (Monte Carlo)", 0.11, 0.3}} {
		s := Series{Label: sp.label, Style: "line"}
		if sp.noise > 0 {
			s.Style = "points"
		}
		for k := 0; k <= 200; k += 5 {
			a := math.Exp(sp.rate * float64(k))
			if i == 0 {
				a = math.Pow(0.995, float64(k))
			}
			if sp.noise > 0 {
				if k%20 != 0 {
					continue
				}
				a *= math.Exp(sp.noise * rng.NormFloat64() * 0.3)
				s.ErrLo = append(s.ErrLo, a/math.Exp(sp.noise))
				s.ErrHi = append(s.ErrHi, a*math.Exp(sp.noise))
			}
			s.X = append(s.X, float64(k))
			s.Y = append(s.Y, a)
		}
		esc = append(esc, s)
	}
	escFig := Figure{
		Name: "alpha", Title: "Escape from a sharp minimum: α_k = E‖θ_k − θ*‖²",
		Caption: "Exact second-moment recursion (lines) and Monte Carlo with 1000 runs (points, bars: 95% interval).",
		XLabel:  "iteration k (steps)", YLabel: "α_k / α₀ (dimensionless)",
		YLog: true, Series: esc,
	}

	var sharp []Series
	for i, label := range []string{"SGD + cyclical η", "SGD, constant η", "GD + cyclical η"} {
		s := Series{Label: label}
		for c := 1; c <= 20; c++ {
			v := 40.0
			switch i {
			case 0:
				v = 12 + 28*math.Exp(-float64(c)/4) + rng.NormFloat64()*0.6
			case 1:
				v = 31 + rng.NormFloat64()*0.8
			case 2:
				v = 39.2 + rng.NormFloat64()*0.3
			}
			s.X = append(s.X, float64(c))
			s.Y = append(s.Y, v)
		}
		sharp = append(sharp, s)
	}
	sharpFig := Figure{
		Name: "sharpness", Title: "Sharpness at the end of each learning-rate cycle",
		Caption: "λ_max of the Hessian by Lanczos after each cycle; η_max = 0.05.",
		XLabel:  "cycle", YLabel: "sharpness λ_max (1/loss units)",
		Series: sharp, HLines: []RefLine{{Label: "GD stability bound 2/η_max", At: 40}},
	}

	var gs []Series
	for i, label := range []string{"top eigen-directions", "flattest directions", "random directions"} {
		s := Series{Label: label}
		for j := 1; j <= 12; j++ {
			x := math.Pow(2, float64(j))
			y := [3]float64{0.9, 0.35, 0.6}[i] * (1 + 0.05*rng.NormFloat64())
			if i == 1 && j == 6 {
				y = math.NaN()
			}
			s.X = append(s.X, x)
			s.Y = append(s.Y, y)
		}
		gs = append(gs, s)
	}
	gFig := Figure{
		Name: "g", Title: "Directional alignment g(v) against width m",
		XLabel: "width m (units)", YLabel: "g(v) (dimensionless)", XLog: true, Series: gs,
		VLines: []RefLine{{Label: "m = n", At: 256}},
	}

	return Document{
		Title: "noisegeom: the noise geometry of SGD, reproduced",
		Intro: "Quick scale, seed 1, on 2 cores (**shared machine**: timings are noisy).\n\nSee `noisegeom reproduce --help` and [the paper](https://arxiv.org/abs/2310.00692).",
		Sections: []Section{
			{
				Name: "mu-vs-n", Title: "1. Loss alignment against sample size",
				Claim:  "The loss alignment μ stays *bounded below* as n grows and approaches its population value.",
				Method: "Linear regression, d = 64, three input spectra, 8 seeds per point.\n\n- dense path for n ≤ 1024\n- Gram path above",
				Verdicts: []Verdict{
					{Statement: "μ ≥ 0.5 for every n", Measured: "min μ = 0.74 (n = 16, spiked)", Expected: "≥ 0.5", Held: true},
					{Statement: "|μ − μ_pop| ≤ 3 SE at n = 4096", Measured: "4.1 SE", Expected: "≤ 3 SE", Held: false},
				},
				Figures: []Figure{muFig, gFig},
				Tables: []Table{{Name: "summary", Caption: "μ at the largest n.", Columns: []string{"spectrum", "μ", "SE | note"},
					Rows: [][]string{{"isotropic", "0.981", "0.004"}, {"spiked", "0.953", "0.006 | a pipe"}}}},
				Notes: []string{"At n < d the Gram path is exact; `mu_c` uses the centred covariance."},
			},
			{
				Name: "escape", Title: "6. Escape from sharp minima",
				Claim:    "SGD escapes a minimum whose sharpness exceeds 2/η·(1+…) while GD stays.",
				Method:   "Exact recursion and 1000 Monte Carlo runs.",
				Verdicts: []Verdict{{Statement: "SGD (B = 8) escapes, GD stays", Measured: "α₂₀₀ = 3.6×10⁹ vs 0.37", Expected: "SGD > 10³, GD < 1", Held: true}},
				Figures:  []Figure{escFig},
			},
			{
				Name: "cyclical", Title: "7. Cyclical learning rates",
				Claim:    "SGD with a cyclical rate finds flatter minima than constant-rate SGD and cyclical GD.",
				Method:   "Two-layer tanh network, 20 cycles.",
				Verdicts: []Verdict{{Statement: "final sharpness: SGD+cyclical < SGD const < GD+cyclical", Measured: "12.3 < 30.8 < 39.1", Expected: "strict order", Held: true}},
				Figures:  []Figure{sharpFig},
			},
		},
		Provenance: []KeyValue{{"version", "v0.8.0-dev"}, {"commit", "f1f60bb"}, {"Go", "go1.26.8"}, {"CPU", "AMD EPYC Zen 4 (2 cores)"}, {"kernels", "avx512"}, {"seed", "1"}},
	}
}

// TestSampleReport writes the sample report (into $REPORT_SAMPLE_DIR when
// set, to look at) and checks every promised file exists.
func TestSampleReport(t *testing.T) {
	dir := os.Getenv("REPORT_SAMPLE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	doc := sampleDocument()
	require.NoError(t, Write(dir, doc))
	for _, s := range doc.Sections {
		for _, f := range s.Figures {
			for _, p := range []string{"figures/" + s.Name + "-" + f.Name + ".svg", "figures/" + s.Name + "-" + f.Name + ".png", "data/" + s.Name + "-" + f.Name + ".csv"} {
				require.FileExists(t, filepath.Join(dir, p))
			}
		}
		for _, tb := range s.Tables {
			require.FileExists(t, filepath.Join(dir, "data", s.Name+"-"+tb.Name+".csv"))
		}
	}
	require.FileExists(t, filepath.Join(dir, "report.md"))
	require.FileExists(t, filepath.Join(dir, "report.html"))
}
