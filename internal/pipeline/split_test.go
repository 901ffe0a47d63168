package pipeline

import (
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/extract"
	"github.com/crescent-idp/crescent/internal/workspace"
)

func invoicePage(number, total string, n int) doc.Page {
	p := extract.TextPages("ACME Supplies Ltd\nInvoice No: " + number + "\nInvoice date: 2026-03-01\n\nTotal: " + total + " EUR\n")[0]
	p.Num = n
	return p
}

// TestSplitRanges cuts a file of three invoices, the second of two pages,
// where the invoice number changes.
func TestSplitRanges(t *testing.T) {
	second := invoicePage("INV-2002", "20.00", 3)
	cont := extract.TextPages("continued: more lines of the same invoice\nLine 4 Widget 2 x 5.00\n")[0]
	pages := []doc.Page{invoicePage("INV-1001", "10.00", 1), second, cont, invoicePage("INV-3003", "30.00", 4)}
	typ, _ := workspace.ProcessTypeByID(workspace.ProcessTypeInvoices)
	got := splitRanges(pages, workspace.ProcessConfig{DataPoints: typ.DataPoints})
	want := [][2]int{{0, 1}, {1, 3}, {3, 4}}
	if len(got) != len(want) {
		t.Fatalf("ranges %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ranges %v, want %v", got, want)
		}
	}
}
