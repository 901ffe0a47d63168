package pdf

import (
	"math"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

// run lays out s as glyphs of a 10pt font from x, y (top of the glyphs, in
// points): each rune 6pt wide with 0.5pt between, 7pt tall; a space is a
// character with a box, as in a PDF that draws its spaces.
func run(s string, x, y float64) []char {
	var cs []char
	for _, r := range s {
		cs = append(cs, char{r: r, x0: x, y0: y, x1: x + 6, y1: y + 7})
		x += 6.5
	}
	return cs
}

func texts(ws []doc.Word) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.Text)
	}
	return strings.Join(s, " ")
}

func TestWords(t *testing.T) {
	generated := func(r rune, x, y float64) char { return char{r: r, x0: x, y0: y, x1: x, y1: y} }
	cat := func(parts ...[]char) []char {
		var out []char
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name  string
		chars []char
		want  string
	}{
		{"spaces split", run("Invoice  INV/2023/03/0008", 10, 10), "Invoice INV/2023/03/0008"},
		{"generated space splits", cat(run("Total", 10, 10), []char{generated(' ', 42, 17)}, run("279.84", 43, 10)), "Total 279.84"},
		{"gap without a space splits", cat(run("Total", 10, 10), run("279.84", 60, 10)), "Total 279.84"},
		{"small gap joins", cat(run("Rech", 10, 10), run("nung", 37, 10)), "Rechnung"},
		{"line change splits", cat(run("Menge", 10, 10), run("Preis", 43, 22)), "Menge Preis"},
		{"generated line break", cat(run("a", 10, 10), []char{generated('\r', 16, 17), generated('\n', 16, 17)}, run("b", 16.5, 10)), "a b"},
		{"soft hyphen at line end", cat(run("Rech", 10, 10), []char{{r: softHyphen, x0: 36, y0: 12, x1: 40, y1: 13}}, run("nung", 10, 22)), "Rech- nung"},
		{"soft hyphen inside a word vanishes", cat(run("Rech", 10, 10), []char{{r: '\u00ad', x0: 36, y0: 12, x1: 40, y1: 13}}, run("nung", 36, 10)), "Rechnung"},
		{"ligatures are NFKC-normalised", run("\ufb01nal o\ufb03ce", 10, 10), "final office"},
		{"non-ASCII kept", run("Zażółć gęślą jaźń Größe œuvre", 10, 10), "Zażółć gęślą jaźń Größe œuvre"},
		{"no Unicode is skipped", cat(run("ab", 10, 10), []char{{r: 0, x0: 23, y0: 10, x1: 29, y1: 17}}, run("c", 23, 10)), "abc"},
		{"control characters split", run("a\tb\x01c", 10, 10), "a b c"},
		{"punctuation-only words kept", run("- : €", 10, 10), "- : €"},
		{"comma below the band joins", cat(run("1", 10, 10), []char{{r: ',', x0: 16.5, y0: 15, x1: 18, y1: 19}}, run("5", 18.5, 10)), "1,5"},
		{"glyph without a box joins", cat(run("a", 10, 10), []char{{r: 'b', x0: 17, y0: 10, x1: 17, y1: 10}}, run("c", 17, 10)), "abc"},
		{"word without any box dropped", []char{{r: 'x', x0: 5, y0: 5, x1: 5, y1: 5}}, ""},
		{"vertical text", []char{
			{r: 'U', x0: 10, y0: 100, x1: 17, y1: 106, vertical: true},
			{r: 'p', x0: 10, y0: 93, x1: 17, y1: 99, vertical: true},
			{r: ' ', x0: 10, y0: 86, x1: 17, y1: 92, vertical: true},
			{r: 'd', x0: 10, y0: 79, x1: 17, y1: 85, vertical: true},
		}, "d Up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := words(tt.chars, 600, 800)
			if got := texts(ws); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, w := range ws {
				if !(0 <= w.X0 && w.X0 < w.X1 && w.X1 <= 1 && 0 <= w.Y0 && w.Y0 < w.Y1 && w.Y1 <= 1) || w.Conf != 1 {
					t.Errorf("word %q: box %v conf %g", w.Text, w.Box(), w.Conf)
				}
			}
		})
	}
}

func TestWordBoxes(t *testing.T) {
	ws := words(append(run("Rech", 100, 200), []char{{r: softHyphen, x0: 126, y0: 202, x1: 130, y1: 203}}...), 400, 800)
	if len(ws) != 1 {
		t.Fatalf("words %q", texts(ws))
	}
	// The box spans the glyphs, the hyphen included.
	want := [4]float64{100.0 / 400, 200.0 / 800, 130.0 / 400, 207.0 / 800}
	for i, v := range ws[0].Box() {
		if math.Abs(v-want[i]) > 1e-9 {
			t.Fatalf("box %v, want %v", ws[0].Box(), want)
		}
	}
	// Glyphs off the page are clamped to it.
	ws = words(run("edge", 390, 795), 400, 800)
	if len(ws) != 1 || ws[0].X1 != 1 || ws[0].Y1 != 1 {
		t.Fatalf("clamped words %v", ws)
	}
	if ws := words(run("gone", 500, 900), 400, 800); len(ws) != 0 {
		t.Fatalf("word outside the page: %v", ws)
	}
}

func TestReadingOrder(t *testing.T) {
	w := func(s string, x0, y0, x1, y1 float64) doc.Word {
		return doc.Word{Text: s, X0: x0, Y0: y0, X1: x1, Y1: y1, Conf: 1}
	}
	got := readingOrder([]doc.Word{
		w("c", 0.5, 0.300, 0.6, 0.310),
		w("d", 0.1, 0.400, 0.2, 0.410),
		w("Total", 0.1, 0.200, 0.2, 0.214), // bigger font, same baseline as 279.84
		w("b", 0.1, 0.302, 0.2, 0.312),     // a little lower than c: same line
		w("279.84", 0.7, 0.204, 0.8, 0.214),
		w("a", 0.1, 0.100, 0.2, 0.110),
		w("sup", 0.25, 0.396, 0.3, 0.401), // superscript after d: its own line
	})
	if s := texts(got); s != "a Total 279.84 b c sup d" {
		t.Errorf("order %q", s)
	}
	if len(readingOrder(nil)) != 0 {
		t.Error("readingOrder(nil) not empty")
	}
}

func TestHasUsableText(t *testing.T) {
	page := func(s string) doc.Page {
		return doc.Page{Words: words(run(s, 0, 10), 1e4, 100)}
	}
	tests := []struct {
		text string
		want bool
	}{
		{"", false},
		{"Seite 1 von 2", false}, // a footer stamped on a scan
		{"Rechnung Nr. 42 vom 01.02.2023 an Muster GmbH", true},        // real text
		{"1 2 3 4 5 6 7 8 9 10 11 12", false},                          // no letters
		{"\ufffd\ufffd \ufffd\ufffd \ufffd \ufffd\ufffd\ufffd", false}, // unmapped glyphs
		{"ab\ue000c de\ue001f gh\ue002 ij\ue003 kl\ue004 mnopqrstuvwxyz", false},
		{"Invoice Total Amount Due Payment Terms", true},
		{"Total - - - - - - - - - - - - : : : : € € € Amount Due Payment Terms", true}, // symbols are neutral
		{"Rechnung \ufffd\ufffd \ufffd\ufffd \ufffd \ufffd\ufffd \ufffd \ufffd Nummer Datum Betrag Summe", false},
	}
	for _, tt := range tests {
		if got := HasUsableText(page(tt.text)); got != tt.want {
			t.Errorf("HasUsableText(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func FuzzWords(f *testing.F) {
	f.Add([]byte("Invoice INV/2023\x02\r\nTotal 279.84"), 595.0, 842.0)
	f.Add([]byte{0, 0xff, 0xad, 0x20, 0x02}, 1.0, 1.0)
	f.Fuzz(func(t *testing.T, data []byte, w, h float64) {
		if !(w > 0 && h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) {
			return
		}
		var cs []char
		for i, b := range data {
			// Glyphs of varied size and place; every third one empty.
			x, y := float64(i%40)*7+float64(b%5), float64(i/40)*12+float64(b%3)
			c := char{r: rune(b) * 7, x0: x, y0: y, x1: x + float64(b%9), y1: y + float64(b%11), vertical: b%13 == 0}
			if i%3 == 2 {
				c.x1, c.y1 = c.x0, c.y0
			}
			cs = append(cs, c)
		}
		for _, wd := range words(cs, w, h) {
			if wd.Text == "" || !(0 <= wd.X0 && wd.X0 < wd.X1 && wd.X1 <= 1 && 0 <= wd.Y0 && wd.Y0 < wd.Y1 && wd.Y1 <= 1) {
				t.Fatalf("bad word %q %v", wd.Text, wd.Box())
			}
		}
	})
}
