package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/noisegeom/noisegeom/data"
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("bad name %q: want 1–100 characters of [A-Za-z0-9._-], not starting with '.', '_' or '-'", name)
	}
	return nil
}

// validateFigureData checks the shapes of f's series.
func validateFigureData(f Figure) error {
	for i, s := range f.Series {
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("series %d (%q): len(X) = %d but len(Y) = %d", i, s.Label, len(s.X), len(s.Y))
		}
		if s.ErrLo != nil && len(s.ErrLo) != len(s.X) {
			return fmt.Errorf("series %d (%q): len(ErrLo) = %d but len(X) = %d", i, s.Label, len(s.ErrLo), len(s.X))
		}
		if s.ErrHi != nil && len(s.ErrHi) != len(s.X) {
			return fmt.Errorf("series %d (%q): len(ErrHi) = %d but len(X) = %d", i, s.Label, len(s.ErrHi), len(s.X))
		}
		if _, err := styleOf(i, s); err != nil {
			return fmt.Errorf("series %d (%q): %v", i, s.Label, err)
		}
	}
	return nil
}

// Validate checks names (file-name safe, unique) and shapes in doc; the
// error names the section and the figure or table.
func Validate(doc Document) error {
	secs := map[string]bool{}
	for si, s := range doc.Sections {
		if err := checkName(s.Name); err != nil {
			return fmt.Errorf("report: section %d (%q): %v", si, s.Title, err)
		}
		if secs[s.Name] {
			return fmt.Errorf("report: section %q: duplicate section name", s.Name)
		}
		secs[s.Name] = true
		csvs := map[string]string{}
		for _, f := range s.Figures {
			if err := checkName(f.Name); err != nil {
				return fmt.Errorf("report: section %q figure %q: %v", s.Name, f.Name, err)
			}
			if csvs[f.Name] != "" {
				return fmt.Errorf("report: section %q figure %q: duplicate name", s.Name, f.Name)
			}
			csvs[f.Name] = "figure"
			if err := validateFigureData(f); err != nil {
				return fmt.Errorf("report: section %q figure %q: %v", s.Name, f.Name, err)
			}
		}
		for _, t := range s.Tables {
			if err := checkName(t.Name); err != nil {
				return fmt.Errorf("report: section %q table %q: %v", s.Name, t.Name, err)
			}
			if csvs[t.Name] != "" {
				return fmt.Errorf("report: section %q table %q: name already used by a %s (both would write data/%s-%s.csv)", s.Name, t.Name, csvs[t.Name], s.Name, t.Name)
			}
			csvs[t.Name] = "table"
			for ri, r := range t.Rows {
				if len(r) != len(t.Columns) {
					return fmt.Errorf("report: section %q table %q: row %d has %d cells for %d columns", s.Name, t.Name, ri, len(r), len(t.Columns))
				}
			}
		}
	}
	return nil
}

func stem(s Section, name string) string { return s.Name + "-" + name }

// renderedFigure holds a figure's files.
type renderedFigure struct {
	svg, png, csv []byte
	w, h          float64
}

func renderFigure(f Figure) (renderedFigure, error) {
	var r renderedFigure
	l, err := layoutFigure(f)
	if err != nil {
		return r, err
	}
	var b bytes.Buffer
	if err := writeSceneSVG(&b, l.sc, f.Title); err != nil {
		return r, err
	}
	r.svg = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := encodePNG(&b, rasterize(l.sc, pngScale)); err != nil {
		return r, err
	}
	r.png = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := WriteCSV(&b, f); err != nil {
		return r, err
	}
	r.csv = append([]byte(nil), b.Bytes()...)
	r.w, r.h = l.sc.W, l.sc.H
	return r, nil
}

// Write renders doc into dir: report.md, report.html, figures/<section>-
// <figure>.svg and .png, data/<section>-<figure>.csv and data/<section>-
// <table>.csv. Everything is validated and rendered in memory first; each
// file is then written to a temporary file in its directory and renamed into
// place, so a reader never sees a half-written file and an invalid document
// writes nothing.
func Write(dir string, doc Document) error {
	if err := Validate(doc); err != nil {
		return err
	}
	type file struct {
		path string
		data []byte
	}
	var files []file
	figs := map[string]renderedFigure{}
	for _, s := range doc.Sections {
		for _, f := range s.Figures {
			r, err := renderFigure(f)
			if err != nil {
				return fmt.Errorf("report: section %q figure %q: %v", s.Name, f.Name, err)
			}
			st := stem(s, f.Name)
			figs[st] = r
			files = append(files,
				file{filepath.Join("figures", st+".svg"), r.svg},
				file{filepath.Join("figures", st+".png"), r.png},
				file{filepath.Join("data", st+".csv"), r.csv})
		}
		for _, t := range s.Tables {
			var b bytes.Buffer
			if err := writeTableCSV(&b, t); err != nil {
				return fmt.Errorf("report: section %q table %q: %v", s.Name, t.Name, err)
			}
			files = append(files, file{filepath.Join("data", stem(s, t.Name)+".csv"), b.Bytes()})
		}
	}
	var md, html bytes.Buffer
	if err := WriteMarkdown(&md, doc); err != nil {
		return err
	}
	if err := writeHTML(&html, doc, figs); err != nil {
		return err
	}
	// The reports last: they only ever refer to files already in place.
	files = append(files, file{"report.md", md.Bytes()}, file{"report.html", html.Bytes()})

	for _, d := range []string{dir, filepath.Join(dir, "figures"), filepath.Join(dir, "data")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("report: %v", err)
		}
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.path), f.data); err != nil {
			return fmt.Errorf("report: %v", err)
		}
	}
	return nil
}

// writeFileAtomic writes data to path through data.WriteFileAtomic (a
// temporary file beside it, renamed over it; removed on an error or a
// signal).
func writeFileAtomic(path string, b []byte) error {
	return data.WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func seriesName(i int, s Series) string {
	if s.Label != "" {
		return s.Label
	}
	return fmt.Sprintf("series %d", i+1)
}

// WriteCSV writes f's data with columns series,x,y,err_lo,err_hi: one row
// per point, values in shortest round-trip form ('g', -1; NaN as "NaN"),
// err_lo and err_hi empty for series without error bars. A series without a
// label is named "series <i>" (1-based).
func WriteCSV(w io.Writer, f Figure) error {
	if err := validateFigureData(f); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"series", "x", "y", "err_lo", "err_hi"}); err != nil {
		return err
	}
	for i, s := range f.Series {
		name := seriesName(i, s)
		for j := range s.X {
			lo, hi := "", ""
			if s.ErrLo != nil {
				lo = fmtFloat(s.ErrLo[j])
			}
			if s.ErrHi != nil {
				hi = fmtFloat(s.ErrHi[j])
			}
			if err := cw.Write([]string{name, fmtFloat(s.X[j]), fmtFloat(s.Y[j]), lo, hi}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeTableCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return errors.New("row length differs from the number of columns")
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
