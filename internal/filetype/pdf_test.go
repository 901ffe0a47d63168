package filetype

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/crescent-idp/crescent/internal/testenv"
)

// corpusPDFs are the real invoices used as PDF samples.
var corpusPDFs = []string{"invoice2data/*.pdf", "zugferd-v1/*/*.pdf"}

func TestInspectCorpusPDF(t *testing.T) {
	for _, f := range corpusFiles(t, corpusPDFs...) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel() // Inspect is safe for concurrent use; -race checks pdfcpu too.
			file, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			st, err := file.Stat()
			if err != nil {
				t.Fatal(err)
			}
			info, err := Inspect(file, st.Size(), DefaultLimits)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if info.Kind != KindPDF || info.ContentType != "application/pdf" || info.Pages < 1 {
				t.Errorf("Inspect = %+v, want a PDF with pages", info)
			}
		})
	}
}

func TestInspectTruncatedPDF(t *testing.T) {
	for _, f := range corpusFiles(t, corpusPDFs...) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, cut := range []int{len(data) / 3, len(data) - 10, 100} {
				_, err := inspectBytes(data[:cut], DefaultLimits)
				if !errors.Is(err, ErrCorrupt) {
					t.Errorf("first %d of %d bytes: error = %v, want ErrCorrupt", cut, len(data), err)
				}
			}
		})
	}
}

func TestInspectPDFPageLimit(t *testing.T) {
	var multi []byte
	var pages int
	for _, f := range corpusFiles(t, corpusPDFs...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		info, err := inspectBytes(data, DefaultLimits)
		if err == nil && info.Pages > 1 {
			multi, pages = data, info.Pages
			break
		}
	}
	if multi == nil {
		testenv.Missing(t, "a multi-page PDF in the corpus")
	}
	if _, err := inspectBytes(multi, Limits{MaxPages: pages}); err != nil {
		t.Errorf("%d pages with MaxPages %d: %v", pages, pages, err)
	}
	_, err := inspectBytes(multi, Limits{MaxPages: pages - 1})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("%d pages with MaxPages %d: error = %v, want ErrTooLarge", pages, pages-1, err)
	}
}

func TestInspectFakePDF(t *testing.T) {
	tests := []struct {
		name, data string
	}{
		{"header only", "%PDF-1.7\n"},
		{"header and eof, no objects", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\nstartxref\n0\n%%EOF\n"},
		{"bad xref offset", "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstartxref\n99999\n%%EOF\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inspectBytes([]byte(tt.data), DefaultLimits)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error = %v, want ErrCorrupt", err)
			}
			t.Logf("%v", err)
		})
	}
}

func BenchmarkInspectPDF(b *testing.B) {
	files := corpusFiles(b, corpusPDFs...)
	data := make([][]byte, len(files))
	for i, f := range files {
		var err error
		if data[i], err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := inspectBytes(data[i%len(data)], DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}
