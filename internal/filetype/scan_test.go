package filetype

import (
	"bytes"
	"errors"
	"testing"
)

// TestScanPDFCountsPagesAcrossChunks builds a large PDF-shaped file whose
// page objects straddle the scan's 1 MiB windows.
func TestScanPDFCountsPagesAcrossChunks(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	filler := bytes.Repeat([]byte{'x'}, 1<<20-13) // pushes objects onto window edges
	for i := range 7 {
		b.Write(filler)
		b.WriteString("<< /Type /Page >>\n")
		if i == 3 {
			b.WriteString("<< /Type /Pages /Count 7 >>\n")
		}
	}
	b.WriteString("trailer\nstartxref\n0\n%%EOF\n")
	data := b.Bytes()
	info, err := scanPDF(bytes.NewReader(data), int64(len(data)), DefaultLimits)
	if err != nil || info.Pages != 7 || info.Kind != KindPDF {
		t.Fatalf("scan: %+v %v", info, err)
	}
	if _, err := scanPDF(bytes.NewReader(data), int64(len(data)), Limits{MaxPages: 5}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("page limit: %v", err)
	}
	// Through Inspect, a file over the parse limit takes the scan.
	big := append(append([]byte{}, data[:len(data)-30]...), bytes.Repeat([]byte{' '}, maxParsedPDF)...)
	big = append(big, data[len(data)-30:]...)
	if info, err := Inspect(bytes.NewReader(big), int64(len(big)), DefaultLimits); err != nil || info.Pages != 7 {
		t.Fatalf("inspect large: %+v %v", info, err)
	}
}
