package filetype

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"errors"
	"io"

	"golang.org/x/image/tiff/lzw"
)

// CheckPDFStreams decodes, without keeping them, the compressed streams of
// the PDF of size bytes readable from r, and counts the bytes they expand
// to. It returns an error wrapping ErrTooLarge as soon as one stream
// decodes to more than lim.MaxStreamBytes or all of them together to more
// than lim.MaxDecodedBytes, so that a decompression bomb (a small file of
// streams that expand to gigabytes) is refused before a PDF reader holds
// it in memory. An error of r other than io.EOF is returned as is.
//
// It reads the file once from start to end and finds streams by their
// "stream" keyword, not through the cross-reference table, so that a
// damaged table hides nothing. It decodes the leading FlateDecode,
// LZWDecode, RunLengthDecode, ASCIIHexDecode and ASCII85Decode filters of
// each stream (abbreviated names and #-escapes included); a stream whose
// filter it cannot read is decoded as FlateDecode when its bytes start with
// a zlib header. Memory use is a few buffers, whatever the file holds. The
// streams of an encrypted PDF are not counted: their bytes are ciphertext.
func CheckPDFStreams(r io.ReaderAt, size int64, lim Limits) error {
	lim = lim.withDefaults()
	rr := &recordingReaderAt{r: r}
	err := checkPDFStreams(rr, size, lim)
	if rr.err != nil {
		return rr.err
	}
	return err
}

// checkPDFStreams finds each stream and counts its decoded bytes.
func checkPDFStreams(r io.ReaderAt, size int64, lim Limits) error {
	var total int64
	kw := &keywordFinder{r: r, size: size, buf: make([]byte, 256<<10)}
	dictAt := int64(0) // where the text holding the next stream's dictionary starts
	for off := int64(0); off < size; {
		at, err := kw.next("stream", off)
		if err != nil || at < 0 {
			return err
		}
		data := streamData(r, size, at+6)
		if data < 0 {
			off = at + 6
			continue
		}
		filters, err := streamFilters(io.NewSectionReader(r, dictAt, at-dictAt))
		if err != nil {
			return err
		}
		budget := min(lim.MaxStreamBytes, lim.MaxDecodedBytes-total)
		n, used := decodedSize(r, size, data, filters, budget)
		if n > lim.MaxStreamBytes {
			return tooLargef("the PDF expands to more than %d MiB when decompressed: its stream at byte %d alone does; such a file is refused as a decompression bomb",
				lim.MaxStreamBytes>>20, at)
		}
		if total += n; total > lim.MaxDecodedBytes {
			return tooLargef("the PDF expands to more than %d MiB when decompressed; such a file is refused as a decompression bomb",
				lim.MaxDecodedBytes>>20)
		}
		off = data + used
		dictAt = off
	}
	return nil
}

// keywordFinder finds keywords in a file through one window of it.
type keywordFinder struct {
	r     io.ReaderAt
	size  int64
	buf   []byte
	start int64 // file offset of buf[0]
	n     int   // bytes of buf read
}

// next returns where the next keyword k at or after off starts, or -1 when
// there is none. A keyword counts when white space or a delimiter, or the
// start or end of the file, is on both sides of it, as a PDF reader's
// tokenizer sees it.
func (f *keywordFinder) next(k string, off int64) (int64, error) {
	for off < f.size {
		last := f.start+int64(f.n) >= f.size
		// Matches must leave a byte after them unless the window ends the
		// file; the next window starts one byte before the end of the
		// searched part, for the byte before a match.
		end := f.n - len(k)
		if last {
			end = f.n
		}
		if f.n == 0 || off < f.start || off > 0 && off-1 < f.start || off >= f.start+int64(end) {
			f.start = max(off-1, 0)
			n, err := f.r.ReadAt(f.buf, f.start)
			if n == 0 {
				f.n = 0
				if err == nil || err == io.EOF {
					return -1, nil
				}
				return -1, err
			}
			f.n = n
			continue
		}
		w := f.buf[:f.n]
		for i := int(off - f.start); i < end; {
			j := bytes.Index(w[i:], []byte(k))
			if j < 0 || i+j >= end {
				break
			}
			p := i + j
			before := p == 0 && f.start == 0 || p > 0 && separates(w[p-1])
			after := p+len(k) == len(w) && last || p+len(k) < len(w) && separates(w[p+len(k)])
			if before && after {
				return f.start + int64(p), nil
			}
			i = p + 1
		}
		if last {
			return -1, nil
		}
		off = f.start + int64(end)
	}
	return -1, nil
}

// separates reports whether c is PDF white space or a delimiter.
func separates(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ', '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// streamData returns where the data of a stream starts, after the end of
// the line of its "stream" keyword ending at off, or -1 if that line does
// not end within a few bytes, which means the keyword was not a stream's.
func streamData(r io.ReaderAt, size, off int64) int64 {
	b, err := readAt(r, off, min(size-off, 256))
	if err != nil {
		return -1
	}
	i := bytes.IndexAny(b, "\r\n")
	if i < 0 {
		return -1
	}
	if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
		i++
	}
	return off + int64(i) + 1
}

// streamFilters returns the names in the /Filter entry of the last
// top-level dictionary of the PDF text r, which is the dictionary of the
// stream that follows it, with #-escapes decoded; nil when there is none
// or when it is an indirect reference. It reads r once, keeping only a
// token at a time; an error of r other than io.EOF is returned.
func streamFilters(r io.Reader) ([]string, error) {
	t := &pdfTokens{r: bufio.NewReaderSize(r, 8<<10)}
	var filters []string
	depth := 0
	for {
		tok, ok := t.next()
		if !ok {
			return filters, t.err
		}
		switch {
		case tok == "<<":
			if depth++; depth == 1 {
				filters = nil // a new top-level dictionary
			}
		case tok == ">>":
			depth = max(depth-1, 0)
		case depth == 1 && tok == "/Filter":
			v, ok := t.next()
			if !ok {
				return nil, t.err
			}
			if len(v) > 1 && v[0] == '/' {
				filters = []string{v[1:]}
				continue
			}
			if v != "[" {
				continue
			}
			for len(filters) < 16 {
				v, ok := t.next()
				if !ok || len(v) < 2 || v[0] != '/' {
					break
				}
				filters = append(filters, v[1:])
			}
		}
	}
}

// maxToken is the longest token pdfTokens keeps whole.
const maxToken = 128

// pdfTokens splits PDF object syntax into the tokens streamFilters needs:
// "<<", ">>", "[", "]", names (with #-escapes decoded) and other words,
// each cut to maxToken bytes; strings and comments are skipped.
type pdfTokens struct {
	r   *bufio.Reader
	err error // the reader's error other than io.EOF
}

func (t *pdfTokens) byte() (byte, bool) {
	c, err := t.r.ReadByte()
	if err != nil {
		if err != io.EOF {
			t.err = err
		}
		return 0, false
	}
	return c, true
}

func (t *pdfTokens) next() (string, bool) {
	for {
		c, ok := t.byte()
		if !ok {
			return "", false
		}
		switch c {
		case '%':
			for c != '\r' && c != '\n' && ok {
				c, ok = t.byte()
			}
		case '(':
			t.skipString()
		case '<', '>':
			if d, ok := t.byte(); ok {
				if d == c {
					return string([]byte{c, c}), true
				}
				_ = t.r.UnreadByte()
			}
			if c == '<' { // a hex string
				for ok && c != '>' {
					c, ok = t.byte()
				}
			}
		case '[', ']':
			return string(c), true
		case 0, '\t', '\n', '\f', '\r', ' ', ')', '{', '}':
		default:
			w := []byte{c}
			for {
				d, ok := t.byte()
				if !ok {
					break
				}
				if separates(d) {
					_ = t.r.UnreadByte()
					break
				}
				if len(w) < maxToken {
					w = append(w, d)
				}
			}
			if c == '/' {
				return "/" + unescapeName(w[1:]), true
			}
			return string(w), true
		}
	}
}

// skipString moves past a literal string, counting nested parentheses and
// skipping escaped characters.
func (t *pdfTokens) skipString() {
	for depth := 1; depth > 0; {
		c, ok := t.byte()
		if !ok {
			return
		}
		switch c {
		case '\\':
			t.byte()
		case '(':
			depth++
		case ')':
			depth--
		}
	}
}

// unescapeName decodes the #xx escapes of a name.
func unescapeName(b []byte) string {
	if bytes.IndexByte(b, '#') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
			continue
		}
		out = append(out, b[i])
	}
	return string(out)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// decodedSize decodes the stream data at off through filters and returns
// how many bytes it expands to, counting no further than budget+1, and how
// many bytes of the file the decoding read. It returns 0 decoded bytes
// when no filter of the stream expands its data. Decoding errors end the
// count where they happen: a reader decodes as much of a damaged stream.
func decodedSize(r io.ReaderAt, size, off int64, filters []string, budget int64) (decoded, used int64) {
	sec := &countingReader{r: io.NewSectionReader(r, off, size-off)}
	src := bufio.NewReaderSize(sec, 32<<10)
	var rd io.Reader = src
	expands := false
	if len(filters) == 0 {
		// Unknown filters: a zlib header means FlateDecode.
		if h, err := src.Peek(2); err == nil && zlibHeader(h) {
			filters = []string{"FlateDecode"}
		}
	}
	for _, f := range filters {
		next, ok := decoder(f, rd)
		if !ok {
			break
		}
		rd, expands = next, true
	}
	if expands {
		decoded, _ = io.Copy(io.Discard, io.LimitReader(rd, budget+1))
	}
	return decoded, sec.n - int64(src.Buffered())
}

// zlibHeader reports whether h starts a zlib stream of deflate data.
func zlibHeader(h []byte) bool {
	return h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0
}

// decoder returns a reader decoding r with the named PDF filter, or false
// for a filter it does not decode. A decoder that fails to start reads as
// empty.
func decoder(name string, r io.Reader) (io.Reader, bool) {
	switch name {
	case "FlateDecode", "Fl":
		z, err := zlib.NewReader(r)
		if err != nil {
			return eofReader{}, true
		}
		return bufio.NewReader(z), true
	case "LZWDecode", "LZW":
		// PDF's default EarlyChange 1 is TIFF's variant of LZW.
		return bufio.NewReader(lzw.NewReader(r, lzw.MSB, 8)), true
	case "RunLengthDecode", "RL":
		return &runLengthReader{r: bufio.NewReader(r)}, true
	case "ASCIIHexDecode", "AHx":
		return &hexReader{r: bufio.NewReader(r)}, true
	case "ASCII85Decode", "A85":
		return ascii85.NewDecoder(&untilReader{r: bufio.NewReader(r), stop: '~'}), true
	}
	return nil, false
}

// eofReader reads as empty.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// errBadData ends a decoder on bytes its filter does not allow.
var errBadData = errors.New("invalid filter data")

// runLengthReader decodes RunLengthDecode data.
type runLengthReader struct {
	r    *bufio.Reader
	run  int  // bytes left in the current run
	lit  bool // the run is literal bytes, not a repeated one
	rep  byte
	done bool
}

func (d *runLengthReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !d.done {
		if d.run == 0 {
			l, err := d.r.ReadByte()
			if err != nil || l == 128 {
				d.done = true
				break
			}
			if l < 128 {
				d.run, d.lit = int(l)+1, true
			} else {
				b, err := d.r.ReadByte()
				if err != nil {
					d.done = true
					break
				}
				d.run, d.lit, d.rep = 257-int(l), false, b
			}
		}
		if d.lit {
			b, err := d.r.ReadByte()
			if err != nil {
				d.done = true
				break
			}
			p[n] = b
		} else {
			p[n] = d.rep
		}
		n++
		d.run--
	}
	if n == 0 && d.done {
		return 0, io.EOF
	}
	return n, nil
}

// hexReader decodes ASCIIHexDecode data, which ends at '>'.
type hexReader struct {
	r    *bufio.Reader
	done bool
}

func (d *hexReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !d.done {
		var v [2]byte
		k := 0
		for k < 2 {
			c, err := d.r.ReadByte()
			if err != nil || c == '>' {
				d.done = true
				break
			}
			if isHex(c) {
				v[k] = unhex(c)
				k++
			} else if !separates(c) {
				return n, errBadData
			}
		}
		if k > 0 {
			p[n] = v[0]<<4 | v[1]
			n++
		}
	}
	if n == 0 && d.done {
		return 0, io.EOF
	}
	return n, nil
}

// untilReader reads r up to the byte stop.
type untilReader struct {
	r    *bufio.Reader
	stop byte
	done bool
}

func (u *untilReader) Read(p []byte) (int, error) {
	if u.done {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) {
		c, err := u.r.ReadByte()
		if err != nil || c == u.stop {
			u.done = true
			break
		}
		p[n] = c
		n++
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}
