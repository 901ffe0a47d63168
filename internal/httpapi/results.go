package httpapi

import (
	"context"
	"encoding/json"

	"github.com/crescent-idp/crescent/internal/results"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

type resultsOutput struct{ Body results.Results }

func (s *Server) getResults(ctx context.Context, in *collectionIDInput) (*resultsOutput, error) {
	rs, err := s.deps.Results.Get(ctx, principal(ctx), in.CID)
	if err != nil {
		return nil, err
	}
	return &resultsOutput{Body: results.New(rs)}, nil
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

type extractionOutput struct{ Body results.Extraction }

func (s *Server) addExtraction(ctx context.Context, in *addExtractionInput) (*extractionOutput, error) {
	if in.Body.Field == "" {
		return nil, workspace.Invalid("body: field", "field required")
	}
	e, err := s.deps.Results.AddExtraction(ctx, principal(ctx), in.CID, in.DID, editOf(in.Body))
	if err != nil {
		return nil, err
	}
	return &extractionOutput{Body: results.ExtractionView(e)}, nil
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
	return &extractionOutput{Body: results.ExtractionView(e)}, nil
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
