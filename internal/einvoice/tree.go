package einvoice

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// node is an element of a parsed document: its local name, attributes,
// own character data and child elements. Namespaces are checked on the
// root only; below it the formats are read by local name, which also
// covers the ZUGFeRD release candidate whose children have no namespace.
type node struct {
	local string
	attrs []xml.Attr
	text  strings.Builder
	kids  []*node
}

// rootKind is an accepted root element: its local name, the start of its
// namespace URI (which ends in a version that varies) and the format.
type rootKind struct {
	local, nsPrefix, format string
}

// roots are the accepted e-invoice roots. The second ZUGFeRD 1 root is the
// 2014 release candidate (rsm:Invoice, children in no namespace), still
// found in early files; it has the ZUGFeRD 1 layout.
var roots = []rootKind{
	{"CrossIndustryInvoice", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:", FormatCII},
	{"CrossIndustryDocument", "urn:ferd:CrossIndustryDocument:invoice:", FormatZUGFeRD1},
	{"Invoice", "urn:un:unece:uncefact:data:standard:CBFBUY:", FormatZUGFeRD1},
	{"Invoice", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-", FormatUBL},
	{"CreditNote", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-", FormatUBL},
}

// errLimit is returned by limitedReader past MaxXMLBytes.
var errLimit = errors.New("size limit")

// limitedReader reads at most n bytes from r and then fails with errLimit
// instead of returning io.EOF, so that an over-long document is refused
// rather than silently cut.
type limitedReader struct {
	r io.Reader
	n int64
}

// Read reads from the underlying reader, failing with errLimit when there
// is more than the limit.
func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// Probe for one more byte: exactly n bytes is fine.
		var one [1]byte
		k, err := l.r.Read(one[:])
		if k > 0 {
			return 0, errLimit
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

// parseTree reads the XML document from r into a tree and returns its root
// element and format. It stops at the root element with ErrNotEInvoice when
// that is not an accepted one, refuses directives (a DOCTYPE can declare
// entities: XXE, billion laughs) and nesting deeper than MaxDepth with
// ErrMalformed, and more than MaxXMLBytes or MaxElements with ErrTooLarge.
// White space between elements is not kept.
func parseTree(r io.Reader) (*node, string, error) {
	src, err := utf16ToUTF8(&limitedReader{r: r, n: MaxXMLBytes})
	if err != nil {
		if errors.Is(err, errLimit) {
			return nil, "", tooLargef("the XML is larger than %d MiB", MaxXMLBytes>>20)
		}
		return nil, "", malformedf("the XML cannot be read: %w", err)
	}
	d := xml.NewDecoder(src)
	d.Strict = true
	badCharset := ""
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		cr, err := charsetReader(label, r)
		if err != nil {
			badCharset = label
		}
		return cr, err
	}
	var (
		stack    []*node
		root     *node
		format   string
		elements int
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if root == nil {
				return nil, "", notEInvoicef("the input has no XML root element")
			}
			if len(stack) > 0 {
				return nil, "", malformedf("the XML is truncated inside <%s>", stack[len(stack)-1].local)
			}
			return root, format, nil
		}
		if err != nil {
			switch {
			case badCharset != "":
				return nil, "", malformedf("the XML declares the encoding %q; accepted are UTF-8, UTF-16, ISO-8859-1/15 and Windows-1252", badCharset)
			case errors.Is(err, errLimit):
				return nil, "", tooLargef("the XML is larger than %d MiB", MaxXMLBytes>>20)
			case root == nil:
				return nil, "", notEInvoicef("the input is not XML: %w", err)
			default:
				return nil, "", malformedf("the XML is not well-formed: %w", err)
			}
		}
		switch tok := tok.(type) {
		case xml.Directive:
			return nil, "", malformedf("the XML contains a DOCTYPE or entity declaration, which is refused for safety")
		case xml.StartElement:
			if elements++; elements > MaxElements {
				return nil, "", tooLargef("the XML has more than %d elements", MaxElements)
			}
			n := &node{local: tok.Name.Local, attrs: tok.Attr}
			if root == nil {
				format = rootFormat(tok.Name)
				if format == "" {
					return nil, "", notEInvoicef("the XML root element is <%s> in namespace %q, not a CII, ZUGFeRD 1 or UBL invoice", tok.Name.Local, tok.Name.Space)
				}
				root = n
			} else {
				if len(stack) == 0 {
					return nil, "", malformedf("the XML has more than one root element")
				}
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			if len(stack) >= MaxDepth {
				return nil, "", malformedf("the XML nests elements more than %d deep", MaxDepth)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && len(bytes.TrimSpace(tok)) > 0 {
				stack[len(stack)-1].text.Write(tok)
			}
		}
	}
}

// rootFormat returns the format of a root element name, "" if it is not an
// accepted one.
func rootFormat(name xml.Name) string {
	for _, k := range roots {
		if name.Local == k.local && strings.HasPrefix(name.Space, k.nsPrefix) {
			return k.format
		}
	}
	return ""
}

// utf16ToUTF8 returns r, or for input starting with a UTF-16 byte order
// mark, its content converted to UTF-8 (read whole; r is size-limited).
func utf16ToUTF8(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	bom, _ := br.Peek(2)
	var order binary.ByteOrder
	switch {
	case bytes.Equal(bom, []byte{0xFE, 0xFF}):
		order = binary.BigEndian
	case bytes.Equal(bom, []byte{0xFF, 0xFE}):
		order = binary.LittleEndian
	default:
		return br, nil
	}
	b, err := io.ReadAll(br)
	if err != nil {
		return nil, err
	}
	units := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		units = append(units, order.Uint16(b[i:]))
	}
	return strings.NewReader(string(utf16.Decode(units))), nil
}

// charsetReader converts the single-byte encodings invoices are declared in
// besides UTF-8 (ISO-8859-1/15, Windows-1252) to UTF-8. UTF-16 input has
// been converted by utf16ToUTF8 already. Others are refused.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii", "utf-16", "utf16", "utf-16le", "utf-16be":
		return r, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso-8859-15", "latin-9", "windows-1252", "cp1252":
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		return bytes.NewReader(decode1252(b, strings.Contains(label, "1252"))), nil
	}
	return nil, errors.New("unsupported encoding " + label)
}

// cp1252 maps bytes 0x80–0x9F of Windows-1252 to runes; ISO-8859-1 maps
// them to the C1 controls of the same value.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// decode1252 converts Latin-1 (or, with win, Windows-1252) bytes to UTF-8.
// ISO-8859-15 differs from Latin-1 in eight letters rarely seen in invoices
// and is read as Latin-1.
func decode1252(b []byte, win bool) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		switch {
		case c < utf8.RuneSelf:
			out = append(out, c)
		case win && c < 0xA0:
			out = utf8.AppendRune(out, cp1252[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return out
}

// value returns the element's character data with white space collapsed.
func (n *node) value() string {
	if n == nil {
		return ""
	}
	return strings.Join(strings.Fields(n.text.String()), " ")
}

// attr returns the value of the attribute with the given local name.
func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// all returns the descendants of n reached by path: local names separated
// by '/', each step a child of the previous one; a step may list
// alternatives separated by '|'. Every match is returned, in document order.
func (n *node) all(path string) []*node {
	if n == nil {
		return nil
	}
	cur := []*node{n}
	for _, step := range strings.Split(path, "/") {
		names := strings.Split(step, "|")
		var next []*node
		for _, c := range cur {
			for _, k := range c.kids {
				for _, name := range names {
					if k.local == name {
						next = append(next, k)
						break
					}
				}
			}
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

// first returns the first descendant of n reached by path (see all), nil
// if there is none.
func (n *node) first(path string) *node {
	if all := n.all(path); len(all) > 0 {
		return all[0]
	}
	return nil
}

// get returns the first non-empty value reached by any of paths, in order,
// "" if there is none. A path ending in "/@name" reads that attribute of
// the elements it reaches; a path "@name" reads n's own attribute.
func (n *node) get(paths ...string) string {
	for _, p := range paths {
		for _, v := range n.values(p) {
			if v != "" {
				return v
			}
		}
	}
	return ""
}

// values returns the values reached by path (see get), in document order.
func (n *node) values(path string) []string {
	elems, attr := path, ""
	if i := strings.LastIndex(path, "@"); i >= 0 {
		elems, attr = strings.TrimSuffix(path[:i], "/"), path[i+1:]
	}
	var nodes []*node
	if elems == "" {
		nodes = []*node{n}
	} else {
		nodes = n.all(elems)
	}
	vals := make([]string, 0, len(nodes))
	for _, m := range nodes {
		if attr != "" {
			vals = append(vals, m.attr(attr))
		} else {
			vals = append(vals, m.value())
		}
	}
	return vals
}
