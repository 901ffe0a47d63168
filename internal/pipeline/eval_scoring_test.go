package pipeline

import (
	"testing"

	"github.com/crescent-idp/crescent/internal/workspace"
)

func TestAddressTokenMatch(t *testing.T) {
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"Hauptstr. 1, 12345 Berlin, DE", "hauptstr 1 12345 berlin", true},      // punctuation, case, no country code
		{"Hauptstr. 1, 12345 Berlin, DE", "Hauptstr. 1, 12345 Berlin DE", true}, // country code printed
		{"Hauptstr. 1, 12345 Berlin, DE", "Hauptstr. 1, 12345 Berlin, Germany", true},
		{"Hauptstr. 1, 12345 Berlin, DE", "Nebenweg 7, 12345 Berlin", false},
		{"Hauptstr. 1, 12345 Berlin, DE", "", false},
	} {
		if got := addressTokenMatch(c.want, c.got); got != c.ok {
			t.Errorf("addressTokenMatch(%q, %q) = %v, want %v", c.want, c.got, got, c.ok)
		}
	}
}

func TestLineTallyMatchesByDescription(t *testing.T) {
	cell := func(v any) workspace.Cell { return workspace.Cell{Value: v} }
	d := evalDoc{
		item: expectedDoc{Fields: map[string]any{"line_items": []any{
			map[string]any{"description": "Blue widget", "quantity": 2.0, "net_amount": 10.0},
			map[string]any{"description": "Red gadget, large", "quantity": 1.0, "net_amount": 5.0},
			map[string]any{"description": "Shipping", "net_amount": 3.0},
		}}},
		doc: workspace.Document{Tables: map[string]workspace.Table{"line_items": {Rows: []map[string]workspace.Cell{
			{"description": cell("red gadget large"), "quantity": cell(1.0), "net_amount": cell(5.0)}, // right, other order
			{"description": cell("Blue widget"), "quantity": cell(2.0), "net_amount": cell(12.0)},     // matched, amount wrong
			{"description": cell("Subtotal"), "net_amount": cell(15.0)},                               // unmatched
		}}}},
	}
	var l lineTally
	l.add(d)
	want := lineTally{docs: 1, truth: 3, predicted: 3, matched: 2, right: 1, cells: 4, cellsRight: 3}
	if l != want {
		t.Errorf("got %+v, want %+v", l, want)
	}
}

// recordingFitter remembers the training families of every fit.
type recordingFitter struct{ trained [][]string }

func (*recordingFitter) name() string { return "recording" }

func (r *recordingFitter) fit(train []evalDoc) picker {
	var fams []string
	for _, d := range train {
		fams = append(fams, familyOf(d))
	}
	r.trained = append(r.trained, fams)
	return bestCandidate
}

func TestLeaveOneFamilyOutHoldsOutTheFamily(t *testing.T) {
	doc := func(path string, right bool) evalDoc {
		folder, file := "zugferd-v1", path
		got := "WRONG"
		if right {
			got = "R-1"
		}
		return evalDoc{folder: folder, item: expectedDoc{File: file, Fields: map[string]any{"invoice_number": "R-1"}},
			doc: workspace.Document{Extractions: []workspace.Extraction{{Field: "invoice_number", Value: got}}}}
	}
	docs := []evalDoc{
		doc("Intarsys/ZUGFeRD_1p0_BASIC_Einfach.pdf", true),
		doc("Intarsys/ZUGFeRD_1p0_COMFORT_Einfach.pdf", true),
		doc("Intarsys/ZUGFeRD_1p0_COMFORT_Rabatte.pdf", true),
		doc("4s4u/additional-data-sample-1.pdf", false),
	}
	f := &recordingFitter{}
	scores, macro, micro := leaveOneFamilyOut(docs, f)
	if len(scores) != 2 || len(f.trained) != 2 {
		t.Fatalf("scores %+v, fits %v", scores, f.trained)
	}
	// Each fit sees every family but one, and each family is left out once.
	left := map[string]bool{}
	for _, fits := range f.trained {
		seen := map[string]bool{}
		for _, fam := range fits {
			seen[fam] = true
		}
		for _, s := range scores {
			if !seen[s.family] {
				left[s.family] = true
			}
		}
		if len(seen) != len(scores)-1 {
			t.Errorf("a fit saw families %v", fits)
		}
	}
	if len(left) != len(scores) {
		t.Errorf("families left out: %v", left)
	}
	// One family right, one wrong: macro 0.5 although 3 of 4 documents are right.
	if macro != 0.5 {
		t.Errorf("macro %v, want 0.5", macro)
	}
	if micro != (tally{3, 4, 4}) {
		t.Errorf("micro %+v", micro)
	}
}
