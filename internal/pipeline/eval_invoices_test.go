package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crescent-idp/crescent/internal/extract"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// evalDoc is one corpus invoice with what the pipeline made of it.
type evalDoc struct {
	folder string // corpus folder, such as invoice2data
	item   expectedDoc
	doc    workspace.Document // every candidate of every field, and the tables
	skip   map[string]bool    // fields not scored in this mode
	// cands are every candidate of every field with the learned scorer's
	// features (text only), for fitting and applying it.
	cands map[string][]extract.FeaturedCandidate
}

// path is the document's path relative to the corpus root, the key of
// invoiceFamilies.
func (d evalDoc) path() string { return d.folder + "/" + d.item.File }

// right reports whether got is the expected value of field, or one of its
// alternates.
func (d evalDoc) right(field string, got any) bool {
	return same(field, d.item.Fields[field], got) || sameAlternate(field, d.item.AlternateFields[field], got)
}

// picker chooses the value of a field of a document among its candidates.
type picker func(d evalDoc, field string) (workspace.Extraction, bool)

// bestCandidate picks what the pipeline ranks first.
func bestCandidate(d evalDoc, field string) (workspace.Extraction, bool) {
	for _, e := range d.doc.Extractions {
		if e.Field == field {
			return e, true
		}
	}
	return workspace.Extraction{}, false
}

// scored calls f for every scalar field of d that is scored: present in
// the truth and not skipped.
func (d evalDoc) scored(f func(field string)) {
	for field := range d.item.Fields {
		if field != "line_items" && !d.skip[field] {
			f(field)
		}
	}
}

// score adds d's scalar fields, valued by pick, to per.
func score(per map[string]*tally, d evalDoc, pick picker) {
	d.scored(func(field string) {
		tl := per[field]
		if tl == nil {
			tl = &tally{}
			per[field] = tl
		}
		tl.truth++
		e, ok := pick(d, field)
		if ok {
			tl.predicted++
		}
		if ok && d.right(field, e.Value) {
			tl.correct++
		}
	})
}

// coreOf sums the tallies of the core fields.
func coreOf(per map[string]*tally) tally {
	var core tally
	for _, f := range coreFields {
		if tl := per[f]; tl != nil {
			core.correct, core.predicted, core.truth = core.correct+tl.correct, core.predicted+tl.predicted, core.truth+tl.truth
		}
	}
	return core
}

// evalInvoices scores a folder of invoices text only and with the
// e-invoice used, prints both per-field tables and checks the quality
// bar. It returns the text-only documents for the cross-folder tables.
func (p *Pipeline) evalInvoices(ctx context.Context, t *testing.T, dir string, items []expectedDoc) []evalDoc {
	t.Helper()
	invoices, _ := workspace.ProcessTypeByID(workspace.ProcessTypeInvoices)
	folder := filepath.Base(dir)
	var textDocs []evalDoc
	for _, textOnly := range []bool{true, false} {
		mode := map[bool]string{true: "text only", false: "e-invoice used"}[textOnly]
		cfg := workspace.ProcessConfig{DataPoints: invoices.DataPoints, UseEmbeddedInvoiceData: !textOnly, OCRLanguages: []string{"eng"}}
		per := map[string]*tally{}
		einvoiceDocs := 0
		for _, it := range items {
			if textOnly && it.XMLPDFMismatch {
				continue
			}
			d, pages, fromXML := p.evalReadDocument(ctx, t, filepath.Join(dir, it.File), cfg)
			if fromXML {
				einvoiceDocs++
			}
			ed := evalDoc{folder: folder, item: it, doc: d, skip: map[string]bool{}}
			if textOnly {
				ed.cands = extract.CandidateFeatures(pages, extract.Options{DataPoints: cfg.DataPoints})
				for _, f := range it.NotInPDFText {
					ed.skip[f] = true
				}
				textDocs = append(textDocs, ed)
			}
			score(per, ed, bestCandidate)
		}
		core := coreOf(per)
		t.Logf("\n%s", table(folder+" / "+mode, per, core))
		_, _, f1 := core.scores()
		switch {
		case textOnly && f1 < 0.85:
			t.Errorf("%s, text only: core F1 %.3f < 0.85", folder, f1)
		case !textOnly && einvoiceDocs == len(items) && f1 < 1:
			t.Errorf("%s, e-invoice used: core F1 %.3f < 1", folder, f1)
		}
	}
	return textDocs
}
