package httpapi

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/crescent-idp/crescent/internal/export"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// ExportBody is an export as the API shows it.
type ExportBody struct {
	ID          string `json:"id"`
	Format      string `json:"format"`
	ProcessID   string `json:"processId"`
	Status      string `json:"status" enum:"Pending,Running,Completed,Failed"`
	RowCount    int    `json:"rowCount"`
	Error       string `json:"error,omitempty"`
	CreatedAt   string `json:"createdAt"`
	CompletedAt string `json:"completedAt,omitempty"`
}

func exportBody(e workspace.Export) ExportBody {
	return ExportBody{ID: e.ID, Format: e.Format, ProcessID: e.ProcessID, Status: e.Status, RowCount: e.RowCount, Error: e.Error,
		CreatedAt: timestamp(e.CreatedAt), CompletedAt: timestamp(e.CompletedAt)}
}

type exportOutput struct {
	Status int
	Body   ExportBody
}

type createExportInput struct {
	Body struct {
		Format        string   `json:"format" enum:"csv,json,xlsx"`
		ProcessID     string   `json:"processId" maxLength:"64"`
		CollectionIDs []string `json:"collectionIds,omitempty" maxItems:"1000"`
		Status        []string `json:"status,omitempty" maxItems:"6" doc:"Collection statuses to include."`
		DateFrom      string   `json:"dateFrom,omitempty" maxLength:"40"`
		DateTo        string   `json:"dateTo,omitempty" maxLength:"40"`
	}
}

func (s *Server) createExport(ctx context.Context, in *createExportInput) (*exportOutput, error) {
	b := in.Body
	from, err := parseDay("body: dateFrom", b.DateFrom, false)
	if err != nil {
		return nil, err
	}
	to, err := parseDay("body: dateTo", b.DateTo, true)
	if err != nil {
		return nil, err
	}
	e, err := s.deps.Exports.Create(ctx, principal(ctx), service.CreateExportInput{
		Format: b.Format, ProcessID: b.ProcessID, CollectionIDs: b.CollectionIDs, Statuses: b.Status, From: from, To: to})
	if err != nil {
		return nil, err
	}
	return &exportOutput{Status: 202, Body: exportBody(e)}, nil
}

type exportIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

func (s *Server) getExport(ctx context.Context, in *exportIDInput) (*exportOutput, error) {
	e, err := s.deps.Exports.Get(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &exportOutput{Status: 200, Body: exportBody(e)}, nil
}

func (s *Server) deleteExport(ctx context.Context, in *exportIDInput) (*struct{}, error) {
	return nil, s.deps.Exports.Delete(ctx, principal(ctx), in.ID)
}

func (s *Server) downloadExport(ctx context.Context, in *exportIDInput) (*huma.StreamResponse, error) {
	e, rc, size, err := s.deps.Exports.Open(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	ext := map[string]string{"csv": "zip", "json": "json", "xlsx": "xlsx"}[e.Format]
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		defer rc.Close()
		hctx.SetHeader("Content-Type", export.ContentType(e.Format))
		hctx.SetHeader("Content-Length", strconv.FormatInt(size, 10))
		hctx.SetHeader("Content-Disposition", contentDisposition("export-"+e.CreatedAt.Format(time.DateOnly)+"-"+e.ID[:8]+"."+ext))
		_, _ = io.Copy(hctx.BodyWriter(), rc)
	}}, nil
}
