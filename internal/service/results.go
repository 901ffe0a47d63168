package service

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crescent-idp/crescent/internal/extract"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// Results reads processing results and applies review edits.
type Results struct {
	Store       workspace.ResultStore
	Collections *Collections
	Learning    *Learning // nil: accepted documents teach nothing
	Log         *slog.Logger
	Now         func() time.Time
}

// ResultSet is a collection's results with what is needed to show them.
type ResultSet struct {
	Collection workspace.Collection
	Process    workspace.Process
	Documents  []workspace.Document
	Files      map[string]workspace.StatusInfo
}

// Get returns the results of a collection visible to by.
func (r *Results) Get(ctx context.Context, by workspace.Principal, cid string) (ResultSet, error) {
	col, err := r.Collections.Get(ctx, by, cid)
	if err != nil {
		return ResultSet{}, err
	}
	p, err := r.Collections.Processes.GetProcess(ctx, by.OrgID, col.ProcessID)
	if err != nil {
		return ResultSet{}, err
	}
	docs, err := r.Store.Documents(ctx, cid)
	if err != nil {
		return ResultSet{}, err
	}
	files, err := r.Store.FileOutcomes(ctx, cid)
	if err != nil {
		return ResultSet{}, err
	}
	return ResultSet{Collection: col, Process: p, Documents: docs, Files: files}, nil
}

// Pages returns the page texts of a collection visible to by.
func (r *Results) Pages(ctx context.Context, by workspace.Principal, cid string, words bool) (ResultSet, []workspace.PageText, error) {
	col, err := r.Collections.Get(ctx, by, cid)
	if err != nil {
		return ResultSet{}, nil, err
	}
	p, err := r.Collections.Processes.GetProcess(ctx, by.OrgID, col.ProcessID)
	if err != nil {
		return ResultSet{}, nil, err
	}
	files, err := r.Store.FileOutcomes(ctx, cid)
	if err != nil {
		return ResultSet{}, nil, err
	}
	pages, err := r.Store.Pages(ctx, cid, words)
	return ResultSet{Collection: col, Process: p, Files: files}, pages, err
}

// MaxEditChars bounds a reviewer's value and raw value, in characters.
const MaxEditChars = 10_000

// Edit is a reviewer's value for a data point.
type Edit struct {
	Field    string
	Value    any
	RawValue *string
	PageNum  *int
	BBox     []float64
}

// editable finds the document and checks the collection can be edited:
// CodeConflict while it is queued or processing, CodeNotFound for an
// unknown document.
func (r *Results) editable(ctx context.Context, by workspace.Principal, cid, did string) (ResultSet, workspace.Document, error) {
	rs, err := r.Get(ctx, by, cid)
	if err != nil {
		return rs, workspace.Document{}, err
	}
	switch rs.Collection.Status {
	case workspace.StatusNeedsReview, workspace.StatusAccepted:
	default:
		return rs, workspace.Document{}, workspace.Errorf(workspace.CodeConflict, "the collection is %s; results can be edited once it needs review", rs.Collection.Status)
	}
	for _, d := range rs.Documents {
		if d.ID == did {
			return rs, d, nil
		}
	}
	return rs, workspace.Document{}, workspace.NotFound("document")
}

// AddExtraction records a reviewer's value, ranked before every extracted
// candidate. It fails with CodeInvalid for a field that is not a scalar
// data point of the process, a value of the wrong type, or a value or raw
// value over MaxEditChars characters.
func (r *Results) AddExtraction(ctx context.Context, by workspace.Principal, cid, did string, e Edit) (workspace.Extraction, error) {
	rs, d, err := r.editable(ctx, by, cid, did)
	if err != nil {
		return workspace.Extraction{}, err
	}
	dp, err := scalarDataPoint(rs.Process, e.Field)
	if err != nil {
		return workspace.Extraction{}, err
	}
	x, err := userExtraction(dp, e, r.Now())
	if err != nil {
		return workspace.Extraction{}, err
	}
	x.ID, x.DocumentID, x.CollectionID, x.Field, x.Rank = workspace.NewID(), d.ID, cid, dp.Name, -1
	if err := r.Store.AddExtraction(ctx, x); err != nil {
		return workspace.Extraction{}, err
	}
	return r.revalidated(ctx, edited(d, x, false), x), nil
}

// revalidated runs the validators again on d, the document as it stands
// after an edit (set: x added or replaced; x.ID "" for a deletion), and
// returns x with its new validation. The edit is stored already: if
// recording the validation fails, that is logged and x returned as stored
// (the next edit or the accept validates again).
func (r *Results) revalidated(ctx context.Context, d workspace.Document, x workspace.Extraction) workspace.Extraction {
	byID, err := r.validate(ctx, d)
	if err != nil {
		r.log().WarnContext(ctx, "validators not run after an edit", "collection_id", d.CollectionID, "document_id", d.ID, "err", err.Error())
		return x
	}
	if v, ok := byID[x.ID]; ok {
		x.Validation = v
	}
	return x
}

// edited returns d with x in place of the extraction of the same id, or
// added; with remove, d without the extraction of x's id.
func edited(d workspace.Document, x workspace.Extraction, remove bool) workspace.Document {
	out := make([]workspace.Extraction, 0, len(d.Extractions)+1)
	for _, e := range d.Extractions {
		if e.ID != x.ID {
			out = append(out, e)
		}
	}
	if !remove {
		out = append(out, x)
	}
	d.Extractions = out
	return d
}

// validate runs the validators on the values a document holds now (the
// reviewer's first, then the best candidate of each field) and records the
// outcome on the document and on every extraction of a checked field;
// fields without a check get "no check applies".
func (r *Results) validate(ctx context.Context, d workspace.Document) (map[string]workspace.StatusInfo, error) {
	doc, byID := Validate(d)
	return byID, r.Store.SetValidation(ctx, d.ID, doc, byID)
}

// Validate runs the validators on the values a document holds (the
// reviewer's first, then the best candidate of each field) and returns
// the document's validation and every extraction's, by id: fields with a
// check get its outcome, the others "no check applies".
func Validate(d workspace.Document) (workspace.StatusInfo, map[string]workspace.StatusInfo) {
	checks := extract.Validate(chosenValues(d))
	doc := workspace.ValidSkipped
	failed := false
	byID := map[string]workspace.StatusInfo{}
	for _, e := range d.Extractions {
		v := workspace.ValidSkipped
		if c, ok := checks[e.Field]; ok {
			v = workspace.ValidOK
			if !*c.Valid {
				v = workspace.ValidFailed
				v.Msg = c.Msg
				failed = true
			}
			doc = workspace.ValidOK
		}
		byID[e.ID] = v
	}
	if failed {
		doc = workspace.ValidFailed
	}
	return doc, byID
}

// chosen returns the extraction that stands for each field: the lowest
// rank (a reviewer's value is ranked first).
func chosen(d workspace.Document) map[string]workspace.Extraction {
	out := map[string]workspace.Extraction{}
	for _, e := range d.Extractions {
		if c, ok := out[e.Field]; !ok || e.Rank < c.Rank {
			out[e.Field] = e
		}
	}
	return out
}

func chosenValues(d workspace.Document) map[string]any {
	values := map[string]any{}
	for f, e := range chosen(d) {
		values[f] = e.Value
	}
	return values
}

// Accept runs the validators again on every document of a collection
// that needs review, accepts it (CodeConflict in another status), then
// remembers where its values stood (continuous learning).
func (r *Results) Accept(ctx context.Context, by workspace.Principal, cid string) (workspace.Collection, error) {
	rs, err := r.Get(ctx, by, cid)
	if err != nil {
		return workspace.Collection{}, err
	}
	if rs.Collection.Status != workspace.StatusNeedsReview {
		return r.Collections.Accept(ctx, by, cid) // the conflict, said once
	}
	for _, d := range rs.Documents {
		if _, err := r.validate(ctx, d); err != nil {
			return workspace.Collection{}, err
		}
	}
	col, err := r.Collections.Accept(ctx, by, cid)
	if err != nil || r.Learning == nil {
		return col, err
	}
	// Only an accepted collection teaches; the acceptance stands even if
	// remembering fails (the next accept of the supplier teaches again).
	if err := r.Learning.Learn(context.WithoutCancel(ctx), rs.Process, col, rs.Documents); err != nil {
		r.log().WarnContext(ctx, "continuous learning: the accepted collection taught nothing", "collection_id", cid, "err", err.Error())
	}
	return col, nil
}

func (r *Results) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// UpdateExtraction replaces the value of one extraction with a reviewer's.
// It fails as AddExtraction does, and with CodeInvalid for another field.
func (r *Results) UpdateExtraction(ctx context.Context, by workspace.Principal, cid, did, eid string, e Edit) (workspace.Extraction, error) {
	rs, d, err := r.editable(ctx, by, cid, did)
	if err != nil {
		return workspace.Extraction{}, err
	}
	for _, old := range d.Extractions {
		if old.ID != eid {
			continue
		}
		if e.Field != "" && e.Field != old.Field {
			return workspace.Extraction{}, workspace.Invalid("body: field", "an extraction keeps its field; add a new one for another field")
		}
		e.Field = old.Field
		dp, err := scalarDataPoint(rs.Process, old.Field)
		if err != nil {
			return workspace.Extraction{}, err
		}
		if e.PageNum == nil && e.BBox == nil {
			e.PageNum, e.BBox = &old.PageNum, old.BBox
		}
		x, err := userExtraction(dp, e, r.Now())
		if err != nil {
			return workspace.Extraction{}, err
		}
		x.ID, x.DocumentID, x.CollectionID, x.Field, x.Rank, x.CreatedAt = old.ID, d.ID, cid, old.Field, old.Rank, old.CreatedAt
		if err := r.Store.UpdateExtraction(ctx, x); err != nil {
			return workspace.Extraction{}, err
		}
		return r.revalidated(ctx, edited(d, x, false), x), nil
	}
	return workspace.Extraction{}, workspace.NotFound("extraction")
}

// DeleteExtraction removes one extraction.
func (r *Results) DeleteExtraction(ctx context.Context, by workspace.Principal, cid, did, eid string) error {
	_, d, err := r.editable(ctx, by, cid, did)
	if err != nil {
		return err
	}
	if err := r.Store.DeleteExtraction(ctx, did, eid); err != nil {
		return err
	}
	r.revalidated(ctx, edited(d, workspace.Extraction{ID: eid}, true), workspace.Extraction{})
	return nil
}

func scalarDataPoint(p workspace.Process, field string) (workspace.DataPoint, error) {
	for _, dp := range p.Config.DataPoints {
		if dp.Name == field && dp.Type != "table" {
			return dp, nil
		}
	}
	return workspace.DataPoint{}, workspace.Invalid("body: field", fmt.Sprintf("%q is not a data point of this process", field))
}

// userExtraction converts a reviewer's value by the data point's type.
func userExtraction(dp workspace.DataPoint, e Edit, now time.Time) (workspace.Extraction, error) {
	if s, ok := e.Value.(string); ok && utf8.RuneCountInString(s) > MaxEditChars {
		return workspace.Extraction{}, workspace.Invalid("body: value", fmt.Sprintf("a value is at most %d characters", MaxEditChars))
	}
	if e.RawValue != nil && utf8.RuneCountInString(*e.RawValue) > MaxEditChars {
		return workspace.Extraction{}, workspace.Invalid("body: rawValue", fmt.Sprintf("rawValue is at most %d characters", MaxEditChars))
	}
	raw := fmt.Sprint(e.Value)
	if e.RawValue != nil {
		raw = *e.RawValue
	}
	value, conv, err := convertUserValue(dp.Type, e.Value)
	if err != nil {
		return workspace.Extraction{}, err
	}
	if len(e.BBox) != 0 && len(e.BBox) != 4 {
		return workspace.Extraction{}, workspace.Invalid("body: bbox", "bbox is [x0, y0, x1, y1], relative to the page")
	}
	for _, v := range e.BBox {
		if v < 0 || v > 1 || math.IsNaN(v) {
			return workspace.Extraction{}, workspace.Invalid("body: bbox", "bbox coordinates are between 0 and 1")
		}
	}
	page := 0
	if e.PageNum != nil {
		if *e.PageNum < 0 {
			return workspace.Extraction{}, workspace.Invalid("body: pageNum", "pageNum is 1 or more")
		}
		page = *e.PageNum
	}
	now = now.UTC().Truncate(time.Second)
	return workspace.Extraction{
		Value: value, RawValue: raw, ConverterType: conv, Status: workspace.Extracted, Validation: workspace.ValidSkipped,
		Confidence: 1, PageNum: page, BBox: e.BBox, Source: workspace.SourceUser, CreatedAt: now, UpdatedAt: now,
	}, nil
}

func convertUserValue(typ string, v any) (any, string, error) {
	switch typ {
	case "date":
		s, ok := v.(string)
		if _, err := time.Parse("2006-01-02", s); !ok || err != nil {
			return nil, "", workspace.Invalid("body: value", "a date is written YYYY-MM-DD")
		}
		return s, "date", nil
	case "amount", "number":
		switch x := v.(type) {
		case float64:
			return x, typ, nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err == nil {
				return f, typ, nil
			}
		}
		return nil, "", workspace.Invalid("body: value", "an amount is a JSON number such as 1234.56")
	default:
		s, ok := v.(string)
		if !ok {
			return nil, "", workspace.Invalid("body: value", "the value is a string")
		}
		return strings.TrimSpace(s), "string", nil
	}
}
