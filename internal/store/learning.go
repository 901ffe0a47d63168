package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

var _ workspace.LearningStore = (*Store)(nil)

// memoriesPerField bounds what is kept per organization, supplier and
// field: the newest ones.
const memoriesPerField = 5

// SaveMemories replaces what the collection taught with mems, keeping at
// most memoriesPerField per organization, supplier and field. It fails
// only when the database does; nothing is written then.
func (s *Store) SaveMemories(ctx context.Context, orgID, processID, collectionID string, mems []workspace.Memory, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM learned_fields WHERE collection_id = $1`, collectionID); err != nil {
			return err
		}
		type slot struct{ supplier, field string }
		pruned := map[slot]bool{}
		for _, m := range mems {
			if _, err := tx.ExecContext(ctx, `INSERT INTO learned_fields (id, org_id, process_id, collection_id, supplier_key, field, memory, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, workspace.NewID(), orgID, processID, collectionID, m.SupplierKey, m.Field, string(m.Data), unix(at)); err != nil {
				return err
			}
			pruned[slot{m.SupplierKey, m.Field}] = true
		}
		for sl := range pruned {
			if _, err := tx.ExecContext(ctx, `DELETE FROM learned_fields WHERE org_id = $1 AND supplier_key = $2 AND field = $3 AND id NOT IN (
				SELECT id FROM learned_fields WHERE org_id = $1 AND supplier_key = $2 AND field = $3 ORDER BY created_at DESC, id DESC LIMIT $4)`,
				orgID, sl.supplier, sl.field, memoriesPerField); err != nil {
				return err
			}
		}
		return nil
	})
}

// Memories returns the organization's memories for any of the supplier
// keys, newest first, at most limit. It fails only when the database does.
func (s *Store) Memories(ctx context.Context, orgID string, supplierKeys []string, limit int) ([]workspace.Memory, error) {
	if len(supplierKeys) == 0 {
		return nil, nil
	}
	args := []any{orgID, limit}
	ph := make([]string, len(supplierKeys))
	for i, k := range supplierKeys {
		args = append(args, k)
		ph[i] = "$" + strconv.Itoa(i+3)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT supplier_key, field, memory FROM learned_fields WHERE org_id = $1 AND supplier_key IN (`+
		strings.Join(ph, ", ")+`) ORDER BY created_at DESC, id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []workspace.Memory
	for rows.Next() {
		var m workspace.Memory
		var data string
		if err := rows.Scan(&m.SupplierKey, &m.Field, &data); err != nil {
			return nil, err
		}
		m.Data = []byte(data)
		out = append(out, m)
	}
	return out, rows.Err()
}

// ResetLearning forgets everything learned in a process and returns how
// many memories went. It fails only when the database does.
func (s *Store) ResetLearning(ctx context.Context, orgID, processID string) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM learned_fields WHERE org_id = $1 AND process_id = $2`, orgID, processID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
