package httpapi

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"

	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// uploadWithBoundary sends a multipart upload framed by boundary, as curl
// does with a boundary of its own on every run.
func (h *harness) uploadWithBoundary(pid, key, idemKey, boundary string, fields [][2]string, parts ...part) response {
	h.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		h.t.Fatal(err)
	}
	for _, f := range fields {
		_ = w.WriteField(f[0], f[1])
	}
	for _, p := range parts {
		hd := textproto.MIMEHeader{}
		hd.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, p.field, p.filename))
		hd.Set("Content-Type", "application/pdf")
		pw, _ := w.CreatePart(hd)
		_, _ = pw.Write(p.data)
	}
	_ = w.Close()
	req, _ := http.NewRequest("POST", h.url+"/api/v0.3/processes/"+pid+"/collections", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Basic "+basic(key))
	req.Header.Set("Idempotency-Key", idemKey)
	return h.send(req)
}

// An Idempotency-Key belongs to the API key and the route it was sent to:
// the same key sent by another API key, or to another process, is a new
// request, never a replay of a collection the caller may not see.
func TestIdempotencyKeyIsPerAPIKeyAndRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pdf := fixture(t, "invoice-a.pdf")
		pidA := h.process("A", workspace.ProcessTypeInvoices)
		pidB := h.process("B", workspace.ProcessTypeInvoices)
		hdr := map[string]string{"Idempotency-Key": "shared-key"}
		fields := map[string]string{"priority": "false", "metadata": `{"secret":"of A"}`}
		first := h.upload(pidA, h.admin, hdr, fields, part{"file", "a.pdf", pdf})
		if first.status != 201 {
			t.Fatalf("first upload: %d %s", first.status, first.body)
		}
		idA := first.json(t)["id"]

		keyB := h.mint(h.org.ID, pidB, workspace.ScopeCollectionCreate, workspace.ScopeFileUpload, workspace.ScopeCollectionRead).Full
		otherOrgKey := h.mint(h.org.ID, "", workspace.ScopeCollectionCreate, workspace.ScopeFileUpload).Full
		for _, c := range []struct {
			name, pid, key string
		}{
			{"process key of B, its own process", pidB, keyB},
			{"same org key, another process", pidB, h.admin},
			{"another org key, same process", pidA, otherOrgKey},
		} {
			r := h.upload(c.pid, c.key, hdr, fields, part{"file", "a.pdf", pdf})
			if r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("%s: %d replayed=%q %s", c.name, r.status, r.header.Get("Idempotent-Replayed"), r.body)
			}
			m := r.json(t)
			if m["id"] == idA || m["processId"] != c.pid {
				t.Fatalf("%s: answered with another caller's collection: %s", c.name, r.body)
			}
		}
		// The first caller still replays its own.
		again := h.upload(pidA, h.admin, hdr, fields, part{"file", "a.pdf", pdf})
		if again.status != 201 || again.json(t)["id"] != idA || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay by the first caller: %d %s", again.status, again.body)
		}
	})
}

// A multipart retry replays whatever boundary frames it; another file
// under the same key is a conflict.
func TestIdempotentMultipartRetryWithNewBoundary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pdf := fixture(t, "invoice-a.pdf")
		other := fixture(t, "invoice-b.pdf")
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)
		fields := [][2]string{{"priority", "true"}, {"metadata", `{"batch":"42"}`}}
		a := h.uploadWithBoundary(pid, h.admin, "k1", "------------------------a1b2c3d4e5f6", fields, part{"file", "a.pdf", pdf})
		b := h.uploadWithBoundary(pid, h.admin, "k1", "------------------------0f9e8d7c6b5a", fields, part{"file", "a.pdf", pdf})
		if a.status != 201 || b.status != 201 || a.json(t)["id"] != b.json(t)["id"] || b.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry with a new boundary: %d then %d %s", a.status, b.status, b.body)
		}
		for name, p := range map[string]part{
			"another file":      {"file", "a.pdf", other},
			"another file name": {"file", "b.pdf", pdf},
		} {
			r := h.uploadWithBoundary(pid, h.admin, "k1", "------------------------zzzz", fields, p)
			assertEnvelope(t, r, 409, "ConflictError")
			_ = name
		}
		changed := [][2]string{{"priority", "true"}, {"metadata", `{"batch":"43"}`}}
		assertEnvelope(t, h.uploadWithBoundary(pid, h.admin, "k1", "b", changed, part{"file", "a.pdf", pdf}), 409, "ConflictError")
		if n := h.total(pid); n != 1 {
			t.Fatalf("%d collections, want 1", n)
		}
	})
}
