package pipeline

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/pdf"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// bombPDF returns a one-page PDF whose content stream is n zero bytes,
// FlateDecode-compressed.
func bombPDF(t testing.TB, n int64) []byte {
	t.Helper()
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if _, err := io.Copy(w, io.LimitReader(zeros{}, n)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// TestReadPDFBomb reads a stored PDF that expands to 256 MiB: it must end
// Failed with a message saying so, before either PDF reader sees it.
func TestReadPDFBomb(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.pdf")
	if err := os.WriteFile(path, bombPDF(t, 256<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opened := false
	p := New(Config{}, nil, nil, func(context.Context) (*pdf.Reader, error) {
		opened = true
		return nil, errors.New("not for a bomb")
	}, nil, slog.New(slog.DiscardHandler))
	res, err := p.readPDF(context.Background(), f, workspace.ProcessConfig{UseEmbeddedInvoiceData: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.status.Code != workspace.FileFailed.Code || !strings.Contains(res.status.Msg, "the PDF expands to more than 128 MiB when decompressed") {
		t.Errorf("status %+v, want %s saying the PDF expands to more than 128 MiB", res.status, workspace.FileFailed.Code)
	}
	if opened {
		t.Error("the PDF reader was started for a decompression bomb")
	}
}
