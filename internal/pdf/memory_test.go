package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// flatePDF returns makePDF's one-page PDF with its content stream replaced
// by n zero bytes, FlateDecode-compressed: a decompression bomb.
func flatePDF(t testing.TB, n int64) []byte {
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

// TestMemoryLimit reads a page whose content expands to 64 MiB with
// instances limited to 32 MiB: the read fails with ErrTooLarge saying so,
// the instance is retired, and the next document reads normally.
func TestMemoryLimit(t *testing.T) {
	r, err := Open(context.Background(), Config{Workers: 1, CacheDir: testCacheDir, MemoryLimit: 32 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	bomb := flatePDF(t, 64<<20)
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
