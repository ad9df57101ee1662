package report

import (
	"fmt"
	"math"
	"strings"
)

// Figure geometry, in logical pixels (the PNG is drawn at pngScale times
// this).
const (
	figW     = 640.0
	figH     = 420.0
	fsTitle  = 14.0
	fsLabel  = 12.0
	fsTick   = 11.0
	fsLegend = 11.0
	tickLen  = 5.0
	minorLen = 3.0

	lineWidth   = 1.7
	errWidth    = 1.1
	refWidth    = 1.3
	frameWidth  = 1.0
	markerR     = 3.6
	capHalf     = 3.5
	labelGapX   = 10.0 // minimum gap between x tick labels
	labelGapY   = 5.0  // minimum gap between y tick labels
	legendInset = 7.0
)

type rectf struct{ X0, Y0, X1, Y1 float64 }

func (r rectf) overlaps(o rectf) bool {
	return r.X0 < o.X1 && o.X0 < r.X1 && r.Y0 < o.Y1 && o.Y0 < r.Y1
}

func (r rectf) grow(d float64) rectf { return rectf{r.X0 - d, r.Y0 - d, r.X1 + d, r.Y1 + d} }

// segIntersectsRect reports whether segment ab meets r (Liang–Barsky).
func segIntersectsRect(a, b fpt, r rectf) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := b.X-a.X, b.Y-a.Y
	for _, c := range [4][2]float64{{-dx, a.X - r.X0}, {dx, r.X1 - a.X}, {-dy, a.Y - r.Y0}, {dy, r.Y1 - a.Y}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

type axis struct {
	lo, hi float64
	log    bool
	p0, p1 float64 // pixel positions of lo and hi
}

func (a axis) px(v float64) float64 {
	var t float64
	if a.log {
		l0, l1 := math.Log10(a.lo), math.Log10(a.hi)
		t = (math.Log10(v) - l0) / (l1 - l0)
	} else {
		if d := a.hi - a.lo; !math.IsInf(d, 0) {
			t = (v - a.lo) / d
		} else {
			t = (v/2 - a.lo/2) / (a.hi/2 - a.lo/2)
		}
	}
	return a.p0 + t*(a.p1-a.p0)
}

func usable(v float64, log bool) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!log || v > 0)
}

// axisRange is the padded data range of vals on a linear or log axis;
// degenerate inputs (no values, one value) still give a sensible range.
func axisRange(vals []float64, log bool) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if usable(v, log) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi {
		if log {
			return 1, 10
		}
		return 0, 1
	}
	if log {
		l0, l1 := math.Log10(lo), math.Log10(hi)
		if l1-l0 < 1e-9 {
			l0, l1 = l0-0.5, l1+0.5
		} else {
			pad := 0.05 * (l1 - l0)
			l0, l1 = l0-pad, l1+pad
		}
		lo, hi = math.Pow(10, l0), math.Pow(10, l1)
		if lo == 0 {
			lo = math.SmallestNonzeroFloat64
		}
		if math.IsInf(hi, 0) {
			hi = math.MaxFloat64
		}
		return lo, hi
	}
	if span(lo, hi) < 1e-280 {
		// One value (or values apart by less than any sensible tick step).
		c := lo/2 + hi/2
		d := 0.1 * math.Abs(c)
		if d < 1e-280 {
			d = 1 // zero, give or take a subnormal
		}
		if c-d == c || c+d == c {
			d = 1
		}
		lo, hi = c, c
		lo, hi = lo-d, hi+d
	} else {
		pad := 0.05 * span(lo, hi)
		lo, hi = lo-pad, hi+pad
	}
	lo = math.Max(lo, -math.MaxFloat64)
	hi = math.Min(hi, math.MaxFloat64)
	return lo, hi
}

type seriesStyle struct {
	line, points bool
	dash         []float64
	color        rgb
	shape        markerShape
	hollow       bool
}

func styleOf(i int, s Series) (seriesStyle, error) {
	st := seriesStyle{color: palette[i%len(palette)], shape: markerShape(i % int(nShapes)), hollow: (i/int(nShapes))%2 == 1}
	switch s.Style {
	case "", "line+points":
		st.line, st.points = true, true
	case "line":
		st.line = true
	case "points":
		st.points = true
	case "dashed":
		st.line, st.dash = true, []float64{6, 3}
	default:
		return st, fmt.Errorf("unknown style %q (want line+points, line, points or dashed)", s.Style)
	}
	return st, nil
}

type legendEntry struct {
	label string
	style seriesStyle
	ref   bool
}

// figLayout is a figure laid out: the scene plus what the tests check.
type figLayout struct {
	sc            *scene
	plot          rectf
	x, y          axis
	xticks        []tick
	yticks        []tick
	xLabelBoxes   []rectf
	yLabelBoxes   []rectf
	legend        rectf
	hasLegend     bool
	legendOutside bool
	marks         []rectf  // marker boxes of plotted points
	segs          [][2]fpt // plotted line segments (series, error bars, reference lines)
	omitted       int      // finite values left out because a log axis cannot show them
}

// wrapText breaks s at spaces into lines no wider than w at size.
func wrapText(s string, size, w float64) []string {
	words := strings.Fields(s)
	var lines []string
	cur := ""
	for _, wd := range words {
		if cur != "" && textWidth(cur+" "+wd, size) > w {
			lines = append(lines, cur)
			cur = wd
		} else if cur == "" {
			cur = wd
		} else {
			cur += " " + wd
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// layoutFigure lays out and draws f. It validates f first.
func layoutFigure(f Figure) (*figLayout, error) {
	if err := validateFigureData(f); err != nil {
		return nil, err
	}
	styles := make([]seriesStyle, len(f.Series))
	for i, s := range f.Series {
		st, err := styleOf(i, s)
		if err != nil {
			return nil, fmt.Errorf("series %d (%q): %v", i, s.Label, err)
		}
		styles[i] = st
	}
	var xs, ys []float64
	omitted := 0
	countOmit := func(v float64, log bool) {
		if log && !math.IsNaN(v) && !math.IsInf(v, 0) && v <= 0 {
			omitted++
		}
	}
	for _, s := range f.Series {
		for j := range s.X {
			countOmit(s.X[j], f.XLog)
			countOmit(s.Y[j], f.YLog)
			if !usable(s.X[j], f.XLog) || !usable(s.Y[j], f.YLog) {
				continue
			}
			xs = append(xs, s.X[j])
			ys = append(ys, s.Y[j])
			if s.ErrLo != nil {
				ys = append(ys, s.ErrLo[j])
			}
			if s.ErrHi != nil {
				ys = append(ys, s.ErrHi[j])
			}
		}
	}
	for _, r := range f.HLines {
		countOmit(r.At, f.YLog)
		ys = append(ys, r.At)
	}
	for _, r := range f.VLines {
		countOmit(r.At, f.XLog)
		xs = append(xs, r.At)
	}
	hasData := len(xs) > 0 || len(ys) > 0
	xlo, xhi := axisRange(xs, f.XLog)
	ylo, yhi := axisRange(ys, f.YLog)

	var entries []legendEntry
	for i, s := range f.Series {
		if s.Label != "" {
			entries = append(entries, legendEntry{label: s.Label, style: styles[i]})
		}
	}
	nref := 0
	for k, refs := range [][]RefLine{f.HLines, f.VLines} {
		log := f.YLog
		if k == 1 {
			log = f.XLog
		}
		for _, r := range refs {
			// Only lines that are drawn are named.
			if r.Label != "" && usable(r.At, log) {
				entries = append(entries, legendEntry{label: r.Label, ref: true, style: seriesStyle{line: true, color: refColor, dash: refDashes[nref%len(refDashes)]}})
			}
			nref++
		}
	}

	in, err := layoutPass(f, styles, entries, xlo, xhi, ylo, yhi, false, hasData)
	if err != nil {
		return nil, err
	}
	lay := in
	if in.hasLegend && !legendFree(in, in.legend) {
		lay, err = layoutPass(f, styles, entries, xlo, xhi, ylo, yhi, true, hasData)
		if err != nil {
			return nil, err
		}
	}
	lay.omitted = omitted
	return lay, nil
}

func legendFree(l *figLayout, box rectf) bool {
	b := box.grow(2)
	for _, m := range l.marks {
		if m.overlaps(b) {
			return false
		}
	}
	for _, s := range l.segs {
		if segIntersectsRect(s[0], s[1], b) {
			return false
		}
	}
	return true
}

// chooseTicks picks the densest candidate whose labels keep apart.
func chooseTicks(a axis, horizontal bool, maxLabels int) ([]tick, []rectf) {
	cands := tickCandidates(a.lo, a.hi, a.log, maxLabels)
	for ci, ts := range cands {
		var boxes []rectf
		for _, t := range ts {
			if t.Minor {
				continue
			}
			p := a.px(t.V)
			if horizontal {
				w := textWidth(t.Label, fsTick)
				boxes = append(boxes, rectf{p - w/2, 0, p + w/2, 1})
			} else {
				h := fsTick * fontCap
				boxes = append(boxes, rectf{0, p - h/2, 1, p + h/2})
			}
		}
		ok := true
		for k := 1; k < len(boxes); k++ {
			b, prev := boxes[k], boxes[k-1]
			if horizontal && b.X0 < prev.X1+labelGapX || !horizontal && b.Y1 > prev.Y0-labelGapY {
				ok = false
				break
			}
		}
		if ok || ci == len(cands)-1 {
			return ts, boxes
		}
	}
	return nil, nil
}

func maxLabelWidth(ts []tick) float64 {
	w := 0.0
	for _, t := range ts {
		if !t.Minor {
			w = math.Max(w, textWidth(t.Label, fsTick))
		}
	}
	return w
}

func legendSize(entries []legendEntry) (w, h float64) {
	tw := 0.0
	for _, e := range entries {
		tw = math.Max(tw, textWidth(e.label, fsLegend))
	}
	return 8 + 26 + 6 + tw + 8, float64(len(entries))*fsLegend*1.45 + 8
}

func layoutPass(f Figure, styles []seriesStyle, entries []legendEntry, xlo, xhi, ylo, yhi float64, outside, hasData bool) (*figLayout, error) {
	W, H := figW, figH
	l := &figLayout{sc: &scene{W: W, H: H}}
	titleLines := wrapText(f.Title, fsTitle, W-24)
	top := 14.0
	if len(titleLines) > 0 {
		top = 10 + float64(len(titleLines))*fsTitle*1.25 + 8
	}
	bottom := tickLen + 4 + fsTick*(fontCap+fontDescent) + 8
	xlSize, xlLines := labelLines(f.XLabel, W-16)
	if len(xlLines) > 0 {
		bottom += xlSize*(fontAscent+fontDescent) + float64(len(xlLines)-1)*xlSize*1.2 + 4
	}
	y0, y1 := top, H-bottom
	ylSize, ylLines := labelLines(f.YLabel, y1-y0+bottom/2)
	l.y = axis{lo: ylo, hi: yhi, log: f.YLog, p0: y1, p1: y0}
	l.yticks, l.yLabelBoxes = chooseTicks(l.y, false, int((y1-y0)/34))

	left := 10 + maxLabelWidth(l.yticks) + 4 + tickLen
	if len(ylLines) > 0 {
		left += ylSize*(fontAscent+fontDescent) + float64(len(ylLines)-1)*ylSize*1.2 + 6
	}
	legW, legH := legendSize(entries)
	right := 16.0
	if outside {
		right = legW + 12 + 10
		if W-left-right < 0.55*W {
			// A wide legend: widen the canvas instead of squeezing the plot.
			W = left + 0.55*W + right
			l.sc.W = W
		}
	}
	for pass := 0; pass < 2; pass++ {
		l.x = axis{lo: xlo, hi: xhi, log: f.XLog, p0: left, p1: W - right}
		l.xticks, l.xLabelBoxes = chooseTicks(l.x, true, int((W-right-left)/60))
		if len(l.xLabelBoxes) == 0 {
			break
		}
		first, last := l.xLabelBoxes[0], l.xLabelBoxes[len(l.xLabelBoxes)-1]
		grow := false
		if first.X0 < 4 {
			left += 4 - first.X0
			grow = true
		}
		if !outside && last.X1 > W-4 {
			right += last.X1 - (W - 4)
			grow = true
		}
		if !grow {
			break
		}
	}
	l.plot = rectf{left, y0, W - right, y1}
	// Tick label boxes in scene coordinates.
	for i := range l.xLabelBoxes {
		b := &l.xLabelBoxes[i]
		b.Y0 = y1 + tickLen + 4
		b.Y1 = b.Y0 + fsTick*fontCap
	}
	for i := range l.yLabelBoxes {
		b := &l.yLabelBoxes[i]
		b.X1 = left - tickLen - 4
	}

	sc := l.sc
	sc.rect(0, 0, W, H, &white, nil, 0)
	P := l.plot
	hasLeg := len(entries) > 0
	l.hasLegend = hasLeg
	if hasLeg {
		if outside {
			l.legendOutside = true
			lx := P.X1 + 12
			l.legend = rectf{lx, P.Y0, lx + legW, P.Y0 + legH}
		}
	}

	// Reference lines.
	nref := 0
	for _, r := range f.HLines {
		if usable(r.At, f.YLog) {
			y := l.y.px(r.At)
			sc.line(P.X0, y, P.X1, y, refColor, refWidth, refDashes[nref%len(refDashes)])
			l.segs = append(l.segs, [2]fpt{{P.X0, y}, {P.X1, y}})
		}
		nref++
	}
	for _, r := range f.VLines {
		if usable(r.At, f.XLog) {
			x := l.x.px(r.At)
			sc.line(x, P.Y0, x, P.Y1, refColor, refWidth, refDashes[nref%len(refDashes)])
			l.segs = append(l.segs, [2]fpt{{x, P.Y0}, {x, P.Y1}})
		}
		nref++
	}
	// Error bars.
	for i, s := range f.Series {
		if s.ErrLo == nil && s.ErrHi == nil {
			continue
		}
		st := styles[i]
		for j := range s.X {
			if !usable(s.X[j], f.XLog) || !usable(s.Y[j], f.YLog) {
				continue
			}
			x, yc := l.x.px(s.X[j]), l.y.px(s.Y[j])
			lo, hi := yc, yc
			loCap, hiCap := false, false
			if s.ErrLo != nil && !math.IsNaN(s.ErrLo[j]) && !math.IsInf(s.ErrLo[j], 0) {
				if usable(s.ErrLo[j], f.YLog) {
					lo, loCap = l.y.px(s.ErrLo[j]), true
				} else {
					lo = P.Y1 // a non-positive end on a log axis: bar runs off the bottom
				}
			}
			if s.ErrHi != nil && usable(s.ErrHi[j], f.YLog) {
				hi, hiCap = l.y.px(s.ErrHi[j]), true
			}
			lo, hi = math.Min(math.Max(lo, P.Y0), P.Y1), math.Min(math.Max(hi, P.Y0), P.Y1)
			if lo != hi {
				sc.line(x, lo, x, hi, st.color, errWidth, nil)
				l.segs = append(l.segs, [2]fpt{{x, lo}, {x, hi}})
			}
			for _, c := range []struct {
				y  float64
				on bool
			}{{lo, loCap}, {hi, hiCap}} {
				if c.on && c.y != yc {
					sc.line(x-capHalf, c.y, x+capHalf, c.y, st.color, errWidth, nil)
					l.segs = append(l.segs, [2]fpt{{x - capHalf, c.y}, {x + capHalf, c.y}})
				}
			}
		}
	}
	// Lines, broken at unusable points.
	for i, s := range f.Series {
		st := styles[i]
		if !st.line {
			continue
		}
		var run []fpt
		flush := func() {
			if len(run) == 1 && !st.points {
				// An isolated point of a line-only series would vanish.
				c := st.color
				sc.marker(run[0].X, run[0].Y, mCircle, lineWidth, &c, nil, 0)
			}
			if len(run) >= 2 {
				sc.polyline(run, st.color, lineWidth, st.dash)
				for k := 1; k < len(run); k++ {
					l.segs = append(l.segs, [2]fpt{run[k-1], run[k]})
				}
			}
			run = nil
		}
		for j := range s.X {
			if !usable(s.X[j], f.XLog) || !usable(s.Y[j], f.YLog) {
				flush()
				continue
			}
			run = append(run, fpt{l.x.px(s.X[j]), l.y.px(s.Y[j])})
		}
		flush()
	}
	// Markers (every usable point is an obstacle for the legend, even of
	// line-only series).
	for i, s := range f.Series {
		st := styles[i]
		for j := range s.X {
			if !usable(s.X[j], f.XLog) || !usable(s.Y[j], f.YLog) {
				continue
			}
			x, y := l.x.px(s.X[j]), l.y.px(s.Y[j])
			r := markerR * 1.35
			l.marks = append(l.marks, rectf{x - r, y - r, x + r, y + r})
			if st.points {
				drawMarker(sc, x, y, st)
			}
		}
	}
	if !hasData {
		sc.text((P.X0+P.X1)/2, (P.Y0+P.Y1)/2, "no data", fsLabel, anchorMiddle, false, refColor)
	}

	// Axes box and ticks.
	sc.rect(P.X0, P.Y0, P.X1-P.X0, P.Y1-P.Y0, nil, &black, frameWidth)
	for _, t := range l.xticks {
		x := l.x.px(t.V)
		n := tickLen
		if t.Minor {
			n = minorLen
		}
		sc.line(x, P.Y1, x, P.Y1+n, black, frameWidth, nil)
		if !t.Minor {
			sc.text(x, P.Y1+tickLen+4+fsTick*fontCap, t.Label, fsTick, anchorMiddle, false, textColor)
		}
	}
	for _, t := range l.yticks {
		y := l.y.px(t.V)
		n := tickLen
		if t.Minor {
			n = minorLen
		}
		sc.line(P.X0-n, y, P.X0, y, black, frameWidth, nil)
		if !t.Minor {
			sc.text(P.X0-tickLen-4, y+fsTick*fontCap/2, t.Label, fsTick, anchorEnd, false, textColor)
		}
	}
	for i := range l.yLabelBoxes {
		b := &l.yLabelBoxes[i]
		b.X0 = b.X1 - textWidth(majorLabels(l.yticks)[i], fsTick)
	}
	// Axis labels and title.
	for i, line := range xlLines {
		base := H - 8 - xlSize*fontDescent - float64(len(xlLines)-1-i)*xlSize*1.2
		sc.text(clampCenter((P.X0+P.X1)/2, textWidth(line, xlSize), W), base, line, xlSize, anchorMiddle, false, textColor)
	}
	for i, line := range ylLines {
		sc.text(10+ylSize*fontAscent+float64(i)*ylSize*1.2, clampCenter((P.Y0+P.Y1)/2, textWidth(line, ylSize), H), line, ylSize, anchorMiddle, true, textColor)
	}
	for i, line := range titleLines {
		size := fitSize(line, fsTitle, W-8)
		sc.text(clampCenter((P.X0+P.X1)/2, textWidth(line, size), W), 10+fsTitle*fontCap+float64(i)*fsTitle*1.25, line, size, anchorMiddle, false, textColor)
	}

	// Legend: the first inner corner that covers no data.
	if hasLeg && !outside {
		corners := []rectf{
			{P.X1 - legendInset - legW, P.Y0 + legendInset, P.X1 - legendInset, P.Y0 + legendInset + legH},
			{P.X0 + legendInset, P.Y0 + legendInset, P.X0 + legendInset + legW, P.Y0 + legendInset + legH},
			{P.X1 - legendInset - legW, P.Y1 - legendInset - legH, P.X1 - legendInset, P.Y1 - legendInset},
			{P.X0 + legendInset, P.Y1 - legendInset - legH, P.X0 + legendInset + legW, P.Y1 - legendInset},
		}
		l.legend = corners[0]
		for _, c := range corners {
			if c.X0 >= P.X0 && c.Y1 <= P.Y1 && legendFree(l, c) {
				l.legend = c
				break
			}
		}
	}
	if hasLeg {
		drawLegend(sc, l.legend, entries)
	}
	return l, nil
}

func majorLabels(ts []tick) []string {
	var out []string
	for _, t := range ts {
		if !t.Minor {
			out = append(out, t.Label)
		}
	}
	return out
}

// labelLines fits an axis label into length w: smaller (down to 10 px),
// then wrapped at spaces. A single word longer than w is left whole.
func labelLines(s string, w float64) (float64, []string) {
	size := fitSize(s, fsLabel, w)
	if size < 10 {
		size = 10
	}
	return size, wrapText(s, size, w)
}

// fitSize shrinks size (down to 8) until s fits in w.
func fitSize(s string, size, w float64) float64 {
	for size > 8 && textWidth(s, size) > w {
		size -= 0.5
	}
	return size
}

// clampCenter moves a centred run of width w so that it stays inside
// [4, limit-4].
func clampCenter(c, w, limit float64) float64 {
	if c-w/2 < 4 {
		c = 4 + w/2
	}
	if c+w/2 > limit-4 {
		c = limit - 4 - w/2
	}
	return c
}

func drawMarker(sc *scene, x, y float64, st seriesStyle) {
	c := st.color
	if st.hollow {
		sc.marker(x, y, st.shape, markerR, &white, &c, 1.2)
	} else {
		sc.marker(x, y, st.shape, markerR, &c, nil, 0)
	}
}

func drawLegend(sc *scene, b rectf, entries []legendEntry) {
	sc.rect(b.X0, b.Y0, b.X1-b.X0, b.Y1-b.Y0, &white, &frameGrey, 0.8)
	rowH := fsLegend * 1.45
	for i, e := range entries {
		cy := b.Y0 + 4 + (float64(i)+0.5)*rowH
		x0, x1 := b.X0+8, b.X0+8+26
		if e.style.line {
			w := lineWidth
			if e.ref {
				w = refWidth
			}
			sc.line(x0, cy, x1, cy, e.style.color, w, e.style.dash)
		}
		if e.style.points {
			drawMarker(sc, (x0+x1)/2, cy, e.style)
		}
		sc.text(x1+6, cy+fsLegend*fontCap/2, e.label, fsLegend, anchorStart, false, textColor)
	}
}
