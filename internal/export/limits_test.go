package export

import (
	"bytes"
	"errors"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/crescent-idp/crescent/internal/workspace"
)

func TestXLSXRowLimit(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewXLSX(&buf, Spec{Fields: []string{"a"}, LineItemColumns: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	x := w.(*xlsxWriter)
	row := Row{DocumentID: "d", Fields: map[string]Value{"a": {Text: "x", Set: true}}}

	// Too many line items for the sheet: refused before anything is written.
	big := row
	big.LineItems = make([]map[string]Value, MaxXLSXRows)
	err = w.Write(big)
	if !errors.Is(err, ErrTooManyRows) || workspace.ErrorCode(err) != workspace.CodeTooLarge {
		t.Fatalf("Write(%d line items) = %v, want ErrTooManyRows with code too_large", len(big.LineItems), err)
	}
	if x.docRow != 1 || x.itemRow != 1 {
		t.Fatalf("rows written after a refused Write: %d, %d", x.docRow, x.itemRow)
	}

	// The last row of the Documents sheet fits; the next does not.
	x.docRow = MaxXLSXRows - 1
	if err := w.Write(row); err != nil {
		t.Fatalf("Write to row %d: %v", MaxXLSXRows, err)
	}
	if err := w.Write(row); !errors.Is(err, ErrTooManyRows) {
		t.Fatalf("Write past row %d = %v, want ErrTooManyRows", MaxXLSXRows, err)
	}
	// The writer stays usable and the file is complete.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, err := f.GetCellValue(SheetDocuments, "A1048576"); err != nil || v != "d" {
		t.Errorf("A1048576 = %q, %v; want d", v, err)
	}
	if v, _ := f.GetCellValue(SheetDocuments, "G1048576"); v != "x" {
		t.Errorf("G1048576 = %q, want x", v)
	}
}

func TestXLSXColumnLimit(t *testing.T) {
	fields := make([]string, excelize.MaxColumns)
	if _, err := NewXLSX(&bytes.Buffer{}, Spec{Fields: fields}); err == nil {
		t.Error("NewXLSX accepted more columns than a sheet holds")
	}
}
