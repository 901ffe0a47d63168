package httpapi

import (
	"encoding/base64"
	"testing"

	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// File names lose bidi and control characters (a U+202E would make
// "evil\u202Efdp.exe" read as "evilexe.pdf") and are stored NFC; a name of
// nothing else is refused.
func TestFileNamesAreCleanedAndNormalised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pdf := fixture(t, "invoice-a.pdf")
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)
		for sent, want := range map[string]string{
			"evil\u202egnp.pdf":          "evilgnp.pdf",
			"\u2067Rechnung\u2069 7.pdf": "Rechnung 7.pdf",
			"Ma\u0308rz\u200f.pdf":       "M\u00e4rz.pdf",
			"tab\there\u0007\u0085.pdf":  "tabhere.pdf",
			"line\u2028sep\u061c.pdf":    "linesep.pdf",
			"zero\u200dwidth joiner.pdf": "zero\u200dwidth joiner.pdf",
			"\ufeffbom and A\u030a.pdf":  "bom and \u00c5.pdf",
		} {
			r := h.do("POST", "/api/v0.3/processes/"+pid+"/collections/base64", h.admin, map[string]any{
				"priority": false, "files": []any{map[string]any{"name": sent, "content": base64.StdEncoding.EncodeToString(pdf)}}})
			if r.status != 201 {
				t.Fatalf("%q: %d %s", sent, r.status, r.body)
			}
			m := r.json(t)
			if got := m["files"].([]any)[0].(map[string]any)["name"]; got != want || m["name"] != want {
				t.Errorf("%q stored as %q (collection %q), want %q", sent, got, m["name"], want)
			}
		}
		// Multipart names go through the same cleaning.
		r := h.upload(pid, h.admin, nil, nil, part{"file", "a\u202etxt.pdf", pdf})
		if r.status != 201 || r.json(t)["files"].([]any)[0].(map[string]any)["name"] != "atxt.pdf" {
			t.Fatalf("multipart: %d %s", r.status, r.body)
		}
		// So do collection names given apart from the files.
		r = h.do("POST", "/api/v0.3/processes/"+pid+"/collections/base64", h.admin, map[string]any{
			"name": "March \u202eexe.pdf", "priority": false, "files": []any{map[string]any{"name": "a.pdf", "content": base64.StdEncoding.EncodeToString(pdf)}}})
		if r.status != 201 || r.json(t)["name"] != "March exe.pdf" {
			t.Fatalf("collection name: %d %s", r.status, r.body)
		}
		for _, bad := range []string{"\u202e\u200f", "\u0007\u2066"} {
			r := h.do("POST", "/api/v0.3/processes/"+pid+"/collections/base64", h.admin, map[string]any{
				"priority": false, "files": []any{map[string]any{"name": bad, "content": base64.StdEncoding.EncodeToString(pdf)}}})
			assertEnvelope(t, r, 400, "RequestValidationError")
		}
	})
}
