package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/crescent-idp/crescent/internal/workspace"
)

var _ workspace.ProcessStore = (*Store)(nil)

const processColumns = `id, org_id, name, type_id, version, config, created_by, created_at, updated_at, usage_pages, accesses`

// CreateProcess inserts p.
func (s *Store) CreateProcess(ctx context.Context, p workspace.Process) error {
	cfg, acc, err := processJSON(p)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO processes (`+processColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.ID, p.OrgID, p.Name, p.TypeID, p.Version, cfg, p.CreatedBy, unix(p.CreatedAt), unix(p.UpdatedAt), p.Usage, acc)
	return err
}

// GetProcess returns the organization's process or CodeNotFound.
func (s *Store) GetProcess(ctx context.Context, orgID, id string) (workspace.Process, error) {
	p, err := scanProcess(s.r.QueryRowContext(ctx, `SELECT `+processColumns+` FROM processes WHERE id = $1 AND org_id = $2`, id, orgID))
	return p, notFoundIf(err, "process")
}

// ProcessExists returns nil if the organization has the process and
// CodeNotFound if not.
func (s *Store) ProcessExists(ctx context.Context, orgID, id string) error {
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM processes WHERE id = $1 AND org_id = $2`, id, orgID).Scan(&one)
	return notFoundIf(err, "process")
}

// ListProcesses returns a page of processes, oldest first, and the total.
func (s *Store) ListProcesses(ctx context.Context, orgID, onlyID string, p workspace.Page) ([]workspace.Process, int, error) {
	where, args := `org_id = $1`, []any{orgID}
	if onlyID != "" {
		where, args = where+` AND id = $2`, append(args, onlyID)
	}
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM processes WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT `+processColumns+` FROM processes WHERE `+where+
		` ORDER BY created_at, id LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []workspace.Process{}
	for rows.Next() {
		pr, err := scanProcess(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, pr)
	}
	return out, total, rows.Err()
}

// UpdateProcess stores p's name, version, config, accesses and updatedAt.
func (s *Store) UpdateProcess(ctx context.Context, p workspace.Process) error {
	cfg, acc, err := processJSON(p)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE processes SET name = $3, version = $4, config = $5, accesses = $6, updated_at = $7
		WHERE id = $1 AND org_id = $2`, p.ID, p.OrgID, p.Name, p.Version, cfg, acc, unix(p.UpdatedAt))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return workspace.NotFound("process")
	}
	return nil
}

// DeleteProcess removes the process, its collections, files and keys in
// one transaction and returns the blob keys of the removed files.
func (s *Store) DeleteProcess(ctx context.Context, orgID, id string) ([]string, error) {
	var blobs []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		blobs, err = strings1(ctx, tx, `SELECT f.blob_key FROM files f JOIN collections c ON c.id = f.collection_id
			WHERE c.process_id = $1 AND c.org_id = $2`, id, orgID)
		if err != nil {
			return err
		}
		if err := deleteOne(ctx, tx, "process", `DELETE FROM processes WHERE id = $1 AND org_id = $2`, id, orgID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM api_keys WHERE process_id = $1 AND org_id = $2`, id, orgID)
		return err
	})
	return blobs, err
}

func processJSON(p workspace.Process) (cfg, acc string, err error) {
	c, err := json.Marshal(p.Config)
	if err != nil {
		return "", "", err
	}
	a, err := json.Marshal(p.Accesses)
	if err != nil {
		return "", "", err
	}
	return string(c), string(a), nil
}

func scanProcess(r rowScanner) (workspace.Process, error) {
	var p workspace.Process
	var cfg, acc string
	var created, updated int64
	var usage sql.NullInt64
	if err := r.Scan(&p.ID, &p.OrgID, &p.Name, &p.TypeID, &p.Version, &cfg, &p.CreatedBy, &created, &updated, &usage, &acc); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(cfg), &p.Config); err != nil {
		return p, fmt.Errorf("process %s config: %w", p.ID, err)
	}
	p.Config = p.Config.WithDefaults()
	if err := json.Unmarshal([]byte(acc), &p.Accesses); err != nil {
		return p, fmt.Errorf("process %s accesses: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = fromUnix(created), fromUnix(updated)
	if usage.Valid {
		p.Usage = &usage.Int64
	}
	return p, nil
}
