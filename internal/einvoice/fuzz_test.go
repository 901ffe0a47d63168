package einvoice

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseXML checks that ParseXML neither panics nor hangs on any input,
// that every error is one of the three kinds, and that a result is
// well-formed: known format and type, decimal amounts, ISO dates.
func FuzzParseXML(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"<",
		`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>`,
		`<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"><rsm:ExchangedDocument><ID>1</ID><TypeCode>381</TypeCode></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>`,
		`<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"><LegalMonetaryTotal><TaxInclusiveAmount>-0.00</TaxInclusiveAmount></LegalMonetaryTotal></CreditNote>`,
		`<rsm:Invoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CBFBUY:5"><rsm:HeaderExchangedDocument><IssueDateTime format="102">20140231</IssueDateTime></rsm:HeaderExchangedDocument></rsm:Invoice>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		inv, err := ParseXML(bytes.NewReader(data))
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("ParseXML took %v on %d bytes", d, len(data))
		}
		if err != nil {
			if inv != nil {
				t.Errorf("ParseXML returned an invoice and %v", err)
			}
			if !errors.Is(err, ErrNotEInvoice) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Errorf("error of no known kind: %v", err)
			}
			return
		}
		checkWellFormed(t, inv)
	})
}

// checkWellFormed fails t if inv breaks the documented value formats.
func checkWellFormed(t *testing.T, inv *Invoice) {
	t.Helper()
	switch inv.Format {
	case FormatCII, FormatZUGFeRD1, FormatUBL:
	default:
		t.Errorf("format %q", inv.Format)
	}
	if inv.DocumentType != TypeInvoice && inv.DocumentType != TypeCreditNote {
		t.Errorf("document type %q", inv.DocumentType)
	}
	if inv.Fields == nil {
		t.Fatal("nil Fields")
	}
	for k, v := range inv.Fields {
		if v == "" {
			t.Errorf("empty %s", k)
		}
	}
	for _, k := range []string{"net_amount", "tax_amount", "total_amount"} {
		if v, ok := inv.Fields[k]; ok && decimal(v) != v {
			t.Errorf("%s = %q is not a decimal", k, v)
		}
	}
	for _, k := range []string{"invoice_date", "sale_date", "due_date"} {
		if v, ok := inv.Fields[k]; ok {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				t.Errorf("%s = %q is not a date", k, v)
			}
		}
	}
	for _, li := range inv.LineItems {
		for _, k := range []string{"quantity", "unit_price", "net_amount", "vat_rate", "gross_amount"} {
			if v, ok := li[k]; ok && decimal(v) != v {
				t.Errorf("line %s = %q is not a decimal", k, v)
			}
		}
	}
}

// BenchmarkParseXML measures ParseXML on the Factur-X sample.
func BenchmarkParseXML(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "cii-facturx-en16931.xml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseXML(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFromPDF measures FromPDF on a minimal PDF carrying the
// Factur-X sample.
func BenchmarkFromPDF(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "cii-facturx-en16931.xml"))
	if err != nil {
		b.Fatal(err)
	}
	pdf := buildPDF("/Names << /EmbeddedFiles << /Names [(factur-x.xml) 4 0 R] >> >>",
		fileSpecObj("factur-x.xml", 5), embeddedFile(data))
	b.SetBytes(int64(len(pdf)))
	for b.Loop() {
		if _, err := FromPDF(bytes.NewReader(pdf)); err != nil {
			b.Fatal(err)
		}
	}
}
