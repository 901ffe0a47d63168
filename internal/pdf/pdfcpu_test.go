package pdf

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"
	"math"
	"os"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// These tests make variants of a corpus PDF with pdfcpu.

func TestRotatedPage(t *testing.T) {
	src, err := os.ReadFile(corpusFile(t, "invoice2data/AzureInterior.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	upright := textOf(t, src, 1)
	want := find(t, upright, "279.84")
	for _, rot := range []int{90, 270} {
		var buf bytes.Buffer
		if err := api.Rotate(bytes.NewReader(src), &buf, rot, nil, model.NewDefaultConfiguration()); err != nil {
			t.Fatal(err)
		}
		p := textOf(t, buf.Bytes(), 1)
		checkPage(t, "rotated", p)
		if math.Abs(p.Width-upright.Height) > 1 || math.Abs(p.Height-upright.Width) > 1 {
			t.Errorf("%d°: page %gx%g, want %gx%g", rot, p.Width, p.Height, upright.Height, upright.Width)
		}
		// The upright box turned clockwise by rot.
		x0, y0, x1, y1 := want.X0, want.Y0, want.X1, want.Y1
		for range rot / 90 {
			x0, y0, x1, y1 = 1-y1, x0, 1-y0, x1
		}
		got := find(t, p, "279.84")
		for i, v := range [4]float64{x0, y0, x1, y1} {
			if math.Abs(got.Box()[i]-v) > 0.005 {
				t.Errorf("%d°: 279.84 at %.4f, want %.4f", rot, got.Box(), [4]float64{x0, y0, x1, y1})
				break
			}
		}
	}
}

func TestEncrypted(t *testing.T) {
	src, err := os.ReadFile(corpusFile(t, "invoice2data/AzureInterior.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(src), &buf, model.NewAESConfiguration("user", "owner", 256)); err != nil {
		t.Fatal(err)
	}
	_, err = testReader.OpenDocument(context.Background(), bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if !errors.Is(err, ErrEncrypted) {
		t.Fatalf("password-protected PDF: %v, want ErrEncrypted", err)
	}
	t.Log(err)
}

// textOf returns the text of a page of a PDF held in memory.
func textOf(t *testing.T, b []byte, page int) doc.Page {
	t.Helper()
	d, err := testReader.OpenDocument(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, err := d.Text(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScannedPage(t *testing.T) {
	png, err := os.ReadFile(corpusFile(t, "invoice2data/AmazonWebServices.png"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := api.ImportImages(nil, &buf, []io.Reader{bytes.NewReader(png)}, pdfcpu.DefaultImportConfig(), model.NewDefaultConfiguration()); err != nil {
		t.Fatal(err)
	}
	d, err := testReader.OpenDocument(context.Background(), bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, err := d.Text(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Words) != 0 || HasUsableText(p) {
		t.Errorf("an image-only page has %d words, HasUsableText %v", len(p.Words), HasUsableText(p))
	}
	// pdfcpu makes a page of one point per pixel, too large for 300 dpi.
	if _, err := d.Render(context.Background(), 1, 300); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Render of a %gx%g point page at 300 dpi: %v, want ErrTooLarge", p.Width, p.Height, err)
	}
	if dpi := FitDPI(p.Width, p.Height, 300); dpi >= 300 {
		t.Errorf("FitDPI = %d", dpi)
	}
	// The scan itself: 72 dpi.
	img, err := d.Render(context.Background(), 1, 72)
	if err != nil {
		t.Fatal(err)
	}
	if m, darkest := meanMin(img.(*image.Gray), img.Bounds()); m > 250 || darkest > 64 {
		t.Errorf("rendered scan: mean %.0f darkest %d, want a page with ink", m, darkest)
	}
}
