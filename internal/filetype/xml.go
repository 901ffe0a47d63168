package filetype

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// xmlSniffLen is how much of an XML file is read to find its root element.
const xmlSniffLen = 64 << 10

// utf8BOM is the byte order mark some editors put before XML.
var utf8BOM = []byte("\xef\xbb\xbf")

// eInvoiceRoot is an accepted root element: its local name and the start of
// its namespace URI, which ends in a version that varies.
type eInvoiceRoot struct {
	local, nsPrefix string
	kind            Kind
}

// eInvoiceRoots are the accepted e-invoice roots.
var eInvoiceRoots = []eInvoiceRoot{
	{"CrossIndustryInvoice", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:", KindCII},
	{"CrossIndustryDocument", "urn:ferd:CrossIndustryDocument:invoice:", KindCII},
	{"Invoice", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-", KindUBL},
	{"CreditNote", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-", KindUBL},
}

// looksLikeXML reports whether head, after a UTF-8 byte order mark and
// white space, starts with '<'.
func looksLikeXML(head []byte) bool {
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	return len(head) > 0 && head[0] == '<'
}

// inspectXML finds the root element in the first 64 KiB with encoding/xml,
// without expanding anything, and accepts a CII, ZUGFeRD 1 or UBL root in
// its namespace. It returns ErrUnsupported for any other XML, for a DOCTYPE
// or other directive (which could declare entities), for an encoding other
// than UTF-8, ASCII or Latin-1, and ErrCorrupt when the file does not end
// with the root's closing tag.
func inspectXML(r io.ReaderAt, size int64) (Info, error) {
	prefix, err := readAt(r, 0, min(size, xmlSniffLen))
	if err != nil {
		return Info{}, corruptf("the XML could not be read: %v", err)
	}
	root, err := xmlRoot(prefix, size <= xmlSniffLen)
	if err != nil {
		return Info{}, err
	}
	ns := root.Name.Space
	for _, a := range root.Attr {
		if (root.Name.Space == "" && a.Name.Space == "" && a.Name.Local == "xmlns") ||
			(root.Name.Space != "" && a.Name.Space == "xmlns" && a.Name.Local == root.Name.Space) {
			ns = a.Value
		}
	}
	kind := Kind("")
	for _, e := range eInvoiceRoots {
		if root.Name.Local == e.local && strings.HasPrefix(ns, e.nsPrefix) {
			kind = e.kind
		}
	}
	if kind == "" {
		return Info{}, unsupportedf("the XML is not an e-invoice: its root element is <%s> in namespace %q; accepted are CII (CrossIndustryInvoice), ZUGFeRD 1 (CrossIndustryDocument) and UBL (Invoice, CreditNote)", root.Name.Local, ns)
	}
	qname := root.Name.Local
	if root.Name.Space != "" {
		qname = root.Name.Space + ":" + qname
	}
	t, err := tail(r, size, tailLen)
	if err != nil || !endsWithClosingTag(t, qname) {
		return Info{}, corruptf("the XML is truncated: it does not end with the closing </%s> tag", qname)
	}
	return Info{Kind: kind, ContentType: "application/xml"}, nil
}

// xmlRoot returns the first start element of doc, read raw so that
// Name.Space is the prefix as written. It refuses directives, since a
// DOCTYPE can declare entities (XXE, billion laughs). whole says whether doc
// is the whole file rather than a prefix of it.
func xmlRoot(doc []byte, whole bool) (xml.StartElement, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	d.CharsetReader = asciiCompatible
	for {
		tok, err := d.RawToken()
		if err != nil {
			if whole {
				return xml.StartElement{}, unsupportedf("the bytes are not well-formed XML with a root element: %w", err)
			}
			var syntax *xml.SyntaxError
			if errors.Is(err, io.EOF) || (errors.As(err, &syntax) && syntax.Msg == "unexpected EOF") {
				return xml.StartElement{}, unsupportedf("the XML has no root element in its first %d KiB", xmlSniffLen>>10)
			}
			return xml.StartElement{}, unsupportedf("the bytes are not well-formed XML: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			return tok, nil
		case xml.Directive:
			return xml.StartElement{}, unsupportedf("the XML contains a DOCTYPE or entity declaration, which is refused for safety")
		}
	}
}

// asciiCompatible lets the decoder read XML declared in an encoding whose
// ASCII range is ASCII: only element and attribute names, which are ASCII in
// every accepted format, are looked at. Other encodings are refused.
func asciiCompatible(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "us-ascii", "ascii", "iso-8859-1", "latin1", "iso-8859-15", "windows-1252", "cp1252":
		return r, nil
	}
	return nil, errors.New("unsupported encoding " + label)
}

// endsWithClosingTag reports whether t, with trailing white space removed,
// ends with </qname> (white space allowed before the '>').
func endsWithClosingTag(t []byte, qname string) bool {
	t = bytes.TrimRight(t, " \t\r\n")
	if !bytes.HasSuffix(t, []byte(">")) {
		return false
	}
	t = bytes.TrimRight(t[:len(t)-1], " \t\r\n")
	return bytes.HasSuffix(t, []byte("</"+qname))
}
