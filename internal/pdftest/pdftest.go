// Package pdftest builds small PDFs for tests: objects assembled with a
// correct cross-reference table, and FlateDecode streams of zeros for
// decompression bombs. It is imported by tests only.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// Assemble returns a PDF of objs, numbered 1, 2, … in order, with a
// cross-reference table and a trailer whose root is object 1.
func Assemble(version string, objs ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", version)
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// Stream returns a stream object of data whose dictionary holds the extra
// entries dict (e.g. "/Filter /FlateDecode") and its length.
func Stream(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// FlateZeros returns n zero bytes compressed with zlib (a FlateDecode
// stream): about n/1000 bytes.
func FlateZeros(n int64) []byte {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	_, _ = io.Copy(w, io.LimitReader(zeros{}, n)) // writes to memory cannot fail
	_ = w.Close()
	return z.Bytes()
}

// Bomb returns a one-page PDF whose content stream is n zero bytes,
// FlateDecode-compressed.
func Bomb(n int64) []byte {
	return Assemble("1.7",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		Stream("/Filter /FlateDecode", FlateZeros(n)),
	)
}
