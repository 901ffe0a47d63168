package extract

import (
	"math"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2023-03-20", "20.03.2023", "03/20/2023", "20 März 2023", "1er mars 2023", "Mar 20, 2023", "20 marca 2023", "8-9-22", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s)
		if !ok {
			if d != "" {
				t.Fatalf("failure with value %q", d)
			}
			return
		}
		if len(d) != 10 || d[4] != '-' || d[7] != '-' {
			t.Fatalf("ParseDate(%q) = %q: not YYYY-MM-DD", s, d)
		}
		// A result is stable: parsing it again gives itself.
		if d2, ok := ParseDate(d); !ok || d2 != d {
			t.Fatalf("ParseDate(%q) = %q, re-parse %q %v", s, d, d2, ok)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1,234.56", "1.234,56", "1 234,56", "1'234.56", "-12,00", "12,00-", "(12.00)", "€ 399,00", "Rs 1939", "0,052"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseAmount(s)
		if !ok {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 1e16 {
			t.Fatalf("ParseAmount(%q) = %v", s, v)
		}
		if !strings.ContainsAny(s, "0123456789") {
			t.Fatalf("ParseAmount(%q) = %v without digits", s, v)
		}
	})
}

func FuzzExtract(f *testing.F) {
	f.Add("Invoice No: 1\nTotal 12,00 EUR\nIBAN DE89 3704 0044 0532 0130 00")
	f.Add("Faktura nr: F 1/2\nSprzedawca: A sp. z o.o.\nRazem: 1,00 2,00 3,00")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4000 {
			return
		}
		res := Extract(TextPages(s), Options{})
		for _, fl := range res.Fields {
			if len(fl.Candidates) > 3 {
				t.Fatalf("%s has %d candidates", fl.Name, len(fl.Candidates))
			}
		}
	})
}

// FuzzExtractWords feeds Extract positioned words: every 7 bytes of the
// input are one word (a vocabulary entry or raw bytes as its text, its box,
// a page break), so the fuzzer explores layouts, not only text.
func FuzzExtractWords(f *testing.F) {
	f.Add([]byte{0, 10, 10, 20, 3, 0, 0, 1, 40, 10, 20, 3, 0, 0, 7, 10, 30, 20, 3, 0, 0})
	f.Add(seedLayoutBytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 7*2000 {
			return
		}
		pages := wordsFromBytes(b)
		res := Extract(pages, Options{})
		if err := checkResult(res, len(pages)); err != nil {
			t.Fatal(err)
		}
	})
}

// fuzzVocabulary is what word texts are drawn from: labels, column heads,
// amounts, dates and ids, so that random bytes make invoice-like pages.
var fuzzVocabulary = []string{
	"Invoice", "No:", "Rechnung", "Nr.", "Date:", "Datum", "Total", "Summe", "Description", "Qty", "Unit", "Price",
	"Amount", "MwSt.", "19%", "VAT", "Seller", "Buyer", "Name:", "Address:", "IBAN", "DE89370400440532013000",
	"BIC", "COBADEFFXXX", "DE123456789", "12,50", "1.234,56", "1,234.56", "-3.00", "20.03.2023", "2023-03-20",
	"EUR", "€", "GmbH", "Ltd", "Berlin", "10115", "x", ":", "%", "", "Page", "1/2", "Credit", "Note", "Gutschrift",
}

func wordsFromBytes(b []byte) []doc.Page {
	pages := []doc.Page{{Num: 1, Width: 595, Height: 842, Source: doc.SourceText}}
	for ; len(b) >= 7; b = b[7:] {
		if b[6]&0x80 != 0 && len(pages) < 20 {
			pages = append(pages, doc.Page{Num: len(pages) + 1, Width: 595, Height: 842, Source: doc.SourceText})
		}
		var text string
		if b[0] < 200 {
			text = fuzzVocabulary[int(b[0])%len(fuzzVocabulary)]
		} else {
			text = string(b[1:3])
		}
		x0, y0 := float64(b[1])/255, float64(b[2])/255
		x1, y1 := x0+float64(b[3])/255, y0+float64(b[4])/1000
		pg := &pages[len(pages)-1]
		pg.Words = append(pg.Words, doc.Word{Text: text, X0: x0, Y0: y0, X1: min(x1, 1), Y1: min(y1, 1), Conf: float64(b[5]) / 255})
	}
	return pages
}

// seedLayoutBytes encodes a generated layout as FuzzExtractWords input.
func seedLayoutBytes() []byte {
	var out []byte
	for i, pg := range generateLayout(3) {
		for j, w := range pg.Words {
			k := 0
			for n, v := range fuzzVocabulary {
				if v == w.Text {
					k = n
				}
			}
			brk := byte(0)
			if i > 0 && j == 0 {
				brk = 0x80
			}
			out = append(out, byte(k), byte(w.X0*255), byte(w.Y0*255), byte((w.X1-w.X0)*255), byte((w.Y1-w.Y0)*1000), 255, brk)
		}
	}
	return out
}
