package export

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonWriter streams one JSON array, one element per document.
type jsonWriter struct {
	spec   Spec
	out    *bufio.Writer
	buf    []byte // the element being encoded, reused
	rows   int
	err    error
	closed bool
}

// NewJSON returns a Writer of one JSON array streamed element by element:
//
//	[{"documentId":…,"collectionId":…,"collectionName":…,"fileName":…,
//	  "status":…,"createdAt":"2024-05-17T07:25:33Z",
//	  "fields":{name: value or null, …},"lineItems":[{column: value or null, …}, …]}, …]
//
// Fields and line item columns appear in the order of s. Amounts and
// numbers are JSON numbers, dates and strings are strings, unset values
// are null. It returns no error; the signature matches the other formats.
func NewJSON(w io.Writer, s Spec) (Writer, error) {
	return &jsonWriter{spec: s, out: bufio.NewWriterSize(w, 64<<10)}, nil
}

// Write implements Writer.
func (j *jsonWriter) Write(r Row) error {
	if j.closed {
		return ErrClosed
	}
	if j.err != nil {
		return j.err
	}
	b := j.buf[:0]
	if j.rows == 0 {
		b = append(b, "[\n"...)
	} else {
		b = append(b, ",\n"...)
	}
	b = append(b, `{"documentId":`...)
	b = appendString(b, r.DocumentID)
	b = append(b, `,"collectionId":`...)
	b = appendString(b, r.CollectionID)
	b = append(b, `,"collectionName":`...)
	b = appendString(b, r.CollectionName)
	b = append(b, `,"fileName":`...)
	b = appendString(b, r.FileName)
	b = append(b, `,"status":`...)
	b = appendString(b, r.Status)
	b = append(b, `,"createdAt":`...)
	if ts := timestamp(r.CreatedAt); ts != "" {
		b = appendString(b, ts)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"fields":`...)
	b = j.spec.appendObject(b, j.spec.Fields, r.Fields)
	b = append(b, `,"lineItems":[`...)
	for i, li := range r.LineItems {
		if i > 0 {
			b = append(b, ',')
		}
		b = j.spec.appendObject(b, j.spec.LineItemColumns, li)
	}
	b = append(b, "]}"...)
	j.buf = b
	if _, err := j.out.Write(b); err != nil {
		j.err = fmt.Errorf("export: json: %w", err)
		return j.err
	}
	j.rows++
	return nil
}

// Close implements Writer: it ends the array and flushes. It returns the
// first error met, and nil when called again.
func (j *jsonWriter) Close() error {
	if j.closed {
		return nil
	}
	j.closed = true
	if j.err != nil {
		return j.err
	}
	end := "\n]\n"
	if j.rows == 0 {
		end = "[]\n"
	}
	if _, err := j.out.WriteString(end); err != nil {
		return fmt.Errorf("export: json: %w", err)
	}
	if err := j.out.Flush(); err != nil {
		return fmt.Errorf("export: json: %w", err)
	}
	return nil
}

// appendObject appends {name: value, …} for names, in order.
func (s *Spec) appendObject(b []byte, names []string, values map[string]Value) []byte {
	b = append(b, '{')
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, name)
		b = append(b, ':')
		b = s.appendValue(b, name, values[name])
	}
	return append(b, '}')
}

// appendValue appends v as a JSON number, string or null.
func (s *Spec) appendValue(b []byte, name string, v Value) []byte {
	if !v.Set {
		return append(b, "null"...)
	}
	switch s.kind(name, v) {
	case KindAmount, KindNumber:
		n, ok := number(v)
		if !ok {
			return append(b, "null"...)
		}
		return appendNumber(b, n)
	}
	return appendString(b, v.Text)
}

// appendNumber appends f as encoding/json does: no exponent unless the
// magnitude is below 1e-6 or at least 1e21.
func appendNumber(b []byte, f float64) []byte {
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// control characters, U+2028 and U+2029 are escaped; HTML characters are not.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
