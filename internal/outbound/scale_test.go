package outbound

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/blob"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// rssMB reads this process's resident set (VmRSS) or peak (VmHWM) in MB.
func rssMB(field string) float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// TestExportScale exports CRESCENT_SCALE documents (e.g. 100000) of 21
// fields and 3 line items each in every format and reports the peak RSS of
// the process. It is a measurement, run on demand:
//
//	CRESCENT_SCALE=100000 go test ./internal/outbound -run ExportScale -v -timeout 60m
func TestExportScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CRESCENT_SCALE"))
	if n == 0 {
		t.Skip("set CRESCENT_SCALE to the number of documents to export")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, _ := st.DefaultOrg(ctx, "Default")
	typ, _ := workspace.ProcessTypeByID(workspace.ProcessTypeInvoices)
	p := workspace.Process{ID: workspace.NewID(), OrgID: org.ID, Name: "scale", TypeID: typ.ID, Version: 1,
		Config: workspace.ProcessConfig{DataPoints: typ.DataPoints}, CreatedAt: time.Now(), UpdatedAt: time.Now(), Accesses: map[string]workspace.Access{}}
	if err := st.CreateProcess(ctx, p); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	seed(t, st, org.ID, p, n)
	t.Logf("seeded %d documents in %s; RSS %.0f MB", n, time.Since(start).Round(time.Second), rssMB("VmRSS"))

	bl, err := blob.Open(ctx, "file://"+filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	b := &Builder{Source: st, Blobs: bl, TempDir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	for _, format := range []string{"json", "csv", "xlsx"} {
		e := workspace.Export{ID: workspace.NewID(), OrgID: org.ID, ProcessID: p.ID, Format: format, Status: service.ExportPending, CreatedAt: time.Now()}
		if err := st.CreateExport(ctx, e); err != nil {
			t.Fatal(err)
		}
		before := rssMB("VmRSS")
		start := time.Now()
		if err := b.BuildExport(ctx, e.ID, true); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetExport(ctx, "", e.ID)
		if got.Status != service.ExportCompleted || got.RowCount != n {
			t.Fatalf("%s: %s, %d rows: %s", format, got.Status, got.RowCount, got.Error)
		}
		t.Logf("%s: %d rows in %s (%.0f rows/s); RSS %.0f MB before, %.0f MB after, peak so far %.0f MB",
			format, n, time.Since(start).Round(time.Second), float64(n)/time.Since(start).Seconds(), before, rssMB("VmRSS"), rssMB("VmHWM"))
	}
}

// seed writes n processed one-document collections straight into SQL.
func seed(t *testing.T, st *store.Store, orgID string, p workspace.Process, n int) {
	ctx := context.Background()
	db := st.DB()
	must := func(_ sql.Result, err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for start := 0; start < n; start += 2000 {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := start; i < min(n, start+2000); i++ {
			cid, did, at := workspace.NewID(), workspace.NewID(), time.Now().Unix()
			must(tx.ExecContext(ctx, `INSERT INTO collections (id, org_id, process_id, name, name_lower, priority, split, status, metadata, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4, FALSE, FALSE, 'Needs Review', '{}', $5, $5)`, cid, orgID, p.ID, fmt.Sprintf("inv-%d.pdf", i), at))
			must(tx.ExecContext(ctx, `INSERT INTO files (id, collection_id, org_id, position, name, status, content_type, kind, size, sha256, blob_key, created_at, updated_at)
				VALUES ($1, $2, $3, 0, $4, 'Needs Review', 'application/pdf', 'pdf', 1, $5, 'x', $6, $6)`, workspace.NewID(), cid, orgID, fmt.Sprintf("inv-%d.pdf", i), fmt.Sprintf("%064d", i), at))
			tables := `{"line_items":{"columns":["description","quantity","unit_price","net_amount"],"rows":[` +
				strings.Repeat(`{"description":{"value":"Widget, blue","rawValue":"Widget","pageNum":1,"bbox":[],"confidence":0.9},"quantity":{"value":2,"rawValue":"2","pageNum":1,"bbox":[],"confidence":0.9},"net_amount":{"value":20.5,"rawValue":"20,50","pageNum":1,"bbox":[],"confidence":0.9}},`, 2) +
				`{"description":{"value":"=cmd|' /C calc'!A0","rawValue":"x","pageNum":1,"bbox":[],"confidence":0.9}}]}}`
			must(tx.ExecContext(ctx, `INSERT INTO documents (id, collection_id, file_id, position, name, first_page, last_page, class, class_status, validation, tables)
				VALUES ($1, $2, 'f', 0, 'inv.pdf', 1, 1, 'invoice', '{}', '{}', $3)`, did, cid, tables))
			for j, dp := range p.Config.DataPoints {
				if dp.Type == "table" {
					continue
				}
				val := `"Some text value ` + strconv.Itoa(j) + `"`
				switch dp.Type {
				case "date":
					val = `"2026-11-26"`
				case "amount":
					val = "1234.56"
				}
				must(tx.ExecContext(ctx, `INSERT INTO extractions (id, document_id, collection_id, field, rank, value, raw_value, converter_type, converter_format,
					status, validation, confidence, page_num, bbox, source, created_at, updated_at)
					VALUES ($1, $2, $3, $4, 0, $5, 'raw', $6, '', '{}', '{}', 0.9, 1, '[]', 'text', $7, $7)`, workspace.NewID(), did, cid, dp.Name, val, dp.Type, at))
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}
