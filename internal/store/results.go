package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

var _ workspace.ResultStore = (*Store)(nil)

// ClaimCollection moves a Queued or Processing collection to Processing.
// A Processing one is claimed again: its job is being retried after a
// crash or a failed attempt.
func (s *Store) ClaimCollection(ctx context.Context, id string) (workspace.Collection, workspace.Process, bool, error) {
	var c workspace.Collection
	var p workspace.Process
	claimed := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE collections SET status = $2, progress = 0, status_message = '', updated_at = $3
			WHERE id = $1 AND status IN ($4, $2)`, id, workspace.StatusProcessing, unix(s.now()), workspace.StatusQueued)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		claimed = n > 0
		return nil
	})
	if err != nil || !claimed {
		return c, p, false, err
	}
	var orgID string
	if err := s.w.QueryRowContext(ctx, `SELECT org_id FROM collections WHERE id = $1`, id).Scan(&orgID); err != nil {
		return c, p, false, notFoundIf(err, "collection")
	}
	if c, err = s.GetCollection(ctx, orgID, id); err != nil {
		return c, p, false, err
	}
	p, err = s.GetProcess(ctx, orgID, c.ProcessID)
	return c, p, err == nil, err
}

// SetProgress records the progress of a processing collection.
func (s *Store) SetProgress(ctx context.Context, id string, progress int) error {
	_, err := s.w.ExecContext(ctx, `UPDATE collections SET progress = $2 WHERE id = $1 AND status = $3`, id, progress, workspace.StatusProcessing)
	return err
}

// FinishCollection commits an outcome atomically with the final status.
func (s *Store) FinishCollection(ctx context.Context, o workspace.Outcome, at time.Time) (bool, error) {
	ok := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var processID, orgID string
		err := tx.QueryRowContext(ctx, `SELECT process_id, org_id FROM collections WHERE id = $1 AND status = $2`, o.CollectionID, workspace.StatusProcessing).Scan(&processID, &orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // stopped or deleted meanwhile: keep nothing
		}
		if err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM documents WHERE collection_id = $1`, `DELETE FROM pages WHERE collection_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, o.CollectionID); err != nil {
				return err
			}
		}
		for _, d := range o.Documents {
			if err := insertDocument(ctx, tx, d, at); err != nil {
				return err
			}
		}
		for _, pg := range o.Pages {
			words := pg.Words
			if len(words) == 0 {
				words = json.RawMessage("[]")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO pages (id, collection_id, file_id, document_id, page_num, source, text, words)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, pg.ID, o.CollectionID, pg.FileID, pg.DocumentID, pg.PageNum, pg.Source, pg.Text, string(words)); err != nil {
				return err
			}
		}
		for _, f := range o.Files {
			if _, err := tx.ExecContext(ctx, `UPDATE files SET status = $3, progress = 100, result_code = $4, result_msg = $5, updated_at = $6
				WHERE id = $1 AND collection_id = $2`, f.FileID, o.CollectionID, o.Status, f.Status.Code, f.Status.Msg, unix(at)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE collections SET status = $2, status_message = $3, progress = 100, updated_at = $4 WHERE id = $1`,
			o.CollectionID, o.Status, o.Message, unix(at)); err != nil {
			return err
		}
		if o.UsagePages > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE processes SET usage_pages = COALESCE(usage_pages, 0) + $2 WHERE id = $1`, processID, o.UsagePages); err != nil {
				return err
			}
		}
		ok = true
		switch o.Status {
		case workspace.StatusFailed:
			return s.emit(ctx, tx, orgID, processID, o.CollectionID, workspace.EventFailed)
		case workspace.StatusAccepted:
			return s.emit(ctx, tx, orgID, processID, o.CollectionID, workspace.EventProcessed, workspace.EventAccepted)
		default:
			return s.emit(ctx, tx, orgID, processID, o.CollectionID, workspace.EventProcessed)
		}
	})
	return ok, err
}

func insertDocument(ctx context.Context, tx *sql.Tx, d workspace.Document, at time.Time) error {
	cs, _ := json.Marshal(d.ClassStatus)
	vs, _ := json.Marshal(d.Validation)
	tables, err := json.Marshal(orEmptyTables(d.Tables))
	if err != nil {
		return fmt.Errorf("document tables: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO documents (id, collection_id, file_id, position, name, first_page, last_page, class,
		class_status, validation, tables) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.ID, d.CollectionID, d.FileID, d.Position, d.Name, d.FirstPage, d.LastPage, d.Class, string(cs), string(vs), string(tables)); err != nil {
		return err
	}
	for _, e := range d.Extractions {
		e.DocumentID, e.CollectionID = d.ID, d.CollectionID
		if e.CreatedAt.IsZero() {
			e.CreatedAt, e.UpdatedAt = at, at
		}
		if err := insertExtraction(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

const extractionColumns = `id, document_id, collection_id, field, rank, value, raw_value, converter_type, converter_format, status,
	validation, confidence, page_num, bbox, source, created_at, updated_at`

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertExtraction(ctx context.Context, x execer, e workspace.Extraction) error {
	val, err := json.Marshal(e.Value)
	if err != nil {
		return fmt.Errorf("extraction value: %w", err)
	}
	st, _ := json.Marshal(e.Status)
	vs, _ := json.Marshal(e.Validation)
	bbox, _ := json.Marshal(e.BBox)
	_, err = x.ExecContext(ctx, `INSERT INTO extractions (`+extractionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		e.ID, e.DocumentID, e.CollectionID, e.Field, e.Rank, string(val), e.RawValue, e.ConverterType, e.ConverterFormat,
		string(st), string(vs), e.Confidence, e.PageNum, string(bbox), e.Source, unix(e.CreatedAt), unix(e.UpdatedAt))
	return err
}

// Documents returns a collection's documents with their extractions.
func (s *Store) Documents(ctx context.Context, collectionID string) ([]workspace.Document, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, file_id, position, name, first_page, last_page, class, class_status, validation, tables
		FROM documents WHERE collection_id = $1 ORDER BY position`, collectionID)
	if err != nil {
		return nil, err
	}
	var docs []workspace.Document
	idx := map[string]int{}
	for rows.Next() {
		d := workspace.Document{CollectionID: collectionID}
		var cs, vs, tables string
		if err := rows.Scan(&d.ID, &d.FileID, &d.Position, &d.Name, &d.FirstPage, &d.LastPage, &d.Class, &cs, &vs, &tables); err != nil {
			rows.Close()
			return nil, err
		}
		_ = json.Unmarshal([]byte(cs), &d.ClassStatus)
		_ = json.Unmarshal([]byte(vs), &d.Validation)
		if err := json.Unmarshal([]byte(tables), &d.Tables); err != nil {
			rows.Close()
			return nil, fmt.Errorf("document %s tables: %w", d.ID, err)
		}
		idx[d.ID] = len(docs)
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	erows, err := s.r.QueryContext(ctx, `SELECT `+extractionColumns+` FROM extractions WHERE collection_id = $1
		ORDER BY document_id, field, rank, created_at`, collectionID)
	if err != nil {
		return nil, err
	}
	defer erows.Close()
	for erows.Next() {
		e, err := scanExtraction(erows)
		if err != nil {
			return nil, err
		}
		if i, ok := idx[e.DocumentID]; ok {
			docs[i].Extractions = append(docs[i].Extractions, e)
		}
	}
	return docs, erows.Err()
}

func scanExtraction(r rowScanner) (workspace.Extraction, error) {
	var e workspace.Extraction
	var val, st, vs, bbox string
	var created, updated int64
	if err := r.Scan(&e.ID, &e.DocumentID, &e.CollectionID, &e.Field, &e.Rank, &val, &e.RawValue, &e.ConverterType, &e.ConverterFormat,
		&st, &vs, &e.Confidence, &e.PageNum, &bbox, &e.Source, &created, &updated); err != nil {
		return e, err
	}
	_ = json.Unmarshal([]byte(val), &e.Value)
	_ = json.Unmarshal([]byte(st), &e.Status)
	_ = json.Unmarshal([]byte(vs), &e.Validation)
	_ = json.Unmarshal([]byte(bbox), &e.BBox)
	e.CreatedAt, e.UpdatedAt = fromUnix(created), fromUnix(updated)
	return e, nil
}

// FileOutcomes returns each file's reading status by file id.
func (s *Store) FileOutcomes(ctx context.Context, collectionID string) (map[string]workspace.StatusInfo, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, result_code, result_msg FROM files WHERE collection_id = $1`, collectionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]workspace.StatusInfo{}
	for rows.Next() {
		var id, code, msg string
		if err := rows.Scan(&id, &code, &msg); err != nil {
			return nil, err
		}
		st := workspace.StatusInfo{Code: code, Msg: msg}
		for _, known := range []workspace.StatusInfo{workspace.FileCompleted, workspace.FileUnsupported, workspace.FileFailed} {
			if known.Code == code {
				st.Status = known.Status
			}
		}
		out[id] = st
	}
	return out, rows.Err()
}

// Pages returns the page texts of a collection; words only when asked.
func (s *Store) Pages(ctx context.Context, collectionID string, words bool) ([]workspace.PageText, error) {
	col := "'[]'"
	if words {
		col = "words"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, file_id, document_id, page_num, source, text, `+col+` FROM pages
		WHERE collection_id = $1 ORDER BY file_id, page_num`, collectionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []workspace.PageText
	for rows.Next() {
		var p workspace.PageText
		var w string
		if err := rows.Scan(&p.ID, &p.FileID, &p.DocumentID, &p.PageNum, &p.Source, &p.Text, &w); err != nil {
			return nil, err
		}
		p.Words = json.RawMessage(w)
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddExtraction inserts a reviewer's value.
func (s *Store) AddExtraction(ctx context.Context, e workspace.Extraction) error {
	return insertExtraction(ctx, s.w, e)
}

// UpdateExtraction replaces the value of an extraction.
func (s *Store) UpdateExtraction(ctx context.Context, e workspace.Extraction) error {
	val, err := json.Marshal(e.Value)
	if err != nil {
		return err
	}
	bbox, _ := json.Marshal(e.BBox)
	st, _ := json.Marshal(e.Status)
	vs, _ := json.Marshal(e.Validation)
	res, err := s.w.ExecContext(ctx, `UPDATE extractions SET value = $3, raw_value = $4, page_num = $5, bbox = $6, source = $7,
		confidence = $8, status = $9, validation = $10, updated_at = $11 WHERE id = $1 AND document_id = $2`,
		e.ID, e.DocumentID, string(val), e.RawValue, e.PageNum, string(bbox), e.Source, e.Confidence, string(st), string(vs), unix(e.UpdatedAt))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return workspace.NotFound("extraction")
	}
	return nil
}

// SetValidation records the validators' outcome on a document and its
// extractions in one transaction.
func (s *Store) SetValidation(ctx context.Context, documentID string, doc workspace.StatusInfo, byExtraction map[string]workspace.StatusInfo) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		vs, _ := json.Marshal(doc)
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET validation = $2 WHERE id = $1`, documentID, string(vs)); err != nil {
			return err
		}
		for id, v := range byExtraction {
			vs, _ := json.Marshal(v)
			if _, err := tx.ExecContext(ctx, `UPDATE extractions SET validation = $3 WHERE id = $1 AND document_id = $2`, id, documentID, string(vs)); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteExtraction removes an extraction.
func (s *Store) DeleteExtraction(ctx context.Context, documentID, id string) error {
	return deleteOne(ctx, s.w, "extraction", `DELETE FROM extractions WHERE id = $1 AND document_id = $2`, id, documentID)
}

func orEmptyTables(t map[string]workspace.Table) map[string]workspace.Table {
	if t == nil {
		return map[string]workspace.Table{}
	}
	return t
}
