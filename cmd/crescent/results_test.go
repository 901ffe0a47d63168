package main

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/testenv"
)

// waitFinal polls a collection until it leaves Queued and Processing.
func waitFinal(t *testing.T, base, key, cid string) string {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		_, b := call(t, "GET", base+"/api/v0.3/collections/"+cid, key, "", nil)
		var c struct{ Status string }
		_ = json.Unmarshal(b, &c)
		if c.Status != "Queued" && c.Status != "Processing" {
			return c.Status
		}
	}
	t.Fatal("collection not processed within 2 minutes")
	return ""
}

// TestResultsReviewAndAccept processes a born-digital invoice, reads the
// results and the OCR text, edits the results as a reviewer and accepts.
func TestResultsReviewAndAccept(t *testing.T) {
	pdf, err := os.ReadFile("../../../shared/corpus/invoice2data/QualityHosting.pdf")
	if err != nil {
		testenv.Missing(t, "the corpus in ../shared/corpus")
	}
	dir := t.TempDir()
	db := []string{"--data-dir", dir}
	base := server(t, db...)
	key, pid := setup(t, base, db)
	body, ct := multipartPDF(t, pdf)
	_, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, ct, body)
	var col struct{ ID string }
	_ = json.Unmarshal(b, &col)
	if st := waitFinal(t, base, key, col.ID); st != "Needs Review" {
		t.Fatalf("status %s", st)
	}

	st, b := call(t, "GET", base+"/api/v0.3/results/"+col.ID, key, "", nil)
	var res struct {
		Results []struct {
			Status    struct{ Code string } `json:"status"`
			Documents []struct {
				DocumentID    string                       `json:"documentId"`
				Pages         []int                        `json:"pages"`
				ExtractedData map[string][]json.RawMessage `json:"extractedData"`
				Tables        map[string]json.RawMessage   `json:"tables"`
			} `json:"documents"`
		} `json:"results"`
	}
	if st != 200 || json.Unmarshal(b, &res) != nil || len(res.Results) != 1 || len(res.Results[0].Documents) != 1 {
		t.Fatalf("results: %d %s", st, b)
	}
	d := res.Results[0].Documents[0]
	if res.Results[0].Status.Code != "F100" || len(d.ExtractedData) != 20 || d.Tables["line_items"] == nil || d.Pages[0] != 1 {
		t.Fatalf("results document: %s", b)
	}
	st, b = call(t, "GET", base+"/api/v0.3/ocr/"+col.ID+"?words=true", key, "", nil)
	if st != 200 || !bytes.Contains(b, []byte(`"pageNum":1`)) || !bytes.Contains(b, []byte(`"x0"`)) {
		t.Fatalf("ocr: %d %.300s", st, b)
	}

	ex := base + "/api/v0.3/results/" + col.ID + "/documents/" + d.DocumentID + "/extractions"
	st, b = call(t, "POST", ex, key, "application/json", bytes.NewReader([]byte(`{"field":"order_number","value":"PO-7"}`)))
	var added struct {
		ID     string
		Source string
		Value  any
	}
	if st != 201 || json.Unmarshal(b, &added) != nil || added.Source != "user" || added.Value != "PO-7" {
		t.Fatalf("add extraction: %d %s", st, b)
	}
	for _, bad := range []string{`{"field":"nope","value":"x"}`, `{"field":"due_date","value":"tomorrow"}`, `{"field":"total_amount","value":"a lot"}`} {
		if st, b := call(t, "POST", ex, key, "application/json", bytes.NewReader([]byte(bad))); st != 400 {
			t.Errorf("%s: %d %s", bad, st, b)
		}
	}
	st, b = call(t, "PATCH", ex+"/"+added.ID, key, "application/json", bytes.NewReader([]byte(`{"value":"PO-8"}`)))
	if st != 200 || !bytes.Contains(b, []byte(`"PO-8"`)) {
		t.Fatalf("update extraction: %d %s", st, b)
	}
	_, b = call(t, "GET", base+"/api/v0.3/results/"+col.ID, key, "", nil)
	_ = json.Unmarshal(b, &res)
	var first struct{ Value any }
	_ = json.Unmarshal(res.Results[0].Documents[0].ExtractedData["order_number"][0], &first)
	if first.Value != "PO-8" {
		t.Fatalf("the reviewer's value is not first: %v", first.Value)
	}
	if st, _ := call(t, "DELETE", ex+"/"+added.ID, key, "", nil); st != 204 {
		t.Fatalf("delete extraction: %d", st)
	}
	if st, b := call(t, "POST", base+"/api/v0.3/collections/"+col.ID+"/accept", key, "", nil); st != 200 || !bytes.Contains(b, []byte(`"Accepted"`)) {
		t.Fatalf("accept: %d %s", st, b)
	}
}
