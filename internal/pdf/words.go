package pdf

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/crescent-idp/crescent/internal/doc"
	"golang.org/x/text/unicode/norm"
)

// char is one character of a text layer in content order: its box on the
// displayed page in points (origin top left) and whether its text runs
// along the y axis.
type char struct {
	r              rune // 0 when PDFium has no Unicode for it
	x0, y0, x1, y1 float64
	vertical       bool
}

func (c char) empty() bool { return !(c.x1 > c.x0) && !(c.y1 > c.y0) }

// Thresholds of the word grouping, in units of the text height (the
// extent of the word's glyphs across the line).
//
// PDFium already inserts a space (a character without a box) where glyphs
// are a word apart by the font's metrics, and those spaces split words. The
// gap rule only catches what it leaves joined, such as table cells drawn
// without spaces: glyph boxes are tight, so side bearings alone often make
// a quarter of the height. Against pdftotext's words on the corpus, a gap
// of 0.25 kept 72% of them whole, 1.0 keeps 99.8%.
const (
	// wordGap is the largest gap between two glyphs of one word.
	wordGap = 1.0
	// lineSlack widens a word's band across the line when deciding whether
	// the next glyph (a comma, an apostrophe) still belongs to it.
	lineSlack = 0.2
)

// softHyphen is what PDFium reports for a hyphen that breaks a word at the
// end of a line (U+0002), besides U+00AD itself.
const softHyphen = '\u0002'

// wordBuilder accumulates the characters of one word.
type wordBuilder struct {
	text           []rune
	x0, y0, x1, y1 float64 // union of the non-empty glyph boxes
	boxed          bool
	last           char // last glyph with a box
	vertical       bool
	hyphen         *char // a soft hyphen pending at the end
}

// words groups characters in content order into words and returns them in
// reading order with boxes relative to a page of w by h points. A word ends
// at a space or control character, at a gap wider than wordGap, and where
// the next glyph is not on the same line. Soft hyphens become "-" at the end
// of a word and vanish inside one. Text is NFKC-normalised, so ligatures
// (ﬁ) become their letters. Words without a box, outside the page, or
// without a letter, digit, punctuation mark or symbol are dropped.
func words(chars []char, w, h float64) []doc.Word {
	var out []doc.Word
	var b wordBuilder
	flush := func() {
		if wd, ok := b.word(w, h); ok {
			out = append(out, wd)
		}
		b = wordBuilder{}
	}
	for _, c := range chars {
		switch {
		case c.r == 0:
			continue
		case c.r == softHyphen || c.r == '\u00ad':
			if len(b.text) > 0 {
				b.hyphen = &c
			}
			continue
		case unicode.IsSpace(c.r) || unicode.IsControl(c.r) || c.r == unicode.ReplacementChar && c.empty():
			flush()
			continue
		}
		if len(b.text) > 0 && !c.empty() && b.boxed && !b.continues(c) {
			flush()
		}
		b.add(c)
	}
	flush()
	return readingOrder(out)
}

// continues reports whether glyph c, which has a box, goes on the word.
func (b *wordBuilder) continues(c char) bool {
	if c.vertical != b.vertical {
		return false
	}
	// Along the line (a) and across it (x) for the word band and for c.
	la0, la1, lx0, lx1 := b.last.x0, b.last.x1, b.y0, b.y1
	ca0, ca1, cx0, cx1 := c.x0, c.x1, c.y0, c.y1
	if b.vertical {
		la0, la1, lx0, lx1 = b.last.y0, b.last.y1, b.x0, b.x1
		ca0, ca1, cx0, cx1 = c.y0, c.y1, c.x0, c.x1
	}
	height := math.Max(lx1-lx0, cx1-cx0)
	if height <= 0 {
		return true
	}
	// The same line: the centre of one lies within the (slightly widened)
	// band of the other. Tight boxes make "." or "," much lower than "9".
	slack := lineSlack * height
	cc, lc := (cx0+cx1)/2, (lx0+lx1)/2
	if !(cc >= lx0-slack && cc <= lx1+slack) && !(lc >= cx0-slack && lc <= cx1+slack) {
		return false
	}
	// The gap between the last glyph and c, in either direction.
	gap := math.Max(ca0-la1, la0-ca1)
	return gap <= wordGap*height
}

func (b *wordBuilder) add(c char) {
	b.hyphen = nil // a soft hyphen inside a word is invisible
	if len(b.text) == 0 {
		b.vertical = c.vertical
	}
	b.text = append(b.text, c.r)
	if c.empty() {
		return
	}
	if !b.boxed {
		b.x0, b.y0, b.x1, b.y1, b.boxed = c.x0, c.y0, c.x1, c.y1, true
	} else {
		b.x0, b.y0 = math.Min(b.x0, c.x0), math.Min(b.y0, c.y0)
		b.x1, b.y1 = math.Max(b.x1, c.x1), math.Max(b.y1, c.y1)
	}
	b.last = c
}

// word returns the finished word relative to a page of w by h points.
func (b *wordBuilder) word(w, h float64) (doc.Word, bool) {
	if b.hyphen != nil {
		hc := *b.hyphen
		hc.r = '-'
		b.add(hc)
	}
	if len(b.text) == 0 || !b.boxed {
		return doc.Word{}, false
	}
	s := string(b.text)
	s = strings.TrimFunc(norm.NFKC.String(s), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	})
	if !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
	}) {
		return doc.Word{}, false
	}
	if b.x0 >= w || b.x1 <= 0 || b.y0 >= h || b.y1 <= 0 {
		return doc.Word{}, false // outside the page, so invisible
	}
	x0, y0 := clamp01(b.x0/w), clamp01(b.y0/h)
	x1, y1 := clamp01(b.x1/w), clamp01(b.y1/h)
	// A glyph with no extent on one axis (a rule, "-" in some fonts) still
	// gets a box: doc.Word promises X0 < X1 and Y0 < Y1.
	const minSize = 1e-4
	if x1-x0 < minSize {
		x0, x1 = widen(x0, x1, minSize)
	}
	if y1-y0 < minSize {
		y0, y1 = widen(y0, y1, minSize)
	}
	return doc.Word{Text: s, X0: x0, Y0: y0, X1: x1, Y1: y1, Conf: 1}, true
}

func clamp01(v float64) float64 { return math.Min(1, math.Max(0, v)) }

// widen grows [lo, hi] to size around its centre, kept within 0..1.
func widen(lo, hi, size float64) (float64, float64) {
	c := math.Min(1-size/2, math.Max(size/2, (lo+hi)/2))
	return c - size/2, c + size/2
}

// readingOrder sorts words top to bottom, then left to right: words whose
// vertical centres are within half the smaller height of a line's are on
// that line, and a line is read left to right.
func readingOrder(ws []doc.Word) []doc.Word {
	if len(ws) < 2 {
		return ws
	}
	centre := func(w doc.Word) float64 { return (w.Y0 + w.Y1) / 2 }
	slices.SortStableFunc(ws, func(a, b doc.Word) int {
		if c := cmpFloat(centre(a), centre(b)); c != 0 {
			return c
		}
		return cmpFloat(a.X0, b.X0)
	})
	out := make([]doc.Word, 0, len(ws))
	start := 0
	lineC, lineH := centre(ws[0]), ws[0].Y1-ws[0].Y0
	for i := 1; i <= len(ws); i++ {
		if i < len(ws) {
			wc, wh := centre(ws[i]), ws[i].Y1-ws[i].Y0
			if wc-lineC <= 0.5*math.Min(wh, lineH) {
				// Running mean of the centres: a line may slope a little.
				n := float64(i - start)
				lineC = (lineC*n + wc) / (n + 1)
				lineH = math.Max(lineH, wh)
				continue
			}
		}
		line := ws[start:i]
		slices.SortStableFunc(line, func(a, b doc.Word) int { return cmpFloat(a.X0, b.X0) })
		out = append(out, line...)
		if i < len(ws) {
			start, lineC, lineH = i, centre(ws[i]), ws[i].Y1-ws[i].Y0
		}
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// HasUsableText reports whether a page's text layer is real text rather
// than nothing, a stray line on a scan, or glyphs without a Unicode mapping:
// at least 5 words with a letter or digit and no unmapped glyph (U+FFFD or
// private use), at least 20 letters among them, and no more words with
// unmapped glyphs than such good words. Pages for which it is false go to
// OCR. It cannot tell a font whose codes map to the wrong letters.
func HasUsableText(p doc.Page) bool {
	good, bad, letters := 0, 0, 0
	for _, w := range p.Words {
		n, unmapped, alnum := 0, false, false
		for _, r := range w.Text {
			switch {
			case r == unicode.ReplacementChar || unicode.In(r, unicode.Co):
				unmapped = true
			case unicode.IsLetter(r):
				n++
				alnum = true
			case unicode.IsDigit(r):
				alnum = true
			}
		}
		switch {
		case unmapped:
			bad++
		case alnum:
			good++
			letters += n
		}
	}
	return good >= 5 && letters >= 20 && bad <= good
}
