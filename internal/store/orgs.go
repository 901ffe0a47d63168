package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/crescent-idp/crescent/internal/workspace"
)

var _ workspace.OrgStore = (*Store)(nil)

// CreateOrg inserts o.
func (s *Store) CreateOrg(ctx context.Context, o workspace.Org) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO orgs (id, name, is_default, created_at) VALUES ($1, $2, $3, $4)`,
		o.ID, o.Name, o.Default, unix(o.CreatedAt))
	return err
}

// GetOrg returns the organization or a CodeNotFound error.
func (s *Store) GetOrg(ctx context.Context, id string) (workspace.Org, error) {
	var o workspace.Org
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT id, name, is_default, created_at FROM orgs WHERE id = $1`, id).
		Scan(&o.ID, &o.Name, &o.Default, &created)
	o.CreatedAt = fromUnix(created)
	return o, notFoundIf(err, "organization")
}

// DefaultOrg returns the default organization, creating it under name when
// there is none. Concurrent callers (a server and a CLI starting together)
// end with the same one: the unique index admits a single default.
func (s *Store) DefaultOrg(ctx context.Context, name string) (workspace.Org, error) {
	for range 2 {
		var o workspace.Org
		var created int64
		err := s.w.QueryRowContext(ctx, `SELECT id, name, is_default, created_at FROM orgs WHERE is_default`).
			Scan(&o.ID, &o.Name, &o.Default, &created)
		if err == nil {
			o.CreatedAt = fromUnix(created)
			return o, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return workspace.Org{}, err
		}
		o = workspace.Org{ID: workspace.NewID(), Name: name, Default: true, CreatedAt: s.now().UTC().Truncate(1e9)}
		_, err = s.w.ExecContext(ctx, `INSERT INTO orgs (id, name, is_default, created_at) VALUES ($1, $2, TRUE, $3) ON CONFLICT DO NOTHING`,
			o.ID, o.Name, unix(o.CreatedAt))
		if err != nil {
			return workspace.Org{}, err
		}
	}
	return workspace.Org{}, errors.New("default organization could not be created")
}
