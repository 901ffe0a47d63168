package httpapi

import (
	"context"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// FileBody is an uploaded file as the API shows it.
type FileBody struct {
	ID            string         `json:"id"`
	CollectionID  string         `json:"collectionId"`
	Name          string         `json:"name"`
	Status        string         `json:"status"`
	Progress      int            `json:"progress"`
	NumberOfPages int            `json:"numberOfPages"`
	CreatedAt     string         `json:"createdAt"`
	UpdatedAt     string         `json:"updatedAt"`
	Metadata      map[string]any `json:"metadata"`
	ContentType   string         `json:"contentType"`
	Size          int64          `json:"size"`
	SHA256        string         `json:"sha256"`
}

// CollectionBody is a collection as the API shows it.
type CollectionBody struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	Files                []FileBody     `json:"files"`
	Priority             bool           `json:"priority"`
	Split                bool           `json:"split"`
	Status               string         `json:"status"`
	StatusMessage        string         `json:"statusMessage,omitempty" doc:"Why the collection failed, when it did."`
	Progress             int            `json:"progress"`
	NumberOfPages        int            `json:"numberOfPages"`
	ProcessID            string         `json:"processId"`
	CreatedAt            string         `json:"createdAt"`
	UpdatedAt            string         `json:"updatedAt"`
	Metadata             map[string]any `json:"metadata"`
	AvailableForTraining bool           `json:"availableForTraining"`
	Duplicates           []string       `json:"duplicates" doc:"Earlier collections of the organization holding a file with the same SHA-256."`
}

func collectionBody(c workspace.Collection) CollectionBody {
	files := make([]FileBody, len(c.Files))
	for i, f := range c.Files {
		files[i] = FileBody{
			ID: f.ID, CollectionID: c.ID, Name: f.Name, Status: f.Status, Progress: f.Progress, NumberOfPages: f.NumberOfPages,
			CreatedAt: timestamp(f.CreatedAt), UpdatedAt: timestamp(f.UpdatedAt), Metadata: map[string]any{},
			ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256,
		}
	}
	md := c.Metadata
	if md == nil {
		md = map[string]any{}
	}
	dups := c.Duplicates
	if dups == nil {
		dups = []string{}
	}
	return CollectionBody{
		ID: c.ID, Name: c.Name, Files: files, Priority: c.Priority, Split: c.Split, Status: c.Status,
		StatusMessage: c.StatusMessage, Progress: c.Progress, NumberOfPages: c.NumberOfPages, ProcessID: c.ProcessID,
		CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt), Metadata: md, Duplicates: dups,
	}
}

type collectionOutput struct {
	Status   int
	Replayed string `header:"Idempotent-Replayed"`
	Body     CollectionBody
}

func collectionResult(c workspace.Collection, err error) (*collectionOutput, error) {
	if err != nil {
		return nil, err
	}
	return &collectionOutput{Status: 200, Body: collectionBody(c)}, nil
}

type listCollectionsInput struct {
	PID string `path:"pid" maxLength:"64"`
	PageQuery
	Order    string `query:"order" default:"created_date:desc" enum:"created_date:desc,created_date:asc,name:asc,name:desc"`
	Query    string `query:"query" maxLength:"200" doc:"Part of the collection name, case-insensitive."`
	DateFrom string `query:"date_from" maxLength:"40" doc:"Created at or after: RFC 3339 or YYYY-MM-DD."`
	DateTo   string `query:"date_to" maxLength:"40" doc:"Created at or before: RFC 3339 or YYYY-MM-DD (the whole day)."`
	Priority string `query:"priority" enum:"true,false" doc:"Only priority (true) or normal (false) collections."`
	Status   string `query:"status" maxLength:"200" doc:"One status or several separated by commas."`
	Metadata string `query:"metadata" maxLength:"4096" doc:"A JSON object; every pair must match the collection's metadata."`
}

type collectionListOutput struct {
	Body struct {
		Collections []CollectionBody `json:"collections"`
		Pagination  Pagination       `json:"pagination"`
	}
}

// parseDay reads RFC 3339 or YYYY-MM-DD; endOfDay moves a bare date to its
// last second.
func parseDay(location, s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, workspace.Invalid(location, "expected RFC 3339 or YYYY-MM-DD")
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t, nil
}

func (in *listCollectionsInput) filter() (workspace.CollectionFilter, error) {
	f := workspace.CollectionFilter{ProcessID: in.PID, Order: workspace.CollectionOrder(in.Order), Query: in.Query}
	var err error
	if f.From, err = parseDay("query: date_from", in.DateFrom, false); err != nil {
		return f, err
	}
	if f.To, err = parseDay("query: date_to", in.DateTo, true); err != nil {
		return f, err
	}
	if in.Priority != "" {
		p := in.Priority == "true"
		f.Priority = &p
	}
	if in.Status != "" {
		for _, st := range strings.Split(in.Status, ",") {
			st = strings.TrimSpace(st)
			known := false
			for _, k := range workspace.CollectionStatuses {
				known = known || k == st
			}
			if !known {
				return f, workspace.Invalid("query: status", "status must be one of "+strings.Join(workspace.CollectionStatuses, ", "))
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if in.Metadata != "" {
		if err := decodeJSON([]byte(in.Metadata), &f.Metadata); err != nil || f.Metadata == nil {
			return f, workspace.Invalid("query: metadata", "metadata must be a URL-encoded JSON object")
		}
	}
	return f, nil
}

func (s *Server) listCollections(ctx context.Context, in *listCollectionsInput) (*collectionListOutput, error) {
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	cs, total, err := s.deps.Collections.List(ctx, principal(ctx), f, in.page())
	if err != nil {
		return nil, err
	}
	out := &collectionListOutput{}
	out.Body.Collections = make([]CollectionBody, len(cs))
	for i, c := range cs {
		out.Body.Collections[i] = collectionBody(c)
	}
	out.Body.Pagination = in.pagination(total)
	return out, nil
}

type collectionIDInput struct {
	CID string `path:"cid" maxLength:"64" doc:"The collection id."`
}

func (s *Server) getCollection(ctx context.Context, in *collectionIDInput) (*collectionOutput, error) {
	return collectionResult(s.deps.Collections.Get(ctx, principal(ctx), in.CID))
}

type patchCollectionInput struct {
	CID  string `path:"cid" maxLength:"64"`
	Body struct {
		Metadata map[string]any `json:"metadata" doc:"Replaces the collection's metadata."`
	}
}

func (s *Server) patchCollection(ctx context.Context, in *patchCollectionInput) (*collectionOutput, error) {
	return collectionResult(s.deps.Collections.SetMetadata(ctx, principal(ctx), in.CID, in.Body.Metadata))
}

func (s *Server) deleteCollection(ctx context.Context, in *collectionIDInput) (*struct{}, error) {
	return nil, s.deps.Collections.Delete(ctx, principal(ctx), in.CID)
}

func (s *Server) stopCollection(ctx context.Context, in *collectionIDInput) (*collectionOutput, error) {
	return collectionResult(s.deps.Collections.Stop(ctx, principal(ctx), in.CID))
}

func (s *Server) reprocessCollection(ctx context.Context, in *collectionIDInput) (*collectionOutput, error) {
	return collectionResult(s.deps.Collections.Reprocess(ctx, principal(ctx), in.CID))
}

func (s *Server) acceptCollection(ctx context.Context, in *collectionIDInput) (*collectionOutput, error) {
	return collectionResult(s.deps.Results.Accept(ctx, principal(ctx), in.CID))
}
