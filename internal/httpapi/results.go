package httpapi

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// ConverterBody names how a value was converted.
type ConverterBody struct {
	Type   string  `json:"type"`
	Format *string `json:"format"`
}

// ExtractionBody is one candidate value of a data point.
type ExtractionBody struct {
	ID               string               `json:"id"`
	Value            any                  `json:"value"`
	RawValue         string               `json:"rawValue"`
	Converter        ConverterBody        `json:"converter"`
	Status           workspace.StatusInfo `json:"status"`
	ValidationStatus workspace.StatusInfo `json:"validationStatus"`
	Metadata         map[string]any       `json:"metadata"`
	Confidence       float64              `json:"confidence"`
	PageNum          int                  `json:"pageNum"`
	BBox             []float64            `json:"bbox"`
	Source           string               `json:"source" enum:"text,ocr,einvoice,user"`
}

// ClassificationBody is a document's class.
type ClassificationBody struct {
	DocumentClass string               `json:"documentClass"`
	Status        workspace.StatusInfo `json:"status"`
	Validation    workspace.StatusInfo `json:"validation"`
}

// DocResultBody is one document's results.
type DocResultBody struct {
	DocumentID     string                      `json:"documentId"`
	Name           string                      `json:"name"`
	Pages          []int                       `json:"pages"`
	Classification ClassificationBody          `json:"classification"`
	ExtractedData  map[string][]ExtractionBody `json:"extractedData"`
	Tables         map[string]workspace.Table  `json:"tables"`
}

// FileResultBody is one file's results.
type FileResultBody struct {
	FileID    string               `json:"fileId"`
	FileName  string               `json:"fileName"`
	Status    workspace.StatusInfo `json:"status"`
	Documents []DocResultBody      `json:"documents"`
}

// ResultsBody is the results document of a collection.
type ResultsBody struct {
	CollectionID     string           `json:"collectionId"`
	CollectionName   string           `json:"collectionName"`
	CollectionStatus string           `json:"collectionStatus"`
	ProcessID        string           `json:"processId"`
	ProcessName      string           `json:"processName"`
	Results          []FileResultBody `json:"results"`
}

func extractionBody(e workspace.Extraction) ExtractionBody {
	var format *string
	if e.ConverterFormat != "" {
		f := e.ConverterFormat
		format = &f
	}
	bbox := e.BBox
	if bbox == nil {
		bbox = []float64{}
	}
	return ExtractionBody{
		ID: e.ID, Value: e.Value, RawValue: e.RawValue, Converter: ConverterBody{Type: e.ConverterType, Format: format},
		Status: e.Status, ValidationStatus: e.Validation, Metadata: map[string]any{}, Confidence: e.Confidence,
		PageNum: e.PageNum, BBox: bbox, Source: e.Source,
	}
}

// NewResultsBody renders a result set: every scalar data point of the
// process is listed, sorted by name, with [] where nothing was found, and
// every table data point has a table. Exports and destinations reuse it.
func NewResultsBody(rs service.ResultSet) ResultsBody {
	var scalars, tables []workspace.DataPoint
	for _, dp := range rs.Process.Config.DataPoints {
		if dp.Type == "table" {
			tables = append(tables, dp)
		} else {
			scalars = append(scalars, dp)
		}
	}
	sort.Slice(scalars, func(i, j int) bool { return scalars[i].Name < scalars[j].Name })
	out := ResultsBody{
		CollectionID: rs.Collection.ID, CollectionName: rs.Collection.Name, CollectionStatus: rs.Collection.Status,
		ProcessID: rs.Process.ID, ProcessName: rs.Process.Name, Results: []FileResultBody{},
	}
	for _, f := range rs.Collection.Files {
		fr := FileResultBody{FileID: f.ID, FileName: f.Name, Status: rs.Files[f.ID], Documents: []DocResultBody{}}
		if fr.Status.Code == "" {
			fr.Status = workspace.StatusInfo{Status: rs.Collection.Status, Code: "", Msg: "Not processed yet"}
		}
		for _, d := range rs.Documents {
			if d.FileID != f.ID {
				continue
			}
			db := DocResultBody{
				DocumentID: d.ID, Name: d.Name, Pages: []int{d.FirstPage, d.LastPage},
				Classification: ClassificationBody{DocumentClass: d.Class, Status: d.ClassStatus, Validation: d.Validation},
				ExtractedData:  map[string][]ExtractionBody{}, Tables: map[string]workspace.Table{},
			}
			for _, dp := range scalars {
				db.ExtractedData[dp.Name] = []ExtractionBody{}
			}
			for _, e := range d.Extractions {
				if _, ok := db.ExtractedData[e.Field]; ok {
					db.ExtractedData[e.Field] = append(db.ExtractedData[e.Field], extractionBody(e))
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

type resultsOutput struct{ Body ResultsBody }

func (s *Server) getResults(ctx context.Context, in *collectionIDInput) (*resultsOutput, error) {
	rs, err := s.deps.Results.Get(ctx, principal(ctx), in.CID)
	if err != nil {
		return nil, err
	}
	return &resultsOutput{Body: NewResultsBody(rs)}, nil
}

// OCR results.

// OCRPageBody is one page's text.
type OCRPageBody struct {
	PageID  string          `json:"pageId"`
	PageNum int             `json:"pageNum"`
	Source  string          `json:"source"`
	Text    string          `json:"text"`
	Words   json.RawMessage `json:"words,omitempty"`
}

// OCRDocBody groups pages by document.
type OCRDocBody struct {
	DocumentID string        `json:"documentId"`
	Name       string        `json:"name"`
	Pages      []OCRPageBody `json:"pages"`
}

// OCRFileBody is one file's text.
type OCRFileBody struct {
	FileID     string               `json:"fileId"`
	FileName   string               `json:"fileName"`
	Status     workspace.StatusInfo `json:"status"`
	TotalPages int                  `json:"totalPages"`
	CreatedAt  string               `json:"createdAt"`
	Documents  []OCRDocBody         `json:"documents"`
}

type ocrOutput struct {
	Body struct {
		CollectionID     string        `json:"collectionId"`
		CollectionName   string        `json:"collectionName"`
		CollectionStatus string        `json:"collectionStatus"`
		ProcessID        string        `json:"processId"`
		ProcessName      string        `json:"processName"`
		Results          []OCRFileBody `json:"results"`
	}
}

type ocrInput struct {
	CID   string `path:"cid" maxLength:"64"`
	Words bool   `query:"words" doc:"Add each page's words with bbox and confidence."`
}

func (s *Server) getOCR(ctx context.Context, in *ocrInput) (*ocrOutput, error) {
	rs, pages, err := s.deps.Results.Pages(ctx, principal(ctx), in.CID, in.Words)
	if err != nil {
		return nil, err
	}
	out := &ocrOutput{}
	b := &out.Body
	b.CollectionID, b.CollectionName, b.CollectionStatus = rs.Collection.ID, rs.Collection.Name, rs.Collection.Status
	b.ProcessID, b.ProcessName, b.Results = rs.Process.ID, rs.Process.Name, []OCRFileBody{}
	for _, f := range rs.Collection.Files {
		fb := OCRFileBody{FileID: f.ID, FileName: f.Name, Status: rs.Files[f.ID], TotalPages: f.NumberOfPages,
			CreatedAt: timestamp(f.CreatedAt), Documents: []OCRDocBody{}}
		byDoc := map[string]int{}
		for _, p := range pages {
			if p.FileID != f.ID {
				continue
			}
			i, ok := byDoc[p.DocumentID]
			if !ok {
				i = len(fb.Documents)
				byDoc[p.DocumentID] = i
				fb.Documents = append(fb.Documents, OCRDocBody{DocumentID: p.DocumentID, Name: f.Name, Pages: []OCRPageBody{}})
			}
			pb := OCRPageBody{PageID: p.ID, PageNum: p.PageNum, Source: p.Source, Text: p.Text}
			if in.Words {
				pb.Words = p.Words
			}
			fb.Documents[i].Pages = append(fb.Documents[i].Pages, pb)
		}
		b.Results = append(b.Results, fb)
	}
	return out, nil
}

// Review edits.

type extractionEditBody struct {
	Field    string    `json:"field,omitempty" maxLength:"64" doc:"The data point; required when adding."`
	Value    any       `json:"value"`
	RawValue *string   `json:"rawValue,omitempty" maxLength:"10000"`
	PageNum  *int      `json:"pageNum,omitempty" minimum:"0"`
	BBox     []float64 `json:"bbox,omitempty" maxItems:"4"`
}

type addExtractionInput struct {
	CID  string `path:"cid" maxLength:"64"`
	DID  string `path:"did" maxLength:"64"`
	Body extractionEditBody
}

type extractionOutput struct{ Body ExtractionBody }

func (s *Server) addExtraction(ctx context.Context, in *addExtractionInput) (*extractionOutput, error) {
	if in.Body.Field == "" {
		return nil, workspace.Invalid("body: field", "field required")
	}
	e, err := s.deps.Results.AddExtraction(ctx, principal(ctx), in.CID, in.DID, editOf(in.Body))
	if err != nil {
		return nil, err
	}
	return &extractionOutput{Body: extractionBody(e)}, nil
}

type updateExtractionInput struct {
	CID  string `path:"cid" maxLength:"64"`
	DID  string `path:"did" maxLength:"64"`
	EID  string `path:"eid" maxLength:"64"`
	Body extractionEditBody
}

func (s *Server) updateExtraction(ctx context.Context, in *updateExtractionInput) (*extractionOutput, error) {
	e, err := s.deps.Results.UpdateExtraction(ctx, principal(ctx), in.CID, in.DID, in.EID, editOf(in.Body))
	if err != nil {
		return nil, err
	}
	return &extractionOutput{Body: extractionBody(e)}, nil
}

type extractionIDInput struct {
	CID string `path:"cid" maxLength:"64"`
	DID string `path:"did" maxLength:"64"`
	EID string `path:"eid" maxLength:"64"`
}

func (s *Server) deleteExtraction(ctx context.Context, in *extractionIDInput) (*struct{}, error) {
	return nil, s.deps.Results.DeleteExtraction(ctx, principal(ctx), in.CID, in.DID, in.EID)
}

func editOf(b extractionEditBody) service.Edit {
	return service.Edit{Field: b.Field, Value: b.Value, RawValue: b.RawValue, PageNum: b.PageNum, BBox: b.BBox}
}
