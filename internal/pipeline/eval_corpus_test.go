package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/crescent-idp/crescent/internal/ocr"
	"github.com/crescent-idp/crescent/internal/pdf"
	"github.com/crescent-idp/crescent/internal/testenv"
)

// corpusRoot is the shared corpus, relative to this package.
const corpusRoot = "../../../shared/corpus"

// corpusSets returns the expected.json file of every corpus folder; the
// test ends (failing under CI=true) when there is none.
func corpusSets(t *testing.T) []string {
	t.Helper()
	sets, _ := filepath.Glob(filepath.Join(corpusRoot, "*", "expected.json"))
	if len(sets) == 0 {
		testenv.Missing(t, "the corpus in "+corpusRoot)
	}
	return sets
}

// readExpected reads one folder's expected.json.
func readExpected(t *testing.T, set string) []expectedDoc {
	t.Helper()
	var items []expectedDoc
	raw, err := os.ReadFile(set)
	if err == nil {
		err = json.Unmarshal(raw, &items)
	}
	if err != nil {
		t.Fatalf("%s: %v", set, err)
	}
	return items
}

// evalPipeline is a pipeline with the real readers (PDFium, tesseract) and
// no store, for scoring the corpus; it is closed when the test ends.
func evalPipeline(t *testing.T) *Pipeline {
	t.Helper()
	cache := filepath.Join(os.TempDir(), "crescent-test-pdfium-cache")
	p := New(Config{TempDir: t.TempDir()}, nil, nil, func(ctx context.Context) (*pdf.Reader, error) {
		return pdf.Open(ctx, pdf.Config{Workers: 1, CacheDir: cache})
	}, ocr.New(ocr.Config{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { p.Close() })
	return p
}
