package filetype

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/pdftest"
)

// streamPDF returns a one-page PDF whose page content is the given
// streams, each a dictionary body (without << >>) and its data, written
// with a correct /Length and cross-reference table.
func streamPDF(streams ...[2]string) []byte {
	var kids []string
	for i := range streams {
		kids = append(kids, fmt.Sprintf("%d 0 R", 4+i))
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [" + strings.Join(kids, " ") + "] >>",
	}
	for _, st := range streams {
		objs = append(objs, pdftest.Stream(st[0], []byte(st[1])))
	}
	return pdftest.Assemble("1.7", objs...)
}

// runLengthZeros returns n zero bytes (a multiple of 128) in RunLengthDecode.
func runLengthZeros(n int) []byte {
	return append(bytes.Repeat([]byte{129, 0}, n/128), 128)
}

func TestCheckPDFStreams(t *testing.T) {
	const mib = 1 << 20
	lim := Limits{MaxStreamBytes: 2 * mib, MaxDecodedBytes: 5 * mib}
	over, under := pdftest.FlateZeros(3*mib), pdftest.FlateZeros(mib)
	a85 := func(b []byte) string {
		out := make([]byte, ascii85.MaxEncodedLen(len(b)))
		return string(out[:ascii85.Encode(out, b)]) + "~>"
	}
	raw := strings.Repeat("0 0 m 1 1 l S\n", 30000) // 420 KB, over the search window
	text := "BT /F1 12 Tf 72 770 Td (a stream\n of text) Tj ET"
	tests := []struct {
		name    string
		streams [][2]string
		want    error
	}{
		{"small flate streams", [][2]string{{"/Filter /FlateDecode", string(under)}, {"", text}, {"/Filter /FlateDecode", string(under)}}, nil},
		{"flate stream over the stream limit", [][2]string{{"/Filter /FlateDecode", string(over)}}, ErrTooLarge},
		{"streams over the document limit", [][2]string{{"/Filter /FlateDecode", string(pdftest.FlateZeros(2 * mib))}, {"/Filter /FlateDecode", string(pdftest.FlateZeros(2 * mib))}, {"/Filter /FlateDecode", string(pdftest.FlateZeros(2 * mib))}}, ErrTooLarge},
		{"after a long raw stream", [][2]string{{"", raw}, {"/Filter /FlateDecode", string(over)}}, ErrTooLarge},
		{"abbreviated name", [][2]string{{"/Filter /Fl", string(over)}}, ErrTooLarge},
		{"escaped name", [][2]string{{"/Filter /Fl#61te#44ecode", string(over)}}, ErrTooLarge},
		{"filter array", [][2]string{{"/DecodeParms [null] /Filter [/FlateDecode]", string(over)}}, ErrTooLarge},
		{"indirect filter", [][2]string{{"/Filter 9 0 R", string(over)}}, ErrTooLarge},
		{"no filter", [][2]string{{"", string(over)}}, ErrTooLarge},
		{"nested dictionary before", [][2]string{{"/DecodeParms << /Filter /DCTDecode >> /Filter /FlateDecode", string(over)}}, ErrTooLarge},
		{"flate twice", [][2]string{{"/Filter [/FlateDecode /FlateDecode]", string(zlibCompress(t, over))}}, ErrTooLarge},
		{"ascii85 then flate", [][2]string{{"/Filter [/A85 /FlateDecode]", a85(over)}}, ErrTooLarge},
		{"ascii hex then flate", [][2]string{{"/Filter [/ASCIIHexDecode /FlateDecode]", hex.EncodeToString(over) + ">"}}, ErrTooLarge},
		{"run length", [][2]string{{"/Filter /RunLengthDecode", string(runLengthZeros(3 * mib))}}, ErrTooLarge},
		{"run length under", [][2]string{{"/Filter /RunLengthDecode", string(runLengthZeros(mib))}}, nil},
		{"image filters are not decoded", [][2]string{{"/Filter /DCTDecode", "\xff\xd8\xff" + string(over)}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf := streamPDF(tt.streams...)
			err := CheckPDFStreams(bytes.NewReader(pdf), int64(len(pdf)), lim)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("CheckPDFStreams = %v, want %v", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "when decompressed") {
				t.Errorf("message %q does not say the PDF expands when decompressed", err)
			}
		})
	}
}

// zlibCompress compresses b with zlib.
func zlibCompress(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := zlib.NewWriter(&out)
	_, _ = w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestCheckPDFStreamsStopsAtTheLimit decodes a 1 GiB bomb and checks, by
// the bytes the scanner reads back from its decoder, that it stops at the
// limit instead of decoding all of it.
func TestCheckPDFStreamsStopsAtTheLimit(t *testing.T) {
	bomb := streamPDF([2]string{"/Filter /FlateDecode", string(pdftest.FlateZeros(64 << 20))})
	lim := Limits{MaxStreamBytes: 8 << 20}
	n, _ := decodedSize(bytes.NewReader(bomb), int64(len(bomb)), int64(bytes.Index(bomb, []byte("stream\n"))+7), []string{"FlateDecode"}, lim.MaxStreamBytes)
	if n != lim.MaxStreamBytes+1 {
		t.Errorf("decoded %d bytes, want to stop at %d", n, lim.MaxStreamBytes+1)
	}
	_, err := inspectBytes(bomb, lim)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "the PDF expands to more than 8 MiB when decompressed") {
		t.Fatalf("Inspect = %v, want ErrTooLarge saying it expands to more than 8 MiB", err)
	}
}

func TestInspectRefusesPDFBomb(t *testing.T) {
	bomb := streamPDF([2]string{"/Filter /FlateDecode", string(pdftest.FlateZeros(4 << 20))})
	_, err := inspectBytes(bomb, Limits{MaxStreamBytes: 1 << 20})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Inspect = %v, want ErrTooLarge", err)
	}
	t.Log(err)
}
