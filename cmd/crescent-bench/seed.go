package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the schema

	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// seedCollections inserts n one-file collections into process pid straight
// through SQL, in batches of 5,000 (as the store's list benchmark does),
// then refreshes the planner's statistics. The server must be stopped on
// SQLite, so that the seeding does not compete for the one writer.
func seedCollections(ctx context.Context, dbURL, pid string, n int) error {
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	db := st.DB()
	var orgID string
	if err := db.QueryRowContext(ctx, `SELECT org_id FROM processes WHERE id = $1`, pid).Scan(&orgID); err != nil {
		return fmt.Errorf("process %s: %w", pid, err)
	}
	base := time.Now().Add(-time.Duration(n) * time.Second).Unix()
	for start := 0; start < n; start += 5000 {
		if err := seedBatch(ctx, db, orgID, pid, base, start, min(n, start+5000)); err != nil {
			return err
		}
	}
	// Measure the steady state: on PostgreSQL, vacuum now rather than let
	// autovacuum wake up on 100,000 fresh rows in the middle of the load.
	stmt := "ANALYZE"
	if st.Dialect() == store.Postgres {
		stmt = "VACUUM ANALYZE"
	}
	_, err = db.ExecContext(ctx, stmt)
	return err
}

func seedBatch(ctx context.Context, db *sql.DB, orgID, pid string, base int64, from, to int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cs, err := tx.PrepareContext(ctx, `INSERT INTO collections (id, org_id, process_id, name, name_lower, priority, split, status,
		metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $5, FALSE, $6, '{}', $7, $7)`)
	if err != nil {
		return err
	}
	fs, err := tx.PrepareContext(ctx, `INSERT INTO files (id, collection_id, org_id, position, name, status, content_type, kind, size,
		sha256, blob_key, created_at, updated_at) VALUES ($1, $2, $3, 0, $4, 'Queued', 'application/pdf', 'pdf', 1000, $5, $6, $7, $7)`)
	if err != nil {
		return err
	}
	for i := from; i < to; i++ {
		cid := workspace.NewID()
		name := fmt.Sprintf("invoice-%06d.pdf", i)
		status := workspace.CollectionStatuses[i%len(workspace.CollectionStatuses)]
		if _, err := cs.ExecContext(ctx, cid, orgID, pid, name, i%10 == 0, status, base+int64(i)); err != nil {
			return fmt.Errorf("seed collection: %w", err)
		}
		if _, err := fs.ExecContext(ctx, workspace.NewID(), cid, orgID, name, fmt.Sprintf("%064x", i), "k/"+cid, base+int64(i)); err != nil {
			return fmt.Errorf("seed file: %w", err)
		}
	}
	return tx.Commit()
}

// postgresSchema makes sure a PostgreSQL URL names a schema of its own in
// search_path (adding bench_<random> when it names none), creates it, and
// returns the URL and a function that drops the schema.
func postgresSchema(ctx context.Context, raw string) (string, func(), error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, fmt.Errorf("--database-url: %w", err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	if schema == "" {
		schema = "bench_" + workspace.NewID()[22:] // the random end of a UUIDv7
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
	}
	if strings.ContainsAny(schema, `,"' `) {
		return "", nil, fmt.Errorf("search_path %q: want one plain schema name", schema)
	}
	admin := *u
	aq := admin.Query()
	aq.Del("search_path")
	admin.RawQuery = aq.Encode()
	db, err := sql.Open("pgx", admin.String())
	if err != nil {
		return "", nil, err
	}
	if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	drop := func() {
		_, _ = db.ExecContext(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
		db.Close()
	}
	return u.String(), drop, nil
}
