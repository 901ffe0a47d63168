package filetype

import (
	"bytes"
	"errors"
	"io"

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
// file and ErrTooLarge for too many pages.
//
// pdfcpu reads through an io.SectionReader, so the file is not copied into
// memory by Inspect; pdfcpu itself still keeps every object it parses,
// including the encoded bytes of streams, so memory use grows with the file.
func inspectPDF(r io.ReaderAt, size int64, lim Limits) (info Info, err error) {
	t, err := tail(r, size, pdfTailLen)
	if err != nil || !bytes.Contains(t, []byte("%%EOF")) || !bytes.Contains(t, []byte("startxref")) {
		return Info{}, corruptf("the PDF is truncated or damaged: it does not end with startxref and %%%%EOF")
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
