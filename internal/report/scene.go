package report

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// sanitizeText replaces what neither XML nor the font can show (invalid
// UTF-8, control characters) with U+FFFD, so the SVG and the PNG show the
// same text.
func sanitizeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
			return unicode.ReplacementChar
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// A scene is the display list of one figure in logical pixels (origin top
// left, y down). The SVG writer and the PNG rasteriser both draw a scene, so
// the two files show the same figure.
type scene struct {
	W, H  float64
	items []item
}

type itemKind int

const (
	kPolyline itemKind = iota // stroked open polyline
	kRect                     // axis-aligned rectangle, optional fill and stroke
	kMarker                   // data marker
	kText                     // text run
)

type rgb struct{ R, G, B uint8 }

func (c rgb) hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

var (
	black     = rgb{0, 0, 0}
	white     = rgb{255, 255, 255}
	textColor = rgb{0x1a, 0x1a, 0x1a}
	refColor  = rgb{0x55, 0x55, 0x55}
	frameGrey = rgb{0xbb, 0xbb, 0xbb}
)

// palette is Okabe & Ito's colour-blind-safe set, most legible on white
// first (the yellow is last).
var palette = []rgb{
	{0x00, 0x72, 0xB2}, // blue
	{0xD5, 0x5E, 0x00}, // vermillion
	{0x00, 0x9E, 0x73}, // bluish green
	{0xCC, 0x79, 0xA7}, // reddish purple
	{0xE6, 0x9F, 0x00}, // orange
	{0x56, 0xB4, 0xE9}, // sky blue
	{0x00, 0x00, 0x00}, // black
	{0xF0, 0xE4, 0x42}, // yellow
}

type markerShape int

const (
	mCircle markerShape = iota
	mSquare
	mTriangleUp
	mDiamond
	mTriangleDown
	mPentagon
	mStar
	nShapes
)

// refDashes are the dash patterns of reference lines, one per line so that
// several grey lines stay distinguishable.
var refDashes = [][]float64{{6, 4}, {2, 3}, {9, 3, 2, 3}, {1.5, 1.5}}

type anchor int

const (
	anchorStart anchor = iota
	anchorMiddle
	anchorEnd
)

type item struct {
	Kind  itemKind
	Pts   []fpt     // kPolyline
	Dash  []float64 // kPolyline: on/off lengths; nil = solid
	Width float64   // stroke width

	X, Y, W, H float64 // kRect; kMarker and kText use X, Y
	Stroke     *rgb
	Fill       *rgb

	Shape markerShape // kMarker
	Size  float64     // kMarker: radius; kText: font size

	Text   string // kText; (X, Y) is the anchor on the baseline
	Anchor anchor
	Rot90  bool // rotated -90°: reads bottom to top
}

func (s *scene) polyline(pts []fpt, c rgb, width float64, dash []float64) {
	if len(pts) < 2 {
		return
	}
	s.items = append(s.items, item{Kind: kPolyline, Pts: pts, Stroke: &c, Width: width, Dash: dash})
}

func (s *scene) line(x0, y0, x1, y1 float64, c rgb, width float64, dash []float64) {
	s.polyline([]fpt{{x0, y0}, {x1, y1}}, c, width, dash)
}

func (s *scene) rect(x, y, w, h float64, fill, stroke *rgb, width float64) {
	s.items = append(s.items, item{Kind: kRect, X: x, Y: y, W: w, H: h, Fill: fill, Stroke: stroke, Width: width})
}

func (s *scene) marker(x, y float64, shape markerShape, r float64, fill, stroke *rgb, width float64) {
	s.items = append(s.items, item{Kind: kMarker, X: x, Y: y, Shape: shape, Size: r, Fill: fill, Stroke: stroke, Width: width})
}

func (s *scene) text(x, y float64, str string, size float64, a anchor, rot bool, c rgb) {
	s.items = append(s.items, item{Kind: kText, X: x, Y: y, Text: sanitizeText(str), Size: size, Anchor: a, Rot90: rot, Fill: &c})
}

// markerPolygon is the outline of a non-circular marker of radius r at
// (x, y). Both renderers use it, so markers match.
func markerPolygon(shape markerShape, x, y, r float64) []fpt {
	reg := func(n int, rot, rr float64) []fpt {
		p := make([]fpt, n)
		for i := range p {
			a := rot + 2*math.Pi*float64(i)/float64(n)
			p[i] = fpt{x + rr*math.Cos(a), y - rr*math.Sin(a)}
		}
		return p
	}
	switch shape {
	case mSquare:
		q := r * 0.88
		return []fpt{{x - q, y - q}, {x + q, y - q}, {x + q, y + q}, {x - q, y + q}}
	case mTriangleUp:
		return reg(3, math.Pi/2, r*1.25)
	case mTriangleDown:
		return reg(3, -math.Pi/2, r*1.25)
	case mDiamond:
		return reg(4, math.Pi/2, r*1.2)
	case mPentagon:
		return reg(5, math.Pi/2, r*1.1)
	case mStar:
		p := make([]fpt, 10)
		for i := range p {
			rr := r * 1.35
			if i%2 == 1 {
				rr = r * 0.6
			}
			a := math.Pi/2 + math.Pi*float64(i)/5
			p[i] = fpt{x + rr*math.Cos(a), y - rr*math.Sin(a)}
		}
		return p
	}
	return nil
}

type textStroke struct {
	pts    []fpt
	weight float64
}

// textStrokes lays out str with the stroke font: polylines in scene
// coordinates for a text item, each with its relative stroke weight.
func textStrokes(it item) []textStroke {
	w := textWidth(it.Text, it.Size)
	off := 0.0
	switch it.Anchor {
	case anchorMiddle:
		off = -w / 2
	case anchorEnd:
		off = -w
	}
	var out []textStroke
	pen := off
	for _, r := range it.Text {
		g := glyphFor(r)
		for _, st := range g.strokes {
			p := make([]fpt, len(st))
			for i, q := range st {
				dx := pen + q.X*it.Size // along the baseline
				dy := q.Y * it.Size     // up from the baseline
				if it.Rot90 {
					p[i] = fpt{it.X - dy, it.Y - dx}
				} else {
					p[i] = fpt{it.X + dx, it.Y - dy}
				}
			}
			out = append(out, textStroke{p, g.weight})
		}
		pen += g.adv * it.Size
	}
	return out
}

// dashPolyline splits pts into the "on" pieces of a dash pattern.
func dashPolyline(pts []fpt, dash []float64) [][]fpt {
	if len(dash) == 0 {
		return [][]fpt{pts}
	}
	var out [][]fpt
	di, left, on := 0, dash[0], true
	var cur []fpt
	if on {
		cur = []fpt{pts[0]}
	}
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		seg := math.Hypot(b.X-a.X, b.Y-a.Y)
		pos := 0.0
		for seg-pos > left {
			pos += left
			t := pos / seg
			p := fpt{a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t}
			if on {
				cur = append(cur, p)
				out = append(out, cur)
				cur = nil
			} else {
				cur = []fpt{p}
			}
			on = !on
			di = (di + 1) % len(dash)
			left = dash[di]
		}
		left -= seg - pos
		if on {
			cur = append(cur, b)
		}
	}
	if on && len(cur) > 1 {
		out = append(out, cur)
	}
	return out
}
