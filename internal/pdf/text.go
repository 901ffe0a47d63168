package pdf

import (
	"context"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/klippa-app/go-pdfium/requests"
)

// affine maps PDF user space to the displayed page, in points with the
// origin at the top left: x' = a*x + c*y + e, y' = b*x + d*y + f. It folds
// in the crop box and the page's /Rotate.
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(x, y float64) (float64, float64) {
	return m.a*x + m.c*y + m.e, m.b*x + m.d*y + m.f
}

// rotated reports whether the page is turned a quarter: user space x runs
// along the displayed y axis.
func (m affine) rotated() bool { return math.Abs(m.a) < math.Abs(m.b) }

// deviceScale is the resolution, in device units per point, at which the
// page transform is sampled from FPDF_PageToDevice, which returns integers.
const deviceScale = 64

// Text returns the words of the 1-based page from the PDF's text layer:
// boxes relative to the displayed page (crop box and rotation applied), in
// reading order, Conf 1, Source doc.SourceText, Width and Height in points.
// Text running up or down the page is grouped along its direction; text
// upside down on the displayed page comes out with its words reversed. A
// page without a text layer has no words; see HasUsableText. It returns
// an error wrapping ErrCorrupt if PDFium fails on the page, or the context's
// error when ctx or the page timeout ends first.
func (d *Document) Text(ctx context.Context, page int) (doc.Page, error) {
	if err := d.checkPage(page); err != nil {
		return doc.Page{}, err
	}
	var p doc.Page
	err := d.do(ctx, fmt.Sprintf("page %d text", page), func() error {
		var err error
		p, err = d.text(page)
		return err
	})
	return p, err
}

// text reads the page's characters and groups them into words.
func (d *Document) text(page int) (doc.Page, error) {
	pr := d.pageReq(page)
	size, err := d.inst.GetPageSize(&requests.GetPageSize{Page: pr})
	if err != nil {
		return doc.Page{}, fmt.Errorf("%w: loading the page: %v", ErrCorrupt, err)
	}
	w, h := size.Width, size.Height
	if !(w > 0 && h > 0) {
		return doc.Page{}, fmt.Errorf("%w: the page has an empty size %gx%g", ErrCorrupt, w, h)
	}
	m, err := d.transform(pr, w, h)
	if err != nil {
		return doc.Page{}, err
	}
	res, err := d.inst.GetPageTextStructured(&requests.GetPageTextStructured{
		Page: pr,
		Mode: requests.GetPageTextStructuredModeChars,
	})
	if err != nil {
		return doc.Page{}, fmt.Errorf("%w: reading the text layer: %v", ErrCorrupt, err)
	}

	chars := make([]char, 0, len(res.Chars))
	for _, c := range res.Chars {
		r, _ := utf8.DecodeRuneInString(c.Text) // "" (no unicode) gives RuneError
		if c.Text == "" {
			r = 0
		}
		pp := c.PointPosition
		x0, y0 := m.apply(pp.Left, pp.Top)
		x1, y1 := m.apply(pp.Right, pp.Bottom)
		// Quarter turns of the text: user-space angle plus page rotation;
		// only whether it is odd matters.
		q := int(math.Round(c.Angle/(math.Pi/2))) & 3
		if m.rotated() {
			q++
		}
		chars = append(chars, char{
			r:        r,
			x0:       math.Min(x0, x1),
			y0:       math.Min(y0, y1),
			x1:       math.Max(x0, x1),
			y1:       math.Max(y0, y1),
			vertical: q&1 == 1,
		})
	}
	return doc.Page{
		Num:    page,
		Width:  w,
		Height: h,
		Source: doc.SourceText,
		Words:  words(chars, w, h),
	}, nil
}

// transform samples FPDF_PageToDevice at three points to get the affine map
// from user space to the displayed page of w by h points.
func (d *Document) transform(pr requests.Page, w, h float64) (affine, error) {
	sx, sy := int(math.Round(w*deviceScale)), int(math.Round(h*deviceScale))
	var pts [3][2]float64
	for i, in := range [3][2]float64{{0, 0}, {1000, 0}, {0, 1000}} {
		res, err := d.inst.FPDF_PageToDevice(&requests.FPDF_PageToDevice{
			Page: pr, SizeX: sx, SizeY: sy, PageX: in[0], PageY: in[1],
		})
		if err != nil {
			return affine{}, fmt.Errorf("%w: page geometry: %v", ErrCorrupt, err)
		}
		pts[i] = [2]float64{float64(res.DeviceX) / deviceScale, float64(res.DeviceY) / deviceScale}
	}
	return affine{
		a: (pts[1][0] - pts[0][0]) / 1000, b: (pts[1][1] - pts[0][1]) / 1000,
		c: (pts[2][0] - pts[0][0]) / 1000, d: (pts[2][1] - pts[0][1]) / 1000,
		e: pts[0][0], f: pts[0][1],
	}, nil
}
