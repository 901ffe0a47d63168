package extract

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crescent-idp/crescent/internal/doc"
)

// word is a page word with its page number.
type word struct {
	text string
	box  [4]float64
	page int
	// track is the letter gap of a word joined from letter-spaced glyphs,
	// relative to the page width: the gaps around it are wider by as much.
	track float64
}

// segment is a run of words on one line with no wide gap between them: a
// label, a value or a table cell.
type segment struct {
	words []word
	orig  []rune // original text, words joined by one space
	fold  []rune // lower case, diacritics folded; same length as orig
	start []int  // rune offset of each word in orig
	box   [4]float64
	line  *line
	idx   int // index within the line
}

// line is a row of words sharing a baseline band.
type line struct {
	page  int
	idx   int // index in layout.lines
	words []word
	segs  []*segment
	box   [4]float64
	h     float64 // typical word height, relative to the page
}

// layout is the document as lines, in reading order.
type layout struct {
	pages []doc.Page
	lines []*line
	// aspect is page height / page width per page number, for converting
	// vertical distances into horizontal ones.
	aspect map[int]float64
}

func (s *segment) text() string   { return string(s.orig) }
func (s *segment) folded() string { return string(s.fold) }

// sub returns the original text and the words covering rune range [a, b).
func (s *segment) sub(a, b int) (string, []word) {
	if a < 0 {
		a = 0
	}
	if b > len(s.orig) {
		b = len(s.orig)
	}
	if a >= b {
		return "", nil
	}
	var ws []word
	for i, st := range s.start {
		end := st + utf8.RuneCountInString(s.words[i].text)
		if end > a && st < b {
			ws = append(ws, s.words[i])
		}
	}
	return string(s.orig[a:b]), ws
}

// buildLayout groups the words of the pages into lines and segments.
func buildLayout(pages []doc.Page) *layout {
	l := &layout{pages: pages, aspect: map[int]float64{}}
	for pi, p := range pages {
		num := p.Num
		if num == 0 {
			num = pi + 1
		}
		asp := 1.414
		if p.Width > 0 && p.Height > 0 {
			asp = p.Height / p.Width
		}
		l.aspect[num] = asp
		var ws []word
		for _, w := range p.Words {
			t := strings.TrimSpace(w.Text)
			if t == "" || w.X1 < w.X0 || w.Y1 < w.Y0 {
				continue
			}
			ws = append(ws, word{text: t, box: w.Box(), page: num})
		}
		sort.SliceStable(ws, func(i, j int) bool {
			ci, cj := (ws[i].box[1]+ws[i].box[3])/2, (ws[j].box[1]+ws[j].box[3])/2
			if math.Abs(ci-cj) > 1e-9 {
				return ci < cj
			}
			return ws[i].box[0] < ws[j].box[0]
		})
		var lines []*line
		for _, w := range ws {
			h := w.box[3] - w.box[1]
			var best *line
			bestOv := 0.0
			// Only the last few lines can take the word: the words are sorted by centre.
			for k := len(lines) - 1; k >= 0 && k >= len(lines)-3; k-- {
				ln := lines[k]
				ov := math.Min(ln.box[3], w.box[3]) - math.Max(ln.box[1], w.box[1])
				m := math.Min(h, ln.h)
				if m <= 0 {
					continue
				}
				r := ov / m
				if r > 0.5 && r > bestOv && !overlapsWord(ln, w) {
					best, bestOv = ln, r
				}
			}
			if best == nil {
				best = &line{page: num, box: w.box, h: h}
				lines = append(lines, best)
			}
			best.words = append(best.words, w)
			best.box = union(best.box, w.box)
		}
		for _, ln := range lines {
			sort.SliceStable(ln.words, func(i, j int) bool { return ln.words[i].box[0] < ln.words[j].box[0] })
			hs := make([]float64, len(ln.words))
			for i, w := range ln.words {
				hs[i] = w.box[3] - w.box[1]
			}
			sort.Float64s(hs)
			ln.h = hs[len(hs)/2]
			ln.words = joinSpaced(ln.words, ln.h*asp)
			splitSegments(ln, asp)
			ln.idx = len(l.lines)
			l.lines = append(l.lines, ln)
		}
	}
	return l
}

// joinSpaced merges letter-spaced text into words. Some producers track
// out titles and labels ("I N V O I C E", "R e c h n u n g s n u m m e r")
// so that every glyph reaches us as a word of its own. Such a run is told
// apart by geometry alone: three or more single-glyph words in a row, as
// close as a wide space at most (hgt is the line's height in page widths),
// whose gaps are the run's letter gap; a gap clearly wider than the
// typical one is a word break. A group is joined when it holds at least
// three letters, or when another group of its run did (the digits of a
// letter-spaced number after a letter-spaced label).
func joinSpaced(ws []word, hgt float64) []word {
	if len(ws) < 3 || hgt <= 0 {
		return ws
	}
	single := 0
	for _, w := range ws {
		if utf8.RuneCountInString(w.text) == 1 {
			if single++; single >= 3 {
				break
			}
		}
	}
	if single < 3 {
		return ws
	}
	var out []word
	for i := 0; i < len(ws); {
		j := i
		for j < len(ws) && utf8.RuneCountInString(ws[j].text) == 1 && (j == i || spacedGap(ws[j-1], ws[j], hgt)) {
			j++
		}
		if j-i < 3 {
			if j == i {
				j++
			}
			out = append(out, ws[i:j]...)
			i = j
			continue
		}
		out = append(out, joinRun(ws[i:j])...)
		i = j
	}
	return out
}

// spacedGap reports whether two glyphs are close enough to be letters of
// one letter-spaced word.
func spacedGap(a, b word, hgt float64) bool {
	g := b.box[0] - a.box[2]
	return g > -0.2*hgt && g < 2*hgt
}

// joinRun splits a run of single glyphs at its word gaps and joins the
// groups that read as letter-spaced words.
func joinRun(run []word) []word {
	gaps := make([]float64, len(run)-1)
	for k := range gaps {
		gaps[k] = math.Max(0, run[k+1].box[0]-run[k].box[2])
	}
	sorted := append([]float64(nil), gaps...)
	sort.Float64s(sorted)
	// The letter gap: the median of the smaller half, as word gaps are
	// fewer than letter gaps.
	typ := sorted[(len(sorted)-1)/3]
	w := run[0].box[3] - run[0].box[1]
	limit := 1.45*typ + 0.06*w
	var groups [][]word
	st := 0
	for k, g := range gaps {
		if g > limit {
			groups = append(groups, run[st:k+1])
			st = k + 1
		}
	}
	groups = append(groups, run[st:])
	letters := func(g []word) int {
		n := 0
		for _, w := range g {
			if r, _ := utf8.DecodeRuneInString(w.text); unicode.IsLetter(r) {
				n++
			}
		}
		return n
	}
	spaced := false
	for _, g := range groups {
		if letters(g) >= 3 {
			spaced = true
		}
	}
	if !spaced {
		return run
	}
	var out []word
	for _, g := range groups {
		if len(g) < 2 {
			out = append(out, g...)
			continue
		}
		m := word{page: g[0].page, box: g[0].box, track: typ}
		var sb strings.Builder
		for _, w := range g {
			sb.WriteString(w.text)
			m.box = union(m.box, w.box)
		}
		m.text = sb.String()
		out = append(out, m)
	}
	return out
}

func overlapsWord(ln *line, w word) bool {
	for _, o := range ln.words {
		ov := math.Min(o.box[2], w.box[2]) - math.Max(o.box[0], w.box[0])
		if ov > 0.5*math.Min(o.box[2]-o.box[0], w.box[2]-w.box[0]) {
			return true
		}
	}
	return false
}

func union(a, b [4]float64) [4]float64 {
	return [4]float64{math.Min(a[0], b[0]), math.Min(a[1], b[1]), math.Max(a[2], b[2]), math.Max(a[3], b[3])}
}

// splitSegments cuts a line where the gap between two words is wider than
// about one em. Readers differ in their word boxes: some give the font's
// box (about 1.2 em high), others the glyphs' (cap height, about 0.7 em,
// for a line in capitals), so the em is also estimated from the average
// advance of a character, which does not depend on the box height.
func splitSegments(ln *line, aspect float64) {
	minGap := 1.5 * charWidth(ln.words)
	var cur []word
	flush := func() {
		if len(cur) > 0 {
			ln.segs = append(ln.segs, newSegment(cur, ln, len(ln.segs)))
			cur = nil
		}
	}
	for i, w := range ln.words {
		if i > 0 {
			prev := ln.words[i-1]
			gap := (w.box[0] - prev.box[2]) // relative to width
			hgt := ln.h * aspect            // height in width units
			// Letter-spacing widens the space between words by two letter gaps.
			gap -= 2 * max(prev.track, w.track)
			if gap > max(0.8*hgt, minGap) {
				flush()
			}
		}
		cur = append(cur, w)
	}
	flush()
}

// charWidth is the median width of one character of the words, relative
// to the page width.
func charWidth(ws []word) float64 {
	var cw []float64
	for _, w := range ws {
		if n := utf8.RuneCountInString(w.text); n > 0 {
			cw = append(cw, (w.box[2]-w.box[0])/float64(n))
		}
	}
	if len(cw) == 0 {
		return 0
	}
	sort.Float64s(cw)
	return cw[len(cw)/2]
}

func newSegment(ws []word, ln *line, idx int) *segment {
	s := &segment{words: ws, line: ln, idx: idx, box: ws[0].box}
	for i, w := range ws {
		if i > 0 {
			s.orig = append(s.orig, ' ')
			s.box = union(s.box, w.box)
		}
		s.start = append(s.start, len(s.orig))
		s.orig = append(s.orig, []rune(w.text)...)
	}
	s.fold = make([]rune, len(s.orig))
	for i, r := range s.orig {
		s.fold[i] = foldRune(r)
	}
	return s
}

var foldTable = map[rune]rune{
	'ä': 'a', 'à': 'a', 'â': 'a', 'á': 'a', 'ą': 'a', 'ã': 'a', 'å': 'a',
	'ç': 'c', 'ć': 'c', 'č': 'c',
	'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e', 'ę': 'e', 'ě': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i',
	'ł': 'l', 'ń': 'n', 'ñ': 'n', 'ň': 'n',
	'ó': 'o', 'ò': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o', 'ø': 'o',
	'ś': 's', 'š': 's', 'ř': 'r', 'ť': 't',
	'ú': 'u', 'ù': 'u', 'û': 'u', 'ü': 'u', 'ů': 'u',
	'ý': 'y', 'ÿ': 'y', 'ź': 'z', 'ż': 'z', 'ž': 'z',
	'º': '°', '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ',
	'–': '-', '—': '-', '‐': '-', '‑': '-', '−': '-',
	'’': '\'', '‘': '\'', '´': '\'', '`': '\'',
}

// foldRune lower-cases r and strips its diacritics, rune for rune.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return foldASCII(r)
	}
	r = unicode.ToLower(r)
	if f, ok := foldTable[r]; ok {
		return f
	}
	return r
}

// foldASCII is foldRune for ASCII: the foldTable's only ASCII entry is
// the backquote.
func foldASCII(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r == '`':
		return '\''
	}
	return r
}

// fold lower-cases s and strips diacritics.
func fold(s string) string {
	same := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldRunes(s)
		}
		if c >= 'A' && c <= 'Z' || c == '`' {
			same = false
		}
	}
	if same {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		b[i] = byte(foldASCII(rune(c)))
	}
	return string(b)
}

// foldRunes is fold for text that is not all ASCII.
func foldRunes(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = foldRune(r)
	}
	return string(rs)
}

// lineText returns the line's text, segments separated by two spaces.
func (ln *line) text() string {
	parts := make([]string, len(ln.segs))
	for i, s := range ln.segs {
		parts[i] = s.text()
	}
	return strings.Join(parts, "  ")
}

// below returns the lines under ln on the same page, nearest first, at most
// n of them and no further than maxGap line heights.
func (l *layout) below(ln *line, n int, maxGap float64) []*line {
	var out []*line
	last := ln.box[3]
	for i := ln.idx + 1; i < len(l.lines) && len(out) < n; i++ {
		o := l.lines[i]
		if o.page != ln.page {
			break
		}
		if o.box[1]-last > maxGap*ln.h {
			break
		}
		out = append(out, o)
		last = o.box[3]
	}
	return out
}

// xOverlap is the horizontal overlap of two boxes relative to the narrower.
func xOverlap(a, b [4]float64) float64 {
	ov := math.Min(a[2], b[2]) - math.Max(a[0], b[0])
	m := math.Min(a[2]-a[0], b[2]-b[0])
	if m <= 0 {
		return 0
	}
	return ov / m
}

// collapse replaces each run of white space (as \s in a regular
// expression: tab, newline, form feed, carriage return and space) with one
// space and trims the ends.
func collapse(s string) string {
	var b []byte // the new text, once it differs from s
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isSpaceByte(c) {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		j := i + 1
		for j < len(s) && isSpaceByte(s[j]) {
			j++
		}
		if b == nil && (c != ' ' || j > i+1) {
			b = append(make([]byte, 0, len(s)), s[:i]...)
		}
		if b != nil {
			b = append(b, ' ')
		}
		i = j - 1
	}
	if b != nil {
		s = string(b)
	}
	return strings.TrimSpace(s)
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// TextPages lays out a plain-text document as one page of words on a
// monospace grid: x from the column, y from the line. Tabs count as eight
// columns; form feeds start a new page.
func TextPages(text string) []doc.Page {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var pages []doc.Page
	for pi, ptext := range strings.Split(text, "\f") {
		rows := strings.Split(strings.ReplaceAll(ptext, "\t", "        "), "\n")
		cols := 1
		for _, r := range rows {
			if n := utf8.RuneCountInString(r); n > cols {
				cols = n
			}
		}
		nrows := len(rows)
		if nrows == 0 {
			nrows = 1
		}
		const cw, lh = 6.0, 12.0 // points per column and per line
		p := doc.Page{Num: pi + 1, Width: float64(cols) * cw, Height: float64(nrows) * lh, Source: doc.SourceText}
		for y, r := range rows {
			rs := []rune(r)
			for x := 0; x < len(rs); {
				if unicode.IsSpace(rs[x]) {
					x++
					continue
				}
				st := x
				for x < len(rs) && !unicode.IsSpace(rs[x]) {
					x++
				}
				p.Words = append(p.Words, doc.Word{
					Text: string(rs[st:x]),
					X0:   float64(st) / float64(cols), X1: float64(x) / float64(cols),
					Y0: (float64(y) + 0.1) / float64(nrows), Y1: (float64(y) + 0.9) / float64(nrows),
					Conf: 1,
				})
			}
		}
		pages = append(pages, p)
	}
	return pages
}
