package httpapi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonStream reads a JSON document token by token from a stream, for
// bodies too large to hold (the base64 upload): string values can be read
// as streams. It checks what decodeJSON checks for the parts it reads
// itself: UTF-8, escapes, and leaves keys to its caller.
type jsonStream struct {
	r *bufio.Reader
}

func newJSONStream(r io.Reader) *jsonStream { return &jsonStream{r: bufio.NewReaderSize(r, 64<<10)} }

// syntaxError is malformed JSON in a streamed body.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return "malformed JSON: " + e.msg }

func syntaxf(format string, args ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, args...)}
}

// readErr turns a read failure into a syntax error at EOF and passes any
// other failure (a body over its limit) through.
func readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return syntaxf("the body ends too early")
	}
	return err
}

// next returns the next byte that is not white space, consumed.
func (js *jsonStream) next() (byte, error) {
	for {
		c, err := js.r.ReadByte()
		if err != nil {
			return 0, readErr(err)
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, nil
	}
}

// expect consumes the next non-space byte, which must be want.
func (js *jsonStream) expect(want byte) error {
	c, err := js.next()
	if err != nil {
		return err
	}
	if c != want {
		return syntaxf("expected %q, found %q", want, c)
	}
	return nil
}

// more reports whether an object or array continues after an element: it
// consumes "," (true) or the closing byte (false).
func (js *jsonStream) more(closing byte) (bool, error) {
	c, err := js.next()
	if err != nil {
		return false, err
	}
	switch c {
	case ',':
		return true, nil
	case closing:
		return false, nil
	}
	return false, syntaxf("expected ',' or %q, found %q", closing, c)
}

// empty consumes the closing byte of an object or array when it comes
// first, reporting whether it did.
func (js *jsonStream) empty(closing byte) (bool, error) {
	c, err := js.next()
	if err != nil {
		return false, err
	}
	if c == closing {
		return true, nil
	}
	return false, js.r.UnreadByte()
}

// end checks that nothing but white space follows the document.
func (js *jsonStream) end() error {
	_, err := js.next()
	if err == nil {
		return syntaxf("data after the end of the body")
	}
	var se *syntaxError
	if errors.As(err, &se) {
		return nil
	}
	return err
}

// stringValue opens the next value, which must be a string, as a stream of
// its unescaped bytes.
func (js *jsonStream) stringValue() (*stringReader, error) {
	if err := js.expect('"'); err != nil {
		return nil, err
	}
	return &stringReader{r: js.r}, nil
}

// readString reads the next value, a string of at most limit bytes of
// valid UTF-8; tooLong is returned for a longer one.
func (js *jsonStream) readString(limit int, tooLong error) (string, error) {
	sr, err := js.stringValue()
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(sr, int64(limit)+1))
	if err != nil {
		return "", err
	}
	if len(b) > limit {
		return "", tooLong
	}
	if !utf8.Valid(b) {
		return "", syntaxf("a string is not valid UTF-8")
	}
	return string(b), nil
}

// errNotBool is readBool's answer to a value that is not true or false.
var errNotBool = errors.New("not a boolean")

// readBool reads the literal true or false; errNotBool for another value.
func (js *jsonStream) readBool() (bool, error) {
	c, err := js.next()
	if err != nil {
		return false, err
	}
	word := "true"
	if c == 'f' {
		word = "false"
	} else if c != 't' {
		return false, errNotBool
	}
	for i := 1; i < len(word); i++ {
		b, err := js.r.ReadByte()
		if err != nil || b != word[i] {
			return false, errNotBool
		}
	}
	return word == "true", nil
}

// rawValue returns the bytes of the next value, at most limit of them
// (tooLong otherwise), for decodeJSON to check and decode.
func (js *jsonStream) rawValue(limit int, tooLong error) ([]byte, error) {
	c, err := js.next()
	if err != nil {
		return nil, err
	}
	buf := []byte{c}
	depth, inString, escaped := 0, c == '"', false
	switch c {
	case '{', '[':
		depth = 1
	case '"':
	default: // a number or literal: ends before a delimiter
		for {
			b, err := js.r.ReadByte()
			if err != nil {
				return nil, readErr(err)
			}
			if b == ',' || b == '}' || b == ']' || b == ' ' || b == '\t' || b == '\r' || b == '\n' {
				return buf, js.r.UnreadByte()
			}
			if buf = append(buf, b); len(buf) > limit {
				return nil, tooLong
			}
		}
	}
	for depth > 0 || inString {
		b, err := js.r.ReadByte()
		if err != nil {
			return nil, readErr(err)
		}
		if buf = append(buf, b); len(buf) > limit {
			return nil, tooLong
		}
		switch {
		case inString && escaped:
			escaped = false
		case inString && b == '\\':
			escaped = true
		case inString:
			inString = b != '"'
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
		case b == '}' || b == ']':
			depth--
		}
	}
	return buf, nil
}

// stringReader streams the characters of a JSON string whose opening
// quote was read, unescaped; it returns io.EOF after the closing quote.
// Control characters, bad escapes and unpaired surrogate escapes are
// syntax errors.
type stringReader struct {
	r       *bufio.Reader
	done    bool
	pending []byte // the UTF-8 of an escape not yet returned
	enc     [utf8.UTFMax]byte
}

func (s *stringReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(s.pending) > 0 {
			c := copy(p[n:], s.pending)
			s.pending, n = s.pending[c:], n+c
			continue
		}
		if s.done {
			break
		}
		if s.r.Buffered() == 0 {
			if _, err := s.r.Peek(1); err != nil {
				return n, readErr(err)
			}
		}
		buf, _ := s.r.Peek(s.r.Buffered())
		i := 0
		for i < len(buf) && n < len(p) {
			c := buf[i]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			p[n] = c
			n++
			i++
		}
		_, _ = s.r.Discard(i)
		if n == len(p) || i == len(buf) {
			continue
		}
		switch c, _ := s.r.ReadByte(); {
		case c == '"':
			s.done = true
		case c == '\\':
			if err := s.escape(); err != nil {
				return n, err
			}
		default:
			return n, syntaxf("a control character inside a string")
		}
	}
	if n == 0 && s.done {
		return 0, io.EOF
	}
	return n, nil
}

// escape reads one escape after its backslash into pending.
func (s *stringReader) escape() error {
	c, err := s.r.ReadByte()
	if err != nil {
		return readErr(err)
	}
	var r rune
	switch c {
	case '"', '\\', '/':
		r = rune(c)
	case 'b':
		r = '\b'
	case 'f':
		r = '\f'
	case 'n':
		r = '\n'
	case 'r':
		r = '\r'
	case 't':
		r = '\t'
	case 'u':
		if r, err = s.hex4(); err != nil {
			return err
		}
		if utf16.IsSurrogate(r) {
			lo := rune(0)
			if a, _ := s.r.ReadByte(); a == '\\' {
				if b, _ := s.r.ReadByte(); b == 'u' {
					lo, _ = s.hex4()
				}
			}
			if r = utf16.DecodeRune(r, lo); r == utf8.RuneError {
				return syntaxf("an unpaired UTF-16 surrogate escape; send valid Unicode")
			}
		}
	default:
		return syntaxf("an invalid escape \\%c", c)
	}
	s.pending = s.enc[:utf8.EncodeRune(s.enc[:], r)]
	return nil
}

func (s *stringReader) hex4() (rune, error) {
	var b [4]byte
	if _, err := io.ReadFull(s.r, b[:]); err != nil {
		return 0, readErr(err)
	}
	n, err := strconv.ParseUint(string(b[:]), 16, 16)
	if err != nil {
		return 0, syntaxf("an invalid \\u escape")
	}
	return rune(n), nil
}
