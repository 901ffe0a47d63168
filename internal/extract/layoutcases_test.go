package extract

import (
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

// spacedLine places phrases on one line of a page; a phrase marked
// spaced is written one word per glyph, glyphs track apart, words
// further (as producers that letter-space titles and labels do).
type spacedLine struct {
	x      float64
	text   string
	spaced bool
}

func spacedPage(lines ...[]spacedLine) []doc.Page {
	p := doc.Page{Num: 1, Width: 595, Height: 842, Source: doc.SourceText}
	const fs = 10.0
	em, hgt := fs/595, fs*0.72/842
	y := 0.05
	for _, ln := range lines {
		for _, ph := range ln {
			x := ph.x
			for i, w := range strings.Fields(ph.text) {
				if i > 0 {
					x += 0.28 * em
					if ph.spaced {
						x += 0.4 * em
					}
				}
				for j, r := range w {
					if !ph.spaced {
						wd := 0.5 * em * float64(len([]rune(w)))
						p.Words = append(p.Words, doc.Word{Text: w, X0: x, Y0: y, X1: x + wd, Y1: y + hgt, Conf: 1})
						x += wd
						break
					}
					if j > 0 {
						x += 0.2 * em
					}
					p.Words = append(p.Words, doc.Word{Text: string(r), X0: x, Y0: y, X1: x + 0.5*em, Y1: y + hgt, Conf: 1})
					x += 0.5 * em
				}
			}
		}
		y += 1.5 * fs / 842
	}
	return []doc.Page{p}
}

func best(res Result, f string) any {
	if fl := res.Fields[f]; fl != nil && len(fl.Candidates) > 0 {
		return fl.Candidates[0].Value
	}
	return nil
}

// TestLetterSpacedWords: glyph runs tracked apart are read as words,
// split where the gap is a word gap.
func TestLetterSpacedWords(t *testing.T) {
	pages := spacedPage(
		[]spacedLine{{0.06, "Muster Handel GmbH", false}},
		[]spacedLine{{0.06, "I N V O I C E", false}}, // a space between letters, as some producers write it
		[]spacedLine{{0.55, "Rechnungsnummer:", true}, {0.8, "RE-4711", false}},
		[]spacedLine{{0.55, "Rechnungs datum:", true}, {0.8, "03.05.2024", false}},
		[]spacedLine{{0.06, "Käufer", true}},
		[]spacedLine{{0.06, "Beispiel AG", false}},
		[]spacedLine{{0.06, "Ringweg 9", false}},
		[]spacedLine{{0.06, "20095 Hamburg", false}},
	)
	l := buildLayout(pages)
	var texts []string
	for _, ln := range l.lines {
		texts = append(texts, ln.text())
	}
	got := strings.Join(texts, " | ")
	for _, want := range []string{"Rechnungsnummer:", "Rechnungs datum:", "Käufer"} {
		if !strings.Contains(got, want) {
			t.Errorf("lines %q: no %q", got, want)
		}
	}
	res := Extract(pages, Options{})
	for f, want := range map[string]any{"invoice_number": "RE-4711", "invoice_date": "2024-05-03", "buyer_name": "Beispiel AG"} {
		if g := best(res, f); !same(f, want, g) {
			t.Errorf("%s = %v, want %v", f, g, want)
		}
	}
	// Ordinary single letters are left alone.
	plain := buildLayout(TextPages("Menge 2 x 3 h\nA & B Partner\n"))
	if got := plain.lines[0].text() + "|" + plain.lines[1].text(); got != "Menge 2 x 3 h|A & B Partner" {
		t.Errorf("plain lines = %q", got)
	}
}

// TestFormPartyRows: a party heading followed by Name:/Address:/VAT rows.
func TestFormPartyRows(t *testing.T) {
	cases := []struct {
		name, text string
		want       map[string]any
	}{
		{"de side by side", "" +
			"Rechnung Nr. 2024-88\n" +
			"Rechnungsdatum: 02.04.2024\n\n" +
			"Verkäufer                               Käufer\n" +
			"Name:      Alpha Technik GmbH           Name:      Gamma Bau AG\n" +
			"Adresse:   Hauptstraße 5                Adresse:   Ringweg 9\n" +
			"           10115 Berlin                            20095 Hamburg\n" +
			"USt-IdNr.: DE100000008                  USt-IdNr.: DE100000016\n\n" +
			"Gesamtbetrag:                                         1.190,00 EUR\n",
			map[string]any{"seller_name": "Alpha Technik GmbH", "buyer_name": "Gamma Bau AG", "seller_id": "DE100000008",
				"seller_address": "Hauptstraße 5, 10115 Berlin", "buyer_address": "Ringweg 9, 20095 Hamburg"}},
		{"en stacked, label and value in one segment", "" +
			"INVOICE\n" +
			"Invoice No.: 5512\n" +
			"Date: 2024-04-02\n\n" +
			"Seller\n" +
			"Company: Northwind\n" +
			"Address: 1 Mill Road, Leeds LS1 4AP\n" +
			"VAT No.: DE100000024\n\n" +
			"Bill to\n" +
			"Name: Jane Roe\n" +
			"Address: 5 High Street, London SW1A 1AA\n\n" +
			"Total due                      £120.00\n",
			map[string]any{"seller_name": "Northwind", "buyer_name": "Jane Roe", "seller_id": "DE100000024"}},
	}
	for _, c := range cases {
		res := Extract(TextPages(c.text), Options{})
		for f, want := range c.want {
			if g := best(res, f); !same(f, want, g) {
				t.Errorf("%s: %s = %v, want %v", c.name, f, g, want)
			}
		}
	}
}

// TestTitleNumberAndDate: a title carrying the number and the date, with
// header dates that are not the invoice date around it.
func TestTitleNumberAndDate(t *testing.T) {
	cases := []struct{ text, num, date string }{
		{"Printed: 01.01.2025\nMuster GmbH\nHauptstraße 1\n10115 Berlin\n\nInvoice 2024-017 of 03.05.2024\n\nDelivery date: 05.05.2024\n", "2024-017", "2024-05-03"},
		{"Stand: 15.06.2024\n\nRechnung Nr. 123 vom 1. März 2024\nBestelldatum: 20.02.2024\n", "123", "2024-03-01"},
		{"Date d'impression : 02/04/2024\n\nFacture n° F-12 du 12/03/2024\n", "F-12", "2024-03-12"},
		{"Druckdatum: 09.09.2024\nDruckerei Muster GmbH\n\nRECHNUNG\nKunde: Beispiel AG\n", "", ""},
	}
	for _, c := range cases {
		res := Extract(TextPages(c.text), Options{})
		if c.num != "" && !same("invoice_number", c.num, best(res, "invoice_number")) {
			t.Errorf("%q: invoice_number = %v, want %s", c.text, best(res, "invoice_number"), c.num)
		}
		got := best(res, "invoice_date")
		if c.date != "" && got != c.date {
			t.Errorf("%q: invoice_date = %v, want %s", c.text, got, c.date)
		}
		if c.date == "" {
			// Only a print date: it may be proposed, but not as a sure one.
			if fl := res.Fields["invoice_date"]; fl != nil && len(fl.Candidates) > 0 && fl.Candidates[0].Confidence > 0.15 {
				t.Errorf("%q: print date proposed with confidence %v", c.text, fl.Candidates[0].Confidence)
			}
		}
	}
}

// TestCreditNoteOwnNumber: a credit note quoting the invoice it corrects
// has its own number.
func TestCreditNoteOwnNumber(t *testing.T) {
	cases := []struct{ text, num string }{
		{"Credit note CN-7 for invoice INV-5\nDate: 03.05.2024\n", "CN-7"},
		{"Gutschrift 123 zu Rechnung 456\nDatum: 03.05.2024\n", "123"},
		{"Avoir AV-12 sur facture F-9\nDate : 03/05/2024\n", "AV-12"},
		{"Gutschrift 123 zur Rechnung Nr. 456\nDatum: 03.05.2024\n", "123"},
		{"Credit memo 880 against invoice no. 771\nDate: 03.05.2024\n", "880"},
		{"GUTSCHRIFT\nGutschrift-Nr.: G-2024-5\nZu Rechnung Nr.: R-2024-1\n", "G-2024-5"},
	}
	for _, c := range cases {
		res := Extract(TextPages(c.text), Options{})
		if res.Class != "credit_note" {
			t.Errorf("%q: class %s", c.text, res.Class)
		}
		if g := best(res, "invoice_number"); !same("invoice_number", c.num, g) {
			t.Errorf("%q: invoice_number = %v, want %s", c.text, g, c.num)
		}
	}
}
