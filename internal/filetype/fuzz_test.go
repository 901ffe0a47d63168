package filetype

import (
	"os"
	"testing"
)

// FuzzInspect checks that Inspect never panics on any bytes and that every
// error it returns is one of the three kinds.
func FuzzInspect(f *testing.F) {
	img := testImage(12, 9)
	seeds := [][]byte{
		nil,
		[]byte("plain text renamed to invoice.pdf"),
		encoded(f, encPNG, img),
		encoded(f, encJPEG, img),
		encoded(f, encGIF, img),
		encoded(f, encBMP, img),
		encoded(f, encTIFF, img),
		buildTIFF([]tiffPageSpec{{4, 3}, {2, 2}}, false),
		buildTIFF([]tiffPageSpec{{4, 3}, {2, 2}}, true),
		webpLossless1x1,
		hugePNG(100000, 100000),
		[]byte(ciiInvoice),
		[]byte(zugferd1Invoice),
		[]byte(ublInvoice),
		[]byte(ublCreditNote),
		[]byte(xxeInvoice),
		[]byte(billionLaughs),
		[]byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstartxref\n99999\n%%EOF\n"),
	}
	if _, err := os.Stat(corpusDir); err == nil {
		// One small real PDF and its first third keep the seed corpus quick.
		if data, err := os.ReadFile(corpusDir + "/invoice2data/free_fiber.pdf"); err == nil {
			seeds = append(seeds, data, data[:len(data)/3])
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := inspectBytes(data, Limits{MaxPages: 20, MaxPixels: 1 << 20, MaxDimension: 4096})
		if err != nil {
			if errKind(err) == nil {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		if info.Kind == "" || info.ContentType == "" {
			t.Fatalf("accepted without a kind: %+v", info)
		}
	})
}
