package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/crescent-idp/crescent/internal/workspace"
)

type goldenDoc struct {
	Class     string         `json:"class"`
	Fields    map[string]any `json:"fields"`
	LineItems int            `json:"line_items"`
}

// TestGolden runs Extract on the synthetic documents of testdata and
// compares the best candidates with golden.json.
func TestGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]goldenDoc
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	for name, g := range golden {
		t.Run(name, func(t *testing.T) {
			pages := textFilePages(t, filepath.Join("testdata", name))
			res := Extract(pages, Options{})
			if res.Class != g.Class {
				t.Errorf("class = %q, want %q", res.Class, g.Class)
			}
			for f, want := range g.Fields {
				var got any
				if fl := res.Fields[f]; fl != nil && len(fl.Candidates) > 0 {
					got = fl.Candidates[0].Value
				}
				if !same(f, want, got) {
					t.Errorf("%s = %v, want %v", f, got, want)
				}
			}
			if g.LineItems > 0 {
				if n := len(res.Tables["line_items"].Rows); n != g.LineItems {
					t.Errorf("line items = %d, want %d", n, g.LineItems)
				}
			}
		})
	}
}

// TestCustomHints checks user data points with label and pattern hints.
func TestCustomHints(t *testing.T) {
	pages := TextPages("Policy holder:  Jane Roe\nContract ref   CT-99812\nStart date     05.06.2024\nPremium        1.234,50 EUR\n")
	res := Extract(pages, Options{DataPoints: []workspace.DataPoint{
		{Name: "holder", Type: "string", Hints: &workspace.Hints{Labels: []string{"Policy holder"}}},
		{Name: "contract", Type: "string", Hints: &workspace.Hints{Pattern: `CT-\d+`}},
		{Name: "start", Type: "date", Hints: &workspace.Hints{Labels: []string{"Start date"}}},
		{Name: "premium", Type: "amount", Hints: &workspace.Hints{Labels: []string{"Premium"}}},
	}})
	want := map[string]any{"holder": "Jane Roe", "contract": "CT-99812", "start": "2024-06-05", "premium": 1234.5}
	for f, w := range want {
		fl := res.Fields[f]
		if fl == nil || len(fl.Candidates) == 0 || !same(f, w, fl.Candidates[0].Value) {
			t.Errorf("%s = %+v, want %v", f, fl, w)
		}
	}
}

// TestReceiptDataPoints checks the Receipts data point "date".
func TestReceiptDataPoints(t *testing.T) {
	pages := textFilePages(t, "testdata/receipt_de.txt")
	var dps []workspace.DataPoint
	for _, pt := range workspace.ProcessTypes {
		if pt.Name == "Receipts" {
			dps = pt.DataPoints
		}
	}
	res := Extract(pages, Options{DataPoints: dps})
	if fl := res.Fields["date"]; fl == nil || len(fl.Candidates) == 0 || fl.Candidates[0].Value != "2024-02-14" {
		t.Errorf("date = %+v", fl)
	}
	if _, ok := res.Fields["invoice_number"]; ok {
		t.Error("receipt result has invoice_number")
	}
}
