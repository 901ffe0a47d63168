package filetype

import (
	"errors"
	"strings"
	"testing"
)

// Tiny e-invoices: only their roots matter to Inspect.
const (
	ciiInvoice = `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
  <rsm:ExchangedDocument><ram:ID>INV-1</ram:ID></rsm:ExchangedDocument>
</rsm:CrossIndustryInvoice>
`
	zugferd1Invoice = "\xef\xbb\xbf" + `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0">
  <rsm:HeaderExchangedDocument/>
</rsm:CrossIndustryDocument>`
	ublInvoice = `<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>INV-2</cbc:ID>
</Invoice>
`
	ublCreditNote = `<?xml version="1.0" encoding="ISO-8859-1"?>
<ubl:CreditNote xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2">
  <Note>Gutschrift f` + "\xfc" + `r R` + "\xfc" + `cksendung</Note>
</ubl:CreditNote >`
	xxeInvoice = `<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>`
	billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol2;</rsm:CrossIndustryInvoice>`
)

func TestInspectXML(t *testing.T) {
	tests := []struct {
		name, doc string
		want      Kind
	}{
		{"cii", ciiInvoice, KindCII},
		{"zugferd1 with BOM", zugferd1Invoice, KindCII},
		{"ubl invoice default namespace", ublInvoice, KindUBL},
		{"ubl credit note latin-1", ublCreditNote, KindUBL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := inspectBytes([]byte(tt.doc), DefaultLimits)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			want := Info{Kind: tt.want, ContentType: "application/xml"}
			if info != want {
				t.Errorf("Inspect = %+v, want %+v", info, want)
			}
		})
	}
}

func TestInspectXMLRefusals(t *testing.T) {
	tests := []struct {
		name, doc string
		want      error
	}{
		{"xxe doctype", xxeInvoice, ErrUnsupported},
		{"billion laughs", billionLaughs, ErrUnsupported},
		{"other root", `<order xmlns="urn:example"><id>1</id></order>`, ErrUnsupported},
		{"invoice root in wrong namespace", `<Invoice xmlns="urn:example:invoice"></Invoice>`, ErrUnsupported},
		{"invoice root without namespace", `<Invoice></Invoice>`, ErrUnsupported},
		{"not well-formed", `<<<>>>`, ErrUnsupported},
		{"utf-16 declared", `<?xml version="1.0" encoding="UTF-16"?><Invoice/>`, ErrUnsupported},
		{"no root in first 64 KiB", "<!--" + strings.Repeat("x", 70<<10) + "-->", ErrUnsupported},
		{"truncated cii", ciiInvoice[:len(ciiInvoice)-40], ErrCorrupt},
		{"cut inside the root tag", ciiInvoice[:len(ciiInvoice)/2], ErrUnsupported},
		{"truncated ubl", ublInvoice[:len(ublInvoice)-12], ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inspectBytes([]byte(tt.doc), DefaultLimits)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Inspect error = %v, want %v", err, tt.want)
			}
			t.Logf("%v", err)
		})
	}
}
