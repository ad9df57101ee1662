package report_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/noisegeom/noisegeom/internal/report"
)

// A one-figure report: μ against n on a log axis, with error bars and a
// reference line, and the verdict it supports.
func Example() {
	dir, err := os.MkdirTemp("", "report-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	doc := report.Document{
		Title: "μ against n",
		Intro: "One experiment at *Quick* scale.",
		Sections: []report.Section{{
			Name:   "mu-vs-n",
			Title:  "Loss alignment against sample size",
			Claim:  "μ stays bounded below as n grows.",
			Method: "Linear regression, d = 16, 4 seeds per n; bars are ±1 SE.",
			Verdicts: []report.Verdict{{
				Statement: "μ ≥ 0.5 for every n", Measured: "min μ = 0.71 (n = 8)", Expected: "≥ 0.5", Held: true,
			}},
			Figures: []report.Figure{{
				Name: "mu", Title: "Loss alignment μ against n",
				Caption: "Mean over 4 seeds.",
				XLabel:  "sample size n (samples)", YLabel: "loss alignment μ (dimensionless)",
				XLog: true,
				Series: []report.Series{{
					Label: "isotropic",
					X:     []float64{8, 32, 128, 512},
					Y:     []float64{0.71, 0.83, 0.91, 0.95},
					ErrLo: []float64{0.65, 0.80, 0.89, 0.94},
					ErrHi: []float64{0.77, 0.86, 0.93, 0.96},
				}},
				HLines: []report.RefLine{{Label: "μ = 1", At: 1}},
			}},
		}},
		Provenance: []report.KeyValue{{Key: "seed", Value: "1"}},
	}
	if err := report.Write(dir, doc); err != nil {
		log.Fatal(err)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			fmt.Println(filepath.ToSlash(rel))
		}
		return err
	})
	// Output:
	// data/mu-vs-n-mu.csv
	// figures/mu-vs-n-mu.png
	// figures/mu-vs-n-mu.svg
	// report.html
	// report.md
}
