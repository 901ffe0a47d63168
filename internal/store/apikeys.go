package store

import (
	"context"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

var _ workspace.APIKeyStore = (*Store)(nil)

const keyColumns = `id, org_id, process_id, name, scopes, secret_hash, created_by, created_at, expires_at, last_used_at`

// CreateKey inserts k.
func (s *Store) CreateKey(ctx context.Context, k workspace.APIKey) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO api_keys (`+keyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		k.ID, k.OrgID, k.ProcessID, k.Name, joinScopes(k.Scopes), k.SecretHash, k.CreatedBy,
		unix(k.CreatedAt), unix(k.ExpiresAt), unix(k.LastUsedAt))
	return err
}

// KeyByID returns the key with that id, in any organization.
func (s *Store) KeyByID(ctx context.Context, id string) (workspace.APIKey, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = $1`, id))
	return k, notFoundIf(err, "API key")
}

// ListKeys returns a page of f's keys, newest first, and their total.
func (s *Store) ListKeys(ctx context.Context, f workspace.KeyFilter, p workspace.Page) ([]workspace.APIKey, int, error) {
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE org_id = $1 AND process_id = $2`,
		f.OrgID, f.ProcessID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE org_id = $1 AND process_id = $2
		ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`, f.OrgID, f.ProcessID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	keys := []workspace.APIKey{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, 0, err
		}
		keys = append(keys, k)
	}
	return keys, total, rows.Err()
}

// DeleteKey removes key id if it belongs to f; CodeNotFound otherwise.
func (s *Store) DeleteKey(ctx context.Context, f workspace.KeyFilter, id string) error {
	return deleteOne(ctx, s.w, "API key", `DELETE FROM api_keys WHERE id = $1 AND org_id = $2 AND process_id = $3`, id, f.OrgID, f.ProcessID)
}

// TouchKey records use at time at, unless a use within interval before at
// is already recorded. It reports whether it wrote.
func (s *Store) TouchKey(ctx context.Context, id string, at time.Time, interval time.Duration) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND last_used_at <= $3`,
		id, unix(at), unix(at.Add(-interval)))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanKey(r rowScanner) (workspace.APIKey, error) {
	var k workspace.APIKey
	var scopes string
	var created, expires, used int64
	err := r.Scan(&k.ID, &k.OrgID, &k.ProcessID, &k.Name, &scopes, &k.SecretHash, &k.CreatedBy, &created, &expires, &used)
	if err != nil {
		return k, err
	}
	k.Scopes = splitScopes(scopes)
	k.CreatedAt, k.ExpiresAt, k.LastUsedAt = fromUnix(created), fromUnix(expires), fromUnix(used)
	return k, nil
}

func joinScopes(scopes []workspace.Scope) string {
	parts := make([]string, len(scopes))
	for i, s := range scopes {
		parts[i] = string(s)
	}
	return strings.Join(parts, " ")
}

func splitScopes(s string) []workspace.Scope {
	out := []workspace.Scope{}
	for _, f := range strings.Fields(s) {
		out = append(out, workspace.Scope(f))
	}
	return out
}
