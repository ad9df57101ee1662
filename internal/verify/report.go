package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/noisegeom/noisegeom/linalg"
)

// Summary describes a run: how many cases, how many failed, on which
// kernel table and architecture.
type Summary struct {
	Cases      int    `json:"cases"`
	Mismatches int    `json:"mismatches"`
	Kernels    string `json:"kernels"`
	GOARCH     string `json:"goarch"`
}

// Summarize counts the results and names the kernel table in use.
func Summarize(rs []Result) Summary {
	return Summary{Cases: len(rs), Mismatches: Mismatches(rs), Kernels: linalg.Implementation(), GOARCH: runtime.GOARCH}
}

// String is the summary line, e.g. "61 cases, 0 mismatches (kernel table
// avx512, amd64)".
func (s Summary) String() string {
	cases, word := "cases", "mismatches"
	if s.Cases == 1 {
		cases = "case"
	}
	if s.Mismatches == 1 {
		word = "mismatch"
	}
	return fmt.Sprintf("%d %s, %d %s (kernel table %s, %s)", s.Cases, cases, s.Mismatches, word, s.Kernels, s.GOARCH)
}

func num(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.2e", x)
}

// WriteTable prints one line per case (case, source, max error, tolerance,
// status) and the summary line. Between them, the errors of cases that
// could not be evaluated and, with verbose, every check of every case with
// its error measure and the bound its tolerance comes from.
func WriteTable(w io.Writer, rs []Result, verbose bool) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tsource\tmax error\ttolerance\tstatus")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Source, num(r.MaxErr), num(r.Tol), r.Status)
	}
	tw.Flush()
	var notes strings.Builder
	for _, r := range rs {
		if r.Error == "" && !verbose {
			continue
		}
		fmt.Fprintf(&notes, "%s: %s\n", r.Name, r.Status)
		if r.Error != "" {
			fmt.Fprintf(&notes, "  error: %s\n", r.Error)
		}
		if verbose {
			for _, c := range r.Checks {
				st := StatusOK
				if !c.OK() {
					st = StatusMismatch
				}
				fmt.Fprintf(&notes, "  %-8s  error %s  tolerance %s  %s\n", st, num(c.Err), num(c.Tol), c.What)
			}
		}
	}
	if notes.Len() > 0 {
		b.WriteString("\n")
		b.WriteString(notes.String())
		b.WriteString("\n")
	}
	fmt.Fprintln(&b, Summarize(rs))
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonFloat marshals NaN (a case that could not be evaluated) as null.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

// WriteJSON prints the results and the summary as one JSON object
// {"cases": [...], "summary": {...}}; a NaN or infinite error is null.
func WriteJSON(w io.Writer, rs []Result) error {
	type check struct {
		What string    `json:"what"`
		Err  jsonFloat `json:"error"`
		Tol  jsonFloat `json:"tolerance"`
		OK   bool      `json:"ok"`
	}
	type result struct {
		Name   string    `json:"name"`
		Source string    `json:"source"`
		Worst  string    `json:"worst,omitempty"`
		MaxErr jsonFloat `json:"max_error"`
		Tol    jsonFloat `json:"tolerance"`
		Status string    `json:"status"`
		OK     bool      `json:"ok"`
		Error  string    `json:"error,omitempty"`
		Checks []check   `json:"checks"`
	}
	out := struct {
		Cases   []result `json:"cases"`
		Summary Summary  `json:"summary"`
		Line    string   `json:"summary_line"`
	}{Cases: []result{}, Summary: Summarize(rs)}
	out.Line = out.Summary.String()
	for _, r := range rs {
		jr := result{Name: r.Name, Source: r.Source, Worst: r.Worst, MaxErr: jsonFloat(r.MaxErr), Tol: jsonFloat(r.Tol),
			Status: r.Status, OK: r.OK, Error: r.Error, Checks: []check{}}
		for _, c := range r.Checks {
			jr.Checks = append(jr.Checks, check{c.What, jsonFloat(c.Err), jsonFloat(c.Tol), c.OK()})
		}
		out.Cases = append(out.Cases, jr)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
