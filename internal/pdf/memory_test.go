package pdf

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/pdftest"
)

// TestMemoryLimit reads a page whose content expands to 64 MiB with
// instances limited to 32 MiB: the read fails with ErrTooLarge saying so,
// the instance is retired, and the next document reads normally.
func TestMemoryLimit(t *testing.T) {
	r, err := Open(context.Background(), Config{Workers: 1, CacheDir: testCacheDir, MemoryLimit: 32 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	bomb := pdftest.Bomb(64 << 20)
	d, err := r.OpenDocument(context.Background(), bytes.NewReader(bomb), int64(len(bomb)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Text(context.Background(), 1)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "needs more than 32 MiB of memory") {
		t.Fatalf("Text = %v, want ErrTooLarge saying the PDF needs more than 32 MiB of memory", err)
	}
	if _, err := d.Text(context.Background(), 1); err == nil {
		t.Error("Text on a retired document succeeded")
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	ok := makePDF(t, 0, textLine{72, 770, 12, "Rechnung 42", false})
	d, err = r.OpenDocument(context.Background(), bytes.NewReader(ok), int64(len(ok)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, err := d.Text(context.Background(), 1)
	if err != nil || len(p.Words) != 2 {
		t.Fatalf("Text after a memory failure = %d words, %v; want 2 words", len(p.Words), err)
	}
}
