package report

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// edgeFigures are degenerate and awkward figures every renderer must
// survive with finite coordinates.
func edgeFigures() map[string]Figure {
	nan := math.NaN()
	return map[string]Figure{
		"empty":        {Name: "empty", Title: "Empty", XLabel: "x (m)", YLabel: "y (s)"},
		"single point": {Name: "one", XLabel: "x", YLabel: "y", Series: []Series{{Label: "p", X: []float64{3}, Y: []float64{7}}}},
		"all equal":    {Name: "eq", XLabel: "x", YLabel: "y", Series: []Series{{Label: "c", X: []float64{1, 1, 1}, Y: []float64{0, 0, 0}}}},
		"all NaN":      {Name: "nan", XLabel: "x", YLabel: "y", Series: []Series{{Label: "n", X: []float64{nan, 1}, Y: []float64{2, nan}}}},
		"log nonpositive": {Name: "lognp", XLog: true, YLog: true, XLabel: "x", YLabel: "y",
			Series: []Series{{Label: "s", X: []float64{-1, 0, 1, 10, 100}, Y: []float64{1, 2, -3, 0, 5},
				ErrLo: []float64{0, 1, -5, -1, -2}, ErrHi: []float64{2, 3, 4, 1, 9}}},
			HLines: []RefLine{{Label: "zero", At: 0}}},
		"log only nonpositive": {Name: "lognp2", YLog: true, Series: []Series{{Label: "s", X: []float64{1, 2}, Y: []float64{-1, 0}}}},
		"tiny":                 {Name: "tiny", Series: []Series{{Label: "t", X: []float64{1e-300, 2e-300, 3e-300}, Y: []float64{5e-324, 1e-323, 0}}}},
		"huge":                 {Name: "huge", Series: []Series{{Label: "h", X: []float64{-1e308, 1e308}, Y: []float64{1.7e308, -1.7e308}}}},
		"offset":               {Name: "offset", Series: []Series{{Label: "o", X: []float64{1e9, 1e9 + 1, 1e9 + 2}, Y: []float64{-0.000001, 0, 0.000001}}}},
		"inf":                  {Name: "inf", Series: []Series{{Label: "i", X: []float64{1, 2, 3}, Y: []float64{math.Inf(1), 2, math.Inf(-1)}}}},
		"escaping": {Name: "esc", Title: `<b>"μ" & ‖g‖² ≥ 1</b>`, XLabel: "a < b & c > d", YLabel: "σ₀ ± 'x'",
			Series: []Series{{Label: "</text><script>", X: []float64{1, 2}, Y: []float64{1, 2}}}},
		"unknown runes": {Name: "runes", Title: "emoji 🙂 and \x01 and \u00e9 and invalid \xff",
			Series: []Series{{Label: "漢字", X: []float64{1, 2}, Y: []float64{1, 2}}}},
		"long labels": {Name: "long", Title: strings.Repeat("a very long title that must wrap ", 5),
			XLabel: strings.Repeat("long x label ", 12), YLabel: strings.Repeat("long y label ", 10),
			Series: []Series{{Label: strings.Repeat("long legend entry ", 4), X: []float64{0, 1}, Y: []float64{0, 1}}}},
	}
}

func allFigures() map[string]Figure {
	figs := edgeFigures()
	for _, s := range sampleDocument().Sections {
		for _, f := range s.Figures {
			figs["sample "+f.Name] = f
		}
	}
	return figs
}

// svgTexts parses an SVG document and returns the root and its texts.
func svgTexts(t *testing.T, b []byte) (root string, texts []string) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var in bool
	var cur strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch e := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = e.Name.Local
				assert.Equal(t, "http://www.w3.org/2000/svg", e.Name.Space)
			}
			if e.Name.Local == "text" {
				in = true
				cur.Reset()
			}
		case xml.CharData:
			if in {
				cur.Write(e)
			}
		case xml.EndElement:
			if e.Name.Local == "text" {
				in = false
				texts = append(texts, cur.String())
			}
		}
	}
	return root, texts
}

func TestSVGValidAndLabelled(t *testing.T) {
	for name, f := range allFigures() {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, WriteSVG(&b, f))
			assert.NotContains(t, b.String(), "NaN")
			assert.NotContains(t, b.String(), "Inf")
			root, texts := svgTexts(t, b.Bytes())
			assert.Equal(t, "svg", root)
			all := strings.Join(texts, "\n")
			// Each label is there whole, or wrapped onto lines (titles
			// and long axis labels).
			want := []string{f.XLabel, f.YLabel, f.Title}
			for _, s := range f.Series {
				want = append(want, s.Label)
			}
			for _, r := range f.HLines {
				if usable(r.At, f.YLog) {
					want = append(want, r.Label)
				}
			}
			for _, r := range f.VLines {
				if usable(r.At, f.XLog) {
					want = append(want, r.Label)
				}
			}
			flat := strings.Join(strings.Fields(all), " ")
			for _, w := range want {
				assert.Contains(t, flat, strings.Join(strings.Fields(sanitizeText(w)), " "), "label %q", w)
			}
		})
	}
}

func TestSceneCoordinatesFinite(t *testing.T) {
	for name, f := range allFigures() {
		t.Run(name, func(t *testing.T) {
			l, err := layoutFigure(f)
			require.NoError(t, err)
			for _, it := range l.sc.items {
				vals := []float64{it.X, it.Y, it.W, it.H, it.Width, it.Size}
				for _, p := range it.Pts {
					vals = append(vals, p.X, p.Y)
				}
				for _, v := range vals {
					require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "item %+v", it)
				}
			}
		})
	}
}

func TestLogAxisOmissionsReported(t *testing.T) {
	f := edgeFigures()["log nonpositive"]
	l, err := layoutFigure(f)
	require.NoError(t, err)
	// x = -1, 0 and y = -3, 0 are four points' coordinates, plus the
	// reference line at 0.
	assert.Equal(t, 5, l.omitted)
	assert.Equal(t, 4, omittedOnLog(f))
	assert.Contains(t, figureCaption(f), "4 point(s) with non-positive values")
}

func TestPNG(t *testing.T) {
	for name, f := range allFigures() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			require.NoError(t, WritePNG(&b, f))
			img, err := png.Decode(&b)
			require.NoError(t, err)
			l, err := layoutFigure(f)
			require.NoError(t, err)
			bounds := img.Bounds()
			assert.Equal(t, int(math.Ceil(l.sc.W*pngScale)), bounds.Dx())
			assert.Equal(t, int(math.Ceil(l.sc.H*pngScale)), bounds.Dy())
			if !l.legendOutside {
				assert.Equal(t, 1280, bounds.Dx())
				assert.Equal(t, 840, bounds.Dy())
			}
			// Every plotted point has ink under it (inside the plot area).
			for _, m := range l.marks {
				cx, cy := (m.X0+m.X1)/2*pngScale, (m.Y0+m.Y1)/2*pngScale
				require.True(t, cx >= l.plot.X0*pngScale-1 && cx <= l.plot.X1*pngScale+1 && cy >= l.plot.Y0*pngScale-1 && cy <= l.plot.Y1*pngScale+1)
				ink := false
				for dy := -2; dy <= 2 && !ink; dy++ {
					for dx := -2; dx <= 2 && !ink; dx++ {
						r, g, b, _ := img.At(int(cx)+dx, int(cy)+dy).RGBA()
						ink = r < 0xe000 || g < 0xe000 || b < 0xe000
					}
				}
				assert.True(t, ink, "no ink at point (%.0f, %.0f)", cx, cy)
			}
			// The corners of the canvas stay white.
			r, g, bl, _ := img.At(1, 1).RGBA()
			assert.Equal(t, [3]uint32{0xffff, 0xffff, 0xffff}, [3]uint32{r, g, bl})
		})
	}
}

func TestCSVRoundTrip(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 0.1 + 0.2, 1.0 / 3, -2.5e-310, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.NaN(), math.Inf(1), math.Inf(-1), 123456789012345678, 1e-7}
	cases := []struct {
		name string
		f    Figure
	}{
		{"with error bars", Figure{Name: "a", Series: []Series{{Label: "s,1 \"q\"", X: vals, Y: vals, ErrLo: vals, ErrHi: vals}}}},
		{"without error bars and unlabelled", Figure{Name: "b", Series: []Series{{X: vals, Y: vals}, {Label: "two", X: []float64{1}, Y: []float64{2}}}}},
		{"no series", Figure{Name: "c"}},
	}
	same := func(a, b float64) bool {
		return math.IsNaN(a) && math.IsNaN(b) || math.Float64bits(a) == math.Float64bits(b)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, WriteCSV(&b, c.f))
			assert.NotContains(t, b.String(), "NaN,NaN,NaN,NaN,NaN\n"+"x") // sanity: header first
			recs, err := csv.NewReader(&b).ReadAll()
			require.NoError(t, err)
			require.Equal(t, []string{"series", "x", "y", "err_lo", "err_hi"}, recs[0])
			row := 1
			for i, s := range c.f.Series {
				for j := range s.X {
					r := recs[row]
					row++
					assert.Equal(t, seriesName(i, s), r[0])
					for k, want := range []float64{s.X[j], s.Y[j]} {
						got, err := strconv.ParseFloat(r[1+k], 64)
						require.NoError(t, err)
						assert.True(t, same(want, got), "%v != %v", want, got)
					}
					if s.ErrLo == nil {
						assert.Equal(t, "", r[3])
						assert.Equal(t, "", r[4])
						continue
					}
					for k, want := range []float64{s.ErrLo[j], s.ErrHi[j]} {
						got, err := strconv.ParseFloat(r[3+k], 64)
						require.NoError(t, err)
						assert.True(t, same(want, got), "%v != %v", want, got)
					}
				}
			}
			assert.Equal(t, row, len(recs))
			if len(c.f.Series) > 0 {
				assert.Contains(t, strings.Join(recs[1], ","), "0")
			}
		})
	}
	var b bytes.Buffer
	require.NoError(t, WriteCSV(&b, Figure{Series: []Series{{X: []float64{math.NaN()}, Y: []float64{1}}}}))
	assert.Equal(t, "series,x,y,err_lo,err_hi\nseries 1,NaN,1,,\n", b.String())
}

func isNiceStep(step, tol float64) bool {
	e := math.Floor(math.Log10(step))
	m := step / math.Pow(10, e)
	for _, n := range []float64{1, 2, 5, 10} {
		if math.Abs(m-n) <= tol*n {
			return true
		}
	}
	return false
}

func TestLinearTicks(t *testing.T) {
	ranges := [][2]float64{
		{0, 1}, {-1, 1}, {0.3, 0.7}, {-7.3, -2.1}, {1e-300, 3e-300}, {-5e7, -4e7}, {0.999999, 1.000001},
		{1e9, 1e9 + 1}, {1e300, 1.7e308}, {-1e308, 1e308}, {-math.MaxFloat64, math.MaxFloat64}, {17, 17.5}, {-0.002, 0.0031},
	}
	for _, r := range ranges {
		for _, maxLabels := range []int{2, 5, 10} {
			t.Run(fmt.Sprintf("%g..%g/%d", r[0], r[1], maxLabels), func(t *testing.T) {
				cands := tickCandidates(r[0], r[1], false, maxLabels)
				require.NotEmpty(t, cands)
				for _, ts := range cands {
					require.GreaterOrEqual(t, len(ts), 2)
					// Float granularity at the range's magnitude.
					ulp := 4 * (math.Nextafter(math.Max(math.Abs(r[0]), math.Abs(r[1])), math.Inf(1)) - math.Max(math.Abs(r[0]), math.Abs(r[1])))
					if math.IsInf(ulp, 0) {
						ulp = 4 * (math.MaxFloat64 - math.Nextafter(math.MaxFloat64, 0))
					}
					step := (ts[len(ts)-1].V/2 - ts[0].V/2) / float64(len(ts)-1) * 2
					if math.IsInf(step, 0) {
						step = ts[1].V - ts[0].V
					}
					assert.True(t, isNiceStep(step, ulp/step+1e-9), "step %g", step)
					labels := map[string]bool{}
					for i, tk := range ts {
						assert.GreaterOrEqual(t, tk.V, r[0]-math.Abs(step)*1e-6)
						assert.LessOrEqual(t, tk.V, r[1]+math.Abs(step)*1e-6)
						if i > 0 {
							d := (ts[i].V/2 - ts[i-1].V/2) * 2
							assert.InDelta(t, step, d, step*1e-6+ulp)
						}
						assert.False(t, labels[tk.Label], "duplicate label %q in %v", tk.Label, ts)
						labels[tk.Label] = true
						assert.NotContains(t, tk.Label, "-", "labels use the minus sign −")
						v, err := parseLabel(tk.Label)
						require.NoError(t, err, tk.Label)
						assert.InDelta(t, tk.V, v, math.Abs(step)*1e-6+ulp, "label %q for %g", tk.Label, tk.V)
					}
					// Covering: no gap of a whole step at either end.
					assert.Less(t, ts[0].V/2-r[0]/2, step/2*(1+1e-9))
					assert.Less(t, r[1]/2-ts[len(ts)-1].V/2, step/2*(1+1e-9))
				}
			})
		}
	}
}

// parseLabel reads a tick label back ("−1.5", "2×10⁻³", "10⁴").
func parseLabel(s string) (float64, error) {
	s = strings.ReplaceAll(s, "−", "-")
	exp := 0
	mant := s
	i := strings.Index(s, "×10")
	if i >= 0 {
		i += len("×")
	} else if strings.HasPrefix(s, "10") && strings.ContainsAny(s, "⁰¹²³⁴⁵⁶⁷⁸⁹") {
		i = 0
	}
	if i >= 0 {
		sup := []rune(s[i+2:])
		sign := 1
		if len(sup) > 0 && sup[0] == '⁻' {
			sign, sup = -1, sup[1:]
		}
		for _, r := range sup {
			exp = exp*10 + indexRune(supDigits, r)
		}
		exp *= sign
		mant = strings.TrimSuffix(s[:i], "×")
		if mant == "" {
			mant = "1"
		}
	}
	m, err := strconv.ParseFloat(mant, 64)
	return m * math.Pow(10, float64(exp)), err
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

func TestLogTicks(t *testing.T) {
	cases := []struct {
		lo, hi      float64
		wantDecades bool // labels are powers of ten only
	}{
		{1, 10, false}, {0.9, 1100, true}, {1e-5, 1e5, true}, {1e-300, 1e300, true}, {2, 30, false},
		{0.5, 2, false}, {3, 4, false}, {1.01, 1.02, false}, {7e-8, 3e-6, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%g..%g", c.lo, c.hi), func(t *testing.T) {
			cands := tickCandidates(c.lo, c.hi, true, 8)
			require.NotEmpty(t, cands)
			for _, ts := range cands {
				var major []tick
				for _, tk := range ts {
					assert.GreaterOrEqual(t, tk.V, c.lo*(1-1e-9))
					assert.LessOrEqual(t, tk.V, c.hi*(1+1e-9))
					if !tk.Minor {
						major = append(major, tk)
						v, err := parseLabel(tk.Label)
						require.NoError(t, err)
						assert.InEpsilon(t, tk.V, v, 1e-9, tk.Label)
					}
				}
				require.GreaterOrEqual(t, len(major), 2)
				for i := 1; i < len(major); i++ {
					assert.Greater(t, major[i].V, major[i-1].V)
				}
				if c.wantDecades {
					for _, tk := range major {
						l := math.Log10(tk.V)
						assert.InDelta(t, math.Round(l), l, 1e-9, "%g is not a decade", tk.V)
					}
				}
			}
			if c.wantDecades && math.Log10(c.hi/c.lo) < 12 {
				// Stride 1 has minor ticks at 2..9 × 10^k.
				n := 0
				for _, tk := range cands[0] {
					if tk.Minor {
						n++
					}
				}
				assert.Greater(t, n, 8)
			}
		})
	}
	assert.Equal(t, "10⁻³", logLabel(1, -3, false))
	assert.Equal(t, "0.01", logLabel(1, -2, false))
	assert.Equal(t, "1000", logLabel(1, 3, false))
	assert.Equal(t, "10⁴", logLabel(1, 4, false))
	assert.Equal(t, "5×10⁶", logLabel(5, 6, false))
	assert.Equal(t, "10⁰", logLabel(1, 0, true))
}

// grid returns points on a 21×21 grid of [0,1]² kept by keep.
func grid(keep func(x, y float64) bool) Series {
	s := Series{Label: "data", Style: "points"}
	for i := 0; i <= 20; i++ {
		for j := 0; j <= 20; j++ {
			x, y := float64(i)/20, float64(j)/20
			if keep(x, y) {
				s.X, s.Y = append(s.X, x), append(s.Y, y)
			}
		}
	}
	return s
}

func TestLegendPlacement(t *testing.T) {
	cases := []struct {
		name    string
		keep    func(x, y float64) bool
		outside bool
		right   bool // legend at the right edge
		top     bool
	}{
		{"top-right empty", func(x, y float64) bool { return !(x > 0.5 && y > 0.5) }, false, true, true},
		{"top-left empty", func(x, y float64) bool { return !(x < 0.5 && y > 0.5) }, false, false, true},
		{"bottom-right empty", func(x, y float64) bool { return !(x > 0.5 && y < 0.5) }, false, true, false},
		{"bottom-left empty", func(x, y float64) bool { return !(x < 0.5 && y < 0.5) }, false, false, false},
		{"data everywhere", func(x, y float64) bool { return true }, true, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Figure{Name: "g", XLabel: "x", YLabel: "y", Series: []Series{grid(c.keep), {Label: "second", X: []float64{0.5}, Y: []float64{0.5}}}}
			l, err := layoutFigure(f)
			require.NoError(t, err)
			require.True(t, l.hasLegend)
			assert.Equal(t, c.outside, l.legendOutside)
			assert.True(t, legendFree(l, l.legend))
			P, L := l.plot, l.legend
			if c.outside {
				assert.Greater(t, L.X0, P.X1)
				return
			}
			assert.True(t, L.X0 >= P.X0 && L.X1 <= P.X1 && L.Y0 >= P.Y0 && L.Y1 <= P.Y1)
			assert.Equal(t, c.right, L.X1 > (P.X0+P.X1)/2+1 && L.X1 == P.X1-legendInset)
			assert.Equal(t, c.top, L.Y0 == P.Y0+legendInset)
		})
	}
}

func randomFigure(rng *rand.Rand) Figure {
	f := Figure{Name: "r", Title: "random", XLabel: "x (units)", YLabel: "y (units)", XLog: rng.IntN(3) == 0, YLog: rng.IntN(3) == 0}
	if rng.IntN(4) == 0 {
		f.Title = strings.Repeat("a long title ", 1+rng.IntN(12))
		f.XLabel = strings.Repeat("a long x label ", 1+rng.IntN(12))
		f.YLabel = strings.Repeat("a long y label ", 1+rng.IntN(12))
	}
	scale := math.Pow(10, float64(rng.IntN(12)-6))
	for i := 0; i < 1+rng.IntN(5); i++ {
		s := Series{Label: fmt.Sprintf("series %c%d", 'α'+rune(i), i), Style: []string{"", "line", "points", "dashed", "line+points"}[rng.IntN(5)]}
		n := rng.IntN(40)
		withErr := rng.IntN(2) == 0
		x := rng.Float64() * scale
		for j := 0; j < n; j++ {
			x += rng.ExpFloat64() * scale
			y := (rng.NormFloat64() + float64(i)) * scale
			if f.YLog {
				y = math.Exp(rng.NormFloat64()*3) * scale
			}
			if rng.IntN(15) == 0 {
				y = math.NaN()
			}
			s.X, s.Y = append(s.X, x), append(s.Y, y)
			if withErr {
				e := math.Abs(rng.NormFloat64()) * scale * 0.3
				s.ErrLo, s.ErrHi = append(s.ErrLo, y-e), append(s.ErrHi, y+e)
			}
		}
		f.Series = append(f.Series, s)
	}
	if rng.IntN(2) == 0 {
		f.HLines = append(f.HLines, RefLine{Label: "reference", At: scale * (1 + rng.Float64())})
	}
	if rng.IntN(3) == 0 {
		f.VLines = append(f.VLines, RefLine{Label: "threshold", At: scale * (1 + 10*rng.Float64())})
	}
	return f
}

// textBox is the extent of a text item (ascent to descent).
func textBox(it item) rectf {
	w := textWidth(it.Text, it.Size)
	x0 := it.X
	switch it.Anchor {
	case anchorMiddle:
		x0 -= w / 2
	case anchorEnd:
		x0 -= w
	}
	b := rectf{x0, it.Y - fontAscent*it.Size, x0 + w, it.Y + fontDescent*it.Size}
	if it.Rot90 {
		// Along the baseline is up the page, the ascent to the left.
		d := x0 - it.X
		b = rectf{it.X - fontAscent*it.Size, it.Y - d - w, it.X + fontDescent*it.Size, it.Y - d}
	}
	return b
}

func TestRandomFiguresLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 300; i++ {
		f := randomFigure(rng)
		l, err := layoutFigure(f)
		require.NoError(t, err)
		if l.hasLegend {
			require.True(t, legendFree(l, l.legend), "figure %d: legend over data", i)
		}
		for k := 1; k < len(l.xLabelBoxes); k++ {
			require.False(t, l.xLabelBoxes[k].overlaps(l.xLabelBoxes[k-1]), "figure %d: x tick labels overlap: %v", i, l.xticks)
			require.GreaterOrEqual(t, l.xLabelBoxes[k].X0, l.xLabelBoxes[k-1].X1)
		}
		for k := 1; k < len(l.yLabelBoxes); k++ {
			require.False(t, l.yLabelBoxes[k].overlaps(l.yLabelBoxes[k-1]), "figure %d: y tick labels overlap: %v", i, l.yticks)
		}
		require.GreaterOrEqual(t, len(l.xLabelBoxes), 2, "figure %d: %v", i, l.xticks)
		require.GreaterOrEqual(t, len(l.yLabelBoxes), 2, "figure %d: %v", i, l.yticks)
		// No text is cut off by the canvas edge, and no two texts overlap.
		var boxes []rectf
		for _, it := range l.sc.items {
			if it.Kind != kText {
				continue
			}
			b := textBox(it)
			require.True(t, b.X0 >= 0 && b.Y0 >= 0 && b.X1 <= l.sc.W && b.Y1 <= l.sc.H, "figure %d: %q outside the canvas: %+v", i, it.Text, b)
			for _, o := range boxes {
				require.False(t, o.grow(-0.5).overlaps(b.grow(-0.5)), "figure %d: %q overlaps another text", i, it.Text)
			}
			boxes = append(boxes, b)
		}
	}
}

func TestFontCoverage(t *testing.T) {
	required := "αβγδεηθκλμνπρστφχψωΣΔΛΘΦΩ‖²³⁻¹₀₁₂₃₄₅₆₇₈₉≥≤±×−·√∞≈"
	for r := rune(32); r <= 126; r++ {
		required += string(r)
	}
	for _, r := range required {
		g := glyphFor(r)
		assert.NotSame(t, boxGlyph, g, "rune %q", r)
		assert.Greater(t, g.adv, 0.0, "rune %q", r)
		if r != ' ' {
			assert.NotEmpty(t, g.strokes, "rune %q", r)
		}
		for _, s := range g.strokes {
			for _, p := range s {
				// Inside the advance (with a little overhang) and the line box.
				assert.True(t, p.X >= -0.05 && p.X <= g.adv+0.05 && p.Y >= -0.3 && p.Y <= 0.85, "rune %q point %v", r, p)
			}
		}
	}
	assert.Same(t, boxGlyph, glyphFor('🙂'))
	assert.Same(t, boxGlyph, glyphFor(utf8RuneError()))
	assert.InDelta(t, 0.636*10, textWidth("0", 10), 1e-9)
	assert.InDelta(t, textWidth("ab", 12), textWidth("a", 12)+textWidth("b", 12), 1e-9)
	_, err := parseGlyphPath("M1,2 X3")
	assert.Error(t, err)
	_, err = parseGlyphPath("L1,2")
	assert.Error(t, err)
}

func utf8RuneError() rune { return '\uFFFD' }

func TestDashes(t *testing.T) {
	pieces := dashPolyline([]fpt{{0, 0}, {10, 0}, {10, 10}}, []float64{3, 2})
	total := 0.0
	for _, p := range pieces {
		for k := 1; k < len(p); k++ {
			total += math.Hypot(p[k].X-p[k-1].X, p[k].Y-p[k-1].Y)
		}
	}
	// 20 units of path, 3 on / 2 off: 12 units drawn.
	assert.InDelta(t, 12, total, 1e-9)
	assert.Len(t, pieces, 4)
}

func docWith(f Figure) Document {
	return Document{Title: "t", Sections: []Section{{Name: "sec", Title: "S", Figures: []Figure{f}}}}
}

func TestWriteRejectsBadInput(t *testing.T) {
	good := Figure{Name: "fig", Series: []Series{{X: []float64{1, 2}, Y: []float64{1, 2}}}}
	cases := []struct {
		name string
		doc  Document
		want []string
	}{
		{"length mismatch", docWith(Figure{Name: "mu", Series: []Series{{Label: "a", X: []float64{1, 2}, Y: []float64{1}}}}), []string{`"sec"`, `"mu"`, "len(X) = 2", "len(Y) = 1"}},
		{"error bar mismatch", docWith(Figure{Name: "mu", Series: []Series{{Label: "a", X: []float64{1}, Y: []float64{1}, ErrHi: []float64{1, 2}}}}), []string{`"mu"`, "ErrHi"}},
		{"bad figure name", docWith(Figure{Name: "a/b"}), []string{`"sec"`, `"a/b"`, "bad name"}},
		{"hidden figure name", docWith(Figure{Name: ".x"}), []string{`".x"`}},
		{"empty figure name", docWith(Figure{}), []string{`figure ""`}},
		{"bad style", docWith(Figure{Name: "s", Series: []Series{{Style: "dotted"}}}), []string{`"s"`, "dotted"}},
		{"bad section name", Document{Sections: []Section{{Name: "a b", Figures: []Figure{good}}}}, []string{`"a b"`}},
		{"duplicate figure", Document{Sections: []Section{{Name: "s", Figures: []Figure{good, good}}}}, []string{`"fig"`, "duplicate"}},
		{"duplicate section", Document{Sections: []Section{{Name: "s"}, {Name: "s"}}}, []string{`"s"`, "duplicate"}},
		{"table clashes with figure", Document{Sections: []Section{{Name: "s", Figures: []Figure{good}, Tables: []Table{{Name: "fig"}}}}}, []string{`table "fig"`}},
		{"table row length", Document{Sections: []Section{{Name: "s", Tables: []Table{{Name: "t", Columns: []string{"a"}, Rows: [][]string{{"1", "2"}}}}}}}, []string{`table "t"`, "row 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			err := Write(dir, c.doc)
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NoDirExists(t, dir, "nothing may be written for an invalid document")
		})
	}
}

func listFiles(t *testing.T, dir string) []string {
	var out []string
	require.NoError(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return err
	}))
	return out
}

func TestWriteFilesAndAtomicity(t *testing.T) {
	dir := t.TempDir()
	doc := sampleDocument()
	require.NoError(t, Write(dir, doc))
	files := listFiles(t, dir)
	for _, f := range files {
		assert.NotContains(t, f, ".tmp-", "temporary file left behind")
	}
	// 4 figures × 3 files, 1 table CSV, 2 reports.
	assert.Len(t, files, 4*3+1+2)
	// Writing again over an existing report works and leaves no temp files.
	require.NoError(t, Write(dir, doc))
	assert.ElementsMatch(t, files, listFiles(t, dir))

	// A failure while renaming (report.html is a directory) cleans up its
	// temporary file.
	bad := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(bad, "report.html", "x"), 0o755))
	small := docWith(doc.Sections[2].Figures[0])
	err := Write(bad, small)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "report.html")
	for _, f := range listFiles(t, bad) {
		assert.NotContains(t, f, ".tmp-", "temporary file left behind")
	}
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	doc := sampleDocument()
	require.NoError(t, WriteMarkdown(&b, doc))
	md := b.String()
	for _, want := range []string{
		"# noisegeom: the noise geometry of SGD, reproduced\n",
		"| Experiment | Statement | Measured | Expected | Verdict |",
		"| 1. Loss alignment against sample size | μ ≥ 0.5 for every n | min μ = 0.74 (n = 16, spiked) | ≥ 0.5 | ✅ held |",
		"| 1. Loss alignment against sample size | \\|μ − μ_pop\\| ≤ 3 SE at n = 4096 | 4.1 SE | ≤ 3 SE | ❌ not held |",
		"![Figure 1: Loss alignment μ against sample size n](figures/mu-vs-n-mu.png)",
		"[SVG](figures/mu-vs-n-mu.svg) · [CSV](data/mu-vs-n-mu.csv)",
		"| spiked | 0.953 | 0.006 \\| a pipe |",
		"## Provenance",
		"| kernels | avx512 |",
		"**Claim.**", "**Method.**", "**Notes.**",
	} {
		assert.Contains(t, md, want)
	}
	assert.Less(t, strings.Index(md, "## Summary"), strings.Index(md, "## 1. Loss"))
	assert.Less(t, strings.Index(md, "## 7. Cyclical"), strings.Index(md, "## Provenance"))
}

func TestHTML(t *testing.T) {
	var b bytes.Buffer
	doc := sampleDocument()
	doc.Sections[0].Verdicts[0].Measured = `<script>alert(1)</script>`
	doc.Intro = "a *b* **c** `d<e>` [link](https://x.org/?a=1&b=2) [bad](javascript:alert(1)) <i>raw</i>"
	require.NoError(t, WriteHTML(&b, doc))
	h := b.String()
	assert.NotContains(t, h, "<script>alert")
	assert.Contains(t, h, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, h, "<em>b</em>")
	assert.Contains(t, h, "<strong>c</strong>")
	assert.Contains(t, h, "<code>d&lt;e&gt;</code>")
	assert.Contains(t, h, `<a href="https://x.org/?a=1&amp;b=2">link</a>`)
	assert.NotContains(t, h, `href="javascript`)
	assert.Contains(t, h, "&lt;i&gt;raw&lt;/i&gt;")
	assert.Equal(t, 4, strings.Count(h, `<img src="data:image/svg`))
	assert.Contains(t, h, `alt="Figure 1: Loss alignment μ against sample size n.`)
	assert.Contains(t, h, `href="figures/mu-vs-n-mu.png"`)
	assert.Contains(t, h, `href="data/mu-vs-n-mu.csv"`)
	assert.Contains(t, h, `class="failed"`)
	assert.Contains(t, h, `id="figure-check"`)
	assert.Contains(t, h, "<ul>\n<li>dense path for n ≤ 1024</li>")
}

func TestMarkdownInline(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain <b>", "plain &lt;b&gt;"},
		{"a * b * c", "a * b * c"},
		{"2*3 and *x*", "2*3 and <em>x</em>"},
		{"unclosed `code", "unclosed `code"},
		{"[t](rel/path.csv)", `<a href="rel/path.csv">t</a>`},
		{"[t](data:text/html,x)", "[t](data:text/html,x)"},
		{"mu_c and ‖g‖²", "mu_c and ‖g‖²"},
		{"**bold** and *em*", "<strong>bold</strong> and <em>em</em>"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, string(mdInline(c.in)), c.in)
	}
}
