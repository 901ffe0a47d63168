package export

import (
	"archive/zip"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// MaxXLSXRows is the number of rows an XLSX sheet holds, the header row
// included.
const MaxXLSXRows = excelize.TotalRows

// The sheet names of an XLSX export.
const (
	SheetDocuments = "Documents"
	SheetLineItems = "Line items"
)

// xlsxWriter streams both sheets with one excelize StreamWriter each. Each
// StreamWriter keeps up to 16 MiB of sheet XML in memory, in a buffer that
// grows to 32 MiB, and spills the rest to a temporary file; Close zips the
// sheets straight into the output. So an XLSX export holds about 64 MiB
// live whatever the number of rows, where CSV and JSON hold a few MiB.
type xlsxWriter struct {
	spec        Spec
	out         io.Writer
	f           *excelize.File
	docs, items *excelize.StreamWriter
	docRow      int // the last row written to each sheet
	itemRow     int
	styles      xlsxStyles
	vals        []any // reused cell values of a row
	err         error // sticky: the first write failure
	closed      bool
}

type xlsxStyles struct {
	header, date, timestamp, amount int
}

// NewXLSX returns a Writer of an XLSX workbook with a sheet "Documents"
// (the columns of NewCSV's documents.csv) and a sheet "Line items" (those
// of line_items.csv), each with a frozen header row. Dates are Excel dates
// formatted yyyy-mm-dd, created_at an Excel date-time in UTC, amounts and
// numbers numeric cells (amounts formatted #,##0.00), strings text cells
// passed through Sanitize. Write returns an error wrapping ErrTooManyRows
// for a document that does not fit in a sheet (MaxXLSXRows); the writer
// stays usable. NewXLSX returns an error if s has more columns than a
// sheet holds.
func NewXLSX(w io.Writer, s Spec) (Writer, error) {
	if n := len(documentColumns) + len(s.Fields); n > excelize.MaxColumns {
		return nil, fmt.Errorf("export: xlsx: %d document columns, a sheet holds %d", n, excelize.MaxColumns)
	}
	if n := len(lineItemColumns) + len(s.LineItemColumns); n > excelize.MaxColumns {
		return nil, fmt.Errorf("export: xlsx: %d line item columns, a sheet holds %d", n, excelize.MaxColumns)
	}
	x := &xlsxWriter{spec: s, out: w, f: excelize.NewFile()}
	if err := x.init(); err != nil {
		_ = x.f.Close()
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	return x, nil
}

// init creates the sheets, the styles and the header rows.
func (x *xlsxWriter) init() error {
	f := x.f
	if err := f.SetSheetName(f.GetSheetName(0), SheetDocuments); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetLineItems); err != nil {
		return err
	}
	var err error
	if x.styles.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	dateFmt, timeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if x.styles.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return err
	}
	if x.styles.timestamp, err = f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt}); err != nil {
		return err
	}
	if x.styles.amount, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
		return err
	}
	if x.docs, err = x.sheet(SheetDocuments, documentColumns, x.spec.Fields, []float64{34, 34, 30, 30, 12, 20}); err != nil {
		return err
	}
	x.items, err = x.sheet(SheetLineItems, lineItemColumns, x.spec.LineItemColumns, []float64{34, 6})
	x.docRow, x.itemRow = 1, 1
	return err
}

// sheet starts the stream of one sheet: column widths, frozen header row,
// header.
func (x *xlsxWriter) sheet(name string, lead, rest []string, widths []float64) (*excelize.StreamWriter, error) {
	// The dimension element would say A1, as excelize writes it before the
	// rows; readers that trust it (openpyxl in read-only mode) then see one
	// row. Without it they read the rows.
	if err := x.f.SetSheetDimension(name, ""); err != nil {
		return nil, err
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	if len(rest) > 0 {
		if err := sw.SetColWidth(len(lead)+1, len(lead)+len(rest), 16); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	header := make([]any, 0, len(lead)+len(rest))
	for _, h := range append(append([]string{}, lead...), rest...) {
		header = append(header, excelize.Cell{StyleID: x.styles.header, Value: Sanitize(h)})
	}
	return sw, sw.SetRow("A1", header)
}

// Write implements Writer.
func (x *xlsxWriter) Write(r Row) error {
	if x.closed {
		return ErrClosed
	}
	if x.err != nil {
		return x.err
	}
	if x.docRow+1 > MaxXLSXRows || x.itemRow+len(r.LineItems) > MaxXLSXRows {
		return tooManyRows("xlsx")
	}
	v := append(x.vals[:0], r.DocumentID, r.CollectionID, Sanitize(r.CollectionName), Sanitize(r.FileName), Sanitize(r.Status))
	if r.CreatedAt.IsZero() {
		v = append(v, nil)
	} else {
		v = append(v, excelize.Cell{StyleID: x.styles.timestamp, Value: r.CreatedAt.UTC().Truncate(time.Second)})
	}
	for _, name := range x.spec.Fields {
		v = append(v, x.cell(name, r.Fields[name]))
	}
	x.docRow++
	if err := x.docs.SetRow("A"+strconv.Itoa(x.docRow), v); err != nil {
		x.err = fmt.Errorf("export: xlsx: %w", err)
		return x.err
	}
	for i, li := range r.LineItems {
		v = append(v[:0], r.DocumentID, i+1)
		for _, name := range x.spec.LineItemColumns {
			v = append(v, x.cell(name, li[name]))
		}
		x.itemRow++
		if err := x.items.SetRow("A"+strconv.Itoa(x.itemRow), v); err != nil {
			x.err = fmt.Errorf("export: xlsx: %w", err)
			return x.err
		}
	}
	clear(v) // drop references to this row's strings
	x.vals = v
	return nil
}

// cell returns the excelize cell value of v in column name: a styled date
// or number, a sanitised string, or nil for an empty cell.
func (x *xlsxWriter) cell(name string, v Value) any {
	if !v.Set {
		return nil
	}
	switch x.spec.kind(name, v) {
	case KindDate:
		if t, ok := date(v); ok && t.Year() >= 1900 {
			return excelize.Cell{StyleID: x.styles.date, Value: t}
		}
	case KindAmount:
		if n, ok := number(v); ok {
			return excelize.Cell{StyleID: x.styles.amount, Value: n}
		}
		return nil
	case KindNumber:
		if n, ok := number(v); ok {
			return n
		}
		return nil
	}
	return Sanitize(v.Text)
}

// Close implements Writer: it ends both sheets and writes the workbook to
// the output. It returns the first error met, and nil when called again.
func (x *xlsxWriter) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	defer x.release()
	if x.err != nil {
		return x.err
	}
	if err := x.docs.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if err := x.items.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	// File.Write would build the whole zip in a bytes.Buffer. Handing
	// excelize a zip writer on the output instead streams every part,
	// the spilled sheets included, straight out; the buffer stays empty.
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(x.out) })
	buf, err := x.f.WriteToBuffer()
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if buf.Len() != 0 {
		return fmt.Errorf("export: xlsx: excelize wrote %d bytes outside the zip writer", buf.Len())
	}
	return nil
}

// release removes the sheets' temporary files and drops the stream
// writers, whose buffers stay allocated until they are unreachable.
func (x *xlsxWriter) release() {
	_ = x.f.Close()
	x.f, x.docs, x.items, x.vals = nil, nil, nil, nil
}
