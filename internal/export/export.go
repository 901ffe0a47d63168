// Package export writes processing results to export files: a zip of two
// CSV files, a JSON array, or an XLSX workbook. Every writer streams: rows
// go out (or to a temporary file) as they are written, so memory stays
// bounded whatever the number of documents.
package export

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// Kind is the type of a data point's value; it decides how a value is
// written: as text, as a date or as a number.
type Kind string

// The kinds of value. An empty or unknown Kind is treated as KindString.
const (
	KindString Kind = "string"
	KindDate   Kind = "date"
	KindAmount Kind = "amount"
	KindNumber Kind = "number"
)

// Value is one extracted value. Set reports whether there is a value at
// all; an unset Value is written as an empty cell or as JSON null. Text is
// the value as extracted (dates as YYYY-MM-DD); Number is the value of an
// amount or a number.
type Value struct {
	Kind   Kind
	Text   string
	Number float64
	Set    bool
}

// Row is one document of an export.
type Row struct {
	DocumentID, CollectionID, CollectionName, FileName, Status string
	CreatedAt                                                  time.Time
	// Fields holds the scalar data points by name.
	Fields map[string]Value
	// LineItems holds the rows of the line_items table, by column name.
	LineItems []map[string]Value
}

// Spec describes the columns of an export.
type Spec struct {
	// Fields are the scalar data point names, in column order.
	Fields []string
	// FieldKinds gives the kind of a field or line item column when a
	// Value carries none.
	FieldKinds map[string]Kind
	// LineItemColumns are the line item columns, in column order.
	LineItemColumns []string
}

// Writer writes the rows of one export. Write may be called any number of
// times; Close finishes the file and releases temporary files. A Writer is
// not safe for concurrent use.
type Writer interface {
	Write(Row) error
	Close() error
}

// ErrTooManyRows is wrapped by the error Write returns when a row would not
// fit in the file (an XLSX sheet holds at most MaxXLSXRows rows).
var ErrTooManyRows = errors.New("export: too many rows")

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("export: writer closed")

// New returns the writer for format, one of "csv", "json" and "xlsx". It
// returns a CodeInvalid *workspace.Error for any other format.
func New(format string, w io.Writer, s Spec) (Writer, error) {
	switch format {
	case "csv":
		return NewCSV(w, s)
	case "json":
		return NewJSON(w, s)
	case "xlsx":
		return NewXLSX(w, s)
	}
	return nil, workspace.Invalid("body: format", fmt.Sprintf("unknown export format %q", format))
}

// ContentType returns the media type of an export file in format, or "" for
// an unknown format.
func ContentType(format string) string {
	switch format {
	case "csv":
		return "application/zip" // documents.csv and line_items.csv
	case "json":
		return "application/json"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return ""
}

// tooManyRows returns the error for a row that does not fit.
func tooManyRows(format string) error {
	return &workspace.Error{
		Code:    workspace.CodeTooLarge,
		Message: fmt.Sprintf("the export has more rows than a %s file can hold (%d per sheet); narrow it down by collection, status or date", format, MaxXLSXRows),
		Err:     ErrTooManyRows,
	}
}

// kind returns the kind v is written as: its own, else the spec's for name,
// else KindString.
func (s *Spec) kind(name string, v Value) Kind {
	k := v.Kind
	if k == "" {
		k = s.FieldKinds[name]
	}
	switch k {
	case KindDate, KindAmount, KindNumber:
		return k
	}
	return KindString
}

// number returns the number of an amount or number value, and false if it
// has none (unset, NaN or infinite).
func number(v Value) (float64, bool) {
	if !v.Set || math.IsNaN(v.Number) || math.IsInf(v.Number, 0) {
		return 0, false
	}
	return v.Number, true
}

// date returns the date of a date value written as YYYY-MM-DD, and false if
// Text is not such a date.
func date(v Value) (time.Time, bool) {
	if !v.Set || len(v.Text) != len(time.DateOnly) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, v.Text)
	return t, err == nil
}

// timestamp formats t as in the API (RFC 3339 UTC, seconds, Z), or "" for
// the zero time.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// documentColumns are the leading columns of the documents file or sheet.
var documentColumns = []string{"document_id", "collection_id", "collection_name", "file_name", "status", "created_at"}

// lineItemColumns are the leading columns of the line items file or sheet.
var lineItemColumns = []string{"document_id", "row"}
