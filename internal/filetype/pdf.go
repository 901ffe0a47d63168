package filetype

import (
	"bytes"
	"errors"
	"io"
	"regexp"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
)

// pdfTailLen is how far from the end of a PDF its last %%EOF marker must
// start. The standard asks for the very end; readers such as Acrobat accept
// it within the last 1024 bytes, and we allow a little more padding.
const pdfTailLen = 2048

// inspectPDF checks a PDF: it must end with startxref and %%EOF (pdfcpu in
// relaxed mode would otherwise rebuild a truncated file from its first
// objects), pdfcpu must read its cross-reference table and objects, its page
// count must be within lim before and after pdfcpu's relaxed validation,
// which walks the page tree (a declared version older than 1.7 is not held
// against the file). It returns ErrCorrupt for a truncated or damaged
// file or a panic inside pdfcpu, ErrUnsupported for a password-protected
// file and ErrTooLarge for too many pages or streams that expand beyond
// lim when decompressed (checked first, see CheckPDFStreams, since pdfcpu
// decodes object streams whole).
//
// pdfcpu reads through an io.SectionReader, so the file is not copied into
// memory by Inspect; pdfcpu itself still keeps every object it parses,
// including the encoded bytes of streams, so memory use grows with the file.
func inspectPDF(r io.ReaderAt, size int64, lim Limits) (info Info, err error) {
	t, err := tail(r, size, pdfTailLen)
	if err != nil || !bytes.Contains(t, []byte("%%EOF")) || !bytes.Contains(t, []byte("startxref")) {
		return Info{}, corruptf("the PDF is truncated or damaged: it does not end with startxref and %%%%EOF")
	}
	if err := checkPDFStreams(r, size, lim); err != nil {
		return Info{}, err
	}
	if size > maxParsedPDF {
		return scanPDF(r, size, lim)
	}
	defer func() {
		if p := recover(); p != nil {
			info, err = Info{}, corruptf("the PDF is truncated or damaged: the PDF reader failed on it (%v)", p)
		}
	}()
	ctx, err := pdfcpu.Read(io.NewSectionReader(r, 0, size), pdfConfig())
	if err != nil {
		if errors.Is(err, pdfcpu.ErrWrongPassword) {
			return Info{}, unsupportedf("the PDF is password-protected; upload it without a password")
		}
		return Info{}, corruptf("the PDF is truncated or damaged: %w", err)
	}
	// The page tree root's /Count lets a huge file be refused before the
	// validation that walks every page.
	if err := ctx.EnsurePageCount(); err != nil {
		return Info{}, corruptf("the PDF is truncated or damaged: %w", err)
	}
	if err := checkPages(ctx.PageCount, lim); err != nil {
		return Info{}, err
	}
	// Producers often use features newer than the version they declare
	// (ZUGFeRD 1 invoices declaring PDF 1.3 carry /AFRelationship), which
	// pdfcpu refuses even in relaxed mode; validate them as PDF 1.7, as
	// pdfcpu does itself after adding features.
	if ctx.XRefTable.Version() < model.V17 {
		ctx.XRefTable.EnsureVersionForWriting()
	}
	if err := validate.XRefTable(ctx); err != nil {
		return Info{}, corruptf("the PDF is truncated or damaged: %w", err)
	}
	if ctx.PageCount < 1 {
		return Info{}, corruptf("the PDF is damaged: it has no pages")
	}
	if err := checkPages(ctx.PageCount, lim); err != nil {
		return Info{}, err
	}
	return Info{Kind: KindPDF, ContentType: "application/pdf", Pages: ctx.PageCount}, nil
}

// checkPages returns ErrTooLarge for a PDF of more than lim.MaxPages pages.
func checkPages(pages int, lim Limits) error {
	if pages > lim.MaxPages {
		return tooLargef("the PDF has %d pages, more than the limit of %d", pages, lim.MaxPages)
	}
	return nil
}

// pdfConfig returns the pdfcpu configuration for inspection: relaxed
// validation, no network, pdfcpu's default resource limits. It is built
// here rather than with model.NewDefaultConfiguration, which reads and
// writes a config.yml in the user's configuration directory.
func pdfConfig() *model.Configuration {
	return &model.Configuration{
		Version:                   model.VersionStr,
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Eol:                       types.EolLF,
		Cmd:                       model.VALIDATE,
		Offline:                   true,
		Timeout:                   5,
		TimestampFormat:           "2006-01-02 15:04",
		DateFormat:                "2006-01-02",
		Limits:                    model.DefaultResourceLimits(),
	}
}

// maxParsedPDF is the largest PDF parsed with pdfcpu at upload. pdfcpu
// keeps the bytes of every stream it reads, so a 200 MB scan would cost
// 200 MB of memory; larger files get the streaming scan instead, and their
// structure is checked when the pipeline opens them.
const maxParsedPDF = 32 << 20

// pageObject matches a page object's type entry (not /Pages).
var pageObject = regexp.MustCompile(`/Type\s*/Page[^s]`)

// scanPDF counts page objects in one bounded pass over the file. Page
// objects inside compressed object streams are not seen, so the count may
// be 0 (unknown); it is never more than the real count, so the page limit
// only refuses files that surely exceed it.
func scanPDF(r io.ReaderAt, size int64, lim Limits) (Info, error) {
	const chunk, overlap = 1 << 20, 64
	buf := make([]byte, chunk+overlap)
	pages := 0
	carry := 0
	for off := int64(0); off < size; {
		n, err := r.ReadAt(buf[carry:], off)
		if n == 0 && err != nil {
			if err == io.EOF {
				break
			}
			return Info{}, err
		}
		window := buf[:carry+n]
		// Count matches that start before the carried tail of the next window.
		for _, m := range pageObject.FindAllIndex(window, -1) {
			if m[0] < len(window)-overlap || off+int64(n) >= size {
				pages++
			}
		}
		off += int64(n)
		keep := min(overlap, len(window))
		copy(buf, window[len(window)-keep:])
		carry = keep
	}
	if err := checkPages(pages, lim); err != nil {
		return Info{}, err
	}
	return Info{Kind: KindPDF, ContentType: "application/pdf", Pages: pages}, nil
}
