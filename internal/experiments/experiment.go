// Package experiments holds the paper's claims
// (docs/theory.md#the-papers-claims) as named, parameterised experiments,
// and the runner that executes them in independent units, resumes killed
// runs, splits sweeps into shards and merges shard results into one
// report.
//
// An experiment plans a deterministic list of units (one point of a sweep:
// a spectrum, a sample size, a seed) for a scale; each unit runs alone and
// returns a Record holding its typed result; Summarize turns all records of the
// experiment into a report section with figures, tables and verdicts. The
// runner writes each record to its own file as soon as it is finished, and
// Summarize always sees records as read back from those files, so a run
// split into N shards and merged gives the same report as one run.
package experiments

import (
	"context"

	"github.com/noisegeom/noisegeom/internal/report"
)

// Scale selects how big an experiment runs.
type Scale int

const (
	// Tiny runs in seconds, for tests; it still exercises every code path.
	Tiny Scale = iota
	// Quick is the default: the whole set in at most ten minutes on two
	// cores.
	Quick
	// Full is closer to the paper's sizes (hours).
	Full
)

// String returns "tiny", "quick" or "full".
func (s Scale) String() string {
	switch s {
	case Tiny:
		return "tiny"
	case Quick:
		return "quick"
	case Full:
		return "full"
	}
	return "unknown"
}

// Config is what every experiment runs with.
type Config struct {
	Scale Scale
	// Seed is the base seed; units derive their own seeds from it and
	// their parameters only (never from the order they run in).
	Seed uint64
	// DataDir is where named datasets are looked for first ("" = the
	// defaults of package data: $NOISEGEOM_DATA, /usr/share/datasets).
	DataDir string
}

// Experiment is one named claim of the paper.
type Experiment struct {
	// Name is a short identifier used on the command line and in file
	// names, e.g. "mu-vs-n".
	Name string
	// Title is a one-line heading, e.g. "Loss alignment against sample size".
	Title string
	// Claim is the paper's claim tested, as one Markdown paragraph.
	Claim string
	// Plan lists the units for cfg. It must be deterministic in cfg, fast,
	// and give each unit an ID unique within the experiment that is safe
	// as a file name ([a-z0-9._-]).
	Plan func(cfg Config) ([]Unit, error)
	// Result returns a pointer to a new zero value of the experiment's
	// unit result type (the struct its units pass to newRecord). The
	// runner reads every record back into it, so a record that does not
	// fit (another version, a damaged value) is corrupt: resume runs the
	// unit again and merge refuses it. Nil: records are not checked.
	Result func() any
	// Summarize builds the report section from all the records of a run
	// (one per planned unit, in plan order). It must depend only on the
	// records and cfg.
	Summarize func(cfg Config, records []Record) (report.Section, error)
}

// Unit is one independent piece of an experiment.
type Unit struct {
	ID string
	// Run computes the unit. It should return promptly with ctx.Err()
	// when ctx is cancelled. It must not write files.
	Run func(ctx context.Context) (Record, error)
}
