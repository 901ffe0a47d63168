// Package filetype identifies an uploaded file by its bytes, never by its
// name or declared media type, and checks that it is safe to accept: that it
// is one of the formats Crescent processes, that it is not truncated or
// damaged in a way its headers reveal, and that it stays within page and
// pixel limits. It reads headers only and never decodes pixels.
package filetype

import (
	"bytes"
	"errors"
	"io"
)

// Kind names a file format Crescent accepts.
type Kind string

// The accepted kinds. KindCII covers UN/CEFACT Cross Industry Invoice and
// its ZUGFeRD 1 predecessor (Cross Industry Document); KindUBL covers OASIS
// UBL invoices and credit notes.
const (
	KindPDF  Kind = "pdf"
	KindPNG  Kind = "png"
	KindJPEG Kind = "jpeg"
	KindTIFF Kind = "tiff"
	KindWebP Kind = "webp"
	KindBMP  Kind = "bmp"
	KindGIF  Kind = "gif"
	KindCII  Kind = "xml-cii"
	KindUBL  Kind = "xml-ubl"
)

// Limits bounds what Inspect accepts. A zero or negative field means the
// value in DefaultLimits.
type Limits struct {
	// MaxPages is the most pages a PDF or multi-page TIFF may have.
	MaxPages int
	// MaxPixels is the most pixels (width × height) one image or TIFF page
	// may declare.
	MaxPixels int64
	// MaxDimension is the most pixels an image may be wide or high.
	MaxDimension int
	// MaxStreamBytes is the most bytes one compressed stream of a PDF may
	// expand to when decoded.
	MaxStreamBytes int64
	// MaxDecodedBytes is the most bytes all the compressed streams of a PDF
	// together may expand to when decoded.
	MaxDecodedBytes int64
}

// DefaultLimits are the limits used for any zero field of a Limits.
var DefaultLimits = Limits{MaxPages: 500, MaxPixels: 100_000_000, MaxDimension: 30000,
	MaxStreamBytes: 128 << 20, MaxDecodedBytes: 1 << 30}

// withDefaults returns l with each unset field taken from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultLimits.MaxPages
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultLimits.MaxPixels
	}
	if l.MaxDimension <= 0 {
		l.MaxDimension = DefaultLimits.MaxDimension
	}
	if l.MaxStreamBytes <= 0 {
		l.MaxStreamBytes = DefaultLimits.MaxStreamBytes
	}
	if l.MaxDecodedBytes <= 0 {
		l.MaxDecodedBytes = DefaultLimits.MaxDecodedBytes
	}
	return l
}

// Info describes an accepted file.
type Info struct {
	// Kind is the detected format.
	Kind Kind
	// ContentType is the media type to store and serve the file with.
	ContentType string
	// Pages is the page count of a PDF or TIFF, 1 for other images and 0
	// for XML.
	Pages int
	// Width and Height are an image's size in pixels (a TIFF's first page);
	// they are 0 for PDF and XML.
	Width, Height int
}

// sniffLen is how many leading bytes Inspect reads to recognise a format.
const sniffLen = 1024

// Inspect identifies the file of size bytes readable from r and checks it
// against lim. It reads only what it needs: headers, the end of the file and,
// for PDF, the objects pdfcpu loads; it never decodes pixels.
//
// On failure the error wraps ErrUnsupported (not an accepted format, or a
// feature of it that is refused, such as an XML DOCTYPE or an encrypted PDF),
// ErrCorrupt (empty, truncated or damaged) or ErrTooLarge (over a limit),
// and its text says what is wrong. An error returned by r itself, other than
// io.EOF, is returned as is, since it says nothing about the file.
func Inspect(r io.ReaderAt, size int64, lim Limits) (Info, error) {
	lim = lim.withDefaults()
	if size <= 0 {
		return Info{}, corruptf("the file is empty")
	}
	rr := &recordingReaderAt{r: r}
	info, err := inspect(rr, size, lim)
	if rr.err != nil {
		return Info{}, rr.err
	}
	return info, err
}

// inspect sniffs the format from the first bytes and hands the file to the
// inspector for that format.
func inspect(r io.ReaderAt, size int64, lim Limits) (Info, error) {
	head, err := readAt(r, 0, min(size, sniffLen))
	if err != nil {
		return Info{}, corruptf("the file could not be read to its declared size: %v", err)
	}
	switch {
	case bytes.Contains(head, []byte("%PDF-")):
		return inspectPDF(r, size, lim)
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return inspectImage(r, size, KindPNG, lim)
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return inspectImage(r, size, KindJPEG, lim)
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return inspectImage(r, size, KindGIF, lim)
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return inspectImage(r, size, KindWebP, lim)
	case isBMP(head):
		return inspectImage(r, size, KindBMP, lim)
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return inspectTIFF(r, size, lim)
	case bytes.HasPrefix(head, []byte("II+\x00")), bytes.HasPrefix(head, []byte("MM\x00+")):
		return Info{}, unsupportedf("BigTIFF files are not supported; save the image as a classic TIFF, PNG or PDF")
	case looksLikeXML(head):
		return inspectXML(r, size)
	}
	return inspectText(r, size)
}

// isBMP reports whether head starts with a BMP file header followed by one
// of the DIB header sizes in use, which tells a bitmap from text that merely
// starts with "BM".
func isBMP(head []byte) bool {
	if len(head) < 18 || string(head[:2]) != "BM" {
		return false
	}
	switch le32(head[14:18]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// readAt reads n bytes at off; a short read is an error.
func readAt(r io.ReaderAt, off, n int64) ([]byte, error) {
	buf := make([]byte, n)
	got, err := r.ReadAt(buf, off)
	if int64(got) == n {
		return buf, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

// tail returns the last n bytes of the file, or all of it if it is shorter.
func tail(r io.ReaderAt, size, n int64) ([]byte, error) {
	n = min(n, size)
	return readAt(r, size-n, n)
}

// le32 decodes a little-endian uint32.
func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// recordingReaderAt remembers the first error of the underlying reader other
// than io.EOF, so that a failing disk is not reported as a damaged file.
type recordingReaderAt struct {
	r   io.ReaderAt
	err error
}

// ReadAt implements io.ReaderAt.
func (x *recordingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := x.r.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) && x.err == nil {
		x.err = err
	}
	return n, err
}
