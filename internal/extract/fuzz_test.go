package extract

import (
	"math"
	"strings"
	"testing"
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
