package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // for checkImageFile
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/crescent-idp/crescent/internal/doc"
)

// Layout says how tesseract finds the lines of a page (its --psm).
type Layout int

const (
	// LayoutAuto is fully automatic page segmentation (--psm 3): columns,
	// blocks and lines, which keeps a multi-column invoice's blocks apart.
	LayoutAuto Layout = iota
	// LayoutBlock reads the page as one block of lines (--psm 6), which
	// keeps a till receipt's label and amount on one line where automatic
	// segmentation splits them into columns.
	LayoutBlock
)

// psm is the --psm value of a layout.
func (l Layout) psm() string {
	if l == LayoutBlock {
		return "6"
	}
	return "3"
}

// Recognize runs OCR on img with the given tesseract languages (nil means
// "eng"; several are combined, the first one being the primary) and
// returns its words, boxes relative to img, as page 1 with Source
// doc.SourceOCR and the size of img in pixels. The image is written to a
// temporary PNG, which is removed before Recognize returns.
//
// It fails with an error wrapping ErrLanguage if a language is not
// installed, ErrUnavailable if tesseract cannot run, ErrTimeout if the page
// took longer than Config.PageTimeout, the context's error if ctx ended,
// and otherwise an error quoting tesseract's last stderr line.
func (e *Engine) Recognize(ctx context.Context, img image.Image, langs []string) (doc.Page, error) {
	return e.RecognizeAs(ctx, img, langs, LayoutAuto)
}

// RecognizeAs is Recognize with the given page layout.
func (e *Engine) RecognizeAs(ctx context.Context, img image.Image, langs []string, layout Layout) (doc.Page, error) {
	b := img.Bounds()
	if b.Empty() {
		return doc.Page{}, fmt.Errorf("ocr: empty image (%d×%d pixels)", b.Dx(), b.Dy())
	}
	lang, err := e.languageArg(ctx, langs)
	if err != nil {
		return doc.Page{}, err
	}
	path, err := writeTempPNG(img)
	if err != nil {
		return doc.Page{}, fmt.Errorf("ocr: %w", err)
	}
	defer os.Remove(path)
	return e.recognize(ctx, path, lang, layout)
}

// RecognizeFile is Recognize for a PNG or JPEG file; the page size is the
// image's size in pixels. For a PNG and a zero Config.DPI, tesseract takes
// the resolution from its pHYs chunk. It fails like Recognize, with an
// error wrapping fs.ErrNotExist if there is no such file, and with an error
// if the file is not a PNG or JPEG image (tesseract would read any other
// file as a list of image paths).
func (e *Engine) RecognizeFile(ctx context.Context, path string, langs []string) (doc.Page, error) {
	return e.RecognizeFileAs(ctx, path, langs, LayoutAuto)
}

// RecognizeFileAs is RecognizeFile with the given page layout.
func (e *Engine) RecognizeFileAs(ctx context.Context, path string, langs []string, layout Layout) (doc.Page, error) {
	if err := checkImageFile(path); err != nil {
		return doc.Page{}, fmt.Errorf("ocr: %w", err)
	}
	lang, err := e.languageArg(ctx, langs)
	if err != nil {
		return doc.Page{}, err
	}
	if !filepath.IsAbs(path) {
		// Keep a name like "-" or "stdin" from being read as standard input.
		path = "." + string(filepath.Separator) + path
	}
	return e.recognize(ctx, path, lang, layout)
}

// checkImageFile returns nil if path is a PNG or JPEG image.
func checkImageFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, format, err := image.DecodeConfig(f)
	if err != nil || (format != "png" && format != "jpeg") {
		return fmt.Errorf("%s is not a PNG or JPEG image", filepath.Base(path))
	}
	return nil
}

// args returns tesseract's arguments for recognizing the image at path
// with the -l value lang and the layout, writing TSV to stdout.
func (e *Engine) args(path, lang string, layout Layout) []string {
	args := []string{path, "stdout", "-l", lang, "--psm", layout.psm()}
	if e.dpi > 0 {
		args = append(args, "--dpi", strconv.Itoa(e.dpi))
	}
	return append(args, "tsv")
}

// recognize runs tesseract on the image file at path and parses its TSV.
func (e *Engine) recognize(ctx context.Context, path, lang string, layout Layout) (doc.Page, error) {
	pageCtx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	out, stderr, err := e.run(pageCtx, e.args(path, lang, layout))
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return doc.Page{}, fmt.Errorf("ocr: %w", ctx.Err())
		case pageCtx.Err() != nil:
			return doc.Page{}, fmt.Errorf("%w after %s", ErrTimeout, e.timeout)
		}
		if err = e.runError(err, stderr); errors.Is(err, ErrUnavailable) {
			return doc.Page{}, err
		}
		return doc.Page{}, fmt.Errorf("ocr: %w", err)
	}
	page, err := parseTSV(bytes.NewReader(out))
	if err != nil {
		return doc.Page{}, fmt.Errorf("ocr: reading tesseract output: %w", err)
	}
	return page, nil
}

// pngEncoder favours speed: the file lives for one tesseract run. On an
// 11-megapixel RGB page BestSpeed takes 145 ms, the default level 216 ms.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

// pngBuffers reuses the encoder's buffers across pages.
type pngBuffers struct{ pool sync.Pool }

// Get returns a pooled buffer, or nil for the encoder to allocate one.
func (p *pngBuffers) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

// Put returns b to the pool.
func (p *pngBuffers) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

// writeTempPNG writes img to a new temporary PNG file and returns its path.
// The caller removes it.
func writeTempPNG(img image.Image) (string, error) {
	f, err := os.CreateTemp("", "crescent-ocr-*.png")
	if err != nil {
		return "", fmt.Errorf("creating the page image: %w", err)
	}
	err = pngEncoder.Encode(f, img)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing the page image: %w", err)
	}
	return f.Name(), nil
}
