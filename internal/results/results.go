// Package results renders processing results as the API shows them: the
// one shape served by GET /results, sent to webhooks and written by
// exports.
package results

import (
	"sort"

	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// Converter names how a value was converted.
type Converter struct {
	Type   string  `json:"type"`
	Format *string `json:"format"`
}

// Extraction is one candidate value of a data point.
type Extraction struct {
	ID               string               `json:"id"`
	Value            any                  `json:"value"`
	RawValue         string               `json:"rawValue"`
	Converter        Converter            `json:"converter"`
	Status           workspace.StatusInfo `json:"status"`
	ValidationStatus workspace.StatusInfo `json:"validationStatus"`
	Metadata         map[string]any       `json:"metadata"`
	Confidence       float64              `json:"confidence"`
	PageNum          int                  `json:"pageNum"`
	BBox             []float64            `json:"bbox"`
	Source           string               `json:"source" enum:"text,ocr,einvoice,user,learned"`
}

// Classification is a document's class.
type Classification struct {
	DocumentClass string               `json:"documentClass"`
	Status        workspace.StatusInfo `json:"status"`
	Validation    workspace.StatusInfo `json:"validation"`
}

// DocResult is one document's results.
type DocResult struct {
	DocumentID     string                     `json:"documentId"`
	Name           string                     `json:"name"`
	Pages          []int                      `json:"pages"`
	Classification Classification             `json:"classification"`
	ExtractedData  map[string][]Extraction    `json:"extractedData"`
	Tables         map[string]workspace.Table `json:"tables"`
}

// FileResult is one file's results.
type FileResult struct {
	FileID    string               `json:"fileId"`
	FileName  string               `json:"fileName"`
	Status    workspace.StatusInfo `json:"status"`
	Documents []DocResult          `json:"documents"`
}

// Results is the results document of a collection.
type Results struct {
	CollectionID     string       `json:"collectionId"`
	CollectionName   string       `json:"collectionName"`
	CollectionStatus string       `json:"collectionStatus"`
	ProcessID        string       `json:"processId"`
	ProcessName      string       `json:"processName"`
	Results          []FileResult `json:"results"`
}

// ExtractionView renders one extraction.
func ExtractionView(e workspace.Extraction) Extraction {
	var format *string
	if e.ConverterFormat != "" {
		f := e.ConverterFormat
		format = &f
	}
	bbox := e.BBox
	if bbox == nil {
		bbox = []float64{}
	}
	return Extraction{
		ID: e.ID, Value: e.Value, RawValue: e.RawValue, Converter: Converter{Type: e.ConverterType, Format: format},
		Status: e.Status, ValidationStatus: e.Validation, Metadata: map[string]any{}, Confidence: e.Confidence,
		PageNum: e.PageNum, BBox: bbox, Source: e.Source,
	}
}

// New renders a result set: every scalar data point of the
// process is listed, sorted by name, with [] where nothing was found, and
// every table data point has a table. Exports and destinations reuse it.
func New(rs service.ResultSet) Results {
	var scalars, tables []workspace.DataPoint
	for _, dp := range rs.Process.Config.DataPoints {
		if dp.Type == "table" {
			tables = append(tables, dp)
		} else {
			scalars = append(scalars, dp)
		}
	}
	sort.Slice(scalars, func(i, j int) bool { return scalars[i].Name < scalars[j].Name })
	out := Results{
		CollectionID: rs.Collection.ID, CollectionName: rs.Collection.Name, CollectionStatus: rs.Collection.Status,
		ProcessID: rs.Process.ID, ProcessName: rs.Process.Name, Results: []FileResult{},
	}
	for _, f := range rs.Collection.Files {
		fr := FileResult{FileID: f.ID, FileName: f.Name, Status: rs.Files[f.ID], Documents: []DocResult{}}
		if fr.Status.Code == "" {
			fr.Status = workspace.StatusInfo{Status: rs.Collection.Status, Code: "", Msg: "Not processed yet"}
		}
		for _, d := range rs.Documents {
			if d.FileID != f.ID {
				continue
			}
			db := DocResult{
				DocumentID: d.ID, Name: d.Name, Pages: []int{d.FirstPage, d.LastPage},
				Classification: Classification{DocumentClass: d.Class, Status: d.ClassStatus, Validation: d.Validation},
				ExtractedData:  map[string][]Extraction{}, Tables: map[string]workspace.Table{},
			}
			for _, dp := range scalars {
				db.ExtractedData[dp.Name] = []Extraction{}
			}
			for _, e := range d.Extractions {
				if _, ok := db.ExtractedData[e.Field]; ok {
					db.ExtractedData[e.Field] = append(db.ExtractedData[e.Field], ExtractionView(e))
				}
			}
			for _, dp := range tables {
				t, ok := d.Tables[dp.Name]
				if !ok {
					t = workspace.Table{Columns: dp.Columns}
				}
				if t.Rows == nil {
					t.Rows = []map[string]workspace.Cell{}
				}
				db.Tables[dp.Name] = t
			}
			fr.Documents = append(fr.Documents, db)
		}
		out.Results = append(out.Results, fr)
	}
	return out
}
