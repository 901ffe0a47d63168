// Package storetest gives tests real databases: a fresh SQLite file, and a
// fresh schema in the PostgreSQL named by CRESCENT_TEST_DATABASE_URL.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "CRESCENT_TEST_DATABASE_URL"

// Each runs fn once per available database, as a subtest named "sqlite"
// or "postgres", with a URL to a database nobody else uses. PostgreSQL runs
// only when CRESCENT_TEST_DATABASE_URL is set (make test sets it when the
// server answers; CI always does); if set but unreachable, the test fails.
func Each(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresURL(t)) })
}

// SQLiteURL returns the URL of a new SQLite database in a temporary folder.
func SQLiteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "crescent.db")
}

// PostgresURL creates a fresh schema and returns a URL whose connections
// use it; the schema is dropped when the test ends. It skips the test when
// CRESCENT_TEST_DATABASE_URL is unset.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " is not set; PostgreSQL tests skipped")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	schema := "t_" + strings.ToLower(workspace.NewID())
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres at %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Describe names a database URL for test messages without credentials.
func Describe(dbURL string) string {
	if strings.HasPrefix(dbURL, "sqlite:") {
		return "sqlite"
	}
	return fmt.Sprintf("postgres(%s)", strings.SplitN(dbURL, "?", 2)[0])
}
