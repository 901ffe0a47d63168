package pipeline

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/crescent-idp/crescent/internal/ocr"
)

// receiptPNG writes a receipt of text lines, turned by deg degrees, as a
// PNG file and returns it opened.
func receiptPNG(t *testing.T, deg float64) *os.File {
	t.Helper()
	lines := []string{"CORNER SHOP LTD", "12 HIGH STREET", "SUBTOTAL        11.40", "TOTAL           11.40", "CASH            20.00", "CHANGE           8.60"}
	small := image.NewGray(image.Rect(0, 0, 200, 13*len(lines)+26))
	draw.Draw(small, small.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: small, Src: image.Black, Face: basicfont.Face7x13}
	for i, l := range lines {
		d.Dot = fixed.P(14, 13*(i+1)+10)
		d.DrawString(l)
	}
	big := image.NewGray(image.Rect(0, 0, 600, 3*small.Rect.Dy()))
	xdraw.NearestNeighbor.Scale(big, big.Bounds(), small, small.Bounds(), xdraw.Src, nil)
	var img image.Image = big
	if deg != 0 {
		img = ocr.Rotate(big, deg)
	}
	path := filepath.Join(t.TempDir(), "receipt.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestStraightened turns a photographed receipt straight before OCR and
// leaves a straight one to go to tesseract as uploaded.
func TestStraightened(t *testing.T) {
	if img := straightened(receiptPNG(t, 0)); img != nil {
		t.Error("a straight receipt was turned")
	}
	img := straightened(receiptPNG(t, 2))
	if img == nil {
		t.Fatal("a receipt turned by 2° was left as it is")
	}
	if a, _ := ocr.SkewAngle(ocr.Grey(img)); a < -0.15 || a > 0.15 {
		t.Errorf("%.2f° left after straightening", a)
	}
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("not an image")
	if straightened(f) != nil {
		t.Error("a non-image was turned")
	}
}
