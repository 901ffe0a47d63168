package service

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/crescent-idp/crescent/internal/filetype"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// Spooled is an uploaded file written to a temporary file, hashed, sized
// and identified, not yet stored.
type Spooled struct {
	Name   string
	Size   int64
	SHA256 string
	Info   filetype.Info
	path   string
}

// Remove deletes the temporary file. It is safe to call more than once.
func (s *Spooled) Remove() {
	if s != nil && s.path != "" {
		_ = os.Remove(s.path)
		s.path = ""
	}
}

// RemoveAll removes every spooled file.
func RemoveAll(files []*Spooled) {
	for _, f := range files {
		f.Remove()
	}
}

// maxFileName bounds file names in bytes.
const maxFileName = 255

// CleanFileName returns an uploaded file's name as it is stored: without
// control characters (C0, C1), bidi controls (U+202E would make
// "evil\u202Efdp.exe" read as "evilexe.pdf"), line and paragraph
// separators, byte order marks and zero-width spaces, in Unicode NFC. It
// fails with CodeInvalid for a name that is not UTF-8, that holds nothing
// else, that is over 255 bytes once cleaned, or that holds a path: "/",
// "\" and the names "." and ".." are refused rather than rewritten, so the
// caller learns that the name was not taken as given.
func CleanFileName(location, name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", workspace.Invalid(location, "file names must be UTF-8")
	}
	name = norm.NFC.String(strings.Map(func(r rune) rune {
		if invisibleInName(r) {
			return -1
		}
		return r
	}, name))
	switch {
	case name == "":
		return "", workspace.Invalid(location, "the file needs a name (control and bidi characters are removed from names)")
	case len(name) > maxFileName:
		return "", workspace.Invalid(location, fmt.Sprintf("file names are at most %d bytes", maxFileName))
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return "", workspace.Invalid(location, fmt.Sprintf("file name %q contains a path; send the bare file name", name))
	}
	return name, nil
}

// cleanText removes the characters CleanFileName removes from s and
// normalises it to NFC; invalid UTF-8 is replaced.
func cleanText(s string) string {
	return norm.NFC.String(strings.Map(func(r rune) rune {
		if invisibleInName(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\ufffd")))
}

// invisibleInName reports the characters CleanFileName removes.
func invisibleInName(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || unicode.In(r, unicode.Zl, unicode.Zp) ||
		r == '\ufeff' || r == '\u200b'
}

// Spool copies r into a temporary file under dir, hashing and counting as it
// goes, then identifies the bytes. The name is stored as CleanFileName
// returns it, and refused as it refuses. It fails with CodeTooLarge past
// maxBytes or the page and pixel limits, CodeUnsupported for bytes of no
// accepted format, and CodeInvalid for an empty or damaged file; nothing
// is left on disk when it fails.
func Spool(dir, location, name string, r io.Reader, maxBytes int64, lim filetype.Limits) (*Spooled, error) {
	name, err := CleanFileName(location, name)
	if err != nil {
		return nil, err
	}
	s, err := SpoolContent(dir, location, name, r, maxBytes)
	if err != nil {
		return nil, err
	}
	if err := s.Identify(location, name, lim); err != nil {
		return nil, err
	}
	return s, nil
}

// SpoolContent copies r into a temporary file under dir, hashing and
// counting as it goes, for a file whose name may not be known yet (name
// "" then; it only words the errors). The result is not identified: call
// Identify before using it. It fails with CodeTooLarge past maxBytes and
// CodeInvalid for an empty or interrupted file (the error wraps the
// reader's); nothing is left on disk when it fails.
func SpoolContent(dir, location, name string, r io.Reader, maxBytes int64) (*Spooled, error) {
	what := "the file"
	if name != "" {
		what = fmt.Sprintf("file %q", name)
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spooled{Name: name, path: f.Name()}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			s.Remove()
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, maxBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, workspace.Errorf(workspace.CodeTooLarge, "the upload is larger than the server accepts")
		}
		return nil, &workspace.Error{Code: workspace.CodeInvalid, Message: "the upload was interrupted", Err: err}
	}
	if n > maxBytes {
		return nil, workspace.Errorf(workspace.CodeTooLarge, "%s is larger than the limit of %d bytes", what, maxBytes)
	}
	if n == 0 {
		return nil, workspace.Invalid(location, what+" is empty")
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s.Size, s.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	ok = true
	return s, nil
}

// Identify names spooled content (name as CleanFileName returns it) and
// identifies its bytes. It fails as CleanFileName does, with CodeTooLarge
// past the page and pixel limits, CodeUnsupported for bytes of no accepted
// format (or plain text not named .txt) and CodeInvalid for a damaged
// file; the spooled file is removed when it fails.
func (s *Spooled) Identify(location, name string, lim filetype.Limits) (err error) {
	defer func() {
		if err != nil {
			s.Remove()
		}
	}()
	if name, err = CleanFileName(location, name); err != nil {
		return err
	}
	f, err := s.Open()
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	info, err := filetype.Inspect(f, s.Size, lim)
	if err != nil {
		return fileTypeError(location, name, err)
	}
	if info.Kind == filetype.KindText && !strings.EqualFold(filepath.Ext(name), ".txt") {
		msg := fmt.Sprintf("file %q holds plain text, not the format its name claims; plain-text documents are accepted as .txt files", name)
		return &workspace.Error{Code: workspace.CodeUnsupported, Message: msg, Fields: []workspace.FieldError{{Location: location, Message: msg}}}
	}
	s.Name, s.Info = name, info
	return nil
}

// Open reopens the spooled bytes for reading.
func (s *Spooled) Open() (*os.File, error) { return os.Open(s.path) }

func fileTypeError(location, name string, err error) error {
	msg := fmt.Sprintf("file %q: %s", name, err.Error())
	switch {
	case errors.Is(err, filetype.ErrTooLarge):
		return &workspace.Error{Code: workspace.CodeTooLarge, Message: msg, Fields: []workspace.FieldError{{Location: location, Message: msg}}}
	case errors.Is(err, filetype.ErrUnsupported):
		return &workspace.Error{Code: workspace.CodeUnsupported, Message: msg, Fields: []workspace.FieldError{{Location: location, Message: msg}}}
	default:
		return workspace.Invalid(location, msg)
	}
}
