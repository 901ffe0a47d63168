package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

var _ workspace.CollectionStore = (*Store)(nil)

// Enqueuer inserts the processing job of a collection inside tx, so that
// the job exists exactly when the state change that needs it commits.
type Enqueuer func(ctx context.Context, tx *sql.Tx, collectionID string, priority bool) error

// SetEnqueuer installs the job queue's enqueue function. Without one,
// state changes that need processing commit without a job.
func (s *Store) SetEnqueuer(e Enqueuer) { s.enqueue = e }

func (s *Store) enqueueTx(ctx context.Context, tx *sql.Tx, id string, priority bool) error {
	if s.enqueue == nil {
		return nil
	}
	if err := s.enqueue(ctx, tx, id, priority); err != nil {
		return fmt.Errorf("enqueue collection %s: %w", id, err)
	}
	return nil
}

const collectionColumns = `id, org_id, process_id, name, priority, split, status, status_message, progress, pages, metadata, created_at, updated_at, duplicates`

// CreateCollection commits collection, files, metadata index, job and
// idempotency record in one transaction.
func (s *Store) CreateCollection(ctx context.Context, n workspace.NewCollection) error {
	c := n.Collection
	md, err := json.Marshal(orEmpty(c.Metadata))
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if i := n.Idempotency; i != nil {
			res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_records (org_id, key_id, route, idem_key, request_hash, status, response, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
				i.OrgID, i.APIKeyID, i.Route, i.Key, i.RequestHash, i.Status, i.CollectionID, unix(i.CreatedAt))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return workspace.Errorf(workspace.CodeConflict, "a request with this Idempotency-Key is already being processed")
			}
		}
		dups, err := earlierDuplicates(ctx, tx, c)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO collections (`+collectionColumns+`, name_lower)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			c.ID, c.OrgID, c.ProcessID, c.Name, c.Priority, c.Split, c.Status, c.StatusMessage, c.Progress, c.NumberOfPages,
			string(md), unix(c.CreatedAt), unix(c.UpdatedAt), dups, strings.ToLower(c.Name))
		if err != nil {
			return err
		}
		if err := insertMetadata(ctx, tx, c.ID, c.Metadata); err != nil {
			return err
		}
		for i, f := range c.Files {
			_, err := tx.ExecContext(ctx, `INSERT INTO files (id, collection_id, org_id, position, name, status, progress, pages,
				content_type, kind, size, sha256, blob_key, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
				f.ID, c.ID, c.OrgID, i, f.Name, f.Status, f.Progress, f.NumberOfPages, f.ContentType, f.Kind, f.Size, f.SHA256,
				f.BlobKey, unix(f.CreatedAt), unix(f.UpdatedAt))
			if err != nil {
				return err
			}
		}
		return s.enqueueTx(ctx, tx, c.ID, c.Priority)
	})
	return err
}

func insertMetadata(ctx context.Context, tx *sql.Tx, id string, md map[string]any) error {
	for k, v := range md {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO collection_metadata (collection_id, k, v) VALUES ($1, $2, $3)`, id, k, string(raw)); err != nil {
			return err
		}
	}
	return nil
}

// GetCollection returns the organization's collection with files and
// duplicates, or CodeNotFound.
func (s *Store) GetCollection(ctx context.Context, orgID, id string) (workspace.Collection, error) {
	c, err := scanCollection(s.r.QueryRowContext(ctx, `SELECT `+collectionColumns+` FROM collections WHERE id = $1 AND org_id = $2`, id, orgID))
	if err != nil {
		return c, notFoundIf(err, "collection")
	}
	cs := []workspace.Collection{c}
	if err := s.attach(ctx, cs); err != nil {
		return c, err
	}
	return cs[0], nil
}

// CollectionProcess returns the process id of the organization's collection.
func (s *Store) CollectionProcess(ctx context.Context, orgID, id string) (string, error) {
	var pid string
	err := s.r.QueryRowContext(ctx, `SELECT process_id FROM collections WHERE id = $1 AND org_id = $2`, id, orgID).Scan(&pid)
	return pid, notFoundIf(err, "collection")
}

// ListCollections returns a page of the filtered queue and its total.
func (s *Store) ListCollections(ctx context.Context, f workspace.CollectionFilter, p workspace.Page) ([]workspace.Collection, int, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	// The organization bounds the process, checked once by a constant
	// subquery; a per-row org_id test would defeat the process indexes.
	where = append(where, "c.process_id = (SELECT id FROM processes WHERE id = "+arg(f.ProcessID)+" AND org_id = "+arg(f.OrgID)+")")
	if f.Query != "" {
		where = append(where, `c.name_lower LIKE `+arg("%"+escapeLike(strings.ToLower(f.Query))+"%")+` ESCAPE '\'`)
	}
	if !f.From.IsZero() {
		where = append(where, "c.created_at >= "+arg(unix(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "c.created_at <= "+arg(unix(f.To)))
	}
	if f.Priority != nil {
		where = append(where, "c.priority = "+arg(*f.Priority))
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ph[i] = arg(st)
		}
		where = append(where, "c.status IN ("+strings.Join(ph, ", ")+")")
	}
	keys := make([]string, 0, len(f.Metadata))
	for k := range f.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		raw, err := json.Marshal(f.Metadata[k])
		if err != nil {
			return nil, 0, workspace.Invalid("query: metadata", "metadata values must be JSON")
		}
		where = append(where, "EXISTS (SELECT 1 FROM collection_metadata m WHERE m.collection_id = c.id AND m.k = "+arg(k)+" AND m.v = "+arg(string(raw))+")")
	}
	cond := strings.Join(where, " AND ")
	total, err := s.counts.get(ctx, cond, args, func() (int, error) {
		var n int
		err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM collections c WHERE `+cond, args...).Scan(&n)
		return n, err
	})
	if err != nil {
		return nil, 0, err
	}
	order := map[workspace.CollectionOrder]string{
		workspace.OrderCreatedDesc: "c.created_at DESC, c.id DESC",
		workspace.OrderCreatedAsc:  "c.created_at ASC, c.id ASC",
		workspace.OrderNameAsc:     "c.name_lower ASC, c.id ASC",
		workspace.OrderNameDesc:    "c.name_lower DESC, c.id DESC",
	}[f.Order]
	if order == "" {
		order = "c.created_at DESC, c.id DESC"
	}
	q := `SELECT ` + prefixed("c.", collectionColumns) + ` FROM collections c WHERE ` + cond +
		` ORDER BY ` + order + ` LIMIT ` + arg(p.Limit) + ` OFFSET ` + arg(p.Offset)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []workspace.Collection{}
	for rows.Next() {
		c, err := scanCollection(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, s.attach(ctx, out)
}

// attach loads the files of cs with one query.
func (s *Store) attach(ctx context.Context, cs []workspace.Collection) error {
	if len(cs) == 0 {
		return nil
	}
	idx := make(map[string]int, len(cs))
	ph := make([]string, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		idx[c.ID] = i
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = c.ID
		cs[i].Files = []workspace.File{}
	}
	in := strings.Join(ph, ", ")
	rows, err := s.r.QueryContext(ctx, `SELECT id, collection_id, name, status, progress, pages, content_type, kind, size, sha256,
		blob_key, created_at, updated_at FROM files WHERE collection_id IN (`+in+`) ORDER BY collection_id, position`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var f workspace.File
		var created, updated int64
		if err := rows.Scan(&f.ID, &f.CollectionID, &f.Name, &f.Status, &f.Progress, &f.NumberOfPages, &f.ContentType, &f.Kind,
			&f.Size, &f.SHA256, &f.BlobKey, &created, &updated); err != nil {
			rows.Close()
			return err
		}
		f.CreatedAt, f.UpdatedAt = fromUnix(created), fromUnix(updated)
		i := idx[f.CollectionID]
		cs[i].Files = append(cs[i].Files, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return nil
}

// earlierDuplicates lists, as JSON, the organization's collections that
// already hold a file with the same SHA-256 as one of c's files.
func earlierDuplicates(ctx context.Context, tx *sql.Tx, c workspace.Collection) (string, error) {
	dups := []string{}
	seen := map[string]bool{}
	for _, f := range c.Files {
		ids, err := strings1(ctx, tx, `SELECT DISTINCT collection_id FROM files WHERE org_id = $1 AND sha256 = $2 ORDER BY collection_id`, c.OrgID, f.SHA256)
		if err != nil {
			return "", err
		}
		for _, id := range ids {
			if id != c.ID && !seen[id] {
				seen[id] = true
				dups = append(dups, id)
			}
		}
	}
	sort.Strings(dups)
	raw, err := json.Marshal(dups)
	return string(raw), err
}

// SetMetadata replaces a collection's metadata.
func (s *Store) SetMetadata(ctx context.Context, orgID, id string, md map[string]any, at time.Time) error {
	raw, err := json.Marshal(orEmpty(md))
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE collections SET metadata = $3, updated_at = $4 WHERE id = $1 AND org_id = $2`,
			id, orgID, string(raw), unix(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return workspace.NotFound("collection")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM collection_metadata WHERE collection_id = $1`, id); err != nil {
			return err
		}
		return insertMetadata(ctx, tx, id, md)
	})
}

// DeleteCollection removes the collection and its files and returns the
// files' blob keys.
func (s *Store) DeleteCollection(ctx context.Context, orgID, id string) ([]string, error) {
	var blobs []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if blobs, err = strings1(ctx, tx, `SELECT blob_key FROM files WHERE collection_id = $1 AND org_id = $2`, id, orgID); err != nil {
			return err
		}
		if err := deleteOne(ctx, tx, "collection", `DELETE FROM collections WHERE id = $1 AND org_id = $2`, id, orgID); err != nil {
			return err
		}
		return pruneDuplicate(ctx, tx, orgID, id)
	})
	return blobs, err
}

// pruneDuplicate removes a deleted collection from the duplicates lists
// that name it.
func pruneDuplicate(ctx context.Context, tx *sql.Tx, orgID, id string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, duplicates FROM collections WHERE org_id = $1 AND duplicates LIKE $2`, orgID, "%"+id+"%")
	if err != nil {
		return err
	}
	updates := map[string]string{}
	for rows.Next() {
		var cid, raw string
		if err := rows.Scan(&cid, &raw); err != nil {
			rows.Close()
			return err
		}
		var ids, kept []string
		_ = json.Unmarshal([]byte(raw), &ids)
		kept = []string{}
		for _, d := range ids {
			if d != id {
				kept = append(kept, d)
			}
		}
		b, _ := json.Marshal(kept)
		updates[cid] = string(b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for cid, raw := range updates {
		if _, err := tx.ExecContext(ctx, `UPDATE collections SET duplicates = $2 WHERE id = $1`, cid, raw); err != nil {
			return err
		}
	}
	return nil
}

// querier runs queries: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// strings1 returns the single text column of a query's rows.
func strings1(ctx context.Context, x querier, q string, args ...any) ([]string, error) {
	rows, err := x.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// deleteOne runs a DELETE and answers CodeNotFound about what when it
// removed nothing.
func deleteOne(ctx context.Context, x execer, what, q string, args ...any) error {
	res, err := x.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return workspace.NotFound(what)
	}
	return nil
}

// TransitionCollection moves the collection from one of from to to.
func (s *Store) TransitionCollection(ctx context.Context, orgID, id string, from []string, to, message string, enqueue bool, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var status, processID string
		var priority bool
		err := tx.QueryRowContext(ctx, `SELECT status, priority, process_id FROM collections WHERE id = $1 AND org_id = $2`, id, orgID).Scan(&status, &priority, &processID)
		if err != nil {
			return notFoundIf(err, "collection")
		}
		allowed := false
		for _, f := range from {
			allowed = allowed || f == status
		}
		if !allowed {
			return workspace.Errorf(workspace.CodeConflict, "the collection is %s; this needs it to be %s", status, strings.Join(from, " or "))
		}
		progress := 0
		if to != workspace.StatusQueued {
			progress = -1 // keep
		}
		_, err = tx.ExecContext(ctx, `UPDATE collections SET status = $3, status_message = $4, updated_at = $5,
			progress = CASE WHEN $6 < 0 THEN progress ELSE $6 END WHERE id = $1 AND org_id = $2`,
			id, orgID, to, message, unix(at), progress)
		if err != nil {
			return err
		}
		// The files of a collection share its status.
		if _, err := tx.ExecContext(ctx, `UPDATE files SET status = $2, updated_at = $3 WHERE collection_id = $1`, id, to, unix(at)); err != nil {
			return err
		}
		if to == workspace.StatusAccepted {
			if err := s.emit(ctx, tx, orgID, processID, id, workspace.EventAccepted); err != nil {
				return err
			}
		}
		if enqueue {
			return s.enqueueTx(ctx, tx, id, priority)
		}
		return nil
	})
}

// GetIdempotency returns the response remembered under k (organization,
// API key, route and header value together) or CodeNotFound.
func (s *Store) GetIdempotency(ctx context.Context, k workspace.IdempotencyKey) (workspace.Idempotency, error) {
	i := workspace.Idempotency{IdempotencyKey: k}
	var resp string
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT request_hash, status, response, created_at FROM idempotency_records
		WHERE org_id = $1 AND key_id = $2 AND route = $3 AND idem_key = $4`,
		k.OrgID, k.APIKeyID, k.Route, k.Key).Scan(&i.RequestHash, &i.Status, &resp, &created)
	i.CollectionID, i.CreatedAt = resp, fromUnix(created)
	return i, notFoundIf(err, "idempotency key")
}

func scanCollection(r rowScanner) (workspace.Collection, error) {
	var c workspace.Collection
	var md string
	var created, updated int64
	var dups string
	err := r.Scan(&c.ID, &c.OrgID, &c.ProcessID, &c.Name, &c.Priority, &c.Split, &c.Status, &c.StatusMessage, &c.Progress,
		&c.NumberOfPages, &md, &created, &updated, &dups)
	if err != nil {
		return c, err
	}
	c.Duplicates = []string{}
	if err := json.Unmarshal([]byte(dups), &c.Duplicates); err != nil {
		return c, fmt.Errorf("collection %s duplicates: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	if err := json.Unmarshal([]byte(md), &c.Metadata); err != nil {
		return c, fmt.Errorf("collection %s metadata: %w", c.ID, err)
	}
	return c, nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// escapeLike escapes LIKE's wildcards so a query matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
