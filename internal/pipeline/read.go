package pipeline

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // registers GIF for image.Decode
	_ "image/jpeg" // registers JPEG
	_ "image/png"  // registers PNG
	"io"
	"os"
	"strings"

	_ "golang.org/x/image/bmp"  // registers BMP
	_ "golang.org/x/image/tiff" // registers TIFF (first page)
	_ "golang.org/x/image/webp" // registers WebP

	"github.com/crescent-idp/crescent/internal/blob"
	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/einvoice"
	"github.com/crescent-idp/crescent/internal/extract"
	"github.com/crescent-idp/crescent/internal/filetype"
	"github.com/crescent-idp/crescent/internal/ocr"
	"github.com/crescent-idp/crescent/internal/pdf"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// readResult is what reading one file gave.
type readResult struct {
	pages   []doc.Page
	invoice *einvoice.Invoice // structured data, when the file carries it
	status  workspace.StatusInfo
}

func fileStatus(base workspace.StatusInfo, msg string) workspace.StatusInfo {
	base.Msg = msg
	return base
}

// readFile reads one original into pages of words and, for e-invoices, the
// structured invoice. Unreadable content is a status, not an error; the
// error is for infrastructure (blob store, disk, cancellation).
func (p *Pipeline) readFile(ctx context.Context, f workspace.File, cfg workspace.ProcessConfig) (readResult, error) {
	tmp, err := p.spool(ctx, f)
	if errors.Is(err, blob.ErrNotFound) {
		// Retrying cannot bring it back.
		return readResult{status: fileStatus(workspace.FileFailed, "the stored original of this file is missing; upload it again")}, nil
	}
	if err != nil {
		return readResult{}, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	switch filetype.Kind(f.Kind) {
	case filetype.KindCII, filetype.KindUBL:
		inv, err := einvoice.ParseXML(tmp)
		if err != nil {
			return readResult{status: fileStatus(workspace.FileUnsupported, "the e-invoice XML could not be read: "+err.Error())}, nil
		}
		return readResult{invoice: inv, status: workspace.FileCompleted}, nil
	case filetype.KindText:
		b, err := io.ReadAll(io.LimitReader(tmp, 5<<20))
		if err != nil {
			return readResult{}, err
		}
		return readText(b), nil
	case filetype.KindPDF:
		return p.readPDF(ctx, tmp, cfg)
	case filetype.KindPNG, filetype.KindJPEG:
		return p.readImage(ctx, tmp, cfg, true)
	case filetype.KindGIF, filetype.KindBMP, filetype.KindWebP, filetype.KindTIFF:
		return p.readImage(ctx, tmp, cfg, false)
	}
	return readResult{status: fileStatus(workspace.FileUnsupported, "unsupported file kind "+f.Kind)}, nil
}

// maxEInvoicePDF is the largest PDF searched for an embedded e-invoice.
const maxEInvoicePDF = 32 << 20

// readPDF reads the embedded e-invoice (when the process uses it), then
// every page's text layer, OCRing pages that have none.
func (p *Pipeline) readPDF(ctx context.Context, f *os.File, cfg workspace.ProcessConfig) (readResult, error) {
	var res readResult
	// Files stored before the upload check existed, or under other limits,
	// are checked again: neither reader below bounds what a stream decodes to.
	st, err := f.Stat()
	if err != nil {
		return res, err
	}
	if err := filetype.CheckPDFStreams(f, st.Size(), filetype.Limits{}); err != nil {
		if !errors.Is(err, filetype.ErrTooLarge) {
			return res, err
		}
		res.status = fileStatus(workspace.FileFailed, strings.TrimPrefix(err.Error(), filetype.ErrTooLarge.Error()+": "))
		return res, nil
	}
	// E-invoices are small; the PDF parser behind FromPDF holds the whole
	// file in memory, so very large files are not searched for one.
	if cfg.UseEmbeddedInvoiceData && st.Size() <= maxEInvoicePDF {
		inv, err := einvoice.FromPDF(f)
		if err == nil {
			res.invoice = inv
		} else if !errors.Is(err, einvoice.ErrNotEInvoice) {
			p.log.WarnContext(ctx, "embedded e-invoice unreadable; using the page text", "err", err.Error())
		}
	}
	reader := p.pdfReader(ctx)
	if reader == nil {
		if res.invoice != nil {
			res.status = workspace.FileCompleted
			return res, nil
		}
		res.status = fileStatus(workspace.FileFailed, "the PDF reader is unavailable on this server")
		return res, nil
	}
	d, err := reader.OpenFile(ctx, f.Name())
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		res.status = fileStatus(workspace.FileUnsupported, "the PDF could not be opened: "+err.Error())
		if errors.Is(err, pdf.ErrTooLarge) {
			res.status = fileStatus(workspace.FileFailed, "the PDF could not be opened: "+err.Error())
		}
		return res, nil
	}
	defer d.Close()
	ocrMissing, ocrDone := 0, 0
	var readErr error // the first page that could not be read, for the status
	for n := 1; n <= d.PageCount(); n++ {
		pg, err := d.Text(ctx, n)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			if errors.Is(err, pdf.ErrTooLarge) { // the document is unusable now
				res.pages, res.status = nil, fileStatus(workspace.FileFailed, "the PDF could not be read: "+err.Error())
				return res, nil
			}
			p.log.WarnContext(ctx, "page text unreadable", "page", n, "err", err.Error())
			pg = doc.Page{Num: n, Source: doc.SourceText}
			if readErr == nil {
				readErr = fmt.Errorf("page %d: %w", n, err)
			}
		}
		if !pdf.HasUsableText(pg) {
			switch {
			case p.ocr == nil || p.ocr.Check(ctx) != nil:
				ocrMissing++
			case ocrDone >= p.cfg.MaxOCRPages:
			default:
				if op, err := p.ocrPage(ctx, d, pg, n, cfg.OCRLanguages, ocrLayout(cfg)); err == nil {
					pg = op
					ocrDone++
				} else if ctx.Err() != nil {
					return res, ctx.Err()
				} else {
					p.log.WarnContext(ctx, "OCR of a page failed", "page", n, "err", err.Error())
					if readErr == nil {
						readErr = fmt.Errorf("OCR of page %d: %w", n, err)
					}
				}
			}
		}
		pg.Num = n
		res.pages = append(res.pages, pg)
	}
	res.status = workspace.FileCompleted
	if words(res.pages) == 0 && res.invoice == nil {
		msg := "the PDF has no readable text"
		switch {
		case readErr != nil:
			msg = "the PDF's text could not be read (" + readErr.Error() + "); processing it again may succeed"
		case ocrMissing > 0:
			msg = "the PDF's pages are scanned images and the OCR engine (tesseract) is not available on this server"
		}
		res.status = fileStatus(workspace.FileFailed, msg)
	}
	return res, nil
}

// ocrPage renders one PDF page and recognises it.
func (p *Pipeline) ocrPage(ctx context.Context, d *pdf.Document, text doc.Page, n int, langs []string, layout ocr.Layout) (doc.Page, error) {
	dpi := p.cfg.RenderDPI
	if text.Width > 0 && text.Height > 0 {
		dpi = pdf.FitDPI(text.Width, text.Height, dpi) // huge pages: lower the dpi to stay under the pixel limit
	}
	img, err := d.Render(ctx, n, dpi)
	if err != nil {
		return doc.Page{}, fmt.Errorf("render page %d: %w", n, err)
	}
	if layout == ocr.LayoutBlock {
		img, _ = ocr.Deskew(img) // a scanned receipt, perhaps turned a little
	}
	pctx, cancel := context.WithTimeout(ctx, p.cfg.PageTimeout)
	defer cancel()
	return p.ocr.RecognizeAs(pctx, img, langs, layout)
}

// ocrLayout is how a process's pages are segmented: receipts as one
// block of lines (a receipt's amounts stay on their label's line),
// everything else automatically.
func ocrLayout(cfg workspace.ProcessConfig) ocr.Layout {
	if extract.IsReceipts(cfg.DataPoints) {
		return ocr.LayoutBlock
	}
	return ocr.LayoutAuto
}

// readImage recognises an image file. PNG and JPEG go to tesseract as
// uploaded (asIs): no decoding and re-encoding, and the resolution the file
// records is kept; other formats are decoded first. Receipts are first
// turned straight when their lines are turned (ocr.Deskew); word boxes are
// then those of the straightened image.
func (p *Pipeline) readImage(ctx context.Context, f *os.File, cfg workspace.ProcessConfig, asIs bool) (readResult, error) {
	if p.ocr == nil || p.ocr.Check(ctx) != nil {
		return readResult{status: fileStatus(workspace.FileFailed, "images need OCR, and the OCR engine (tesseract) is not available on this server")}, nil
	}
	pctx, cancel := context.WithTimeout(ctx, p.cfg.PageTimeout)
	defer cancel()
	var pg doc.Page
	var err error
	layout := ocrLayout(cfg)
	var turned image.Image
	if asIs && layout == ocr.LayoutBlock {
		turned = straightened(f)
	}
	switch {
	case turned != nil:
		pg, err = p.ocr.RecognizeAs(pctx, turned, cfg.OCRLanguages, layout)
	case asIs:
		pg, err = p.ocr.RecognizeFileAs(pctx, f.Name(), cfg.OCRLanguages, layout)
	default:
		img, _, derr := image.Decode(f)
		if derr != nil {
			return readResult{status: fileStatus(workspace.FileUnsupported, "the image could not be decoded: "+derr.Error())}, nil
		}
		if layout == ocr.LayoutBlock {
			img, _ = ocr.Deskew(img)
		}
		pg, err = p.ocr.RecognizeAs(pctx, img, cfg.OCRLanguages, layout)
	}
	if err != nil {
		if ctx.Err() != nil {
			return readResult{}, ctx.Err()
		}
		return readResult{status: fileStatus(workspace.FileFailed, "OCR failed: "+err.Error())}, nil
	}
	pg.Num = 1
	return readResult{pages: []doc.Page{pg}, status: workspace.FileCompleted}, nil
}

// straightened returns the PNG or JPEG image in f turned so that its text
// lines run horizontally, or nil when it needs no turning, cannot be
// decoded here, or is over ocr.MaxDeskewPixels. Receipts are often
// photographed or fed to the scanner a little turned, which makes
// tesseract misread whole lines; only they are checked, as the check
// decodes the image that otherwise goes to tesseract as uploaded.
func straightened(f *os.File) image.Image {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil
	}
	c, _, err := image.DecodeConfig(f)
	if err != nil || int64(c.Width)*int64(c.Height) > ocr.MaxDeskewPixels {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil
	}
	if turned, angle := ocr.Deskew(img); angle != 0 {
		return turned
	}
	return nil
}

// readText lays a plain-text document out as pages of words.
func readText(b []byte) readResult {
	return readResult{pages: extract.TextPages(string(b)), status: workspace.FileCompleted}
}
