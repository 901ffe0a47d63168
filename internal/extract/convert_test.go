package extract

import (
	"math"
	"testing"
)

func TestParseDate(t *testing.T) {
	cases := map[string]string{
		"2023-03-20": "2023-03-20", "20.03.2023": "2023-03-20", "03/20/2023": "2023-03-20", "20/03/2023": "2023-03-20",
		"20 March 2023": "2023-03-20", "20. März 2023": "2023-03-20", "20 mars 2023": "2023-03-20",
		"20 marca 2023": "2023-03-20", "Mar 20, 2023": "2023-03-20", "August 3 , 2014": "2014-08-03",
		"7. Mai 2014": "2014-05-07", "1er décembre 2022": "2022-12-01", "19 april 2014": "2014-04-19",
		"8-9-2022": "2022-09-08", "20-10-2015": "2015-10-20", "01.09.13": "2013-09-01", "Jan 1, 2022": "2022-01-01",
		"Monday, 20 March 2023": "2023-03-20", "2023/03/20": "2023-03-20", "20-Mar-2023": "2023-03-20",
		"15 października 2021": "2021-10-15",
	}
	for in, want := range cases {
		if got, ok := ParseDate(in); !ok || got != want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "31.02.2023", "2023", "12,50", "hello", "13/13/2023", "20 Foo 2023", "1234567"} {
		if got, ok := ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) = %q, want failure", bad, got)
		}
	}
	if got, _, amb := parseDate("04/05/2023", true); got != "2023-04-05" || !amb {
		t.Errorf("month-first 04/05/2023 = %q amb %v", got, amb)
	}
}

func TestParseAmount(t *testing.T) {
	cases := map[string]float64{
		"1,234.56": 1234.56, "1.234,56": 1234.56, "1 234,56": 1234.56, "1'234.56": 1234.56, "-12,00": -12,
		"12,00-": -12, "(12.00)": -12, "€ 399,00": 399, "45,93 €": 45.93, "$4.11": 4.11, "Rs 1939": 1939,
		"316,83 PLN": 316.83, "EUR 529,87": 529.87, "0,052": 0.052, "10000,0000": 10000, "1.000": 1000,
		"3.441.812": 3441812, "-0,92": -0.92, "12 zł": 12, "USD 1,740.60": 1740.6,
	}
	for in, want := range cases {
		if got, ok := ParseAmount(in); !ok || math.Abs(got-want) > 1e-9 {
			t.Errorf("ParseAmount(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "abc", "01.05.14", "1,2,3", "12.34.56", "EUR", "12a", "1.23.456,00", "--"} {
		if got, ok := ParseAmount(bad); ok {
			t.Errorf("ParseAmount(%q) = %v, want failure", bad, got)
		}
	}
}

func TestNormalizeIBAN(t *testing.T) {
	good := map[string]string{
		"DE89 3704 0044 0532 0130 00": "DE89370400440532013000", "nl50ingb0683251309": "NL50INGB0683251309",
		"FR76 1010 7002 4500 6170 5231 739": "FR7610107002450061705231739", "GB33BUKB20201555555555": "GB33BUKB20201555555555",
	}
	for in, want := range good {
		if got, ok := NormalizeIBAN(in); !ok || got != want {
			t.Errorf("NormalizeIBAN(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"DE89370400440532013001", "US1234567890", "DE8937040044053201300", ""} {
		if _, ok := NormalizeIBAN(bad); ok {
			t.Errorf("NormalizeIBAN(%q) ok", bad)
		}
	}
}

func TestNormalizeVATID(t *testing.T) {
	good := map[string]string{
		"DE 136 695 976": "DE136695976", "DE232446240": "DE232446240", "NL810433941B01": "NL810433941B01",
		"FR 604 219 388 61": "FR60421938861", "774-00-01-454": "7740001454", "PL 526-104-08-28": "PL5261040828",
		"ATU13585627": "ATU13585627", "BE0403170701": "BE0403170701", "IT00743110157": "IT00743110157",
		"GB 980 7806 84": "GB980780684", "ESA28015865": "ESA28015865",
	}
	for in, want := range good {
		if got, ok := NormalizeVATID(in); !ok || got != want {
			t.Errorf("NormalizeVATID(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"DE136695977", "7740001455", "FR61421938861", "XX123456789", "NL810433941", "", "ATU13585628"} {
		if got, ok := NormalizeVATID(bad); ok {
			t.Errorf("NormalizeVATID(%q) = %q ok", bad, got)
		}
	}
}

func TestTextPages(t *testing.T) {
	p := TextPages("Invoice No:  42\n\n  Total   12,50\n")
	if len(p) != 1 || len(p[0].Words) != 5 {
		t.Fatalf("pages = %+v", p)
	}
	w := p[0].Words[3]
	if w.Text != "Total" || w.X0 <= 0 || w.Y0 <= p[0].Words[0].Y1 {
		t.Errorf("word %+v", w)
	}
	x := newExtractor(p, false)
	if n := len(x.l.lines[0].segs); n != 2 {
		t.Errorf("segments of first line = %d, want 2", n)
	}
}

func TestClassify(t *testing.T) {
	cases := map[string]string{
		"GUTSCHRIFT Nr. 12\nBetrag -10,00": "credit_note", "Kassenbon\nSUMME 3,00": "receipt",
		"Faktura VAT nr 1/2023": "invoice", "Dear Sir, hello": "other", "Facture d'avoir n° 7": "credit_note",
	}
	for in, want := range cases {
		if got := Classify(TextPages(in)); got != want {
			t.Errorf("Classify(%q) = %q, want %q", in, got, want)
		}
	}
}
