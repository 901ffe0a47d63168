package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// UnfinishedCollections returns up to limit ids of collections that are
// Queued or Processing and were last changed before before, in id order
// after the id after (a cursor: "" starts at the beginning). It fails only
// when the database does.
func (s *Store) UnfinishedCollections(ctx context.Context, before time.Time, after string, limit int) ([]string, error) {
	return strings1(ctx, s.r, `SELECT id FROM collections WHERE status IN ('Queued', 'Processing') AND updated_at < $1 AND id > $2
		ORDER BY id LIMIT $3`, unix(before), after, limit)
}

// AbandonCollection ends a Queued or Processing collection as Failed with
// message, every file failed with the F500 status, and the failure event
// emitted in the same transaction. ok is false (and nothing is written)
// when the collection is gone or already in another status.
func (s *Store) AbandonCollection(ctx context.Context, id, message string, at time.Time) (bool, error) {
	ok := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var processID, orgID string
		err := tx.QueryRowContext(ctx, `SELECT process_id, org_id FROM collections WHERE id = $1 AND status IN ($2, $3)`,
			id, workspace.StatusQueued, workspace.StatusProcessing).Scan(&processID, &orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE files SET status = $2, progress = 100, result_code = $3, result_msg = $4, updated_at = $5
			WHERE collection_id = $1`, id, workspace.StatusFailed, workspace.FileFailed.Code, message, unix(at)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE collections SET status = $2, status_message = $3, progress = 100, updated_at = $4 WHERE id = $1`,
			id, workspace.StatusFailed, message, unix(at)); err != nil {
			return err
		}
		ok = true
		return s.emit(ctx, tx, orgID, processID, id, workspace.EventFailed)
	})
	return ok, err
}
