package extract

import (
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

// TestSegmentsTightBoxes checks that a line in capitals whose word boxes
// are as tight as the glyphs (cap height, as PDFium gives them) stays one
// segment when its words are a normal space apart, and still splits at a
// column gap.
func TestSegmentsTightBoxes(t *testing.T) {
	const w, h = 595.0, 842.0
	word := func(text string, x0, x1 float64) doc.Word {
		return doc.Word{Text: text, X0: x0 / w, X1: x1 / w, Y0: 80.6 / h, Y1: 85.4 / h, Conf: 1}
	}
	pages := []doc.Page{{Num: 1, Width: w, Height: h, Source: doc.SourceText, Words: []doc.Word{
		word("MUSTERLIEFERANT", 40.2, 111.5), word("GMBH", 117.4, 135.7), word("RECHNUNG", 300, 345),
	}}}
	l := buildLayout(pages)
	if len(l.lines) != 1 {
		t.Fatalf("lines = %d, want 1", len(l.lines))
	}
	var got []string
	for _, s := range l.lines[0].segs {
		got = append(got, s.text())
	}
	if len(got) != 2 || got[0] != "MUSTERLIEFERANT GMBH" || got[1] != "RECHNUNG" {
		t.Errorf("segments = %q, want [MUSTERLIEFERANT GMBH RECHNUNG]", got)
	}
}

// TestPersonLike checks the test that keeps an account holder who is a
// person from becoming the seller.
func TestPersonLike(t *testing.T) {
	for s, want := range map[string]bool{
		"Max Mustermann": true, "Anna-Lena von Berg": true, "John Smith": true,
		"NETPRESSE": false, "Muster Handel GmbH": false, "Acme Widgets Ltd": false, "Sparkasse": false, "Max 12": false,
	} {
		if got := personLike(s); got != want {
			t.Errorf("personLike(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestCityAndReturnLines checks the two line shapes an envelope window is
// recognised by.
func TestCityAndReturnLines(t *testing.T) {
	for s, want := range map[string]bool{
		"54321 Beispielstadt": true, "London NW1 6XE": true, "D-10115 Berlin": true, "Lindenweg 3": false,
		"Muster GmbH · Weg 1 · 12345 Stadt": false, "Tel.: 030 12345": false,
	} {
		if got := cityLine(s); got != want {
			t.Errorf("cityLine(%q) = %v, want %v", s, got, want)
		}
	}
	if p := returnParts("Muster GmbH · Hauptstraße 1 · 10115 Berlin"); len(p) != 3 || p[0] != "Muster GmbH" {
		t.Errorf("returnParts = %q", p)
	}
	if p := returnParts("Erika Beispiel"); p != nil {
		t.Errorf("returnParts(name) = %q, want nil", p)
	}
}
