package main

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"testing"

	"github.com/crescent-idp/crescent/internal/store/storetest"
)

type reviewDoc struct {
	DocumentID     string `json:"documentId"`
	Classification struct {
		Validation struct{ Code, Msg string } `json:"validation"`
	} `json:"classification"`
	ExtractedData map[string][]struct {
		ID               string
		Value            any
		Source           string
		ValidationStatus struct{ Code, Msg string } `json:"validationStatus"`
	} `json:"extractedData"`
}

func reviewResults(t *testing.T, base, key, cid string) reviewDoc {
	t.Helper()
	st, b := call(t, "GET", base+"/api/v0.3/results/"+cid, key, "", nil)
	var res struct {
		Results []struct{ Documents []reviewDoc }
	}
	if st != 200 || json.Unmarshal(b, &res) != nil || len(res.Results) != 1 || len(res.Results[0].Documents) != 1 {
		t.Fatalf("results: %d %s", st, b)
	}
	return res.Results[0].Documents[0]
}

// TestReviewEditsAreValidated: the validators run again after every edit
// and on accept, and an accepted collection's files say Accepted. On
// SQLite and PostgreSQL, through the real server.
func TestReviewEditsAreValidated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		db := []string{"--data-dir", t.TempDir(), "--database-url", dbURL}
		base := server(t, db...)
		key, pid := setup(t, base, db)
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", "invoice.txt")
		// The printed amounts do not add up: 100 + 19 != 120.
		_, _ = fw.Write([]byte("ACME GmbH\nInvoice No: 2024-17\nInvoice date: 2024-03-01\n\nNet amount: 100.00 EUR\nVAT 19%: 19.00 EUR\nTotal: 120.00 EUR\n"))
		_ = w.Close()
		st, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, w.FormDataContentType(), &buf)
		if st != 201 {
			t.Fatalf("upload: %d %s", st, b)
		}
		var col struct{ ID string }
		_ = json.Unmarshal(b, &col)
		if st := waitFinal(t, base, key, col.ID); st != "Needs Review" {
			t.Fatalf("status %s", st)
		}
		d := reviewResults(t, base, key, col.ID)
		ex := base + "/api/v0.3/results/" + col.ID + "/documents/" + d.DocumentID + "/extractions"
		edit := func(body string) {
			t.Helper()
			if st, b := call(t, "POST", ex, key, "application/json", bytes.NewReader([]byte(body))); st != 201 {
				t.Fatalf("%s: %d %s", body, st, b)
			}
		}

		// The reviewer corrects the total: net + tax = total holds now.
		edit(`{"field":"total_amount","value":119.00}`)
		edit(`{"field":"net_amount","value":100.00}`)
		edit(`{"field":"tax_amount","value":19.00}`)
		d = reviewResults(t, base, key, col.ID)
		if v := d.ExtractedData["total_amount"][0]; v.Source != "user" || v.ValidationStatus.Code != "V100" {
			t.Errorf("corrected total: %+v, want the reviewer's value validated (V100)", v)
		}
		if d.Classification.Validation.Code != "V100" {
			t.Errorf("document validation %+v after the correction, want V100", d.Classification.Validation)
		}

		// An IBAN with a wrong check digit typed by the reviewer fails.
		edit(`{"field":"account_number","value":"DE88 3704 0044 0532 0130 00"}`)
		d = reviewResults(t, base, key, col.ID)
		if v := d.ExtractedData["account_number"][0]; v.ValidationStatus.Code != "V200" || v.ValidationStatus.Msg == "" {
			t.Errorf("bad IBAN: %+v, want V200 with a message", v.ValidationStatus)
		}
		if d.Classification.Validation.Code != "V200" {
			t.Errorf("document validation %+v with a bad IBAN, want V200", d.Classification.Validation)
		}
		id := d.ExtractedData["account_number"][0].ID
		if st, b := call(t, "PATCH", ex+"/"+id, key, "application/json", bytes.NewReader([]byte(`{"value":"DE89 3704 0044 0532 0130 00"}`))); st != 200 || !bytes.Contains(b, []byte(`"V100"`)) {
			t.Errorf("fixed IBAN: %d %s", st, b)
		}

		if st, b := call(t, "POST", base+"/api/v0.3/collections/"+col.ID+"/accept", key, "", nil); st != 200 {
			t.Fatalf("accept: %d %s", st, b)
		}
		if d := reviewResults(t, base, key, col.ID); d.Classification.Validation.Code != "V100" {
			t.Errorf("after accept: %+v", d.Classification.Validation)
		}
		_, b = call(t, "GET", base+"/api/v0.3/collections/"+col.ID, key, "", nil)
		var got struct {
			Status string
			Files  []struct{ Status string }
		}
		_ = json.Unmarshal(b, &got)
		if got.Status != "Accepted" || len(got.Files) != 1 || got.Files[0].Status != "Accepted" {
			t.Errorf("after accept: %s", b)
		}
	})
}
