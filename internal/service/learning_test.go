package service

import (
	"testing"

	"github.com/crescent-idp/crescent/internal/learn"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// TestMergeLearned: a learned value goes first when the field was empty,
// when it agrees with the extractor, or when label and place both agreed
// (learn.Sure); otherwise it comes second and the extractor's choice
// stays. At most three candidates remain, ranked 0, 1, 2.
func TestMergeLearned(t *testing.T) {
	extracted := func() *workspace.Document {
		return &workspace.Document{Extractions: []workspace.Extraction{
			{ID: "a", Field: "invoice_number", Rank: 0, Value: "A-1", Confidence: 0.8},
			{ID: "b", Field: "invoice_number", Rank: 1, Value: "B-2", Confidence: 0.4},
			{ID: "c", Field: "invoice_number", Rank: 2, Value: "C-3", Confidence: 0.3},
			{ID: "t", Field: "total_amount", Rank: 0, Value: 10.0},
		}}
	}
	first := func(d *workspace.Document, field string) (workspace.Extraction, int) {
		var f workspace.Extraction
		n := 0
		for _, e := range d.Extractions {
			if e.Field == field {
				n++
				if e.Rank == 0 {
					f = e
				}
			}
		}
		return f, n
	}
	cases := []struct {
		name  string
		x     workspace.Extraction
		field string
		want  any
		n     int
	}{
		{"sure replaces", workspace.Extraction{Field: "invoice_number", Value: "L-9", Confidence: learn.Sure}, "invoice_number", "L-9", 3},
		{"unsure comes second", workspace.Extraction{Field: "invoice_number", Value: "L-9", Confidence: 0.9}, "invoice_number", "A-1", 3},
		{"agreeing is marked", workspace.Extraction{Field: "invoice_number", Value: "a-1", Confidence: 0.9, Source: "learned"}, "invoice_number", "a-1", 3},
		{"empty field is filled", workspace.Extraction{Field: "due_date", Value: "2025-01-01", Confidence: 0.9}, "due_date", "2025-01-01", 1},
	}
	for _, c := range cases {
		d := extracted()
		mergeLearned(d, c.x)
		got, n := first(d, c.field)
		if got.Value != c.want || n != c.n {
			t.Errorf("%s: first %v of %d, want %v of %d", c.name, got.Value, n, c.want, c.n)
		}
		if c.name == "agreeing is marked" && (got.Source != "learned" || got.Confidence != 0.9) {
			t.Errorf("%s: %+v", c.name, got)
		}
		if c.name == "unsure comes second" {
			for _, e := range d.Extractions {
				if e.Value == "L-9" && e.Rank != 1 {
					t.Errorf("%s: learned value at rank %d", c.name, e.Rank)
				}
			}
		}
	}
}
