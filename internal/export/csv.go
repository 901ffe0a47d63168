package export

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/csv"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"strconv"
)

// csvWriter writes a zip with documents.csv, streamed into the zip as rows
// come, and line_items.csv, spooled already deflated to a temporary file
// and copied into the zip by Close.
type csvWriter struct {
	spec   Spec
	zw     *zip.Writer
	docs   *csv.Writer
	spool  *spool
	items  *csv.Writer
	record []string
	err    error // sticky: the first write failure
	closed bool
}

// NewCSV returns a Writer of a zip archive holding documents.csv (one row
// per document: document_id, collection_id, collection_name, file_name,
// status, created_at, then every field of s) and line_items.csv
// (document_id, row, then the line item columns of s). Text cells go
// through Sanitize; numbers are written with a dot and no exponent. It
// returns an error if the temporary file for line items cannot be created.
func NewCSV(w io.Writer, s Spec) (Writer, error) {
	sp, err := newSpool("line_items.csv")
	if err != nil {
		return nil, err
	}
	c := &csvWriter{spec: s, zw: zip.NewWriter(w), spool: sp}
	c.items = newCSV(sp)
	entry, err := c.zw.CreateHeader(&zip.FileHeader{Name: "documents.csv", Method: zip.Deflate})
	if err != nil {
		sp.discard()
		return nil, fmt.Errorf("export: csv: %w", err)
	}
	c.docs = newCSV(entry)
	header := append(append([]string{}, documentColumns...), s.Fields...)
	if err := c.writeRecord(c.docs, sanitizeAll(header)); err != nil {
		sp.discard()
		return nil, err
	}
	header = append(append([]string{}, lineItemColumns...), s.LineItemColumns...)
	if err := c.writeRecord(c.items, sanitizeAll(header)); err != nil {
		sp.discard()
		return nil, err
	}
	return c, nil
}

func newCSV(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	return cw
}

// Write implements Writer.
func (c *csvWriter) Write(r Row) error {
	if c.closed {
		return ErrClosed
	}
	if c.err != nil {
		return c.err
	}
	rec := append(c.record[:0],
		r.DocumentID, r.CollectionID, Sanitize(r.CollectionName), Sanitize(r.FileName),
		Sanitize(r.Status), timestamp(r.CreatedAt))
	for _, name := range c.spec.Fields {
		rec = append(rec, c.spec.csvCell(name, r.Fields[name]))
	}
	if err := c.writeRecord(c.docs, rec); err != nil {
		return err
	}
	for i, li := range r.LineItems {
		rec = append(rec[:0], r.DocumentID, strconv.Itoa(i+1))
		for _, name := range c.spec.LineItemColumns {
			rec = append(rec, c.spec.csvCell(name, li[name]))
		}
		if err := c.writeRecord(c.items, rec); err != nil {
			return err
		}
	}
	c.record = rec
	return nil
}

// writeRecord writes rec and makes any failure sticky.
func (c *csvWriter) writeRecord(w *csv.Writer, rec []string) error {
	if err := w.Write(rec); err != nil {
		c.err = fmt.Errorf("export: csv: %w", err)
		return c.err
	}
	return nil
}

// Close implements Writer: it finishes documents.csv, appends
// line_items.csv and writes the zip directory. It returns the first error
// met, and nil when called again.
func (c *csvWriter) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	defer c.spool.discard()
	if c.err != nil {
		return c.err
	}
	c.docs.Flush()
	c.items.Flush()
	if err := errors.Join(c.docs.Error(), c.items.Error()); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	if err := c.spool.copyTo(c.zw); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	if err := c.zw.Close(); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	return nil
}

// csvCell returns the CSV text of v in column name: numbers formatted,
// text sanitised, "" if unset.
func (s *Spec) csvCell(name string, v Value) string {
	if !v.Set {
		return ""
	}
	switch s.kind(name, v) {
	case KindAmount, KindNumber:
		if n, ok := number(v); ok {
			return strconv.FormatFloat(n, 'f', -1, 64)
		}
		return ""
	}
	return Sanitize(v.Text)
}

func sanitizeAll(ss []string) []string {
	for i, s := range ss {
		ss[i] = Sanitize(s)
	}
	return ss
}

// spool is a zip entry deflated into a temporary file while it is written,
// to be copied raw into the archive later.
type spool struct {
	name string
	file *os.File
	buf  *bufio.Writer
	fw   *flate.Writer
	crc  hash.Hash32
	size uint64
	// unlinked is true once the file is removed from its directory, which
	// on Unix is right after creation so that a crash leaves nothing behind.
	unlinked bool
}

func newSpool(name string) (*spool, error) {
	f, err := os.CreateTemp("", "crescent-export-*")
	if err != nil {
		return nil, fmt.Errorf("export: spool: %w", err)
	}
	s := &spool{name: name, file: f, buf: bufio.NewWriterSize(f, 64<<10), crc: crc32.NewIEEE()}
	s.unlinked = os.Remove(f.Name()) == nil
	s.fw, _ = flate.NewWriter(s.buf, flate.DefaultCompression) // the level is valid
	return s, nil
}

// Write deflates p into the temporary file.
func (s *spool) Write(p []byte) (int, error) {
	n, err := s.fw.Write(p)
	_, _ = s.crc.Write(p[:n])
	s.size += uint64(n)
	return n, err
}

// copyTo finishes the spool and adds it to zw as an entry.
func (s *spool) copyTo(zw *zip.Writer) error {
	if err := s.fw.Close(); err != nil {
		return err
	}
	if err := s.buf.Flush(); err != nil {
		return err
	}
	compressed, err := s.file.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               s.name,
		Method:             zip.Deflate,
		CreatorVersion:     20, // as CreateHeader sets them; CreateRaw does not
		ReaderVersion:      20,
		CRC32:              s.crc.Sum32(),
		CompressedSize64:   uint64(compressed),
		UncompressedSize64: s.size,
	})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, s.file)
	return err
}

// discard closes and removes the temporary file.
func (s *spool) discard() {
	_ = s.file.Close()
	if !s.unlinked {
		_ = os.Remove(s.file.Name())
	}
}
