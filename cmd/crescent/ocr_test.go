package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"mime/multipart"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/pdf"
	"github.com/crescent-idp/crescent/internal/testenv"
)

// TestScannedPageThroughOCR renders a born-digital corpus invoice to a
// PNG (a "scan" without any text layer), uploads it and expects the
// invoice number and total back from OCR.
func TestScannedPageThroughOCR(t *testing.T) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		testenv.Missing(t, "tesseract")
	}
	src := "../../../shared/corpus/invoice2data/AmazonWebServices.pdf"
	if _, err := os.Stat(src); err != nil {
		testenv.Missing(t, "the corpus in ../shared/corpus")
	}
	ctx := context.Background()
	r, err := pdf.Open(ctx, pdf.Config{Workers: 1, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d, err := r.OpenFile(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := d.Render(ctx, 1, 300)
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	var scan bytes.Buffer
	if err := png.Encode(&scan, img); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	db := []string{"--data-dir", dir}
	base := server(t, db...)
	key, pid := setup(t, base, db)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", "scan.png")
	_, _ = fw.Write(scan.Bytes())
	_ = w.Close()
	st, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, w.FormDataContentType(), &body)
	if st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	var col struct{ ID string }
	_ = json.Unmarshal(b, &col)

	var res struct {
		CollectionStatus string `json:"collectionStatus"`
		Results          []struct {
			Documents []struct {
				ExtractedData map[string][]struct {
					Value  any    `json:"value"`
					Source string `json:"source"`
				} `json:"extractedData"`
			} `json:"documents"`
		} `json:"results"`
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		_, b = call(t, "GET", base+"/api/v0.3/results/"+col.ID, key, "", nil)
		_ = json.Unmarshal(b, &res)
		if res.CollectionStatus != "Queued" && res.CollectionStatus != "Processing" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scan was not processed within 2 minutes")
		}
	}
	if res.CollectionStatus != "Needs Review" || len(res.Results[0].Documents) != 1 {
		t.Fatalf("status %s: %s", res.CollectionStatus, b)
	}
	data := res.Results[0].Documents[0].ExtractedData
	first := func(f string) any {
		if len(data[f]) == 0 {
			return nil
		}
		if data[f][0].Source != "ocr" {
			t.Errorf("%s came from %q, want ocr", f, data[f][0].Source)
		}
		return data[f][0].Value
	}
	if got := first("invoice_number"); got != "42183017" {
		t.Errorf("invoice_number = %v, want 42183017", got)
	}
	if got := first("total_amount"); got != 4.11 {
		t.Errorf("total_amount = %v, want 4.11", got)
	}
}
