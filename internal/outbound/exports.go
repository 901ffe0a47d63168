package outbound

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/crescent-idp/crescent/internal/export"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// ExportSource reads what an export contains.
type ExportSource interface {
	GetExport(ctx context.Context, orgID, id string) (workspace.Export, error)
	UpdateExport(ctx context.Context, e workspace.Export) error
	GetProcess(ctx context.Context, orgID, id string) (workspace.Process, error)
	ExportCollections(ctx context.Context, e workspace.Export, fn func(workspace.Collection) error) error
	Documents(ctx context.Context, collectionID string) ([]workspace.Document, error)
}

// Builder writes export files.
type Builder struct {
	Source  ExportSource
	Blobs   service.Blobs
	TempDir string
	Log     *slog.Logger
	Now     func() time.Time
}

// BuildExport writes one export: rows stream from the database, page by
// page, through the format's writer into a temporary file, which is then
// stored. Memory stays bounded whatever the number of documents. On the
// last attempt a failure marks the export Failed.
func (b *Builder) BuildExport(ctx context.Context, id string, last bool) error {
	e, err := b.Source.GetExport(ctx, "", id)
	if workspace.ErrorCode(err) == workspace.CodeNotFound {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	if e.Status == service.ExportCompleted {
		return nil
	}
	e.Status = service.ExportRunning
	if err := b.Source.UpdateExport(ctx, e); err != nil {
		return err
	}
	n, key, err := b.build(ctx, e)
	if err != nil {
		if !last {
			return err
		}
		e.Status, e.Error, e.CompletedAt = service.ExportFailed, err.Error(), b.Now().UTC()
		return b.Source.UpdateExport(context.WithoutCancel(ctx), e)
	}
	e.Status, e.RowCount, e.BlobKey, e.CompletedAt = service.ExportCompleted, n, key, b.Now().UTC()
	b.Log.InfoContext(ctx, "export built", "export_id", e.ID, "format", e.Format, "rows", n)
	return b.Source.UpdateExport(ctx, e)
}

func (b *Builder) build(ctx context.Context, e workspace.Export) (int, string, error) {
	p, err := b.Source.GetProcess(ctx, e.OrgID, e.ProcessID)
	if err != nil {
		return 0, "", err
	}
	spec := specOf(p)
	tmp, err := os.CreateTemp(b.TempDir, "export-*")
	if err != nil {
		return 0, "", err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	w, err := export.New(e.Format, tmp, spec)
	if err != nil {
		return 0, "", err
	}
	rows := 0
	err = b.Source.ExportCollections(ctx, e, func(c workspace.Collection) error {
		docs, err := b.Source.Documents(ctx, c.ID)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, f := range c.Files {
			names[f.ID] = f.Name
		}
		for _, d := range docs {
			if err := w.Write(rowOf(c, d, names[d.FileID], spec)); err != nil {
				return err
			}
			rows++
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	if err := w.Close(); err != nil {
		return 0, "", err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, "", err
	}
	key := fmt.Sprintf("exports/%s/%s.%s", e.OrgID, e.ID, fileExt(e.Format))
	if _, _, err := b.Blobs.Put(ctx, key, tmp, export.ContentType(e.Format)); err != nil {
		return 0, "", err
	}
	return rows, key, nil
}

// fileExt is the extension of an export file: CSV comes as a zip of two.
func fileExt(format string) string {
	if format == "csv" {
		return "zip"
	}
	return format
}

// specOf lists a process's scalar data points as columns.
func specOf(p workspace.Process) export.Spec {
	s := export.Spec{FieldKinds: map[string]export.Kind{}, LineItemColumns: workspace.LineItemColumns}
	for _, dp := range p.Config.DataPoints {
		if dp.Type == "table" {
			if dp.Name == "line_items" {
				s.LineItemColumns = dp.Columns
			}
			continue
		}
		s.Fields = append(s.Fields, dp.Name)
		s.FieldKinds[dp.Name] = kindOf(dp.Type)
	}
	sort.Strings(s.Fields)
	return s
}

func kindOf(typ string) export.Kind {
	switch typ {
	case "date":
		return export.KindDate
	case "amount":
		return export.KindAmount
	case "number":
		return export.KindNumber
	}
	return export.KindString
}

// valueOf converts a stored value to an export cell of the given kind.
func valueOf(v any, kind export.Kind) export.Value {
	switch x := v.(type) {
	case nil:
		return export.Value{}
	case float64:
		if kind == export.KindAmount || kind == export.KindNumber {
			return export.Value{Kind: kind, Number: x, Text: strconv.FormatFloat(x, 'f', -1, 64), Set: true}
		}
		return export.Value{Kind: export.KindString, Text: strconv.FormatFloat(x, 'f', -1, 64), Set: true}
	case string:
		if kind == export.KindAmount || kind == export.KindNumber {
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return export.Value{Kind: kind, Number: f, Text: x, Set: true}
			}
			return export.Value{Kind: export.KindString, Text: x, Set: true}
		}
		if kind == export.KindDate {
			if _, err := time.Parse("2006-01-02", x); err != nil {
				return export.Value{Kind: export.KindString, Text: x, Set: true}
			}
		}
		return export.Value{Kind: kind, Text: x, Set: true}
	default:
		return export.Value{Kind: export.KindString, Text: fmt.Sprint(x), Set: true}
	}
}

// rowOf is one document as an export row: the best value of each field.
func rowOf(c workspace.Collection, d workspace.Document, fileName string, spec export.Spec) export.Row {
	r := export.Row{DocumentID: d.ID, CollectionID: c.ID, CollectionName: c.Name, FileName: fileName, Status: c.Status,
		CreatedAt: c.CreatedAt, Fields: map[string]export.Value{}}
	for _, e := range d.Extractions { // ordered by field, then rank: the first is the best
		if _, seen := r.Fields[e.Field]; !seen {
			r.Fields[e.Field] = valueOf(e.Value, spec.FieldKinds[e.Field])
		}
	}
	if t, ok := d.Tables["line_items"]; ok {
		for _, row := range t.Rows {
			li := map[string]export.Value{}
			for col, cell := range row {
				kind := export.KindNumber
				if col == "description" || col == "unit" {
					kind = export.KindString
				}
				li[col] = valueOf(cell.Value, kind)
			}
			r.LineItems = append(r.LineItems, li)
		}
	}
	return r
}
