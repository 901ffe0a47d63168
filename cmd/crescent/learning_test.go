package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/store/storetest"
)

// supplierInvoice is an invoice of one supplier whose number follows a
// label the extractor does not know.
func supplierInvoice(vat, number, date, total string) string {
	return fmt.Sprintf("Nordwind Handel GmbH\nHafenweg 3, 20457 Hamburg\nUSt-IdNr. %s\n\n"+
		"Beleg-Kennung %s          Ausgestellt %s\n\nSumme zu zahlen %s EUR\n", vat, number, date, total)
}

// uploadText uploads one text file and waits until it is processed.
func uploadText(t *testing.T, base, key, pid, text string) string {
	t.Helper()
	body, ct := multipartText(t, "invoice.txt", text)
	st, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, ct, body)
	if st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	var col struct{ ID string }
	_ = json.Unmarshal(b, &col)
	if st := waitFinal(t, base, key, col.ID); st != "Needs Review" {
		t.Fatalf("status %s", st)
	}
	return col.ID
}

// firstValue returns the first candidate of a field and its source.
func firstValue(t *testing.T, base, key, cid, field string) (any, string) {
	t.Helper()
	d := reviewResults(t, base, key, cid)
	if len(d.ExtractedData[field]) == 0 {
		return nil, ""
	}
	v := d.ExtractedData[field][0]
	return v.Value, v.Source
}

// TestContinuousLearning: a reviewer's correction on an accepted document
// teaches where the supplier's invoice number stands; the supplier's next
// document is read there (source "learned"). Nothing crosses suppliers or
// organizations; deleting the collection or resetting the process forgets
// it; a process with learning off learns nothing. SQLite and PostgreSQL.
func TestContinuousLearning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		db := []string{"--data-dir", t.TempDir(), "--database-url", dbURL}
		base := server(t, db...)
		key, pid := setup(t, base, db)

		first := uploadText(t, base, key, pid, supplierInvoice("DE136695976", "77-A-1903", "14.02.2025", "1.190,00"))
		if v, _ := firstValue(t, base, key, first, "invoice_number"); v == "77-A-1903" {
			t.Fatal("the extractor already reads this label; the test proves nothing")
		}
		d := reviewResults(t, base, key, first)
		ex := base + "/api/v0.3/results/" + first + "/documents/" + d.DocumentID + "/extractions"
		if st, b := call(t, "POST", ex, key, "application/json", strings.NewReader(`{"field":"invoice_number","value":"77-A-1903"}`)); st != 201 {
			t.Fatalf("correct: %d %s", st, b)
		}
		if st, b := call(t, "POST", base+"/api/v0.3/collections/"+first+"/accept", key, "", nil); st != 200 {
			t.Fatalf("accept: %d %s", st, b)
		}

		second := uploadText(t, base, key, pid, supplierInvoice("DE136695976", "77-B-2211", "03.03.2025", "595,00"))
		if v, src := firstValue(t, base, key, second, "invoice_number"); v != "77-B-2211" || src != "learned" {
			t.Errorf("same supplier: invoice_number %v from %q, want 77-B-2211 learned", v, src)
		}
		other := uploadText(t, base, key, pid, strings.Replace(supplierInvoice("FR40303265045", "77-C-3000", "03.03.2025", "595,00"), "Nordwind Handel GmbH", "Atelier Moreau SARL", 1))
		if _, src := firstValue(t, base, key, other, "invoice_number"); src == "learned" {
			t.Error("another supplier got the memory")
		}

		// Another organization with the same supplier learns nothing from this one.
		var org map[string]any
		_ = json.Unmarshal(cli(t, append([]string{"orgs", "create", "--name", "Other"}, db...)...), &org)
		var k2 map[string]any
		_ = json.Unmarshal(cli(t, append([]string{"keys", "create", "--name", "o", "--all-scopes", "--org", org["id"].(string)}, db...)...), &k2)
		key2 := k2["key"].(string)
		st, b := call(t, "POST", base+"/api/v0.3/processes", key2, "application/json",
			bytes.NewReader([]byte(`{"name":"Invoices","processTypeId":"bbe7f45aea884e74bbd011a5f57e87f0"}`)))
		if st != 201 {
			t.Fatalf("process of the other organization: %d %s", st, b)
		}
		var p2 struct{ ID string }
		_ = json.Unmarshal(b, &p2)
		foreign := uploadText(t, base, key2, p2.ID, supplierInvoice("DE136695976", "77-D-4000", "03.03.2025", "595,00"))
		if _, src := firstValue(t, base, key2, foreign, "invoice_number"); src == "learned" {
			t.Error("a memory crossed organizations")
		}

		// Reset forgets; the next document of the supplier is read as before.
		st, b = call(t, "POST", base+"/api/v0.3/processes/"+pid+"/learning/reset", key, "", nil)
		if st != 200 || !bytes.Contains(b, []byte(`"forgotten"`)) || bytes.Contains(b, []byte(`"forgotten":0`)) {
			t.Fatalf("reset: %d %s", st, b)
		}
		third := uploadText(t, base, key, pid, supplierInvoice("DE136695976", "77-E-5000", "03.03.2025", "595,00"))
		if _, src := firstValue(t, base, key, third, "invoice_number"); src == "learned" {
			t.Error("learned after the reset")
		}

		// Learn again, then delete the teaching collection: forgotten too.
		if st, b := call(t, "POST", base+"/api/v0.3/collections/"+first+"/reprocess", key, "", nil); st != 200 {
			t.Fatalf("reprocess: %d %s", st, b)
		}
		if st := waitFinal(t, base, key, first); st != "Needs Review" {
			t.Fatalf("reprocessed: %s", st)
		}
		d = reviewResults(t, base, key, first)
		ex = base + "/api/v0.3/results/" + first + "/documents/" + d.DocumentID + "/extractions"
		call(t, "POST", ex, key, "application/json", strings.NewReader(`{"field":"invoice_number","value":"77-A-1903"}`))
		if st, b := call(t, "POST", base+"/api/v0.3/collections/"+first+"/accept", key, "", nil); st != 200 {
			t.Fatalf("accept again: %d %s", st, b)
		}
		if st, b := call(t, "DELETE", base+"/api/v0.3/collections/"+first, key, "", nil); st != 204 {
			t.Fatalf("delete: %d %s", st, b)
		}
		fourth := uploadText(t, base, key, pid, supplierInvoice("DE136695976", "77-F-6000", "03.03.2025", "595,00"))
		if _, src := firstValue(t, base, key, fourth, "invoice_number"); src == "learned" {
			t.Error("learned from a deleted collection")
		}

		// Learning off: accepting teaches nothing.
		if st, b := call(t, "PUT", base+"/api/v0.3/processes/"+pid+"/config", key, "application/json", strings.NewReader(`{"continuousLearning":"off"}`)); st != 200 {
			t.Fatalf("config: %d %s", st, b)
		}
		d = reviewResults(t, base, key, fourth)
		ex = base + "/api/v0.3/results/" + fourth + "/documents/" + d.DocumentID + "/extractions"
		call(t, "POST", ex, key, "application/json", strings.NewReader(`{"field":"invoice_number","value":"77-F-6000"}`))
		if st, b := call(t, "POST", base+"/api/v0.3/collections/"+fourth+"/accept", key, "", nil); st != 200 {
			t.Fatalf("accept with learning off: %d %s", st, b)
		}
		if st, b := call(t, "PUT", base+"/api/v0.3/processes/"+pid+"/config", key, "application/json", strings.NewReader(`{"continuousLearning":"auto"}`)); st != 200 {
			t.Fatalf("config: %d %s", st, b)
		}
		fifth := uploadText(t, base, key, pid, supplierInvoice("DE136695976", "77-G-7000", "03.03.2025", "595,00"))
		if _, src := firstValue(t, base, key, fifth, "invoice_number"); src == "learned" {
			t.Error("learned from a document accepted with learning off")
		}
	})
}
