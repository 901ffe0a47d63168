package einvoice

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/crescent-idp/crescent/internal/pdftest"
)

// buildPDF returns a one-page PDF 1.3 whose catalog has the extra entries
// catalog, followed by objs as objects 4, 5, ...
func buildPDF(catalog string, objs ...string) []byte {
	return pdftest.Assemble("1.3", append([]string{
		"<< /Type /Catalog /Pages 2 0 R " + catalog + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}, objs...)...)
}

// embeddedFile returns an EmbeddedFile stream object holding data,
// Flate-compressed.
func embeddedFile(data []byte) string {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(data)
	w.Close()
	return fmt.Sprintf("<< /Type /EmbeddedFile /Subtype /text#2Fxml /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", z.Len(), z.Bytes())
}

// fileSpec returns a file specification named name for the embedded file
// object nr, as PDF/A-3 invoices write it.
func fileSpecObj(name string, nr int) string {
	return fmt.Sprintf("<< /Type /Filespec /F (%s) /UF (%s) /AFRelationship /Alternative /EF << /F %d 0 R /UF %d 0 R >> >>", name, name, nr, nr)
}

// readTestdata returns a testdata file.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFromPDF embeds the samples in minimal PDFs in the ways producers do
// and checks which invoice, or which error, FromPDF returns.
func TestFromPDF(t *testing.T) {
	cii := readTestdata(t, "cii-facturx-en16931.xml")
	ubl := readTestdata(t, "ubl-invoice-xrechnung.xml")
	zf1 := readTestdata(t, "zugferd1-comfort.xml")
	tests := []struct {
		name    string
		pdf     []byte
		number  string // invoice_number expected
		wantErr error
	}{
		{"factur-x.xml in the name tree", buildPDF(
			"/Names << /EmbeddedFiles << /Names [(factur-x.xml) 4 0 R] >> >> /AF [4 0 R]",
			fileSpecObj("factur-x.xml", 5), embeddedFile(cii)),
			"FX-2024-0042", nil},
		{"ZUGFeRD-invoice.xml", buildPDF(
			"/Names << /EmbeddedFiles << /Names [(ZUGFeRD-invoice.xml) 4 0 R] >> >>",
			fileSpecObj("ZUGFeRD-invoice.xml", 5), embeddedFile(zf1)),
			"R-1001", nil},
		{"xrechnung.xml after another file, in a tree with kids", buildPDF(
			"/Names << /EmbeddedFiles 4 0 R >>",
			"<< /Kids [5 0 R] >>",
			"<< /Limits [(a.txt) (xrechnung.xml)] /Names [(a.txt) 6 0 R (xrechnung.xml) 8 0 R] >>",
			fileSpecObj("a.txt", 7), embeddedFile([]byte("hello")),
			fileSpecObj("xrechnung.xml", 9), embeddedFile(ubl)),
			"UBL-INV-100", nil},
		{"an invoice under another name", buildPDF(
			"/Names << /EmbeddedFiles << /Names [(notes.xml) 4 0 R (rechnung-4711.xml) 6 0 R] >> >>",
			fileSpecObj("notes.xml", 5), embeddedFile([]byte(`<notes><note>hi</note></notes>`)),
			fileSpecObj("rechnung-4711.xml", 7), embeddedFile(ubl)),
			"UBL-INV-100", nil},
		{"attached through /AF only", buildPDF(
			"/AF [4 0 R]",
			fileSpecObj("factur-x.xml", 5), embeddedFile(cii)),
			"FX-2024-0042", nil},
		{"no attachment", buildPDF(""), "", ErrNotEInvoice},
		{"an XML attachment that is no invoice", buildPDF(
			"/Names << /EmbeddedFiles << /Names [(data.xml) 4 0 R] >> >>",
			fileSpecObj("data.xml", 5), embeddedFile([]byte(`<?xml version="1.0"?><order/>`))),
			"", ErrNotEInvoice},
		{"cyclic name tree", buildPDF(
			"/Names << /EmbeddedFiles 4 0 R >>",
			"<< /Kids [4 0 R] >>"),
			"", ErrNotEInvoice},
		{"wide cyclic name tree", buildPDF(
			"/Names << /EmbeddedFiles 4 0 R >>",
			"<< /Kids [4 0 R 4 0 R 4 0 R 4 0 R 4 0 R 4 0 R 4 0 R 4 0 R 4 0 R 4 0 R] >>"),
			"", ErrNotEInvoice},
		{"an invoice attached through /AF beside a named file", buildPDF(
			"/Names << /EmbeddedFiles << /Names [(a.txt) 4 0 R] >> >> /AF [6 0 R]",
			fileSpecObj("a.txt", 5), embeddedFile([]byte("hello")),
			fileSpecObj("factur-x.xml", 7), embeddedFile(cii)),
			"FX-2024-0042", nil},
		{"a large attachment that is not XML", buildPDF(
			"/Names << /EmbeddedFiles << /Names [(scan.tif) 4 0 R] >> >>",
			fileSpecObj("scan.tif", 5), embeddedFile(make([]byte, 2*MaxXMLBytes))),
			"", ErrNotEInvoice},
		{"a damaged invoice XML", buildPDF(
			"/Names << /EmbeddedFiles << /Names [(factur-x.xml) 4 0 R] >> >>",
			fileSpecObj("factur-x.xml", 5), embeddedFile(cii[:len(cii)/2])),
			"", ErrMalformed},
		{"a compression bomb", buildPDF(
			"/Names << /EmbeddedFiles << /Names [(factur-x.xml) 4 0 R] >> >>",
			fileSpecObj("factur-x.xml", 5), embeddedFile(make([]byte, MaxXMLBytes+1))),
			"", ErrTooLarge},
		{"not a PDF", []byte("hello, world"), "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := FromPDF(bytes.NewReader(tt.pdf))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("FromPDF = %v, %v; want %v", inv, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromPDF: %v", err)
			}
			if got := inv.Fields["invoice_number"]; got != tt.number {
				t.Errorf("invoice_number = %q, want %q", got, tt.number)
			}
		})
	}
}
