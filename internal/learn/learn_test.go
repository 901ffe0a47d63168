package learn

import (
	"testing"

	"github.com/crescent-idp/crescent/internal/extract"
)

// Two invoices of one supplier in a layout the extractor does not know:
// the number sits after an unusual label, the date under a heading.
const first = `Nordwind Handel GmbH
Hafenweg 3, 20457 Hamburg
USt-IdNr. DE136695976

Beleg-Kennung 77-A-1903          Ausgestellt
                                 14.02.2025
Summe zu zahlen 1.190,00 EUR
`

const second = `Nordwind Handel GmbH
Hafenweg 3, 20457 Hamburg
USt-IdNr. DE136695976

Beleg-Kennung 77-B-2211          Ausgestellt
                                 03.03.2025
Summe zu zahlen 595,00 EUR
`

func TestRememberAndApply(t *testing.T) {
	p1 := extract.TextPages(first)
	mems := Remember(p1, []Accepted{
		{Field: "invoice_number", Value: "77-A-1903", Converter: "string"},
		{Field: "invoice_date", Value: "2025-02-14", Converter: "date"},
		{Field: "total_amount", Value: 1190.0, Converter: "amount"},
		{Field: "seller_name", Value: "Nordwind Handel GmbH", Converter: "string"},
		{Field: "buyer_name", Value: "Nobody", Converter: "string"}, // not on the page: not remembered
	})
	if len(mems) != 4 {
		t.Fatalf("memories %+v, want 4", mems)
	}
	if mems[0].Label != "beleg kennung" || mems[1].Label != "ausgestellt" || !mems[1].Above {
		t.Errorf("labels: %q, %q above=%v", mems[0].Label, mems[1].Label, mems[1].Above)
	}
	got := map[string]any{}
	for _, f := range Apply(extract.TextPages(second), mems) {
		got[f.Field] = f.Value
		if f.Confidence < 0.9 {
			t.Errorf("%s: confidence %v", f.Field, f.Confidence)
		}
	}
	want := map[string]any{"invoice_number": "77-B-2211", "invoice_date": "2025-03-03", "total_amount": 595.0, "seller_name": "Nordwind Handel GmbH"}
	for f, v := range want {
		if got[f] != v {
			t.Errorf("%s = %v, want %v", f, got[f], v)
		}
	}
}

func TestSupplierKeys(t *testing.T) {
	keys := SupplierKeys(map[string]any{"seller_id": "DE 136 695 976", "account_number": "DE89 3704 0044 0532 0130 00", "seller_name": "ACME  GmbH & Co. KG"})
	want := []string{"vat:DE136695976", "iban:DE89370400440532013000", "name:acme gmbh co kg"}
	if len(keys) != len(want) {
		t.Fatalf("keys %v", keys)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("key %d = %q, want %q", i, keys[i], want[i])
		}
	}
	if k := SupplierKeys(map[string]any{"seller_id": 7, "seller_name": "AB"}); len(k) != 0 {
		t.Errorf("keys of nothing usable: %v", k)
	}
}

// An address accepted as one line is found on the page over several
// lines, and read back on the supplier's next receipt as it was accepted.
func TestAddressOverLines(t *testing.T) {
	receipt := func(total string) string {
		return "KEDAI BUKU SERI MAJU SDN BHD\nLOT 12, JALAN MERANTI 3/2,\nTAMAN MERANTI JAYA\n47100 PUCHONG\nTEL 03-8888 1234\n\nTOTAL " + total + "\n"
	}
	addr := "LOT 12, JALAN MERANTI 3/2, TAMAN MERANTI JAYA 47100 PUCHONG"
	mems := Remember(extract.TextPages(receipt("12.50")), []Accepted{{Field: "seller_address", Value: addr, Converter: "string"}})
	if len(mems) != 1 {
		t.Fatalf("memories %+v", mems)
	}
	found := Apply(extract.TextPages(receipt("7.90")), mems)
	if len(found) != 1 || found[0].Value != addr || found[0].Confidence != Sure {
		t.Fatalf("found %+v", found)
	}
	// Another shop's receipt does not hold the address: nothing is found
	// there by the remembered value.
	other := "TOKO LAIN\nJALAN LAIN 1\nTOTAL 3.00\n"
	for _, f := range Apply(extract.TextPages(other), mems) {
		if f.Value == addr {
			t.Fatalf("found the remembered address on another shop's receipt: %+v", f)
		}
	}
}
