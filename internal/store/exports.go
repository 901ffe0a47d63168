package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

var _ workspace.ExportStore = (*Store)(nil)

// ExportEnqueuer inserts the build job of an export inside tx.
type ExportEnqueuer func(ctx context.Context, tx *sql.Tx, exportID string) error

// SetExportEnqueuer installs the queue's export function.
func (s *Store) SetExportEnqueuer(e ExportEnqueuer) { s.exports = e }

type exportFilter struct {
	CollectionIDs []string `json:"collectionIds,omitempty"`
	Statuses      []string `json:"statuses,omitempty"`
	From          int64    `json:"from,omitempty"`
	To            int64    `json:"to,omitempty"`
}

const exportColumns = `id, org_id, process_id, format, status, row_count, filter, blob_key, error, created_at, completed_at`

// CreateExport inserts e and its build job in one transaction.
func (s *Store) CreateExport(ctx context.Context, e workspace.Export) error {
	f, _ := json.Marshal(exportFilter{CollectionIDs: e.CollectionIDs, Statuses: e.Statuses, From: unix(e.From), To: unix(e.To)})
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO exports (`+exportColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.ID, e.OrgID, e.ProcessID, e.Format, e.Status, e.RowCount, string(f), e.BlobKey, e.Error, unix(e.CreatedAt), unix(e.CompletedAt)); err != nil {
			return err
		}
		if s.exports == nil {
			return nil
		}
		return s.exports(ctx, tx, e.ID)
	})
}

// GetExport returns an export of the organization ("" for any, for the
// worker) or CodeNotFound.
func (s *Store) GetExport(ctx context.Context, orgID, id string) (workspace.Export, error) {
	var e workspace.Export
	var filter string
	var created, completed int64
	err := s.r.QueryRowContext(ctx, `SELECT `+exportColumns+` FROM exports WHERE id = $1 AND (org_id = $2 OR $2 = '')`, id, orgID).
		Scan(&e.ID, &e.OrgID, &e.ProcessID, &e.Format, &e.Status, &e.RowCount, &filter, &e.BlobKey, &e.Error, &created, &completed)
	if err != nil {
		return e, notFoundIf(err, "export")
	}
	var f exportFilter
	_ = json.Unmarshal([]byte(filter), &f)
	e.CollectionIDs, e.Statuses = f.CollectionIDs, f.Statuses
	if f.From != 0 {
		e.From = time.Unix(f.From, 0).UTC()
	}
	if f.To != 0 {
		e.To = time.Unix(f.To, 0).UTC()
	}
	e.CreatedAt, e.CompletedAt = fromUnix(created), fromUnix(completed)
	return e, nil
}

// UpdateExport stores the progress of an export.
func (s *Store) UpdateExport(ctx context.Context, e workspace.Export) error {
	_, err := s.w.ExecContext(ctx, `UPDATE exports SET status = $2, row_count = $3, blob_key = $4, error = $5, completed_at = $6 WHERE id = $1`,
		e.ID, e.Status, e.RowCount, e.BlobKey, e.Error, unix(e.CompletedAt))
	return err
}

// DeleteExport removes an export row.
func (s *Store) DeleteExport(ctx context.Context, orgID, id string) error {
	return deleteOne(ctx, s.w, "export", `DELETE FROM exports WHERE id = $1 AND org_id = $2`, id, orgID)
}

// ExportCollections calls fn for every collection of an export's
// selection, oldest first, in pages, so memory stays bounded.
func (s *Store) ExportCollections(ctx context.Context, e workspace.Export, fn func(workspace.Collection) error) error {
	f := workspace.CollectionFilter{OrgID: e.OrgID, ProcessID: e.ProcessID, Order: workspace.OrderCreatedAsc, From: e.From, To: e.To, Statuses: e.Statuses}
	want := map[string]bool{}
	for _, id := range e.CollectionIDs {
		want[id] = true
	}
	for offset := 0; ; offset += 500 {
		cs, _, err := s.ListCollections(ctx, f, workspace.Page{Offset: offset, Limit: 500})
		if err != nil {
			return err
		}
		for _, c := range cs {
			if len(want) > 0 && !want[c.ID] {
				continue
			}
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(cs) < 500 {
			return nil
		}
	}
}
