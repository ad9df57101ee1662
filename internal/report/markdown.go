package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

const (
	markHeld    = "✅ held"
	markNotHeld = "❌ not held"
)

func verdictMark(held bool) string {
	if held {
		return markHeld
	}
	return markNotHeld
}

// mdCell makes s safe inside a Markdown table cell: one line, pipes
// escaped.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, "|", `\|`)
}

// mdAlt makes s safe as image alt text (no brackets, one line).
func mdAlt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("[", "(", "]", ")").Replace(s)
}

func mdTable(w io.Writer, cols []string, rows [][]string) {
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = mdCell(c)
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(cells, " | "), strings.Repeat("---|", len(cols)))
	for _, r := range rows {
		for i := range cells {
			cells[i] = ""
			if i < len(r) {
				cells[i] = mdCell(r[i])
			}
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

// omittedOnLog counts finite values a log axis of f cannot show.
func omittedOnLog(f Figure) int {
	n := 0
	bad := func(v float64, log bool) bool { return log && !math.IsNaN(v) && !math.IsInf(v, 0) && v <= 0 }
	for _, s := range f.Series {
		for j := range s.X {
			if j < len(s.Y) && (bad(s.X[j], f.XLog) || bad(s.Y[j], f.YLog)) {
				n++
			}
		}
	}
	return n
}

// figureCaption is the caption plus what the figure could not show.
func figureCaption(f Figure) string {
	c := strings.TrimSpace(f.Caption)
	if n := omittedOnLog(f); n > 0 {
		c += fmt.Sprintf(" (%d point(s) with non-positive values are not shown on the log axis; they are in the CSV.)", n)
	}
	return strings.TrimSpace(c)
}

// WriteMarkdown writes report.md: title, intro, a summary of all verdicts,
// then each section (claim, method, verdicts, figures with links to their
// SVG and CSV, tables, notes) and the provenance table.
func WriteMarkdown(w io.Writer, doc Document) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n\n", oneLine(doc.Title))
	if s := strings.TrimSpace(doc.Intro); s != "" {
		fmt.Fprintf(bw, "%s\n\n", s)
	}
	var rows [][]string
	for _, s := range doc.Sections {
		for _, v := range s.Verdicts {
			rows = append(rows, []string{titleOf(s), v.Statement, v.Measured, v.Expected, verdictMark(v.Held)})
		}
	}
	if len(rows) > 0 {
		fmt.Fprintf(bw, "## Summary\n\n")
		mdTable(bw, []string{"Experiment", "Statement", "Measured", "Expected", "Verdict"}, rows)
		fmt.Fprintln(bw)
	}
	fig, tab := 0, 0
	for _, s := range doc.Sections {
		fmt.Fprintf(bw, "## %s\n\n", oneLine(titleOf(s)))
		if c := strings.TrimSpace(s.Claim); c != "" {
			fmt.Fprintf(bw, "**Claim.** %s\n\n", c)
		}
		if m := strings.TrimSpace(s.Method); m != "" {
			fmt.Fprintf(bw, "**Method.** %s\n\n", m)
		}
		if len(s.Verdicts) > 0 {
			fmt.Fprintf(bw, "**Verdicts.**\n\n")
			for _, v := range s.Verdicts {
				fmt.Fprintf(bw, "- %s — %s: measured %s; expected %s.\n", verdictMark(v.Held), oneLine(v.Statement), oneLine(v.Measured), oneLine(v.Expected))
			}
			fmt.Fprintln(bw)
		}
		for _, f := range s.Figures {
			fig++
			st := stem(s, f.Name)
			alt := f.Title
			if alt == "" {
				alt = f.Caption
			}
			fmt.Fprintf(bw, "![Figure %d: %s](figures/%s.png)\n\n", fig, mdAlt(alt), st)
			fmt.Fprintf(bw, "%s\n\n", strings.Join(nonEmpty(fmt.Sprintf("*Figure %d.*", fig), figureCaption(f), fmt.Sprintf("[SVG](figures/%s.svg) · [CSV](data/%s.csv)", st, st)), " "))
		}
		for _, t := range s.Tables {
			tab++
			fmt.Fprintf(bw, "%s\n\n", strings.Join(nonEmpty(fmt.Sprintf("*Table %d.*", tab), oneLine(t.Caption), fmt.Sprintf("[CSV](data/%s.csv)", stem(s, t.Name))), " "))
			mdTable(bw, t.Columns, t.Rows)
			fmt.Fprintln(bw)
		}
		if len(s.Notes) > 0 {
			fmt.Fprintf(bw, "**Notes.**\n\n")
			for _, n := range s.Notes {
				fmt.Fprintf(bw, "- %s\n", oneLine(n))
			}
			fmt.Fprintln(bw)
		}
	}
	if len(doc.Provenance) > 0 {
		fmt.Fprintf(bw, "## Provenance\n\n")
		var pr [][]string
		for _, kv := range doc.Provenance {
			pr = append(pr, []string{kv.Key, kv.Value})
		}
		mdTable(bw, []string{"Key", "Value"}, pr)
	}
	return bw.Flush()
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func titleOf(s Section) string {
	if s.Title != "" {
		return s.Title
	}
	return s.Name
}
