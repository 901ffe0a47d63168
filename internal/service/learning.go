package service

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/extract"
	"github.com/crescent-idp/crescent/internal/learn"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// Learning is continuous learning: accepted documents are remembered per
// organization and supplier, and the next document of that supplier is
// read with those memories first.
type Learning struct {
	Store     workspace.LearningStore
	Results   workspace.ResultStore
	Processes workspace.ProcessStore
	Now       func() time.Time
}

// memoriesRead bounds the memories applied to one document.
const memoriesRead = 200

// Learn remembers where every chosen value of docs, the documents of an
// accepted collection, stood, under each identity of its supplier. A
// collection of a process with learning off teaches nothing; its earlier
// memories are removed. It fails only when the database does.
func (l *Learning) Learn(ctx context.Context, proc workspace.Process, col workspace.Collection, docs []workspace.Document) error {
	if !proc.Config.LearningOn() {
		return l.Store.SaveMemories(ctx, col.OrgID, proc.ID, col.ID, nil, l.Now().UTC())
	}
	pages, err := l.Results.Pages(ctx, col.ID, true)
	if err != nil {
		return err
	}
	var mems []workspace.Memory
	for _, d := range docs {
		best := chosen(d)
		values := map[string]any{}
		var accepted []learn.Accepted
		for f, e := range best {
			values[f] = e.Value
			if e.Source == workspace.SourceEInvoice {
				continue // not read from the page
			}
			accepted = append(accepted, learn.Accepted{Field: f, Value: e.Value, Raw: e.RawValue, Converter: e.ConverterType,
				Page: e.PageNum - d.FirstPage + 1, BBox: e.BBox})
		}
		keys := learn.SupplierKeys(values)
		if len(keys) == 0 {
			continue
		}
		sort.Slice(accepted, func(i, j int) bool { return accepted[i].Field < accepted[j].Field })
		for _, m := range learn.Remember(documentPages(pages, d), accepted) {
			data, err := json.Marshal(m)
			if err != nil {
				return fmt.Errorf("encode memory: %w", err)
			}
			for _, k := range keys {
				mems = append(mems, workspace.Memory{SupplierKey: k, Field: m.Field, Data: data})
			}
		}
	}
	return l.Store.SaveMemories(ctx, col.OrgID, proc.ID, col.ID, mems, l.Now().UTC())
}

// documentPages decodes the stored pages of one document, in order.
func documentPages(pages []workspace.PageText, d workspace.Document) []doc.Page {
	var out []doc.Page
	for _, pt := range pages {
		if pt.DocumentID != d.ID {
			continue
		}
		pg := doc.Page{Num: pt.PageNum, Source: doc.Source(pt.Source)}
		_ = json.Unmarshal(pt.Words, &pg.Words)
		out = append(out, pg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Num < out[j].Num })
	return out
}

// Apply reads the document's fields where the memories of its supplier in
// the organization say they stand; only scalar data points of dataPoints
// are read. A value found this way is marked "learned" and ranked as
// mergeLearned says; then the validators run again. It fails only when
// the database does.
func (l *Learning) Apply(ctx context.Context, orgID string, dataPoints []workspace.DataPoint, pages []doc.Page, d *workspace.Document) error {
	scalar := map[string]bool{}
	for _, dp := range dataPoints {
		scalar[dp.Name] = dp.Type != "table"
	}
	keys := learn.DocumentKeys(chosenValues(*d), pages)
	if len(keys) == 0 {
		return nil
	}
	stored, err := l.Store.Memories(ctx, orgID, keys, memoriesRead)
	if err != nil {
		return err
	}
	if len(stored) == 0 {
		return nil
	}
	mems := make([]learn.Memory, 0, len(stored))
	for _, s := range stored {
		var m learn.Memory
		if json.Unmarshal(s.Data, &m) == nil && scalar[m.Field] {
			mems = append(mems, m)
		}
	}
	for _, f := range learn.Apply(pages, mems) {
		if !scalar[f.Field] {
			continue
		}
		value, ok := normalizeLearned(f.Converter, f.Value)
		if !ok {
			continue
		}
		mergeLearned(d, workspace.Extraction{
			ID: workspace.NewID(), DocumentID: d.ID, CollectionID: d.CollectionID, Field: f.Field, Value: value, RawValue: f.Raw,
			ConverterType: f.Converter, ConverterFormat: "learned", Status: workspace.Extracted, Validation: workspace.ValidSkipped,
			Confidence: f.Confidence, PageNum: f.Page + d.FirstPage - 1, BBox: []float64{f.BBox[0], f.BBox[1], f.BBox[2], f.BBox[3]},
			Source: workspace.SourceLearned,
		})
	}
	docV, byID := Validate(*d)
	d.Validation = docV
	for i := range d.Extractions {
		d.Extractions[i].Validation = byID[d.Extractions[i].ID]
	}
	return nil
}

// normalizeLearned writes ids as the extractor does; ok is false for a
// value that is not one.
func normalizeLearned(conv string, v any) (any, bool) {
	s, _ := v.(string)
	switch conv {
	case "iban":
		return extract.NormalizeIBAN(strings.ReplaceAll(s, " ", ""))
	case "vat_id":
		return extract.NormalizeVATID(s)
	}
	return v, true
}

// mergeLearned adds x to the candidates of its field: first when it equals
// the extractor's choice, when the field was empty, or when it is sure
// (learn.Sure); second otherwise. An equal candidate is replaced; at most
// three stay.
func mergeLearned(d *workspace.Document, x workspace.Extraction) {
	var kept []workspace.Extraction
	var field []workspace.Extraction
	agrees := false
	for _, e := range d.Extractions {
		if e.Field != x.Field {
			kept = append(kept, e)
		} else if !sameValue(e.Value, x.Value) {
			field = append(field, e)
		} else {
			x.Confidence = math.Max(x.Confidence, e.Confidence)
			agrees = agrees || e.Rank == 0
		}
	}
	sort.SliceStable(field, func(i, j int) bool { return field[i].Rank < field[j].Rank })
	at := 0
	if !agrees && len(field) > 0 && x.Confidence < learn.Sure {
		at = 1
	}
	field = append(field[:at:at], append([]workspace.Extraction{x}, field[at:]...)...)
	if len(field) > 3 {
		field = field[:3]
	}
	for i := range field {
		field[i].Rank = i
	}
	d.Extractions = append(kept, field...)
}

func sameValue(a, b any) bool {
	fa, ok1 := a.(float64)
	fb, ok2 := b.(float64)
	if ok1 && ok2 {
		return math.Abs(fa-fb) < 0.005
	}
	return strings.EqualFold(strings.Join(strings.Fields(fmt.Sprint(a)), " "), strings.Join(strings.Fields(fmt.Sprint(b)), " "))
}

// Reset forgets everything learned in a process visible to by.
func (l *Learning) Reset(ctx context.Context, by workspace.Principal, pid string) (int, error) {
	if !by.CanSeeProcess(pid) {
		return 0, workspace.NotFound("process")
	}
	if err := l.Processes.ProcessExists(ctx, by.OrgID, pid); err != nil {
		return 0, err
	}
	return l.Store.ResetLearning(ctx, by.OrgID, pid)
}
