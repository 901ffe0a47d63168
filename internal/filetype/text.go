package filetype

import (
	"io"
	"unicode"
	"unicode/utf8"
)

// KindText is a plain UTF-8 text document (an invoice exported as text).
const KindText Kind = "text"

// maxTextBytes bounds plain-text documents: larger text is not a document.
const maxTextBytes = 5 << 20

// inspectText accepts a file as plain text when it is valid UTF-8 (a BOM
// allowed), has no NUL byte and at least 95% of its runes are printable or
// white space. It reports ErrUnsupported otherwise.
func inspectText(r io.ReaderAt, size int64) (Info, error) {
	if size > maxTextBytes {
		return Info{}, errNotSupported
	}
	b, err := readAt(r, 0, size)
	if err != nil {
		return Info{}, corruptf("the file could not be read to its declared size: %v", err)
	}
	if !utf8.Valid(b) {
		return Info{}, errNotSupported
	}
	var total, odd int
	for _, c := range string(b) {
		total++
		switch {
		case c == 0:
			return Info{}, errNotSupported
		case c == '\ufeff', unicode.IsSpace(c), unicode.IsPrint(c):
		default:
			odd++
		}
	}
	if total == 0 || odd*20 > total {
		return Info{}, errNotSupported
	}
	return Info{Kind: KindText, ContentType: "text/plain; charset=utf-8", Pages: 1}, nil
}
