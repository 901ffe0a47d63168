package pdf

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/pdftest"
)

// textLine is a string drawn at x, y (points from the bottom left) in
// Helvetica of the given size.
type textLine struct {
	x, y, size float64
	text       string
	ccw        bool // turned 90° counter-clockwise
}

// glyphNames maps the runes makePDF can draw beyond ASCII to the glyph names
// of its font's /Differences, from code 128 up.
var glyphNames = []struct {
	r    rune
	name string
}{
	{'ż', "zdotaccent"}, {'ó', "oacute"}, {'ł', "lslash"}, {'ć', "cacute"}, {'ę', "eogonek"},
	{'ś', "sacute"}, {'ą', "aogonek"}, {'ź', "zacute"}, {'ń', "nacute"}, {'Ż', "Zdotaccent"},
	{'ç', "ccedilla"}, {'œ', "oe"}, {'é', "eacute"}, {'è', "egrave"}, {'ä', "adieresis"},
	{'ö', "odieresis"}, {'ü', "udieresis"}, {'ß', "germandbls"}, {'Ö', "Odieresis"},
	{'à', "agrave"}, {'Ü', "Udieresis"}, {'\ufb00', "ff"}, {'\ufb03', "ffi"}, {'\ufb01', "fi"}, {'\ufb02', "fl"}, {'€', "Euro"},
}

// makePDF returns a one-page A4 PDF showing lines, written by hand so that
// the test controls exactly which characters and gaps the text layer has.
// A line's text may contain "\x00" to insert a TJ gap of 3 em without a
// space character.
func makePDF(t testing.TB, rotate int, lines ...textLine) []byte {
	t.Helper()
	code := map[rune]byte{}
	var diffs strings.Builder
	for i, g := range glyphNames {
		code[g.r] = byte(128 + i)
		fmt.Fprintf(&diffs, " /%s", g.name)
	}
	var content bytes.Buffer
	for _, l := range lines {
		m := [4]int{1, 0, 0, 1}
		if l.ccw {
			m = [4]int{0, 1, -1, 0}
		}
		fmt.Fprintf(&content, "BT /F1 %g Tf %d %d %d %d %g %g Tm [(", l.size, m[0], m[1], m[2], m[3], l.x, l.y)
		for _, r := range l.text {
			switch {
			case r == 0:
				content.WriteString(") -3000 (")
			case r == '(' || r == ')' || r == '\\':
				content.WriteByte('\\')
				content.WriteRune(r)
			case r < 128:
				content.WriteRune(r)
			default:
				c, ok := code[r]
				if !ok {
					t.Fatalf("makePDF cannot draw %q", r)
				}
				content.WriteByte(c)
			}
		}
		content.WriteString(")] TJ ET\n")
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate %d /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>", rotate),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [128" + diffs.String() + "] >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.Bytes()),
	}
	return pdftest.Assemble("1.7", objs...)
}

func TestHandmadeText(t *testing.T) {
	pdf := makePDF(t, 0,
		textLine{72, 770, 12, "Zażółć gęślą jaźń", false},
		textLine{72, 750, 12, "Français: œuvre, café à 5 €", false},
		textLine{72, 730, 12, "Größe Öl Übergröße", false},
		textLine{72, 710, 12, "\ufb01nal \ufb02ow o\ufb03ce Sta\ufb00", false},
		textLine{72, 690, 12, "Total\x00279.84", false},
		// Two lines close together, in content order bottom first.
		textLine{300, 600, 10, "second", false},
		textLine{72, 600, 10, "first", false},
		textLine{72, 612, 10, "above", false},
	)
	p := textOf(t, pdf, 1)
	checkPage(t, "handmade", p)
	var got []string
	for _, w := range p.Words {
		got = append(got, w.Text)
	}
	want := []string{
		"Zażółć", "gęślą", "jaźń",
		"Français:", "œuvre,", "café", "à", "5", "€",
		"Größe", "Öl", "Übergröße",
		"final", "flow", "office", "Staff",
		"Total", "279.84",
		"above",
		"first", "second",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("words\n got %q\nwant %q", got, want)
	}
}

func TestHandmadeLandscape(t *testing.T) {
	// A landscape page as scanners and reporting tools write it: a portrait
	// media box, /Rotate 90, and the content turned so that it reads
	// upright. User space (x, y) shows at (y, x) from the top left.
	pdf := makePDF(t, 90,
		textLine{100, 72, 12, "Rechnung Nr. 42", true},
		textLine{500, 600, 12, "Summe 279.84", true},
	)
	p := textOf(t, pdf, 1)
	checkPage(t, "landscape", p)
	if p.Width != 842 || p.Height != 595 {
		t.Fatalf("page %gx%g, want 842x595", p.Width, p.Height)
	}
	var got []string
	for _, w := range p.Words {
		got = append(got, w.Text)
	}
	if want := "Rechnung Nr. 42 Summe 279.84"; strings.Join(got, " ") != want {
		t.Fatalf("words %q, want %q", got, want)
	}
	// Glyph boxes are tight: "Summe" starts at its pen position and sits
	// on its baseline; "Rechnung" reaches below its baseline.
	r, sum := find(t, p, "Rechnung"), find(t, p, "Summe")
	if x := r.X0 * p.Width; x < 72 || x > 74 {
		t.Errorf("Rechnung starts at x %.1f, want 72", x)
	}
	if y0, y1 := r.Y0*p.Height, r.Y1*p.Height; !(y0 < 92 && y1 > 101 && y1 < 104) {
		t.Errorf("Rechnung spans y %.1f..%.1f, want a 12pt word with a descender on the baseline at 100", y0, y1)
	}
	if x, y1 := sum.X0*p.Width, sum.Y1*p.Height; x < 600 || x > 602 || math.Abs(y1-500) > 0.5 {
		t.Errorf("Summe starts at %.1f and ends at y %.1f, want 600 and the baseline at 500", x, y1)
	}
}
