package pdf

import (
	"context"
	"fmt"
	"image"
	"math"

	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/requests"
)

// MaxDPI is the highest resolution Render accepts.
const MaxDPI = 1200

// Render rasterises the 1-based page at dpi (1..MaxDPI) for OCR: an
// *image.Gray of ceil(width*dpi/72) by ceil(height*dpi/72) pixels, white
// background, annotations included, crop box and rotation applied. It
// returns an error wrapping ErrTooLarge, before rendering, if the image
// would exceed MaxRenderPixels, ErrCorrupt if PDFium fails on the page, or
// the context's error when ctx or the page timeout ends first.
func (d *Document) Render(ctx context.Context, page, dpi int) (image.Image, error) {
	if err := d.checkPage(page); err != nil {
		return nil, err
	}
	if dpi < 1 || dpi > MaxDPI {
		return nil, fmt.Errorf("pdf: render at %d dpi: want 1..%d", dpi, MaxDPI)
	}
	var img *image.Gray
	err := d.do(ctx, fmt.Sprintf("render page %d", page), func() error {
		var err error
		img, err = d.render(page, dpi)
		return err
	})
	if err != nil {
		return nil, err
	}
	return img, nil
}

func (d *Document) render(page, dpi int) (*image.Gray, error) {
	pr := d.pageReq(page)
	size, err := d.inst.GetPageSize(&requests.GetPageSize{Page: pr})
	if err != nil {
		return nil, fmt.Errorf("%w: loading the page: %v", ErrCorrupt, err)
	}
	// The size GetPageSizeInPixels and RenderPageInDPI use.
	pw := math.Ceil(size.Width * float64(dpi) / 72)
	ph := math.Ceil(size.Height * float64(dpi) / 72)
	if !(pw >= 1 && ph >= 1) {
		return nil, fmt.Errorf("%w: the page has an empty size %gx%g", ErrCorrupt, size.Width, size.Height)
	}
	if pw*ph > MaxRenderPixels {
		return nil, fmt.Errorf("%w: page %d at %d dpi would be %.0fx%.0f pixels, more than %d megapixels",
			ErrTooLarge, page, dpi, pw, ph, MaxRenderPixels/1_000_000)
	}
	res, err := d.inst.RenderPageInDPI(&requests.RenderPageInDPI{
		Page:        pr,
		DPI:         dpi,
		RenderFlags: enums.FPDF_RENDER_FLAG_ANNOT,
		ImageFormat: requests.RenderImageFormatGrayscale,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: rendering: %v", ErrCorrupt, err)
	}
	// The pixels live in the instance's memory until Cleanup.
	defer res.Cleanup()
	src, ok := res.Result.RenderedImage.(*image.Gray)
	if !ok {
		return nil, fmt.Errorf("pdf: PDFium rendered a %T, not an *image.Gray", res.Result.RenderedImage)
	}
	b := src.Bounds()
	dst := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		i := src.PixOffset(b.Min.X, b.Min.Y+y)
		copy(dst.Pix[y*dst.Stride:y*dst.Stride+b.Dx()], src.Pix[i:i+b.Dx()])
	}
	return dst, nil
}

// FitDPI returns dpi, lowered if needed so that a page of width by height
// points (doc.Page.Width and Height from Text) renders within
// MaxRenderPixels; at least 1. Pages of scanned images are sometimes one
// point per pixel, so that 300 dpi would be four times the scan.
func FitDPI(width, height float64, dpi int) int {
	for dpi > 1 && math.Ceil(width*float64(dpi)/72)*math.Ceil(height*float64(dpi)/72) > MaxRenderPixels {
		// Jump close to the limit, then step down past rounding.
		fit := int(72 * math.Sqrt(MaxRenderPixels/(width*height)))
		dpi = max(1, min(dpi-1, fit))
	}
	return dpi
}
