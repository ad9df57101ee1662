// Package report turns measured results into what a reader sees: report.md,
// a self-contained report.html, one CSV per figure, and figures as SVG and
// PNG drawn in the style of a paper (labelled axes with units, legends, log
// scales, error bars). It depends only on the standard library.
//
// A Document is plain data: experiments build Sections, and Write renders
// all the files of a report into a directory atomically.
package report

// Document is a whole report.
type Document struct {
	Title string
	// Intro is Markdown shown under the title (what was run, how long).
	Intro string
	// Provenance is shown as a key/value table at the end (version, commit,
	// Go, CPU, kernel table, seeds, flags). Keys keep their order.
	Provenance []KeyValue
	Sections   []Section
}

// KeyValue is one provenance entry.
type KeyValue struct {
	Key, Value string
}

// Section is one experiment: the claim it tests, what was measured, the
// figures, tables and verdicts.
type Section struct {
	// Name is the experiment's identifier (e.g. "mu-vs-n"); it prefixes the
	// file names of the section's figures and CSVs.
	Name  string
	Title string
	// Claim states the paper's claim being tested (Markdown, one paragraph).
	Claim string
	// Method says what was run and measured (Markdown).
	Method   string
	Verdicts []Verdict
	Figures  []Figure
	Tables   []Table
	// Notes are caveats a reader should know (Markdown, one per entry).
	Notes []string
}

// Verdict is one checked statement: what was measured against what was
// expected, and whether it held.
type Verdict struct {
	Statement string // the claim in one line, e.g. "μ ≥ 0.5 for every width"
	Measured  string // e.g. "min μ = 0.83 (m = 4096, tanh)"
	Expected  string // e.g. "≥ 0.5, independent of m"
	Held      bool
}

// Figure is one plot. Its CSV and image files are named
// <section>-<figure>.{csv,svg,png}.
type Figure struct {
	Name    string // file-name stem within the section, e.g. "mu"
	Title   string
	Caption string // Markdown shown under the figure
	// XLabel and YLabel include units or say "dimensionless", e.g.
	// "sample size n (samples)" or "loss alignment μ (dimensionless)".
	XLabel, YLabel string
	XLog, YLog     bool
	Series         []Series
	// HLines are horizontal reference lines (e.g. μ = 1, a threshold),
	// drawn dashed and named in the legend.
	HLines []RefLine
	// VLines are vertical reference lines (e.g. GD's threshold 2/λ_max).
	VLines []RefLine
}

// RefLine is a labelled reference line at a fixed coordinate.
type RefLine struct {
	Label string
	At    float64
}

// Series is one curve or point set. X and Y have equal length; ErrLo and
// ErrHi, when not nil, have that length too and give the error bar as
// absolute lower and upper ends (not offsets). NaN points are skipped.
type Series struct {
	Label        string
	X, Y         []float64
	ErrLo, ErrHi []float64
	// Style: "line+points" (default), "line", "points", "dashed".
	Style string
}

// Table is a small table shown in the report and written as CSV
// <section>-<name>.csv.
type Table struct {
	Name    string
	Caption string
	Columns []string
	Rows    [][]string
}
