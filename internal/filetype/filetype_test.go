package filetype

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// webpLossless1x1 is a valid 1×1 lossless WebP (VP8L), 34 bytes.
var webpLossless1x1 = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

// testImage returns a small w×h picture with some content.
func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), 0x80, 0xff})
		}
	}
	return img
}

// encoded returns img encoded by enc.
func encoded(t testing.TB, enc func(io.Writer, image.Image) error, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := enc(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The encoders of the standard library and x/image, in one signature.
var (
	encPNG  = png.Encode
	encJPEG = func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }
	encGIF  = func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) }
	encBMP  = bmp.Encode
	encTIFF = func(w io.Writer, m image.Image) error { return tiff.Encode(w, m, nil) }
)

// inspectBytes runs Inspect on b with lim.
func inspectBytes(b []byte, lim Limits) (Info, error) {
	return Inspect(bytes.NewReader(b), int64(len(b)), lim)
}

// errKind returns which of the three sentinels err wraps, or nil.
func errKind(err error) error {
	for _, k := range []error{ErrUnsupported, ErrCorrupt, ErrTooLarge} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

func TestInspectImages(t *testing.T) {
	img := testImage(40, 30)
	tests := []struct {
		name string
		data []byte
		kind Kind
		ct   string
		w, h int
	}{
		{"png", encoded(t, encPNG, img), KindPNG, "image/png", 40, 30},
		{"jpeg", encoded(t, encJPEG, img), KindJPEG, "image/jpeg", 40, 30},
		{"gif", encoded(t, encGIF, img), KindGIF, "image/gif", 40, 30},
		{"bmp", encoded(t, encBMP, img), KindBMP, "image/bmp", 40, 30},
		{"tiff", encoded(t, encTIFF, img), KindTIFF, "image/tiff", 40, 30},
		{"webp", webpLossless1x1, KindWebP, "image/webp", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := inspectBytes(tt.data, DefaultLimits)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			want := Info{Kind: tt.kind, ContentType: tt.ct, Pages: 1, Width: tt.w, Height: tt.h}
			if info != want {
				t.Errorf("Inspect = %+v, want %+v", info, want)
			}
		})
	}
}

func TestWebPLiteralDecodes(t *testing.T) {
	m, err := webp.Decode(bytes.NewReader(webpLossless1x1))
	if err != nil {
		t.Fatalf("the WebP test literal does not decode: %v", err)
	}
	if b := m.Bounds(); b.Dx() != 1 || b.Dy() != 1 {
		t.Errorf("bounds = %v, want 1×1", b)
	}
}

func TestInspectRefusals(t *testing.T) {
	img := testImage(40, 30)
	pngBytes := encoded(t, encPNG, img)
	jpegBytes := encoded(t, encJPEG, img)
	bmpBytes := encoded(t, encBMP, img)
	tiffBytes := encoded(t, encTIFF, img)
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"empty", nil, DefaultLimits, ErrCorrupt},
		{"binary garbage", []byte("\x00\x01\x02\x03garbage\xff\xfe\x00\x00"), DefaultLimits, ErrUnsupported},
		{"latin-1 bytes", []byte("Rechnung f\xfcr M\xfcller \xe4\xf6\xfc\xdf"), DefaultLimits, ErrUnsupported},
		{"html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), DefaultLimits, ErrUnsupported},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), DefaultLimits, ErrUnsupported},
		{"bigtiff", []byte("II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"), DefaultLimits, ErrUnsupported},
		{"png 100000×100000 header", hugePNG(100000, 100000), DefaultLimits, ErrTooLarge},
		{"png wider than MaxDimension", hugePNG(40000, 10), DefaultLimits, ErrTooLarge},
		{"png 0×0 header", hugePNG(0, 0), DefaultLimits, ErrCorrupt},
		{"png over MaxPixels", pngBytes, Limits{MaxPixels: 1000}, ErrTooLarge},
		{"png truncated", pngBytes[:len(pngBytes)/3], DefaultLimits, ErrCorrupt},
		{"png header only", pngBytes[:20], DefaultLimits, ErrCorrupt},
		{"jpeg truncated", jpegBytes[:len(jpegBytes)/2], DefaultLimits, ErrCorrupt},
		{"jpeg over MaxDimension", jpegBytes, Limits{MaxDimension: 35}, ErrTooLarge},
		{"bmp truncated", bmpBytes[:len(bmpBytes)-100], DefaultLimits, ErrCorrupt},
		{"webp truncated", webpLossless1x1[:30], DefaultLimits, ErrCorrupt},
		{"tiff truncated", tiffBytes[:len(tiffBytes)/2], DefaultLimits, ErrCorrupt},
		{"tiff over MaxPixels", tiffBytes, Limits{MaxPixels: 1000}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inspectBytes(tt.data, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Inspect error = %v, want %v", err, tt.want)
			}
			t.Logf("%v", err)
		})
	}
}

func TestHugePNGMessage(t *testing.T) {
	_, err := inspectBytes(hugePNG(100000, 100000), Limits{MaxPixels: 50_000_000})
	want := "file over a limit: PNG declares 100000×100000 pixels, more than the limit of 50 megapixels"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestEmptyMessage(t *testing.T) {
	_, err := inspectBytes(nil, DefaultLimits)
	if err == nil || err.Error() != "damaged file: the file is empty" {
		t.Errorf("error = %v, want the file is empty", err)
	}
}

func TestReaderErrorPassesThrough(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Inspect(failingReaderAt{boom}, 100, DefaultLimits)
	if !errors.Is(err, boom) || errKind(err) != nil {
		t.Errorf("error = %v, want the reader's own error", err)
	}
}

// failingReaderAt fails every read with err.
type failingReaderAt struct{ err error }

func (f failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func TestZeroLimitsMeanDefaults(t *testing.T) {
	if got := (Limits{}).withDefaults(); got != DefaultLimits {
		t.Errorf("Limits{}.withDefaults() = %+v, want %+v", got, DefaultLimits)
	}
	if _, err := inspectBytes(hugePNG(20000, 20000), Limits{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("400 megapixels with zero Limits: error = %v, want ErrTooLarge", err)
	}
}

func TestInspectText(t *testing.T) {
	for _, text := range []string{
		"Invoice 42\nTotal: 100.00 EUR\n",
		"BMW invoice for service on 2024-01-01, total 300 EUR",
		"\ufeffFaktura nr: F 1/2021\nSprzedawca: Chemików 7 Płock\n",
	} {
		info, err := inspectBytes([]byte(text), DefaultLimits)
		if err != nil || info.Kind != KindText || info.Pages != 1 {
			t.Errorf("%q: %+v, %v", text, info, err)
		}
	}
}

func TestInspectBarePNGSignature(t *testing.T) {
	if _, err := inspectBytes([]byte("\x89PNG\r\n\x1a\n"), DefaultLimits); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("bare PNG signature: %v", err)
	}
}
