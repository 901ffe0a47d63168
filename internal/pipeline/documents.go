package pipeline

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/einvoice"
	"github.com/crescent-idp/crescent/internal/extract"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// documents turns what was read from one file into documents with their
// extractions: the e-invoice when there is one and the process uses it,
// otherwise template-free extraction from the page words, split into
// several documents when the collection asks for it.
func (p *Pipeline) documents(col workspace.Collection, f workspace.File, read readResult, cfg workspace.ProcessConfig) []workspace.Document {
	if read.status.Code != workspace.FileCompleted.Code {
		return nil
	}
	if read.invoice != nil && (cfg.UseEmbeddedInvoiceData || len(read.pages) == 0) {
		d := fromInvoice(read.invoice, cfg)
		d.FirstPage, d.LastPage = 1, max(1, len(read.pages))
		return []workspace.Document{finish(d, col, f, 0)}
	}
	ranges := [][2]int{{0, len(read.pages)}}
	if col.Split && len(read.pages) > 1 {
		ranges = splitRanges(read.pages, cfg)
	}
	var out []workspace.Document
	for i, r := range ranges {
		pages := read.pages[r[0]:r[1]]
		res := extract.Extract(pages, extract.Options{DataPoints: cfg.DataPoints})
		d := fromExtraction(res, pages, cfg)
		d.FirstPage, d.LastPage = r[0]+1, max(r[0]+1, r[1])
		out = append(out, finish(d, col, f, i))
	}
	return out
}

// finish sets the identity of a document.
func finish(d workspace.Document, col workspace.Collection, f workspace.File, i int) workspace.Document {
	d.ID, d.CollectionID, d.FileID, d.Position = workspace.NewID(), col.ID, f.ID, i
	d.Name = f.Name
	if i > 0 {
		d.Name = fmt.Sprintf("%s (%d)", f.Name, i+1)
	}
	for j := range d.Extractions {
		d.Extractions[j].ID = workspace.NewID()
	}
	return d
}

// splitRanges starts a new document at every page whose invoice number
// differs from the current document's: a file of several invoices.
func splitRanges(pages []doc.Page, cfg workspace.ProcessConfig) [][2]int {
	var out [][2]int
	start, current := 0, ""
	for i := range pages {
		res := extract.Extract(pages[i:i+1], extract.Options{DataPoints: cfg.DataPoints})
		num := ""
		if f := res.Fields["invoice_number"]; f != nil && len(f.Candidates) > 0 {
			num = fmt.Sprint(f.Candidates[0].Value)
		}
		if i > 0 && num != "" && current != "" && num != current {
			out = append(out, [2]int{start, i})
			start = i
		}
		if num != "" && (current == "" || start == i) {
			current = num
		}
	}
	return append(out, [2]int{start, len(pages)})
}

// converterOf names the converter of a data point type.
func converterOf(typ string) string {
	switch typ {
	case "date", "amount", "number":
		return typ
	}
	return "string"
}

// fromInvoice maps an e-invoice to a document: every stated value with
// confidence 1 and source einvoice.
func fromInvoice(inv *einvoice.Invoice, cfg workspace.ProcessConfig) workspace.Document {
	d := workspace.Document{Class: inv.DocumentType, ClassStatus: workspace.ClassCompleted, Validation: workspace.ValidOK, Tables: map[string]workspace.Table{}}
	for _, dp := range cfg.DataPoints {
		if dp.Type == "table" {
			if dp.Name == "line_items" {
				d.Tables[dp.Name] = invoiceTable(inv.LineItems, dp.Columns)
			}
			continue
		}
		raw, ok := inv.Fields[dp.Name]
		if !ok || raw == "" {
			continue
		}
		d.Extractions = append(d.Extractions, workspace.Extraction{
			Field: dp.Name, Value: typedValue(dp.Type, raw), RawValue: raw, ConverterType: converterOf(dp.Type),
			Status: workspace.Extracted, Validation: workspace.ValidOK, Confidence: 1, Source: workspace.SourceEInvoice,
		})
	}
	return d
}

// typedValue converts an e-invoice's canonical text (dates YYYY-MM-DD,
// amounts with '.') to the data point's JSON type.
func typedValue(typ, raw string) any {
	if typ == "amount" || typ == "number" {
		if f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64); err == nil {
			return f
		}
	}
	return strings.TrimSpace(raw)
}

var numericColumns = map[string]bool{"quantity": true, "unit_price": true, "net_amount": true, "vat_rate": true, "gross_amount": true}

func invoiceTable(items []map[string]string, columns []string) workspace.Table {
	t := workspace.Table{Columns: columns, Rows: []map[string]workspace.Cell{}}
	for _, it := range items {
		row := map[string]workspace.Cell{}
		for _, c := range columns {
			raw, ok := it[c]
			if !ok {
				continue
			}
			typ := "string"
			if numericColumns[c] {
				typ = "number"
			}
			row[c] = workspace.Cell{Value: typedValue(typ, raw), RawValue: raw, Confidence: 1, BBox: []float64{}}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// fromExtraction maps an extraction result to a document.
func fromExtraction(res extract.Result, pages []doc.Page, cfg workspace.ProcessConfig) workspace.Document {
	d := workspace.Document{Class: res.Class, ClassStatus: workspace.ClassCompleted, Validation: workspace.ValidSkipped, Tables: map[string]workspace.Table{}}
	if res.Class == "" {
		d.ClassStatus = workspace.ClassSkipped
	}
	source := workspace.SourceText
	for _, pg := range pages {
		if pg.Source == doc.SourceOCR {
			source = workspace.SourceOCR
		}
	}
	checked, failed := 0, 0
	for _, dp := range cfg.DataPoints {
		if dp.Type == "table" {
			if t := res.Tables[dp.Name]; t != nil {
				d.Tables[dp.Name] = extractedTable(t, dp.Columns)
			}
			continue
		}
		f := res.Fields[dp.Name]
		if f == nil {
			continue
		}
		validation := workspace.ValidSkipped
		if f.Valid != nil {
			checked++
			validation = workspace.ValidOK
			if !*f.Valid {
				failed++
				validation = workspace.ValidFailed
				if f.ValidationMsg != "" {
					validation.Msg = f.ValidationMsg
				}
			}
		}
		for rank, c := range f.Candidates {
			d.Extractions = append(d.Extractions, workspace.Extraction{
				Field: dp.Name, Rank: rank, Value: c.Value, RawValue: c.Raw, ConverterType: c.Converter, ConverterFormat: c.Format,
				Status: workspace.Extracted, Validation: validation, Confidence: c.Confidence, PageNum: c.Page,
				BBox: bbox(c.BBox), Source: source,
			})
		}
	}
	switch {
	case failed > 0:
		d.Validation = workspace.ValidFailed
	case checked > 0:
		d.Validation = workspace.ValidOK
	}
	return d
}

func bbox(b [4]float64) []float64 {
	if b == [4]float64{} {
		return []float64{}
	}
	return []float64{b[0], b[1], b[2], b[3]}
}

func extractedTable(t *extract.Table, columns []string) workspace.Table {
	out := workspace.Table{Columns: columns, Rows: []map[string]workspace.Cell{}}
	for _, r := range t.Rows {
		row := map[string]workspace.Cell{}
		for c, cand := range r {
			row[c] = workspace.Cell{Value: cand.Value, RawValue: cand.Raw, PageNum: cand.Page, BBox: bbox(cand.BBox), Confidence: cand.Confidence}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// pageTexts keeps each page's text and words for the OCR API.
func pageTexts(f workspace.File, pages []doc.Page, docs []workspace.Document) []workspace.PageText {
	var out []workspace.PageText
	for _, pg := range pages {
		docID := ""
		for _, d := range docs {
			if pg.Num >= d.FirstPage && pg.Num <= d.LastPage {
				docID = d.ID
			}
		}
		words, _ := json.Marshal(pg.Words)
		out = append(out, workspace.PageText{
			ID: workspace.NewID(), FileID: f.ID, DocumentID: docID, PageNum: pg.Num,
			Source: string(pg.Source), Text: pageText(pg), Words: words,
		})
	}
	return out
}

// pageText joins a page's words, which come in reading order, into
// lines: a new line where a word starts below the middle of the previous.
func pageText(pg doc.Page) string {
	var b strings.Builder
	prevMid := -1.0
	for i, w := range pg.Words {
		if i > 0 {
			if w.Y0 > prevMid {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w.Text)
		prevMid = (w.Y0 + w.Y1) / 2
	}
	return b.String()
}
