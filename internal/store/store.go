// Package store persists Crescent's data with database/sql on SQLite
// (modernc, the embedded default) or PostgreSQL (pgx). Both run the same
// SQL text: modernc binds $1…$N by number, as PostgreSQL does.
//
// The store persists and queries; it does not decide who may do what.
// Callers pass the organization and process that bound every query.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/crescent-idp/crescent/internal/workspace"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Dialect names the database behind a Store.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the database. On SQLite it holds one writer connection (SQLite
// allows one writer at a time; queuing in Go beats busy-waiting in SQLite)
// and a pool of readers; on PostgreSQL both are the same pool.
type Store struct {
	w, r    *sql.DB
	dialect Dialect
	now     func() time.Time
	enqueue Enqueuer
	events  EventEnqueuer
	exports ExportEnqueuer
	counts  countCache
}

// Open connects to the database named by rawURL: "postgres://…" or
// "postgresql://…" for PostgreSQL, "sqlite:PATH" (or "sqlite://PATH") for
// SQLite. It fails if the URL has another scheme or the database cannot be
// reached. It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db, err := sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s := &Store{w: db, r: db, dialect: Postgres, now: time.Now}
		if err := s.Ping(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return s, nil
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//"))
	default:
		return nil, fmt.Errorf("database url %q: want postgres://… or sqlite:PATH", redact(rawURL))
	}
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite url names no file")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// busy_timeout first, so the pragmas after it wait rather than fail.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s := &Store{w: w, r: r, dialect: SQLite, now: time.Now}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Dialect reports which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the writer pool, for components (the job queue) that need
// transactions of their own.
func (s *Store) DB() *sql.DB { return s.w }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	return nil
}

// Close closes both pools. It is safe to call more than once.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Migrate applies every pending embedded migration and returns the schema
// version reached.
func (s *Store) Migrate(ctx context.Context) (int64, error) {
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return 0, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return 0, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.w, sub, opts...)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return p.GetDBVersion(ctx)
}

// tx runs fn in a transaction on the writer, committing if fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.counts.invalidate()
	return nil
}

// unix and fromUnix convert between time.Time and the BIGINT seconds the
// schema stores; the zero time is 0.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// notFoundIf maps sql.ErrNoRows to a CodeNotFound error about what.
func notFoundIf(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return workspace.NotFound(what)
	}
	return err
}

// redact hides the password of a database URL for error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url)"
	}
	return u.Redacted()
}
