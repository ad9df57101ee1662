package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// svgFont lists DejaVu Sans first: the stroke font's advance widths follow
// it, so label spacing computed by the layout holds in the browser too.
const svgFont = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"

// WriteSVG draws f as a standalone SVG document.
func WriteSVG(w io.Writer, f Figure) error {
	l, err := layoutFigure(f)
	if err != nil {
		return err
	}
	return writeSceneSVG(w, l.sc, f.Title)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func writeSceneSVG(w io.Writer, sc *scene, title string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="%s">`+"\n",
		num(sc.W), num(sc.H), num(sc.W), num(sc.H), svgFont)
	if title != "" {
		fmt.Fprintf(bw, "<title>%s</title>\n", xmlEscape(title))
	}
	for _, it := range sc.items {
		switch it.Kind {
		case kPolyline:
			var pts []string
			for _, p := range it.Pts {
				pts = append(pts, num(p.X)+","+num(p.Y))
			}
			fmt.Fprintf(bw, `<polyline points="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linecap="round" stroke-linejoin="round"%s/>`+"\n",
				strings.Join(pts, " "), it.Stroke.hex(), num(it.Width), dashAttr(it.Dash))
		case kRect:
			fmt.Fprintf(bw, `<rect x="%s" y="%s" width="%s" height="%s" %s/>`+"\n",
				num(it.X), num(it.Y), num(it.W), num(it.H), paintAttrs(it))
		case kMarker:
			if it.Shape == mCircle {
				fmt.Fprintf(bw, `<circle cx="%s" cy="%s" r="%s" %s/>`+"\n", num(it.X), num(it.Y), num(it.Size), paintAttrs(it))
				continue
			}
			var pts []string
			for _, p := range markerPolygon(it.Shape, it.X, it.Y, it.Size) {
				pts = append(pts, num(p.X)+","+num(p.Y))
			}
			fmt.Fprintf(bw, `<polygon points="%s" %s/>`+"\n", strings.Join(pts, " "), paintAttrs(it))
		case kText:
			anchor := [...]string{"start", "middle", "end"}[it.Anchor]
			rot := ""
			if it.Rot90 {
				rot = fmt.Sprintf(` transform="rotate(-90 %s %s)"`, num(it.X), num(it.Y))
			}
			fmt.Fprintf(bw, `<text x="%s" y="%s" font-size="%s" text-anchor="%s" fill="%s"%s>%s</text>`+"\n",
				num(it.X), num(it.Y), num(it.Size), anchor, it.Fill.hex(), rot, xmlEscape(it.Text))
		}
	}
	fmt.Fprintf(bw, "</svg>\n")
	return bw.Flush()
}

func dashAttr(d []float64) string {
	if len(d) == 0 {
		return ""
	}
	var s []string
	for _, v := range d {
		s = append(s, num(v))
	}
	return ` stroke-dasharray="` + strings.Join(s, " ") + `"`
}

func paintAttrs(it item) string {
	fill := "none"
	if it.Fill != nil {
		fill = it.Fill.hex()
	}
	s := `fill="` + fill + `"`
	if it.Stroke != nil {
		s += ` stroke="` + it.Stroke.hex() + `" stroke-width="` + num(it.Width) + `"`
	}
	return s
}
