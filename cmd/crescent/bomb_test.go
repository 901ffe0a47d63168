package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"mime/multipart"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/pdftest"
)

// bombPDF returns a valid one-page PDF holding the compressed stream z:
// as the page content, or as an embedded file named factur-x.xml beside a
// small page.
func bombPDF(z []byte, embedded bool) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		pdftest.Stream("/Filter /FlateDecode", z),
	}
	if embedded {
		objs[0] = "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(factur-x.xml) 6 0 R] >> >> >>"
		objs[4] = pdftest.Stream("", []byte("BT /F1 12 Tf 72 770 Td (Invoice 42) Tj ET"))
		objs = append(objs, "<< /Type /Filespec /F (factur-x.xml) /EF << /F 7 0 R >> >>",
			pdftest.Stream("/Type /EmbeddedFile /Filter /FlateDecode", z))
	}
	return pdftest.Assemble("1.7", objs...)
}

// pngHeader returns a PNG signature and an IHDR chunk declaring w×h RGB
// pixels, with no image data.
func pngHeader(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, 13)
	chunk := append([]byte("IHDR"), ihdr[:]...)
	b = append(b, chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

// procStatus returns a field of /proc/self/status in bytes, or -1.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == field+":" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return -1
}

// TestHostileFilesStayBounded uploads files built to exhaust memory
// through the real server: a PDF of one FlateDecode stream of 1 GiB of
// zeros (as the page content and as an embedded e-invoice), a PNG
// declaring 100000×100000 pixels, a billion-laughs XML and an e-invoice
// nested 100000 elements deep. Each must be refused at upload, or end
// Failed, while the peak resident memory of the process, where the server
// runs, grows by less than 300 MB.
func TestHostileFilesStayBounded(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak resident memory: %v", err)
	}
	z := pdftest.FlateZeros(1 << 30)
	cii := `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">`
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
		`<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
		`<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">` +
		`<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">` +
		`<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">` +
		`<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">` +
		`<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">` +
		`<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>` +
		cii + `&lol9;</rsm:CrossIndustryInvoice>`
	deep := cii + strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000) + `</rsm:CrossIndustryInvoice>`
	tests := []struct {
		name, file string
		data       []byte
		status     int    // of the upload
		message    string // in the refusal, or the file's status message
	}{
		{"PDF page content bomb", "bomb.pdf", bombPDF(z, false), 413, "the PDF expands to more than 128 MiB when decompressed"},
		{"PDF embedded file bomb", "bomb.pdf", bombPDF(z, true), 413, "the PDF expands to more than 128 MiB when decompressed"},
		{"PNG of 100000x100000 pixels", "huge.png", pngHeader(100000, 100000), 413, "100000×100000 pixels"},
		{"billion laughs", "laughs.xml", []byte(laughs), 415, "DOCTYPE"},
		{"deep nesting", "deep.xml", []byte(deep), 201, "nests elements more than 64 deep"},
	}

	dir := t.TempDir()
	db := []string{"--data-dir", dir}
	base := server(t, db...)
	key, pid := setup(t, base, db)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			fw, _ := w.CreateFormFile("file", tt.file)
			_, _ = fw.Write(tt.data)
			_ = w.WriteField("priority", "false")
			_ = w.Close()

			before := procStatus("VmRSS")
			if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			st, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, w.FormDataContentType(), &buf)
			if st != tt.status {
				t.Fatalf("upload of %d bytes: %d %s, want %d", len(tt.data), st, b, tt.status)
			}
			msg := string(b)
			if st == 201 {
				var col struct{ ID string }
				_ = json.Unmarshal(b, &col)
				if got := waitFinal(t, base, key, col.ID); got != "Failed" {
					t.Fatalf("collection ended %s, want Failed", got)
				}
				_, b = call(t, "GET", base+"/api/v0.3/results/"+col.ID, key, "", nil)
				msg = string(b)
			} else {
				var env struct {
					Type   string
					Errors []struct{ Message string }
				}
				if json.Unmarshal(b, &env) != nil || env.Type == "" || len(env.Errors) == 0 {
					t.Fatalf("refusal is not the error envelope: %s", b)
				}
			}
			elapsed := time.Since(start)
			if !strings.Contains(msg, tt.message) {
				t.Errorf("response %s does not say %q", msg, tt.message)
			}
			growth := procStatus("VmHWM") - before
			t.Logf("%d bytes: HTTP %d, final after %v, peak resident memory grew by %d KiB", len(tt.data), st, elapsed.Round(time.Millisecond), growth>>10)
			if growth > 300<<20 {
				t.Errorf("peak resident memory grew by %d MiB, want under 300 MiB", growth>>20)
			}
		})
	}
}
