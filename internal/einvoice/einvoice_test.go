package einvoice

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// parseFile runs ParseXML on a testdata file.
func parseFile(t *testing.T, name string) *Invoice {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ParseXML(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ParseXML(%s): %v", name, err)
	}
	return inv
}

// checkInvoice compares inv with want field by field, so that a failure
// names each differing field.
func checkInvoice(t *testing.T, got, want *Invoice) {
	t.Helper()
	if got.Format != want.Format || got.Profile != want.Profile || got.DocumentType != want.DocumentType || got.TypeCode != want.TypeCode {
		t.Errorf("header = %q %q %q %q, want %q %q %q %q", got.Format, got.Profile, got.DocumentType, got.TypeCode,
			want.Format, want.Profile, want.DocumentType, want.TypeCode)
	}
	for k, w := range want.Fields {
		if g := got.Fields[k]; g != w {
			t.Errorf("%s = %q, want %q", k, g, w)
		}
	}
	for k, g := range got.Fields {
		if _, ok := want.Fields[k]; !ok {
			t.Errorf("unexpected %s = %q", k, g)
		}
	}
	if !reflect.DeepEqual(got.LineItems, want.LineItems) {
		t.Errorf("line items:\n got %v\nwant %v", got.LineItems, want.LineItems)
	}
}

// TestParseXMLSamples reads the hand-written samples in testdata, one per
// syntax, and checks every field.
func TestParseXMLSamples(t *testing.T) {
	tests := []struct {
		file string
		want *Invoice
	}{
		{"cii-facturx-en16931.xml", &Invoice{
			Format: FormatCII, Profile: "urn:cen.eu:en16931:2017", DocumentType: TypeInvoice, TypeCode: "380",
			Fields: map[string]string{
				"invoice_number": "FX-2024-0042",
				"invoice_date":   "2024-03-15",
				"sale_date":      "2024-03-12",
				"due_date":       "2024-04-14",
				"currency":       "EUR",
				"seller_name":    "Bürobedarf Nord GmbH",
				"seller_address": "Mönckebergstraße 7, 3. OG, 20095 Hamburg, DE",
				"seller_id":      "DE123456789",
				"seller_email":   "billing@buero-nord.example",
				"buyer_name":     "Stadtbibliothek Kiel",
				"buyer_address":  "Andreas-Gayk-Straße 31, 24103 Kiel, DE",
				"buyer_id":       "DE987654321",
				"buyer_email":    "einkauf@bibliothek.example",
				"order_number":   "PO-7788",
				// The tax basis, not the line total (115.00); the grand
				// total, not the amount due after prepayment (100.00); the
				// tax total in the invoice currency, not in CHF.
				"net_amount":     "120.00",
				"tax_amount":     "19.80",
				"total_amount":   "139.80",
				"account_number": "DE02120300000000202051",
				"swift_code":     "BYLADEM1001",
			},
			LineItems: []map[string]string{
				{"description": "Kopierpapier A4, 80 g/m²", "quantity": "20.0000", "unit": "H87", "unit_price": "4.5000",
					"net_amount": "90.00", "vat_rate": "19.00", "gross_amount": "107.10"},
				{"description": "Fachbuch Buchhaltung", "quantity": "2", "unit": "C62", "unit_price": "12.50",
					"net_amount": "25.00", "vat_rate": "7.00", "gross_amount": "26.75"},
			},
		}},
		{"ubl-invoice-xrechnung.xml", &Invoice{
			Format: FormatUBL, Profile: "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
			DocumentType: TypeInvoice, TypeCode: "380",
			Fields: map[string]string{
				"invoice_number": "UBL-INV-100",
				"invoice_date":   "2024-05-02",
				"sale_date":      "2024-04-30",
				"due_date":       "2024-06-01",
				"currency":       "EUR",
				"seller_name":    "Werkzeuge Lieferant GmbH",
				"seller_address": "Hauptstraße 1, Hinterhaus, 10115 Berlin, DE",
				"seller_id":      "DE111222333",
				"seller_email":   "max.muster@werkzeuge.example",
				"buyer_name":     "Stadtverwaltung Potsdam",
				"buyer_address":  "Rathausplatz 3, 14467 Potsdam, DE",
				"buyer_id":       "DE444555666",
				"order_number":   "4500012345",
				"net_amount":     "190.00",
				"tax_amount":     "36.10",
				"total_amount":   "226.10",
				"account_number": "DE75512108001245126199",
				"swift_code":     "SOGEDEFFXXX",
			},
			LineItems: []map[string]string{
				{"description": "Hammer 500 g", "quantity": "4", "unit": "H87", "unit_price": "25.00",
					"net_amount": "100.00", "vat_rate": "19", "gross_amount": "119.00"},
				{"description": "Akku-Bohrschrauber 18 V", "quantity": "1", "unit": "C62", "unit_price": "100.00",
					"net_amount": "100.00", "vat_rate": "19", "gross_amount": "119.00"},
			},
		}},
		{"ubl-creditnote-peppol.xml", &Invoice{
			Format: FormatUBL, Profile: "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
			DocumentType: TypeCreditNote, TypeCode: "381",
			Fields: map[string]string{
				"invoice_number": "CN-2024-007",
				"invoice_date":   "2024-02-20",
				"due_date":       "2024-03-05",
				"currency":       "EUR",
				"seller_name":    "Bloemen de Vries B.V.",
				"seller_address": "Keizersgracht 100, 1015 CS Amsterdam, NL",
				"seller_id":      "NL001234567B01",
				"seller_email":   "boekhouding@bloemen.example",
				"buyer_name":     "Zonneveld Hospitality NV",
				"buyer_address":  "Grote Markt 5, 1000 Brussel, BE",
				"buyer_id":       "BE0123456789",
				"buyer_email":    "ap@zonneveld.example",
				// A credit note's amounts are reported negative.
				"net_amount":     "-30.00",
				"tax_amount":     "-6.30",
				"total_amount":   "-36.30",
				"account_number": "NL91ABNA0417164300",
				"swift_code":     "ABNANL2A",
				"bank_name":      "ABN AMRO",
			},
			LineItems: []map[string]string{
				{"description": "Tulpenboeket (beschadigd geleverd)", "quantity": "-2", "unit": "C62", "unit_price": "15.00",
					"net_amount": "-30.00", "vat_rate": "21", "gross_amount": "-36.30"},
			},
		}},
		{"zugferd1-comfort.xml", &Invoice{
			Format: FormatZUGFeRD1, Profile: "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort",
			DocumentType: TypeInvoice, TypeCode: "380",
			Fields: map[string]string{
				"invoice_number": "R-1001",
				"invoice_date":   "2014-07-03",
				// No sale_date: the delivery is a month (format 610).
				"due_date": "2014-07-10",
				// From the amounts' currencyID: the code is empty.
				"currency":    "EUR",
				"seller_name": "Muster Handel KG",
				// The tax number: the VAT id is empty.
				"seller_id":      "214/5678/9012",
				"seller_address": "Domplatz 1, 50667 Köln, DE",
				"buyer_name":     "Erika Beispiel",
				"buyer_address":  "Markt 2, 53111 Bonn",
				"order_number":   "B-77",
				"net_amount":     "20.00",
				"tax_amount":     "3.80",
				"total_amount":   "23.80",
				// The payee's account, not the payer's.
				"account_number": "DE89370400440532013000",
				"swift_code":     "COBADEFFXXX",
				"bank_name":      "Commerzbank",
			},
			// The text-only first line is left out.
			LineItems: []map[string]string{
				{"description": "Äpfel, Sorte Boskoop", "quantity": "10.0000", "unit": "KGM", "unit_price": "2.0000",
					"net_amount": "20.00", "vat_rate": "19.00", "gross_amount": "23.80"},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			checkInvoice(t, parseFile(t, tt.file), tt.want)
		})
	}
}

// TestParseXMLCIICreditNote checks that a CII credit note (type 381)
// reports its totals, quantities and line amounts negative, also when the
// producer wrote them negative already.
func TestParseXMLCIICreditNote(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "cii-facturx-en16931.xml"))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("<ram:TypeCode>380</ram:TypeCode>"), []byte("<ram:TypeCode>381</ram:TypeCode>"), 1)
	inv, err := ParseXML(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if inv.DocumentType != TypeCreditNote || inv.TypeCode != "381" {
		t.Errorf("document type = %q (%q), want credit_note (381)", inv.DocumentType, inv.TypeCode)
	}
	for k, want := range map[string]string{"net_amount": "-120.00", "tax_amount": "-19.80", "total_amount": "-139.80"} {
		if got := inv.Fields[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	li := inv.LineItems[0]
	if li["quantity"] != "-20.0000" || li["net_amount"] != "-90.00" || li["gross_amount"] != "-107.10" || li["unit_price"] != "4.5000" {
		t.Errorf("line 1 = %v", li)
	}

	// A credit note already written with negative amounts keeps them.
	for _, amt := range []string{"120.00", "19.80", "139.80", "90.00"} {
		data = bytes.ReplaceAll(data, []byte(">"+amt+"<"), []byte(">-"+amt+"<"))
	}
	if inv, err = ParseXML(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if got := inv.Fields["total_amount"]; got != "-139.80" {
		t.Errorf("negative credit note: total_amount = %q, want -139.80", got)
	}
	if got := inv.LineItems[0]["net_amount"]; got != "-90.00" {
		t.Errorf("negative credit note: line net_amount = %q, want -90.00", got)
	}
}

// TestParseXMLReleaseCandidate reads the 2014 ZUGFeRD release-candidate
// layout: root rsm:Invoice, children in no namespace, dates without a
// DateTimeString element.
func TestParseXMLReleaseCandidate(t *testing.T) {
	const doc = `<?xml version="1.0" encoding="UTF-8"?>
<rsm:Invoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CBFBUY:5">
  <rsm:SpecifiedExchangedDocumentContext>
    <GuidelineSpecifiedDocumentContextParameter><ID>urn:ferd:invoice:rc:comfort</ID></GuidelineSpecifiedDocumentContextParameter>
  </rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
    <ID>RE-1/2</ID><TypeCode>380</TypeCode><IssueDateTime format="102">20140519</IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ApplicableSupplyChainTradeAgreement>
      <SellerTradeParty><Name>Beispiel GmbH</Name></SellerTradeParty>
    </ApplicableSupplyChainTradeAgreement>
    <ApplicableSupplyChainTradeSettlement>
      <InvoiceCurrencyCode>eur</InvoiceCurrencyCode>
      <SpecifiedTradeSettlementMonetarySummation>
        <GrandTotalAmount currencyID="EUR">10.00</GrandTotalAmount>
      </SpecifiedTradeSettlementMonetarySummation>
    </ApplicableSupplyChainTradeSettlement>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:Invoice>`
	inv, err := ParseXML(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"invoice_number": "RE-1/2", "invoice_date": "2014-05-19", "currency": "EUR",
		"seller_name": "Beispiel GmbH", "total_amount": "10.00",
	}
	if inv.Format != FormatZUGFeRD1 || inv.Profile != "urn:ferd:invoice:rc:comfort" || !reflect.DeepEqual(inv.Fields, want) {
		t.Errorf("got %s %s %v, want zugferd1 %v", inv.Format, inv.Profile, inv.Fields, want)
	}
}

// TestParseXMLEncodings reads documents declared ISO-8859-1 and UTF-16.
func TestParseXMLEncodings(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" +
		`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">` +
		"<cbc:ID>1</cbc:ID><cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>M\xfcller & S\xf6hne</cbc:Name>" +
		"</cac:PartyName></cac:Party></cac:AccountingSupplierParty></Invoice>"
	_, err := ParseXML(strings.NewReader(doc))
	if err == nil {
		t.Fatal("unescaped & accepted")
	}
	doc = strings.Replace(doc, "& ", "&amp; ", 1)
	inv, err := ParseXML(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.Fields["seller_name"]; got != "Müller & Söhne" {
		t.Errorf("latin-1: seller_name = %q", got)
	}

	utf8Doc := strings.Replace(strings.Replace(strings.Replace(doc, "ISO-8859-1", "UTF-16", 1), "\xfc", "ü", 1), "\xf6", "ö", 1)
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		var b []byte
		b = order.AppendUint16(b, 0xFEFF)
		for _, u := range utf16.Encode([]rune(utf8Doc)) {
			b = order.AppendUint16(b, u)
		}
		inv, err := ParseXML(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("UTF-16 %v: %v", order, err)
		}
		if got := inv.Fields["seller_name"]; got != "Müller & Söhne" {
			t.Errorf("UTF-16 %v: seller_name = %q", order, got)
		}
	}
}

// TestParseXMLRefusals checks the errors for input that is not an
// e-invoice, unsafe or damaged XML, and over-limit documents.
func TestParseXMLRefusals(t *testing.T) {
	const cii = `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">`
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"empty", "", ErrNotEInvoice},
		{"not XML", "%PDF-1.7 garbage", ErrNotEInvoice},
		{"other root", `<?xml version="1.0"?><html><body/></html>`, ErrNotEInvoice},
		{"root in other namespace", `<Invoice xmlns="urn:example:invoice"><ID>1</ID></Invoice>`, ErrNotEInvoice},
		{"UBL root without namespace", `<Invoice><ID>1</ID></Invoice>`, ErrNotEInvoice},
		{"DOCTYPE with entity (XXE)", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + cii + `&e;</rsm:CrossIndustryInvoice>`, ErrMalformed},
		{"billion laughs", `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>` + cii + `&b;</rsm:CrossIndustryInvoice>`, ErrMalformed},
		{"undeclared entity", cii + `&e;</rsm:CrossIndustryInvoice>`, ErrMalformed},
		{"truncated", cii + `<rsm:ExchangedDocument><ram:ID>1`, ErrMalformed},
		{"two roots", cii + `</rsm:CrossIndustryInvoice><x/>`, ErrMalformed},
		{"too deep", cii + strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth) + `</rsm:CrossIndustryInvoice>`, ErrMalformed},
		{"unknown encoding", `<?xml version="1.0" encoding="EBCDIC-US"?>` + cii + `</rsm:CrossIndustryInvoice>`, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := ParseXML(strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseXML = %v, %v; want %v", inv, err, tt.want)
			}
		})
	}
}

// TestParseXMLLimits checks MaxXMLBytes and MaxElements: exactly at the
// size limit is read, one byte more is refused, without reading on.
func TestParseXMLLimits(t *testing.T) {
	const open = `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">`
	const closing = `</rsm:CrossIndustryInvoice>`
	pad := MaxXMLBytes - len(open) - len(closing)
	doc := open + strings.Repeat(" ", pad) + closing
	if _, err := ParseXML(strings.NewReader(doc)); err != nil {
		t.Errorf("document of exactly MaxXMLBytes: %v", err)
	}
	doc = open + strings.Repeat(" ", pad+1) + closing
	if _, err := ParseXML(strings.NewReader(doc)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("document of MaxXMLBytes+1: %v, want ErrTooLarge", err)
	}
	doc = open + strings.Repeat("<a/>", MaxElements) + closing
	if _, err := ParseXML(strings.NewReader(doc)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("document of MaxElements+1 elements: %v, want ErrTooLarge", err)
	}
}
