package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The stroke font. Every glyph is a set of polylines designed on a grid of
// 20 units per em (baseline at y = 0, y up, cap height 14, x-height 10.5,
// ascender 15, descender -4.5) and an advance width in thousandths of an em.
// The advances follow DejaVu Sans, the sans-serif most browsers on Linux
// substitute for "sans-serif" and the widest of the common ones, so the
// width measured here (textWidth) is what the PNG draws and, to within a few
// per cent, at least what a browser draws for the SVG's <text>: the layout
// that keeps labels apart in one keeps them apart in the other.
//
// Path language, tokens separated by spaces:
//
//	Mx,y              start a new stroke at (x, y)
//	Lx,y              line to (x, y)
//	Qcx,cy x,y        quadratic Bézier to (x, y) with control (cx, cy)
//	Acx,cy,rx,ry,a,b  elliptic arc from angle a to angle b (degrees, counter-
//	                  clockwise from +x); it continues the current stroke when
//	                  the stroke ends at the arc's start, else starts a new one.

const fontUnitsPerEm = 20.0

// Font vertical metrics as fractions of the em.
const (
	fontCap     = 14.0 / fontUnitsPerEm
	fontAscent  = 15.5 / fontUnitsPerEm
	fontDescent = 4.5 / fontUnitsPerEm
)

type fpt struct{ X, Y float64 }

type glyph struct {
	adv     float64 // in em
	weight  float64 // stroke weight relative to the text's (scripts are lighter)
	strokes [][]fpt // in em, y up
}

// glyphSrc is the designed table: advance (‰ em) and path.
var glyphSrc = map[rune]struct {
	adv  float64
	path string
}{
	' ':  {318, ""},
	'!':  {401, "M4,14 L4,4 M4,0.2 L4,0.5"},
	'"':  {460, "M3,14 L3,10 M6.2,14 L6.2,10"},
	'#':  {838, "M7,14 L5,0 M12,14 L10,0 M2.8,9.5 L15,9.5 M2,4.5 L14.2,4.5"},
	'$':  {636, "M6.35,16 L6.35,-2 A6.4,10.3,3.9,3.2,30,270 A6.4,3.6,4.2,3.5,90,-150"},
	'%':  {950, "A4.7,10.7,2.8,3.3,0,360 A14.3,3.3,2.8,3.3,0,360 M14.3,14 L4.7,0"},
	'&':  {780, "M14,0 L5,9.5 Q3.2,11.5 4,13 Q5,14.6 7,14.2 Q9.2,13.6 8.6,11.2 Q8,9.5 5.2,7.6 Q1.8,5.5 2,3.2 Q2.5,0 6,0 Q9.5,0 12.6,5.5"},
	'\'': {275, "M2.75,14 L2.75,10"},
	'(':  {390, "M5.8,15.2 Q0.6,5.8 5.8,-3.6"},
	')':  {390, "M2,15.2 Q7.2,5.8 2,-3.6"},
	'*':  {500, "M5,14 L5,8 M2.4,12.5 L7.6,9.5 M7.6,12.5 L2.4,9.5"},
	'+':  {838, "M8.4,1.5 L8.4,12 M3.2,6.75 L13.6,6.75"},
	',':  {318, "M3.4,1 L2.2,-2.5"},
	'-':  {361, "M1.5,5.3 L5.7,5.3"},
	'.':  {318, "M3.2,0.2 L3.2,0.5"},
	'/':  {337, "M5.9,15 L0.8,-2"},
	'0':  {636, "A6.35,7,4.4,7,0,360"},
	'1':  {636, "M3,11.5 L6.8,14 L6.8,0 M3.2,0 L10.2,0"},
	'2':  {636, "A6.3,10,4.2,4,160,-38 L1.9,0 L10.9,0"},
	'3':  {636, "A6.2,10.7,4,3.3,150,-90 A6.2,3.7,4.5,3.7,90,-150 M4.6,7.4 L6.2,7.4"},
	'4':  {636, "M8.7,0 L8.7,14 L1.5,4.3 L11.2,4.3"},
	'5':  {636, "M10,14 L3,14 L2.5,7.7 Q4.3,9.2 6.4,9.2 A6.4,4.6,4.5,4.6,90,-140"},
	'6':  {636, "A6.5,4.6,4.5,4.6,0,360 M2,4.6 Q2,14 7.2,14 Q9.3,14 10.3,12.5"},
	'7':  {636, "M1.8,14 L10.9,14 L4.6,0"},
	'8':  {636, "A6.35,10.6,3.8,3.4,0,360 A6.35,3.6,4.4,3.6,0,360"},
	'9':  {636, "A6.2,9.4,4.5,4.6,0,360 M10.7,9.4 Q10.7,0 5.5,0 Q3.4,0 2.4,1.5"},
	':':  {337, "M3.4,10 L3.4,10.3 M3.4,0.2 L3.4,0.5"},
	';':  {337, "M3.4,10 L3.4,10.3 M3.4,1 L2.2,-2.5"},
	'<':  {838, "M13.5,12 L3.2,6.75 L13.5,1.5"},
	'=':  {838, "M3.2,9 L13.6,9 M3.2,4.5 L13.6,4.5"},
	'>':  {838, "M3.2,12 L13.5,6.75 L3.2,1.5"},
	'?':  {531, "M1.8,12 Q2.8,14.3 5.5,14.3 Q9,14.3 9,11 Q9,8.8 6.5,7.6 Q5.3,7 5.3,4 M5.3,0.2 L5.3,0.5"},
	'@':  {1000, "M13.9,10 L13.5,3 Q13.6,1 15.5,1.2 Q18.5,1.5 18.5,6 Q18.5,14.5 10,14.5 Q1.5,14.5 1.5,6 Q1.5,-2.8 10,-2.8 Q13,-2.8 15,-1.5 A10.5,6,3.4,4,0,360"},
	'A':  {684, "M1,0 L6.85,14 L12.7,0 M3.2,5 L10.5,5"},
	'B':  {686, "M2,7.2 L7.5,7.2 A7.5,10.6,3.4,3.4,-90,90 L2,14 L2,0 L8,0 A8,3.6,4,3.6,-90,90 L7.5,7.2"},
	'C':  {698, "A7.6,7,5.8,7.1,45,315"},
	'D':  {770, "M2,0 L2,14 L6.5,14 Q13.5,14 13.5,7 Q13.5,0 6.5,0 L2,0"},
	'E':  {632, "M11,14 L2,14 L2,0 L11,0 M2,7.2 L10,7.2"},
	'F':  {575, "M10.5,14 L2,14 L2,0 M2,7.2 L9.5,7.2"},
	'G':  {775, "A8,7,6,7.1,45,330 L14,6.6 L9,6.6"},
	'H':  {752, "M2,0 L2,14 M13,0 L13,14 M2,7.2 L13,7.2"},
	'I':  {295, "M2.95,0 L2.95,14"},
	'J':  {295, "M3.3,14 L3.3,0 Q3.3,-3.5 -0.5,-3.5"},
	'K':  {656, "M2,0 L2,14 M12.5,14 L2,4.5 M5.7,7.8 L12.8,0"},
	'L':  {557, "M2,14 L2,0 L10.5,0"},
	'M':  {863, "M2,0 L2,14 L8.65,0 L15.3,14 L15.3,0"},
	'N':  {748, "M2,0 L2,14 L13,0 L13,14"},
	'O':  {787, "A7.87,7,6,7.1,0,360"},
	'P':  {603, "M2,0 L2,14 L7,14 A7,10.2,3.9,3.8,90,-90 L2,6.4"},
	'Q':  {787, "A7.87,7,6,7.1,0,360 M9,2 L13,-2.5"},
	'R':  {695, "M2,0 L2,14 L7.3,14 A7.3,10.4,3.8,3.6,90,-90 L2,6.8 M7,6.8 L12.5,0"},
	'S':  {635, "A6.4,10.5,4.2,3.5,30,270 A6.4,3.5,4.5,3.5,90,-150"},
	'T':  {611, "M0.6,14 L11.6,14 M6.1,14 L6.1,0"},
	'U':  {732, "M2,14 L2,4.6 A7.3,4.6,5.3,4.6,180,360 L12.6,14"},
	'V':  {684, "M0.8,14 L6.85,0 L12.9,14"},
	'W':  {989, "M0.8,14 L4.8,0 L9.9,12.5 L15,0 L19,14"},
	'X':  {685, "M1.2,14 L12.5,0 M12.5,14 L1.2,0"},
	'Y':  {611, "M0.6,14 L6.1,7 L11.6,14 M6.1,7 L6.1,0"},
	'Z':  {685, "M1.5,14 L12.2,14 L1.5,0 L12.2,0"},
	'[':  {390, "M6,15.2 L3,15.2 L3,-3.5 L6,-3.5"},
	'\\': {337, "M0.8,15 L5.9,-2"},
	']':  {390, "M1.8,15.2 L4.8,15.2 L4.8,-3.5 L1.8,-3.5"},
	'^':  {838, "M3.5,9 L8.4,14 L13.3,9"},
	'_':  {500, "M0,-3 L10,-3"},
	'`':  {500, "M3.5,15.5 L6,12.5"},
	'a':  {613, "A6,5.25,4.1,5.3,0,360 M10.2,10.5 L10.2,0"},
	'b':  {635, "M2,15 L2,0 A6.5,5.25,4.4,5.3,0,360"},
	'c':  {550, "A6,5.25,4.2,5.3,45,315"},
	'd':  {635, "M10.7,15 L10.7,0 A6.2,5.25,4.4,5.3,0,360"},
	'e':  {615, "M1.8,5.4 L10.3,5.4 A6.1,5.25,4.3,5.3,2,320"},
	'f':  {352, "M6.8,15 Q3.3,15.3 3.3,11.5 L3.3,0 M0.8,10.5 L6.4,10.5"},
	'g':  {635, "A6.2,5.25,4.4,5.3,0,360 M10.6,10.5 L10.6,-1 Q10.6,-4.6 6.3,-4.6 Q4,-4.6 2.6,-3.8"},
	'h':  {634, "M2,15 L2,0 M2,6.5 Q3.5,10.5 6.5,10.5 Q10.6,10.5 10.6,6.5 L10.6,0"},
	'i':  {278, "M2.8,0 L2.8,10.5 M2.8,14 L2.8,14.3"},
	'ı':  {278, "M2.8,0 L2.8,10.5"},
	'j':  {278, "M3,10.5 L3,-1.5 Q3,-4.5 0.2,-4.5 M3,14 L3,14.3"},
	'k':  {579, "M2,15 L2,0 M10.4,10.5 L2,3.4 M5,5.9 L10.8,0"},
	'l':  {278, "M2.8,15 L2.8,0"},
	'm':  {974, "M2,10.5 L2,0 M2,7 Q3,10.5 6,10.5 Q9.7,10.5 9.7,7 L9.7,0 M9.7,7 Q10.7,10.5 13.7,10.5 Q17.4,10.5 17.4,7 L17.4,0"},
	'n':  {634, "M2,10.5 L2,0 M2,6.5 Q3.5,10.5 6.5,10.5 Q10.6,10.5 10.6,6.5 L10.6,0"},
	'o':  {612, "A6.1,5.25,4.3,5.3,0,360"},
	'p':  {635, "M2,10.5 L2,-4.5 A6.5,5.25,4.4,5.3,0,360"},
	'q':  {635, "M10.7,10.5 L10.7,-4.5 A6.2,5.25,4.4,5.3,0,360"},
	'r':  {411, "M2,10.5 L2,0 M2,6 Q3,10.5 7.8,10.4"},
	's':  {521, "A5.2,7.9,3.4,2.6,30,270 A5.2,2.65,3.7,2.65,90,-150"},
	't':  {392, "M3.4,14 L3.4,2.5 Q3.4,0 6,0 L7.2,0 M0.8,10.5 L7,10.5"},
	'u':  {634, "M2,10.5 L2,4 Q2,0 6,0 Q9.3,0 10.6,4 M10.6,10.5 L10.6,0"},
	'v':  {592, "M1,10.5 L5.9,0 L10.8,10.5"},
	'w':  {818, "M0.8,10.5 L4.3,0 L8.2,9 L12.1,0 L15.6,10.5"},
	'x':  {592, "M1.2,10.5 L10.6,0 M10.6,10.5 L1.2,0"},
	'y':  {592, "M1,10.5 L5.9,0 M10.8,10.5 L4.6,-3 Q3.8,-4.5 1.6,-4.5"},
	'z':  {525, "M1.5,10.5 L9.3,10.5 L1.5,0 L9.5,0"},
	'{':  {636, "M9,15.2 Q6.3,15.2 6.3,12.5 L6.3,8.5 Q6.3,5.8 3.8,5.8 Q6.3,5.8 6.3,3.1 L6.3,-0.8 Q6.3,-3.5 9,-3.5"},
	'|':  {337, "M3.4,15.5 L3.4,-4"},
	'}':  {636, "M3.7,15.2 Q6.4,15.2 6.4,12.5 L6.4,8.5 Q6.4,5.8 8.9,5.8 Q6.4,5.8 6.4,3.1 L6.4,-0.8 Q6.4,-3.5 3.7,-3.5"},
	'~':  {838, "M3,5.8 Q5.5,9 8.4,6.75 Q11.3,4.5 13.8,7.7"},

	// Greek.
	'α': {659, "M11.6,10.5 Q10.6,4 8.5,1.8 Q7,0 5.5,0 Q1.6,0 1.6,5.25 Q1.6,10.5 5.5,10.5 Q7,10.5 8.5,8.7 Q10.6,6.5 11.8,0"},
	'β': {638, "M2,-4.5 L2,11 Q2,15 6,15 Q9.5,15 9.5,11.8 Q9.5,8.5 5.5,8.3 Q10.8,8.2 10.8,4.2 Q10.8,0 6.5,0 Q3.5,0 2,2"},
	'γ': {592, "M0.8,10.5 L5.9,0 L5.9,-4.5 M10.9,10.5 L5.9,0"},
	'δ': {612, "A6.1,4.6,4.3,4.6,0,360 M6.1,9.2 Q2.5,11.5 3.5,13.5 Q4.6,15.2 9.5,14.6"},
	'ε': {541, "A6,7.8,3.8,2.7,40,270 A6.2,2.6,4.4,2.6,90,320"},
	'η': {634, "M2,10.5 L2,0 M2,6.5 Q3.5,10.5 6.5,10.5 Q10.6,10.5 10.6,6.5 L10.6,-4.5"},
	'θ': {612, "A6.1,7.5,4.3,7.5,0,360 M1.8,7.5 L10.4,7.5"},
	'κ': {579, "M2,10.5 L2,0 M10,10.5 L2,4 M4.5,6 L10.5,0"},
	'λ': {592, "M1,15 L2.8,15 Q3.6,15 4.2,13.6 L10.8,0 M6.2,8.8 L1,0"},
	'μ': {636, "M2,10.5 L2,-4.5 M2,4 Q2,0 6,0 Q9.3,0 10.6,4 M10.6,10.5 L10.6,0"},
	'ν': {592, "M1,10.5 L5.9,0 Q10.5,5 10.5,10.5"},
	'π': {603, "M0.8,10.5 L11.3,10.5 M3.6,10.5 L3.6,0 M8.6,10.5 L8.6,1.5 Q8.6,0 10.5,0"},
	'ρ': {635, "M2,-4.5 L2,5.25 A6.4,5.25,4.4,5.3,180,540"},
	'σ': {634, "A5.8,5.25,4.1,5.3,0,360 M5.8,10.55 L12.2,10.5"},
	'τ': {560, "M0.8,10.5 L10.4,10.5 M5.6,10.5 L5.6,2 Q5.6,0 7.5,0"},
	'φ': {700, "A7,5.25,5,5.3,0,360 M7,15 L7,-4.5"},
	'χ': {592, "M1,10.5 Q2.7,10.5 3.6,9 L8.2,-3 Q9,-4.5 10.8,-4.5 M10.8,10.5 L1,-4.5"},
	'ψ': {760, "M1.5,10.5 L1.5,6 Q1.5,1.5 7.5,1.5 Q13.5,1.5 13.5,6 L13.5,10.5 M7.5,15 L7.5,-4.5"},
	'ω': {837, "M4,10.5 Q1.3,8.2 1.4,4.5 Q1.6,0 4.6,0 Q7.6,0 8.35,4 L8.35,6.5 M8.35,4 Q9.1,0 12.1,0 Q15.1,0 15.3,4.5 Q15.4,8.2 12.7,10.5"},
	'Σ': {632, "M11,14 L1.5,14 L7,7 L1.5,0 L11.2,0"},
	'Δ': {684, "M1,0 L6.85,14 L12.7,0 L1,0"},
	'Λ': {684, "M1,0 L6.85,14 L12.7,0"},
	'Θ': {787, "A7.87,7,6,7.1,0,360 M4.8,7 L11,7"},
	'Φ': {787, "A7.87,7,5.5,4.5,0,360 M7.87,14 L7.87,0"},
	'Ω': {764, "M1.5,0 L5,0 L5,1.5 Q1.8,3.5 1.8,8 Q1.8,14.2 7.65,14.2 Q13.5,14.2 13.5,8 Q13.5,3.5 10.3,1.5 L10.3,0 L13.8,0"},
	'Γ': {557, "M10.5,14 L2,14 L2,0"},
	'Π': {752, "M2,0 L2,14 L13,14 L13,0"},
	'Ψ': {787, "M1.5,14 L1.5,10 Q1.5,5 7.87,5 Q14.2,5 14.2,10 L14.2,14 M7.87,14 L7.87,0"},

	// Symbols.
	'‖': {500, "M3.5,15.5 L3.5,-4 M6.5,15.5 L6.5,-4"},
	'≥': {838, "M3.2,12.5 L13.5,8.5 L3.2,4.5 M3.2,1.5 L13.5,1.5"},
	'≤': {838, "M13.5,12.5 L3.2,8.5 L13.5,4.5 M3.2,1.5 L13.5,1.5"},
	'±': {838, "M8.4,4 L8.4,13 M3.2,8.5 L13.6,8.5 M3.2,1.5 L13.6,1.5"},
	'×': {838, "M4.3,2.6 L12.5,10.8 M12.5,2.6 L4.3,10.8"},
	'−': {838, "M3.2,6.75 L13.6,6.75"},
	'·': {318, "M3.2,6 L3.2,6.3"},
	'√': {636, "M1,6.5 L3,7.5 L6,0 L11.5,16"},
	'⊙': {838, "A8.35,5.3,5.6,5.6,0,360 M8.35,5.15 L8.35,5.45"},
	'∝': {838, "M14.2,2.5 Q10.5,2.3 8.35,5.3 Q6.2,8.3 4.4,8.1 Q1.7,7.9 1.7,5.3 Q1.7,2.7 4.4,2.5 Q6.2,2.3 8.35,5.3 Q10.5,8.3 14.2,8.1"},
	'∘': {500, "A5,5.3,2.3,2.3,0,360"},
	'∞': {833, "M8.35,5.3 Q10.5,8.3 12.3,8.1 Q15,7.9 15,5.3 Q15,2.7 12.3,2.5 Q10.5,2.3 8.35,5.3 Q6.2,8.3 4.4,8.1 Q1.7,7.9 1.7,5.3 Q1.7,2.7 4.4,2.5 Q6.2,2.3 8.35,5.3"},
	'≈': {838, "M3,8.3 Q5.5,11 8.4,8.8 Q11.3,6.6 13.8,9.3 M3,3.8 Q5.5,6.5 8.4,4.3 Q11.3,2.1 13.8,4.8"},
	'≠': {838, "M3.2,9 L13.6,9 M3.2,4.5 L13.6,4.5 M11,12.5 L5.8,1"},
	'→': {838, "M2.5,6.75 L14,6.75 M10.5,10 L14,6.75 L10.5,3.5"},
	'…': {1000, "M3.3,0.2 L3.3,0.5 M10,0.2 L10,0.5 M16.7,0.2 L16.7,0.5"},
	'°': {500, "A5,11.8,2.3,2.3,0,360"},
	'–': {500, "M0.8,5.3 L9.2,5.3"},
	'—': {1000, "M0.8,5.3 L19.2,5.3"},
	'′': {275, "M3.5,14.5 L2.2,10"},
	'∂': {636, "M2.5,12.5 Q5,15 7.5,14.4 Q10.6,13.5 10.6,8 Q10.6,0 5.8,0 Q1.8,0 1.8,3.8 Q1.8,8 6,8 Q9,8 10.5,5.5"},
	'∈': {838, "M13,12 L9,12 Q3.2,12 3.2,6.75 Q3.2,1.5 9,1.5 L13,1.5 M3.2,6.75 L12.5,6.75"},
	'ℓ': {417, "M1.2,3 Q6.5,8 6.5,12 Q6.5,15 5,15 Q3.2,15 3.2,11 L3.2,2.5 Q3.2,0 5.5,0 Q6.7,0 7.6,1.3"},
}

// Superscripts and subscripts are the base glyph scaled and shifted.
var derivedSrc = map[rune]struct {
	base rune
	sub  bool
}{
	'⁰': {'0', false}, '¹': {'1', false}, '²': {'2', false}, '³': {'3', false},
	'⁴': {'4', false}, '⁵': {'5', false}, '⁶': {'6', false}, '⁷': {'7', false},
	'⁸': {'8', false}, '⁹': {'9', false}, '⁻': {'−', false}, '⁺': {'+', false},
	'ⁿ': {'n', false}, 'ᵀ': {'T', false}, 'ᵏ': {'k', false}, 'ⁱ': {'i', false},
	'₀': {'0', true}, '₁': {'1', true}, '₂': {'2', true}, '₃': {'3', true},
	'₄': {'4', true}, '₅': {'5', true}, '₆': {'6', true}, '₇': {'7', true},
	'₈': {'8', true}, '₉': {'9', true}, '₋': {'−', true}, '₊': {'+', true},
	'ₐ': {'a', true}, 'ₑ': {'e', true}, 'ₒ': {'o', true}, 'ₓ': {'x', true},
	'ₕ': {'h', true}, 'ₖ': {'k', true}, 'ₗ': {'l', true}, 'ₘ': {'m', true},
	'ₙ': {'n', true}, 'ₚ': {'p', true}, 'ₛ': {'s', true}, 'ₜ': {'t', true},
	'ᵢ': {'i', true}, 'ⱼ': {'j', true},
}

const (
	scriptScale = 0.62
	supShift    = 6.8 // font units
	subShift    = -2.6
)

// Accented Latin letters: base glyph plus an accent drawn centred over it
// (paths relative to the centre, placed over the x-height; raised to the
// cap height for capitals).
var accentSrc = map[string]string{
	"acute":      "M-0.8,12.2 L1.6,14.6",
	"grave":      "M-1.6,14.6 L0.8,12.2",
	"circumflex": "M-2.4,12.2 L0,14.4 L2.4,12.2",
	"diaeresis":  "M-2,13.3 L-2,13.6 M2,13.3 L2,13.6",
	"tilde":      "M-3,12.6 Q-1.5,14.6 0,13.4 Q1.5,12.2 3,14.2",
	"ring":       "A0,13.6,1.6,1.6,0,360",
	"cedilla":    "M0.3,0 L0.3,-1.4 Q2.6,-1.8 1.8,-3.4 Q1.2,-4.4 -1,-4",
}

var composedSrc = map[rune]struct {
	base   rune
	accent string
}{
	'à': {'a', "grave"}, 'á': {'a', "acute"}, 'â': {'a', "circumflex"}, 'ã': {'a', "tilde"}, 'ä': {'a', "diaeresis"}, 'å': {'a', "ring"},
	'è': {'e', "grave"}, 'é': {'e', "acute"}, 'ê': {'e', "circumflex"}, 'ë': {'e', "diaeresis"},
	'ì': {'ı', "grave"}, 'í': {'ı', "acute"}, 'î': {'ı', "circumflex"}, 'ï': {'ı', "diaeresis"},
	'ò': {'o', "grave"}, 'ó': {'o', "acute"}, 'ô': {'o', "circumflex"}, 'õ': {'o', "tilde"}, 'ö': {'o', "diaeresis"},
	'ù': {'u', "grave"}, 'ú': {'u', "acute"}, 'û': {'u', "circumflex"}, 'ü': {'u', "diaeresis"},
	'ý': {'y', "acute"}, 'ÿ': {'y', "diaeresis"}, 'ñ': {'n', "tilde"}, 'ç': {'c', "cedilla"},
	'À': {'A', "grave"}, 'Á': {'A', "acute"}, 'Â': {'A', "circumflex"}, 'Ä': {'A', "diaeresis"}, 'Å': {'A', "ring"},
	'É': {'E', "acute"}, 'È': {'E', "grave"}, 'Ö': {'O', "diaeresis"}, 'Ü': {'U', "diaeresis"}, 'Ñ': {'N', "tilde"}, 'Ç': {'C', "cedilla"},
}

var (
	glyphs map[rune]*glyph
	// boxGlyph is drawn for a rune the font lacks.
	boxGlyph = mustGlyph(600, "M1.5,0 L1.5,14 L10.5,14 L10.5,0 L1.5,0")
)

func init() {
	glyphs = make(map[rune]*glyph, len(glyphSrc)+len(derivedSrc))
	for r, g := range glyphSrc {
		glyphs[r] = mustGlyph(g.adv, g.path)
	}
	for r, d := range derivedSrc {
		b := glyphs[d.base]
		shift := supShift / fontUnitsPerEm
		if d.sub {
			shift = subShift / fontUnitsPerEm
		}
		g := &glyph{adv: b.adv*scriptScale + 0.06, weight: 0.8}
		for _, s := range b.strokes {
			t := make([]fpt, len(s))
			for i, p := range s {
				t[i] = fpt{p.X*scriptScale + 0.02, p.Y*scriptScale + shift}
			}
			g.strokes = append(g.strokes, t)
		}
		glyphs[r] = g
	}
	for r, c := range composedSrc {
		b := glyphs[c.base]
		acc, err := parseGlyphPath(accentSrc[c.accent])
		if err != nil {
			panic("report: font: " + err.Error())
		}
		dy := 0.0
		if c.base >= 'A' && c.base <= 'Z' && c.accent != "cedilla" {
			dy = 3.2 / fontUnitsPerEm
		}
		g := &glyph{adv: b.adv, weight: 1, strokes: append([][]fpt(nil), b.strokes...)}
		for _, st := range acc {
			t := make([]fpt, len(st))
			for i, p := range st {
				t[i] = fpt{p.X + b.adv/2, p.Y + dy}
			}
			g.strokes = append(g.strokes, t)
		}
		glyphs[r] = g
	}
}

func mustGlyph(adv float64, path string) *glyph {
	s, err := parseGlyphPath(path)
	if err != nil {
		panic("report: font: " + err.Error())
	}
	return &glyph{adv: adv / 1000, weight: 1, strokes: s}
}

// parseGlyphPath parses the path language above into strokes in em units.
func parseGlyphPath(path string) ([][]fpt, error) {
	var strokes [][]fpt
	var cur []fpt
	flush := func() {
		if len(cur) > 0 {
			strokes = append(strokes, cur)
		}
		cur = nil
	}
	toks := strings.Fields(path)
	for ti := 0; ti < len(toks); ti++ {
		tok := toks[ti]
		cmd := tok[0]
		if cmd == 'Q' && ti+1 < len(toks) && strings.Count(tok, ",") == 1 {
			// "Qcx,cy x,y": the end point is the next token.
			ti++
			tok += "," + toks[ti]
		}
		var nums []float64
		for _, f := range strings.Split(tok[1:], ",") {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, fmt.Errorf("bad number in %q: %v", tok, err)
			}
			nums = append(nums, v/fontUnitsPerEm)
		}
		want := map[byte]int{'M': 2, 'L': 2, 'Q': 4, 'A': 6}[cmd]
		if want == 0 || len(nums) != want {
			return nil, fmt.Errorf("bad token %q", tok)
		}
		switch cmd {
		case 'M':
			flush()
			cur = []fpt{{nums[0], nums[1]}}
		case 'L':
			if len(cur) == 0 {
				return nil, fmt.Errorf("%q without a current point", tok)
			}
			cur = append(cur, fpt{nums[0], nums[1]})
		case 'Q':
			if len(cur) == 0 {
				return nil, fmt.Errorf("%q without a current point", tok)
			}
			p0 := cur[len(cur)-1]
			for i := 1; i <= 10; i++ {
				t := float64(i) / 10
				a, b, c := (1-t)*(1-t), 2*t*(1-t), t*t
				cur = append(cur, fpt{a*p0.X + b*nums[0] + c*nums[2], a*p0.Y + b*nums[1] + c*nums[3]})
			}
		case 'A':
			cx, cy, rx, ry := nums[0], nums[1], nums[2], nums[3]
			a0, a1 := nums[4]*fontUnitsPerEm*math.Pi/180, nums[5]*fontUnitsPerEm*math.Pi/180
			n := int(math.Ceil(math.Abs(a1-a0) / (math.Pi / 18)))
			if n < 4 {
				n = 4
			}
			start := fpt{cx + rx*math.Cos(a0), cy + ry*math.Sin(a0)}
			if len(cur) == 0 || math.Hypot(cur[len(cur)-1].X-start.X, cur[len(cur)-1].Y-start.Y) > 0.3/fontUnitsPerEm {
				flush()
				cur = []fpt{start}
			}
			for i := 1; i <= n; i++ {
				a := a0 + (a1-a0)*float64(i)/float64(n)
				cur = append(cur, fpt{cx + rx*math.Cos(a), cy + ry*math.Sin(a)})
			}
		}
	}
	flush()
	return strokes, nil
}

// MissingGlyphs lists, once each and in order of appearance, the runes of
// the figure texts in doc (titles, axis labels, legend entries, reference
// lines) that the PNG font cannot draw; they would show as boxes.
func MissingGlyphs(doc Document) []rune {
	var missing []rune
	seen := map[rune]bool{}
	check := func(s string) {
		for _, r := range s {
			if _, ok := glyphs[r]; !ok && !seen[r] {
				seen[r] = true
				missing = append(missing, r)
			}
		}
	}
	for _, sec := range doc.Sections {
		for _, f := range sec.Figures {
			check(f.Title)
			check(f.XLabel)
			check(f.YLabel)
			for _, s := range f.Series {
				check(s.Label)
			}
			for _, l := range append(append([]RefLine{}, f.HLines...), f.VLines...) {
				check(l.Label)
			}
		}
	}
	return missing
}

func glyphFor(r rune) *glyph {
	if g, ok := glyphs[r]; ok {
		return g
	}
	return boxGlyph
}

// textWidth is the advance width of s at font size size (px per em).
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += glyphFor(r).adv
	}
	return w * size
}
