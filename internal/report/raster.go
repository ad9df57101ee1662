package report

import (
	"image"
	"image/png"
	"io"
	"math"
)

// pngScale is the PNG's resolution relative to the scene's logical pixels.
const pngScale = 2

// WritePNG draws f as a PNG at twice the SVG's pixel size.
func WritePNG(w io.Writer, f Figure) error {
	img, err := RenderPNG(f)
	if err != nil {
		return err
	}
	return encodePNG(w, img)
}

// RenderPNG rasterises f: the same scene as the SVG, drawn with
// anti-aliased strokes (exact distance-to-segment coverage) and the built-in
// stroke font.
func RenderPNG(f Figure) (*image.RGBA, error) {
	l, err := layoutFigure(f)
	if err != nil {
		return nil, err
	}
	return rasterize(l.sc, pngScale), nil
}

// raster accumulates one primitive's coverage in mask, then composites it
// in one colour, so overlapping pieces of a stroke are not blended twice.
type raster struct {
	img                *image.RGBA
	w, h               int
	s                  float64
	mask               []float32
	bx0, by0, bx1, by1 int      // dirty box of mask
	boxes              [][4]int // the dirty boxes of the pieces
}

func rasterize(sc *scene, scale float64) *image.RGBA {
	w, h := int(math.Ceil(sc.W*scale)), int(math.Ceil(sc.H*scale))
	r := &raster{img: image.NewRGBA(image.Rect(0, 0, w, h)), w: w, h: h, s: scale, mask: make([]float32, w*h)}
	for i := range r.img.Pix {
		r.img.Pix[i] = 255
	}
	r.resetBox()
	for _, it := range sc.items {
		switch it.Kind {
		case kPolyline:
			for _, piece := range dashPolyline(it.Pts, it.Dash) {
				r.stroke(piece, it.Width)
			}
			r.composite(*it.Stroke)
		case kRect:
			if it.Fill != nil && *it.Fill == white && it.Stroke == nil && it.X <= 0 && it.Y <= 0 && it.X+it.W >= sc.W && it.Y+it.H >= sc.H {
				continue // the canvas starts white
			}
			pts := []fpt{{it.X, it.Y}, {it.X + it.W, it.Y}, {it.X + it.W, it.Y + it.H}, {it.X, it.Y + it.H}}
			if it.Fill != nil {
				r.fillRect(it.X, it.Y, it.X+it.W, it.Y+it.H)
				r.composite(*it.Fill)
			}
			if it.Stroke != nil {
				r.stroke(append(pts, pts[0]), it.Width)
				r.composite(*it.Stroke)
			}
		case kMarker:
			var pts []fpt
			if it.Shape != mCircle {
				pts = markerPolygon(it.Shape, it.X, it.Y, it.Size)
			}
			if it.Fill != nil {
				if it.Shape == mCircle {
					r.fillCircle(it.X, it.Y, it.Size)
				} else {
					r.fillPolygon(pts)
				}
				r.composite(*it.Fill)
			}
			if it.Stroke != nil {
				if it.Shape == mCircle {
					n := 32
					pts = make([]fpt, n)
					for i := range pts {
						a := 2 * math.Pi * float64(i) / float64(n)
						pts[i] = fpt{it.X + it.Size*math.Cos(a), it.Y + it.Size*math.Sin(a)}
					}
				}
				r.stroke(append(pts, pts[0]), it.Width)
				r.composite(*it.Stroke)
			}
		case kText:
			// Stroke weight grows slowly with size: regular weight.
			sw := 0.085*it.Size + 0.1
			for _, st := range textStrokes(it) {
				r.stroke(st.pts, sw*st.weight)
			}
			r.composite(*it.Fill)
		}
	}
	return r.img
}

func (r *raster) resetBox() { r.bx0, r.by0, r.bx1, r.by1 = r.w, r.h, -1, -1 }

func (r *raster) box(x0, y0, x1, y1 float64) (int, int, int, int) {
	ix0, iy0 := max(0, int(math.Floor(x0))), max(0, int(math.Floor(y0)))
	ix1, iy1 := min(r.w-1, int(math.Ceil(x1))), min(r.h-1, int(math.Ceil(y1)))
	r.bx0, r.by0 = min(r.bx0, ix0), min(r.by0, iy0)
	r.bx1, r.by1 = max(r.bx1, ix1), max(r.by1, iy1)
	if ix0 <= ix1 && iy0 <= iy1 {
		r.boxes = append(r.boxes, [4]int{ix0, iy0, ix1, iy1})
	}
	return ix0, iy0, ix1, iy1
}

func (r *raster) cover(x, y int, c float32) {
	if i := y*r.w + x; c > r.mask[i] {
		r.mask[i] = c
	}
}

// stroke adds a polyline of the given width (logical px) with round caps
// and joins: coverage is width/2 + 1/2 minus the distance to the nearest
// segment, clamped to [0, 1].
func (r *raster) stroke(pts []fpt, width float64) {
	hw := width * r.s / 2
	alpha := float32(1)
	if hw < 0.5 {
		alpha = float32(hw * 2)
		hw = 0.5
	}
	for i := 1; i < len(pts); i++ {
		ax, ay := pts[i-1].X*r.s, pts[i-1].Y*r.s
		bx, by := pts[i].X*r.s, pts[i].Y*r.s
		x0, y0, x1, y1 := r.box(math.Min(ax, bx)-hw-1, math.Min(ay, by)-hw-1, math.Max(ax, bx)+hw+1, math.Max(ay, by)+hw+1)
		dx, dy := bx-ax, by-ay
		ll := dx*dx + dy*dy
		reach := hw + 1
		for y := y0; y <= y1; y++ {
			py := float64(y) + 0.5
			// The pixels within reach lie in the band around the
			// segment's line: on this row, xc ± reach·len/|dy|.
			xa, xb := x0, x1
			if math.Abs(dy) > 1e-9 {
				xc := ax + (py-ay)*dx/dy
				hwid := reach * math.Sqrt(ll) / math.Abs(dy)
				xa = max(x0, int(math.Floor(xc-hwid)))
				xb = min(x1, int(math.Ceil(xc+hwid)))
			}
			for x := xa; x <= xb; x++ {
				px := float64(x) + 0.5
				t := 0.0
				if ll > 0 {
					t = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/ll))
				}
				ex, ey := px-ax-t*dx, py-ay-t*dy
				d := math.Sqrt(ex*ex + ey*ey)
				c := hw + 0.5 - d
				if c <= 0 {
					continue
				}
				if c > 1 {
					c = 1
				}
				r.cover(x, y, float32(c)*alpha)
			}
		}
	}
}

func (r *raster) fillCircle(cx, cy, rad float64) {
	cx, cy, rad = cx*r.s, cy*r.s, rad*r.s
	x0, y0, x1, y1 := r.box(cx-rad-1, cy-rad-1, cx+rad+1, cy+rad+1)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			c := rad + 0.5 - math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			if c > 0 {
				r.cover(x, y, float32(math.Min(c, 1)))
			}
		}
	}
}

// fillRect adds an axis-aligned rectangle with exact area coverage.
func (r *raster) fillRect(x0, y0, x1, y1 float64) {
	x0, y0, x1, y1 = x0*r.s, y0*r.s, x1*r.s, y1*r.s
	ix0, iy0, ix1, iy1 := r.box(x0, y0, x1, y1)
	for y := iy0; y <= iy1; y++ {
		cy := math.Min(y1, float64(y+1)) - math.Max(y0, float64(y))
		if cy <= 0 {
			continue
		}
		for x := ix0; x <= ix1; x++ {
			cx := math.Min(x1, float64(x+1)) - math.Max(x0, float64(x))
			if cx > 0 {
				r.cover(x, y, float32(math.Min(1, cx*cy)))
			}
		}
	}
}

// fillPolygon adds an even-odd filled polygon, 4×4 samples per pixel.
func (r *raster) fillPolygon(pts []fpt) {
	if len(pts) < 3 {
		return
	}
	p := make([]fpt, len(pts))
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, q := range pts {
		p[i] = fpt{q.X * r.s, q.Y * r.s}
		minX, minY = math.Min(minX, p[i].X), math.Min(minY, p[i].Y)
		maxX, maxY = math.Max(maxX, p[i].X), math.Max(maxY, p[i].Y)
	}
	x0, y0, x1, y1 := r.box(minX, minY, maxX, maxY)
	if x1 < x0 || y1 < y0 {
		return
	}
	const n = 4
	xs := make([]float64, 0, 8)
	for y := y0; y <= y1; y++ {
		row := make([]int, x1-x0+1)
		for sy := 0; sy < n; sy++ {
			yy := float64(y) + (float64(sy)+0.5)/n
			xs = xs[:0]
			for i := range p {
				a, b := p[i], p[(i+1)%len(p)]
				if (a.Y <= yy) != (b.Y <= yy) {
					xs = append(xs, a.X+(yy-a.Y)/(b.Y-a.Y)*(b.X-a.X))
				}
			}
			for sx := 0; sx < n; sx++ {
				for x := x0; x <= x1; x++ {
					xx := float64(x) + (float64(sx)+0.5)/n
					in := false
					for _, c := range xs {
						if c < xx {
							in = !in
						}
					}
					if in {
						row[x-x0]++
					}
				}
			}
		}
		for x := x0; x <= x1; x++ {
			if c := row[x-x0]; c > 0 {
				r.cover(x, y, float32(c)/(n*n))
			}
		}
	}
}

// composite blends colour c through the mask and clears the mask. It
// visits the dirty boxes of the primitive's pieces (a pixel in several is
// blended once: the first visit clears it).
func (r *raster) composite(c rgb) {
	for _, b := range r.boxes {
		for y := b[1]; y <= b[3]; y++ {
			row := r.mask[y*r.w : (y+1)*r.w]
			for x := b[0]; x <= b[2]; x++ {
				a := row[x]
				if a == 0 {
					continue
				}
				row[x] = 0
				o := r.img.PixOffset(x, y)
				pix := r.img.Pix[o : o+3 : o+3]
				pix[0] = blend(pix[0], c.R, a)
				pix[1] = blend(pix[1], c.G, a)
				pix[2] = blend(pix[2], c.B, a)
			}
		}
	}
	r.boxes = r.boxes[:0]
	r.resetBox()
}

func blend(dst, src uint8, a float32) uint8 {
	return uint8(float32(dst) + (float32(src)-float32(dst))*a + 0.5)
}

func encodePNG(w io.Writer, img image.Image) error {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}
