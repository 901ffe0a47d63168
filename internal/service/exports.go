package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// Export statuses.
const (
	ExportPending   = "Pending"
	ExportRunning   = "Running"
	ExportCompleted = "Completed"
	ExportFailed    = "Failed"
)

// maxExportCollections bounds an explicit collection list.
const maxExportCollections = 1000

// Exports manages result exports.
type Exports struct {
	Store       workspace.ExportStore
	Collections *Collections
	Blobs       Blobs
	Log         *slog.Logger
	Now         func() time.Time
}

// CreateExportInput selects what to export.
type CreateExportInput struct {
	Format        string
	ProcessID     string
	CollectionIDs []string
	Statuses      []string
	From, To      time.Time
}

// Create queues an export; its build job is committed with it. It fails
// with CodeInvalid for an unknown format or status or a malformed id, and
// CodeNotFound for a process that is not visible.
func (s *Exports) Create(ctx context.Context, by workspace.Principal, in CreateExportInput) (workspace.Export, error) {
	switch in.Format {
	case "csv", "json", "xlsx":
	default:
		return workspace.Export{}, workspace.Invalid("body: format", "format is csv, json or xlsx")
	}
	if err := s.Collections.visibleProcess(ctx, by, in.ProcessID); err != nil {
		return workspace.Export{}, err
	}
	if len(in.CollectionIDs) > maxExportCollections {
		return workspace.Export{}, workspace.Invalid("body: collectionIds", fmt.Sprintf("at most %d collection ids; export by status or dates instead", maxExportCollections))
	}
	for i, id := range in.CollectionIDs {
		if !workspace.ValidID(id) {
			return workspace.Export{}, workspace.Invalid(fmt.Sprintf("body: collectionIds[%d]", i), "not a collection id")
		}
	}
	for i, st := range in.Statuses {
		known := false
		for _, k := range workspace.CollectionStatuses {
			known = known || k == st
		}
		if !known {
			return workspace.Export{}, workspace.Invalid(fmt.Sprintf("body: status[%d]", i), "unknown collection status")
		}
	}
	e := workspace.Export{
		ID: workspace.NewID(), OrgID: by.OrgID, ProcessID: in.ProcessID, Format: in.Format, Status: ExportPending,
		CollectionIDs: in.CollectionIDs, Statuses: in.Statuses, From: in.From, To: in.To, CreatedAt: s.Now().UTC().Truncate(time.Second),
	}
	return e, s.Store.CreateExport(ctx, e)
}

// Get returns an export visible to by.
func (s *Exports) Get(ctx context.Context, by workspace.Principal, id string) (workspace.Export, error) {
	if !workspace.ValidID(id) {
		return workspace.Export{}, workspace.NotFound("export")
	}
	e, err := s.Store.GetExport(ctx, by.OrgID, id)
	if err != nil {
		return e, err
	}
	if !by.CanSeeProcess(e.ProcessID) {
		return workspace.Export{}, workspace.NotFound("export")
	}
	return e, nil
}

// Open returns the file of a completed export (CodeConflict before).
func (s *Exports) Open(ctx context.Context, by workspace.Principal, id string) (workspace.Export, io.ReadCloser, int64, error) {
	e, err := s.Get(ctx, by, id)
	if err != nil {
		return e, nil, 0, err
	}
	if e.Status != ExportCompleted {
		return e, nil, 0, workspace.Errorf(workspace.CodeConflict, "the export is %s; download it once it is Completed", e.Status)
	}
	rc, size, err := s.Blobs.Open(ctx, e.BlobKey)
	return e, rc, size, err
}

// Delete removes an export and its file.
func (s *Exports) Delete(ctx context.Context, by workspace.Principal, id string) error {
	e, err := s.Get(ctx, by, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteExport(ctx, by.OrgID, id); err != nil {
		return err
	}
	if e.BlobKey != "" {
		deleteBlobs(ctx, s.Blobs, s.Log, []string{e.BlobKey})
	}
	return nil
}
