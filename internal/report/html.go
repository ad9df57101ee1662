package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
)

// WriteHTML writes report.html: one self-contained file, each figure's SVG
// embedded as a data: URI (so a figure that is not valid SVG fails to load
// in the browser instead of half-rendering), with links to the PNG, SVG and
// CSV files Write puts beside it.
func WriteHTML(w io.Writer, doc Document) error {
	if err := Validate(doc); err != nil {
		return err
	}
	figs := map[string]renderedFigure{}
	for _, s := range doc.Sections {
		for _, f := range s.Figures {
			l, err := layoutFigure(f)
			if err != nil {
				return fmt.Errorf("report: section %q figure %q: %v", s.Name, f.Name, err)
			}
			var b bytes.Buffer
			if err := writeSceneSVG(&b, l.sc, f.Title); err != nil {
				return err
			}
			figs[stem(s, f.Name)] = renderedFigure{svg: b.Bytes(), w: l.sc.W, h: l.sc.H}
		}
	}
	return writeHTML(w, doc, figs)
}

type htmlFigure struct {
	Num           int
	Src           template.URL
	Alt           string
	W, H          int
	Caption       template.HTML
	PNG, SVG, CSV string
}

type htmlTable struct {
	Num     int
	Caption template.HTML
	Columns []string
	Rows    [][]string
	CSV     string
}

type htmlSection struct {
	ID, Title     string
	Claim, Method template.HTML
	Verdicts      []Verdict
	Figures       []htmlFigure
	Tables        []htmlTable
	Notes         []template.HTML
}

type htmlSummary struct {
	ID, Title string
	V         Verdict
}

type htmlDoc struct {
	Title      string
	Intro      template.HTML
	Summary    []htmlSummary
	Sections   []htmlSection
	Provenance []KeyValue
}

func writeHTML(w io.Writer, doc Document, figs map[string]renderedFigure) error {
	d := htmlDoc{Title: doc.Title, Intro: mdBlocks(doc.Intro), Provenance: doc.Provenance}
	fig, tab := 0, 0
	for _, s := range doc.Sections {
		hs := htmlSection{ID: "sec-" + s.Name, Title: titleOf(s), Claim: mdBlocks(s.Claim), Method: mdBlocks(s.Method), Verdicts: s.Verdicts}
		for _, v := range s.Verdicts {
			d.Summary = append(d.Summary, htmlSummary{hs.ID, hs.Title, v})
		}
		for _, f := range s.Figures {
			fig++
			st := stem(s, f.Name)
			r := figs[st]
			alt := fmt.Sprintf("Figure %d: %s", fig, oneLine(f.Title))
			if c := oneLine(f.Caption); c != "" {
				alt += ". " + c
			}
			hs.Figures = append(hs.Figures, htmlFigure{
				Num: fig, Alt: alt, W: int(r.w), H: int(r.h),
				Src:     template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(r.svg)),
				Caption: mdInline(figureCaption(f)),
				PNG:     "figures/" + st + ".png", SVG: "figures/" + st + ".svg", CSV: "data/" + st + ".csv",
			})
		}
		for _, t := range s.Tables {
			tab++
			hs.Tables = append(hs.Tables, htmlTable{Num: tab, Caption: mdInline(t.Caption), Columns: t.Columns, Rows: t.Rows, CSV: "data/" + stem(s, t.Name) + ".csv"})
		}
		for _, n := range s.Notes {
			hs.Notes = append(hs.Notes, mdInline(n))
		}
		d.Sections = append(d.Sections, hs)
	}
	return htmlTmpl.Execute(w, d)
}

var htmlTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { margin: 0; background: #fff; color: #1a1a1a; font: 16px/1.55 Georgia, "DejaVu Serif", "Times New Roman", serif; }
main { max-width: 860px; margin: 0 auto; padding: 2em 1.2em 4em; }
h1, h2, h3, th, .verdict, figcaption, .files, .summary { font-family: "DejaVu Sans", Verdana, Arial, Helvetica, sans-serif; }
h1 { font-size: 1.8em; margin-bottom: .3em; }
h2 { font-size: 1.35em; margin-top: 2.2em; border-bottom: 1px solid #ccc; padding-bottom: .2em; }
code { font: .9em "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f3f3f3; padding: 0 .2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.held { color: #1a7f37; font-weight: bold; white-space: nowrap; }
.failed { color: #c62828; font-weight: bold; white-space: nowrap; }
ul.verdicts { list-style: none; padding-left: 0; }
ul.verdicts li { margin: .35em 0; }
caption { text-align: left; padding-bottom: .3em; font-size: .95em; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .88em; color: #333; margin-top: .4em; }
.files { font-size: .85em; color: #555; }
.files a { color: #0b5cad; }
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{.Intro}}
{{- if .Summary}}
<h2>Summary</h2>
<table class="summary">
<thead><tr><th>Experiment</th><th>Statement</th><th>Measured</th><th>Expected</th><th>Verdict</th></tr></thead>
<tbody>
{{- range .Summary}}
<tr><td><a href="#{{.ID}}">{{.Title}}</a></td><td>{{.V.Statement}}</td><td>{{.V.Measured}}</td><td>{{.V.Expected}}</td><td>{{if .V.Held}}<span class="held">✔ held</span>{{else}}<span class="failed">✘ not held</span>{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- range .Sections}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
{{- if .Claim}}
<h3>Claim</h3>
{{.Claim}}
{{- end}}
{{- if .Method}}
<h3>Method</h3>
{{.Method}}
{{- end}}
{{- if .Verdicts}}
<h3>Verdicts</h3>
<ul class="verdicts">
{{- range .Verdicts}}
<li class="verdict">{{if .Held}}<span class="held">✔ held</span>{{else}}<span class="failed">✘ not held</span>{{end}} — {{.Statement}}: measured {{.Measured}}; expected {{.Expected}}.</li>
{{- end}}
</ul>
{{- end}}
{{- range .Figures}}
<figure>
<img src="{{.Src}}" alt="{{.Alt}}" width="{{.W}}" height="{{.H}}">
<figcaption><strong>Figure {{.Num}}.</strong> {{.Caption}} <span class="files">[<a href="{{.PNG}}">PNG</a> · <a href="{{.SVG}}">SVG</a> · <a href="{{.CSV}}">CSV</a>]</span></figcaption>
</figure>
{{- end}}
{{- range .Tables}}
<table>
<caption><strong>Table {{.Num}}.</strong> {{.Caption}} <span class="files">[<a href="{{.CSV}}">CSV</a>]</span></caption>
<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- if .Notes}}
<h3>Notes</h3>
<ul>
{{- range .Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
</section>
{{- end}}
{{- if .Provenance}}
<h2>Provenance</h2>
<table>
<thead><tr><th>Key</th><th>Value</th></tr></thead>
<tbody>
{{- range .Provenance}}
<tr><td>{{.Key}}</td><td><code>{{.Value}}</code></td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
<div id="figure-check" hidden></div>
</main>
<script>
// Counts the figures that loaded (checked by the headless-browser test).
window.addEventListener("load", function () {
  var ok = 0, bad = 0;
  document.querySelectorAll("img").forEach(function (im) {
    if (im.complete && im.naturalWidth > 0) { ok++; } else { bad++; }
  });
  var e = document.getElementById("figure-check");
  e.setAttribute("data-loaded", ok);
  e.setAttribute("data-failed", bad);
  e.textContent = "figures loaded: " + ok + ", failed: " + bad;
});
</script>
</body>
</html>
`))

// mdBlocks renders simple Markdown: paragraphs separated by blank lines,
// and paragraphs whose lines all start with "- " or "* " as bullet lists;
// inline spans as in mdInline. Everything else is escaped.
func mdBlocks(s string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		lines := strings.Split(strings.TrimSpace(para), "\n")
		if len(lines) == 1 && lines[0] == "" {
			continue
		}
		list := true
		for _, l := range lines {
			t := strings.TrimSpace(l)
			if !strings.HasPrefix(t, "- ") && !strings.HasPrefix(t, "* ") {
				list = false
			}
		}
		if list {
			b.WriteString("<ul>\n")
			for _, l := range lines {
				b.WriteString("<li>" + string(mdInline(strings.TrimSpace(l)[2:])) + "</li>\n")
			}
			b.WriteString("</ul>\n")
			continue
		}
		b.WriteString("<p>" + string(mdInline(strings.Join(lines, " "))) + "</p>\n")
	}
	return template.HTML(b.String())
}

// mdInline renders `code`, **bold**, *emphasis* and [text](url) (http,
// https, relative and #fragment URLs only); the rest is escaped.
func mdInline(s string) template.HTML {
	var b strings.Builder
	for len(s) > 0 {
		switch {
		case s[0] == '`':
			if j := strings.IndexByte(s[1:], '`'); j >= 0 {
				b.WriteString("<code>" + html.EscapeString(s[1:1+j]) + "</code>")
				s = s[j+2:]
				continue
			}
		case strings.HasPrefix(s, "**"):
			if j := strings.Index(s[2:], "**"); j > 0 {
				b.WriteString("<strong>" + string(mdInline(s[2:2+j])) + "</strong>")
				s = s[j+4:]
				continue
			}
		case s[0] == '*' && len(s) > 1 && s[1] != ' ':
			if j := strings.IndexByte(s[1:], '*'); j > 0 && s[j] != ' ' {
				b.WriteString("<em>" + string(mdInline(s[1:1+j])) + "</em>")
				s = s[j+2:]
				continue
			}
		case s[0] == '[':
			if j := strings.Index(s, "]("); j > 0 {
				if k := strings.IndexByte(s[j+2:], ')'); k >= 0 {
					text, url := s[1:j], s[j+2:j+2+k]
					if safeURL(url) {
						b.WriteString(`<a href="` + html.EscapeString(url) + `">` + string(mdInline(text)) + "</a>")
						s = s[j+3+k:]
						continue
					}
				}
			}
		}
		// One rune, escaped.
		n := 1
		for n < len(s) && s[n]&0xC0 == 0x80 {
			n++
		}
		b.WriteString(html.EscapeString(s[:n]))
		s = s[n:]
	}
	return template.HTML(b.String())
}

func safeURL(u string) bool {
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "#") {
		return !strings.ContainsAny(u, " \"'<>")
	}
	// Relative: no scheme.
	return u != "" && !strings.Contains(strings.SplitN(u, "/", 2)[0], ":") && !strings.ContainsAny(u, " \"'<>")
}
