package ocr

import (
	"image"
	"image/draw"
	"math"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// receiptImage draws lines of text in a 7×13 font, scaled 3 times, on
// white, as a scanned till receipt.
func receiptImage(lines []string) *image.Gray {
	w, h := 0, 13*len(lines)+26
	for _, l := range lines {
		w = max(w, 7*len(l)+28)
	}
	small := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(small, small.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: small, Src: image.Black, Face: basicfont.Face7x13}
	for i, l := range lines {
		d.Dot = fixed.P(14, 13*(i+1)+10)
		d.DrawString(l)
	}
	big := image.NewGray(image.Rect(0, 0, 3*w, 3*h))
	xdraw.NearestNeighbor.Scale(big, big.Bounds(), small, small.Bounds(), xdraw.Src, nil)
	return big
}

var receiptText = []string{
	"   KEDAI RUNCIT MAJU JAYA SDN BHD",
	"   LOT 12, JALAN BUNGA RAYA 3/2,",
	"   53100 KUALA LUMPUR",
	"   TEL: 03-4021 1234",
	"MILO 1KG             1 X 21.90     21.90",
	"ROTI GARDENIA        2 X 3.50       7.00",
	"SUB TOTAL                          28.90",
	"ROUNDING ADJ                        0.05",
	"TOTAL (RM)                         28.95",
	"CASH                               50.00",
	"CHANGE                             21.05",
}

// TestSkewAngle finds the angle a page was turned by, either way, and
// Deskew turns it back; a straight page is left as it is.
func TestSkewAngle(t *testing.T) {
	straight := receiptImage(receiptText)
	if a, _ := SkewAngle(straight); math.Abs(a) > 0.1 {
		t.Errorf("straight page: angle %.2f, want 0", a)
	}
	if img, a := Deskew(straight); a != 0 || img != image.Image(straight) {
		t.Errorf("straight page turned by %.2f", a)
	}
	for _, turn := range []float64{-3, -1.5, -0.5, 0.5, 2, 4} {
		turned := Rotate(straight, turn)
		a, gain := SkewAngle(turned)
		if math.Abs(a+turn) > 0.15 || gain <= 0 {
			t.Errorf("turned by %.2f: angle %.2f (gain %.3f), want %.2f", turn, a, gain, -turn)
		}
		img, b := Deskew(turned)
		if b != a {
			t.Errorf("turned by %.2f: Deskew turned by %.2f, want %.2f", turn, b, a)
		}
		if back, _ := SkewAngle(Grey(img)); math.Abs(back) > 0.15 {
			t.Errorf("turned by %.2f: %.2f left after Deskew", turn, back)
		}
	}
}

// TestDeskewBounds leaves blank and oversized images alone without
// reading their pixels.
func TestDeskewBounds(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 300, 400))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	if _, a := Deskew(blank); a != 0 {
		t.Errorf("blank page turned by %.2f", a)
	}
	huge := &image.Gray{Rect: image.Rect(0, 0, 10000, 10000)} // no pixels: must not be read
	if img, a := Deskew(huge); a != 0 || img != image.Image(huge) {
		t.Errorf("oversized page turned by %.2f", a)
	}
	tiny := image.NewGray(image.Rect(0, 0, 3, 3))
	if _, a := Deskew(tiny); a != 0 {
		t.Errorf("tiny page turned by %.2f", a)
	}
}
