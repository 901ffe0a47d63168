package main

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crescent-idp/crescent/internal/testenv"
)

// TestExports exports processed corpus invoices as CSV, JSON and XLSX and
// reads each back: the XLSX with excelize, checking cell types.
func TestExports(t *testing.T) {
	pdfs, _ := filepath.Glob("../../../shared/corpus/invoice2data/*.pdf")
	if len(pdfs) < 3 {
		testenv.Missing(t, "the corpus in ../shared/corpus")
	}
	dir := t.TempDir()
	db := []string{"--data-dir", dir}
	base := server(t, db...)
	key, pid := setup(t, base, db)
	var ids []string
	for _, p := range pdfs[:3] {
		pdf, _ := os.ReadFile(p)
		body, ct := multipartPDF(t, pdf)
		_, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, ct, body)
		var c struct{ ID string }
		_ = json.Unmarshal(b, &c)
		ids = append(ids, c.ID)
	}
	for _, id := range ids {
		waitFinal(t, base, key, id)
	}
	download := func(format string) []byte {
		t.Helper()
		req, _ := json.Marshal(map[string]any{"format": format, "processId": pid})
		st, b := call(t, "POST", base+"/api/v0.4/exports", key, "application/json", bytes.NewReader(req))
		var e struct{ ID, Status string }
		if st != 202 || json.Unmarshal(b, &e) != nil {
			t.Fatalf("create %s export: %d %s", format, st, b)
		}
		waitFor(t, format+" export", time.Minute, func() bool {
			_, b := call(t, "GET", base+"/api/v0.4/exports/"+e.ID, key, "", nil)
			_ = json.Unmarshal(b, &e)
			if e.Status == "Failed" {
				t.Fatalf("%s export failed: %s", format, b)
			}
			return e.Status == "Completed"
		})
		st, b = call(t, "GET", base+"/api/v0.4/exports/"+e.ID+"/download", key, "", nil)
		if st != 200 {
			t.Fatalf("download %s: %d", format, st)
		}
		return b
	}

	var docs []map[string]any
	if err := json.Unmarshal(download("json"), &docs); err != nil || len(docs) != 3 {
		t.Fatalf("json export: %v, %d documents", err, len(docs))
	}

	zb := download("csv")
	z, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, f := range z.File {
		rc, _ := f.Open()
		recs, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = recs
	}
	if len(files["documents.csv"]) != 4 || len(files["line_items.csv"]) < 2 {
		t.Fatalf("csv export: %d document rows, %d line item rows", len(files["documents.csv"]), len(files["line_items.csv"]))
	}

	x, err := excelize.OpenReader(bytes.NewReader(download("xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Documents")
	if err != nil || len(rows) != 4 {
		t.Fatalf("xlsx rows: %d %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	cell := func(name string, row int) string {
		c, _ := excelize.CoordinatesToCellName(col[name]+1, row)
		return c
	}
	numbers, dates := 0, 0
	for r := 2; r <= 4; r++ {
		if typ, _ := x.GetCellType("Documents", cell("total_amount", r)); typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset {
			if v, _ := x.GetCellValue("Documents", cell("total_amount", r), excelize.Options{RawCellValue: true}); v != "" {
				numbers++
			}
		}
		if v, _ := x.GetCellValue("Documents", cell("invoice_date", r), excelize.Options{RawCellValue: true}); v != "" {
			if _, err := time.Parse("2006-01-02", v); err != nil { // a date cell holds a serial number, not text
				dates++
			}
		}
	}
	if numbers != 3 || dates != 3 {
		t.Fatalf("xlsx cell types: %d numeric totals, %d date cells of 3", numbers, dates)
	}
}
