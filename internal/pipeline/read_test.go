package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/pdf"
	"github.com/crescent-idp/crescent/internal/pdftest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// TestReadPDFBomb reads a stored PDF that expands to 256 MiB: it must end
// Failed with a message saying so, before either PDF reader sees it.
func TestReadPDFBomb(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.pdf")
	if err := os.WriteFile(path, pdftest.Bomb(256<<20), 0o600); err != nil {
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
