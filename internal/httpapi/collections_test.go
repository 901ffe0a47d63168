package httpapi

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// fixture reads a document of testdata: born-digital invoices written by
// crescent-bench's invoice generator.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type part struct {
	field, filename string
	data            []byte
}

// multipartBody builds a form with fields in order, files last.
func multipartBody(fields map[string]string, parts ...part) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.SetBoundary("crescent-test-boundary-0123456789")
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, p.field, strings.ReplaceAll(p.filename, `"`, `\"`)))
		h.Set("Content-Type", "application/octet-stream")
		pw, _ := w.CreatePart(h)
		_, _ = pw.Write(p.data)
	}
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

func (h *harness) upload(pid, key string, headers map[string]string, fields map[string]string, parts ...part) response {
	h.t.Helper()
	body, ct := multipartBody(fields, parts...)
	req, _ := http.NewRequest("POST", h.url+"/api/v0.3/processes/"+pid+"/collections", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Basic "+basic(key))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return h.send(req)
}

func (h *harness) process(name, typeID string) string {
	h.t.Helper()
	r := h.do("POST", "/api/v0.3/processes", h.admin, map[string]any{"name": name, "processTypeId": typeID})
	if r.status != 201 {
		h.t.Fatalf("create process: %d %s", r.status, r.body)
	}
	return r.json(h.t)["id"].(string)
}

// blobCount counts the objects in the harness's blob folder.
func (h *harness) blobCount() int {
	n := 0
	_ = filepath.WalkDir(h.blobDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".attrs") {
			n++
		}
		return nil
	})
	return n
}

func (h *harness) total(pid string) int {
	h.t.Helper()
	m := h.do("GET", "/api/v0.3/processes/"+pid+"/collections", h.admin, nil).json(h.t)
	return int(m["pagination"].(map[string]any)["total"].(float64))
}

func TestUploadBothWaysListDownloadDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pdf := fixture(t, "invoice-a.pdf")
		sum := sha256.Sum256(pdf)
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)

		r := h.upload(pid, h.admin, nil, map[string]string{"priority": "true", "metadata": `{"printed":"yes","n":2}`},
			part{"file", "Rechnung März \"final\".pdf", pdf})
		if r.status != 201 {
			t.Fatalf("multipart: %d %s", r.status, r.body)
		}
		first := r.json(t)
		files := first["files"].([]any)
		f0 := files[0].(map[string]any)
		if first["status"] != "Queued" || first["priority"] != true || f0["sha256"] != hex.EncodeToString(sum[:]) ||
			f0["contentType"] != "application/pdf" || f0["numberOfPages"].(float64) != 1 || first["name"] != "Rechnung März \"final\".pdf" {
			t.Fatalf("collection: %s", r.body)
		}
		cid, fid := first["id"].(string), f0["id"].(string)

		// base64 without priority: the exact documented 400.
		b64 := base64.StdEncoding.EncodeToString(pdf)
		bad := h.do("POST", "/api/v0.3/processes/"+pid+"/collections/base64", h.admin, map[string]any{"files": []any{map[string]any{"name": "a.pdf", "content": b64}}})
		m := assertEnvelope(t, bad, 400, "RequestValidationError")
		if got, _ := json.Marshal(m["errors"]); string(got) != `[{"location":"body: priority","message":"field required","type":"request_validation_error"}]` {
			t.Fatalf("errors: %s", got)
		}
		r = h.do("POST", "/api/v0.3/processes/"+pid+"/collections/base64", h.admin, map[string]any{
			"name": "second", "priority": false, "files": []any{map[string]any{"name": "b.pdf", "content": b64}}})
		if r.status != 201 {
			t.Fatalf("base64: %d %s", r.status, r.body)
		}
		second := r.json(t)
		if dups := second["duplicates"].([]any); len(dups) != 1 || dups[0] != cid {
			t.Fatalf("duplicates: %v", second["duplicates"])
		}

		// Listing and filters.
		list := func(q string) []string {
			t.Helper()
			r := h.do("GET", "/api/v0.3/processes/"+pid+"/collections?"+q, h.admin, nil)
			if r.status != 200 {
				t.Fatalf("list %s: %d %s", q, r.status, r.body)
			}
			var ids []string
			for _, c := range r.json(t)["collections"].([]any) {
				ids = append(ids, c.(map[string]any)["id"].(string))
			}
			return ids
		}
		sid := second["id"].(string)
		cases := map[string][]string{
			"":                       {sid, cid},
			"order=created_date:asc": {cid, sid},
			"order=name:asc":         {cid, sid},
			"order=name:desc":        {sid, cid},
			"priority=true":          {cid},
			"priority=false":         {sid},
			"query=SECO":             {sid},
			"query=%25":              nil,
			"status=Queued":          {sid, cid},
			"status=Failed,Stopped":  nil,
			"metadata=" + url.QueryEscape(`{"printed":"yes"}`):       {cid},
			"metadata=" + url.QueryEscape(`{"printed":"yes","n":2}`): {cid},
			"metadata=" + url.QueryEscape(`{"printed":"no"}`):        nil,
			"date_from=2000-01-01&date_to=2999-12-31":                {sid, cid},
			"date_to=2000-01-01":                                     nil,
			"limit=1&offset=1":                                       {cid},
		}
		for q, want := range cases {
			if got := list(q); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("list %q = %v, want %v", q, got, want)
			}
		}
		for _, q := range []string{"order=size", "priority=maybe", "status=Done", "metadata=[1]", "date_from=yesterday", "limit=0"} {
			assertEnvelope(t, h.do("GET", "/api/v0.3/processes/"+pid+"/collections?"+q, h.admin, nil), 400, "RequestValidationError")
		}

		// Metadata replacement, downloads, delete.
		r = h.do("PATCH", "/api/v0.3/collections/"+cid, h.admin, map[string]any{"metadata": map[string]any{"printed": "no"}})
		if r.status != 200 || fmt.Sprint(r.json(t)["metadata"]) != "map[printed:no]" {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		if got := list("metadata=" + url.QueryEscape(`{"printed":"yes"}`)); len(got) != 0 {
			t.Fatalf("old metadata still matches: %v", got)
		}
		dl := h.do("GET", "/api/v0.3/collections/"+cid+"/files/"+fid+"/download", h.admin, nil)
		if dl.status != 200 || !bytes.Equal(dl.body, pdf) || dl.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download: %d, %d bytes", dl.status, len(dl.body))
		}
		if cd := dl.header.Get("Content-Disposition"); cd != `attachment; filename="Rechnung M_rz _final_.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz%20%22final%22.pdf` {
			t.Fatalf("Content-Disposition: %s", cd)
		}
		zr := h.do("GET", "/api/v0.3/collections/"+cid+"/download", h.admin, nil)
		z, err := zip.NewReader(bytes.NewReader(zr.body), int64(len(zr.body)))
		if err != nil || len(z.File) != 1 {
			t.Fatalf("zip: %v", err)
		}
		rc, _ := z.File[0].Open()
		var got bytes.Buffer
		_, _ = got.ReadFrom(rc)
		if !bytes.Equal(got.Bytes(), pdf) || z.File[0].Name != "Rechnung März \"final\".pdf" {
			t.Fatal("zip entry differs from the original")
		}
		blobs := h.blobCount()
		if r := h.do("DELETE", "/api/v0.3/collections/"+cid, h.admin, nil); r.status != 204 {
			t.Fatalf("delete: %d", r.status)
		}
		assertEnvelope(t, h.do("GET", "/api/v0.3/collections/"+cid, h.admin, nil), 404, "ResourceNotFoundError")
		if h.blobCount() != blobs-1 {
			t.Fatalf("blob not removed: %d -> %d", blobs, h.blobCount())
		}
		if dups := h.do("GET", "/api/v0.3/collections/"+sid, h.admin, nil).json(t)["duplicates"].([]any); len(dups) != 0 {
			t.Fatalf("duplicates still name the deleted collection: %v", dups)
		}
	})
}

func TestMalformedUploadsLeaveNothingBehind(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	pdf := fixture(t, "invoice-a.pdf")
	pid := h.process("Invoices", workspace.ProcessTypeInvoices)
	hugePNG, _ := hex.DecodeString("89504e470d0a1a0a0000000d49484452000186a0000186a00806000000")
	hugePNG = append(hugePNG, make([]byte, 64)...)
	cases := []struct {
		name   string
		parts  []part
		fields map[string]string
		status int
	}{
		{"zero bytes", []part{{"file", "empty.pdf", nil}}, nil, 400},
		{"truncated PDF", []part{{"file", "trunc.pdf", pdf[:len(pdf)/3]}}, nil, 400},
		{"text renamed .pdf", []part{{"file", "text.pdf", bytes.Repeat([]byte("hello, this is not a pdf\n"), 20)}}, nil, 415},
		{"zip archive", []part{{"file", "a.zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00rest")}}, nil, 415},
		{"100000x100000 PNG", []part{{"file", "huge.png", hugePNG}}, nil, 413},
		{"path in name", []part{{"file", "../../evil.pdf", pdf}}, nil, 400},
		{"backslash path", []part{{"file", `..\evil.pdf`, pdf}}, nil, 400},
		{"over the file limit", []part{{"file", "big.pdf", append(append([]byte{}, pdf...), make([]byte, 5<<20)...)}}, nil, 413},
		{"good file then bad file", []part{{"file", "ok.pdf", pdf}, {"file", "bad.pdf", []byte("%PDF-1.4 broken")}}, nil, 400},
		{"no file", nil, map[string]string{"priority": "true"}, 400},
		{"unknown field", []part{{"file", "ok.pdf", pdf}}, map[string]string{"colour": "red"}, 400},
		{"bad metadata", []part{{"file", "ok.pdf", pdf}}, map[string]string{"metadata": "[1,2]"}, 400},
		{"bad priority", []part{{"file", "ok.pdf", pdf}}, map[string]string{"priority": "sometimes"}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.upload(pid, h.admin, nil, c.fields, c.parts...)
			m := assertEnvelope(t, r, c.status, "")
			if len(m["errors"].([]any)) == 0 {
				t.Fatal("no error message")
			}
		})
	}
	if n := h.total(pid); n != 0 {
		t.Fatalf("%d collections left behind", n)
	}
	if n := h.blobCount(); n != 0 {
		t.Fatalf("%d blobs left behind", n)
	}
	if left, _ := os.ReadDir(h.collections.TempDir); len(left) != 0 {
		t.Fatalf("%d spooled files left behind", len(left))
	}
	// Not multipart at all.
	req, _ := http.NewRequest("POST", h.url+"/api/v0.3/processes/"+pid+"/collections", strings.NewReader("x"))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "Basic "+basic(h.admin))
	assertEnvelope(t, h.send(req), 415, "UnsupportedMediaTypeError")
}

func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pdf := fixture(t, "invoice-a.pdf")
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)
		hdr := map[string]string{"Idempotency-Key": "retry-1"}
		a := h.upload(pid, h.admin, hdr, map[string]string{"priority": "false"}, part{"file", "a.pdf", pdf})
		b := h.upload(pid, h.admin, hdr, map[string]string{"priority": "false"}, part{"file", "a.pdf", pdf})
		if a.status != 201 || b.status != 201 || a.json(t)["id"] != b.json(t)["id"] || b.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %d %s", a.status, b.status, b.body)
		}
		assertEnvelope(t, h.upload(pid, h.admin, hdr, map[string]string{"priority": "true"}, part{"file", "a.pdf", pdf}), 409, "ConflictError")
		if n := h.total(pid); n != 1 {
			t.Fatalf("%d collections, want 1", n)
		}
		if n := h.blobCount(); n != 1 {
			t.Fatalf("%d blobs, want 1", n)
		}
	})
}

func TestCollectionStateChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pdf := fixture(t, "invoice-a.pdf")
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)
		cid := h.upload(pid, h.admin, nil, nil, part{"file", "a.pdf", pdf}).json(t)["id"].(string)
		jobsOf := func() int {
			var n int
			q := `SELECT COUNT(*) FROM river_job WHERE json_extract(args, '$.collection_id') = $1`
			if h.st.Dialect() == store.Postgres {
				q = `SELECT COUNT(*) FROM river_job WHERE args->>'collection_id' = $1`
			}
			if err := h.st.DB().QueryRowContext(context.Background(), q, cid).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if jobsOf() != 1 {
			t.Fatal("the upload committed no processing job")
		}
		assertEnvelope(t, h.do("POST", "/api/v0.3/collections/"+cid+"/accept", h.admin, nil), 409, "ConflictError")
		assertEnvelope(t, h.do("POST", "/api/v0.3/collections/"+cid+"/reprocess", h.admin, nil), 409, "ConflictError")
		if r := h.do("POST", "/api/v0.3/collections/"+cid+"/stop", h.admin, nil); r.status != 200 || r.json(t)["status"] != "Stopped" {
			t.Fatalf("stop: %d %s", r.status, r.body)
		}
		assertEnvelope(t, h.do("POST", "/api/v0.3/collections/"+cid+"/stop", h.admin, nil), 409, "ConflictError")
		if r := h.do("POST", "/api/v0.3/collections/"+cid+"/reprocess", h.admin, nil); r.status != 200 || r.json(t)["status"] != "Queued" {
			t.Fatalf("reprocess: %d %s", r.status, r.body)
		}
		if jobsOf() != 2 {
			t.Fatal("reprocess committed no new job")
		}
	})
}

func TestProcessesAndConfig(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		types := h.do("GET", "/api/v0.3/process-types", h.admin, nil).json(t)["processTypes"].([]any)
		if len(types) != 3 || types[0].(map[string]any)["id"] != workspace.ProcessTypeInvoices {
			t.Fatalf("types: %v", types)
		}
		if n := len(types[0].(map[string]any)["dataPoints"].([]any)); n != 21 {
			t.Fatalf("Invoices has %d data points, want 21", n)
		}
		assertEnvelope(t, h.do("POST", "/api/v0.3/processes", h.admin, map[string]any{"name": "x", "processTypeId": "nope"}), 400, "RequestValidationError")
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)
		p := h.do("GET", "/api/v0.3/processes/"+pid, h.admin, nil).json(t)
		adminID, _, _ := strings.Cut(h.admin, ":")
		if p["typeName"] != "Invoices" || p["status"] != "Ready" || p["usage"] != nil || p["accesses"].(map[string]any)[adminID].(map[string]any)["role"] != "owner" {
			t.Fatalf("process: %v", p)
		}
		if r := h.do("PATCH", "/api/v0.3/processes/"+pid, h.admin, map[string]any{"name": "Renamed"}); r.json(t)["name"] != "Renamed" || r.json(t)["version"] != "2" {
			t.Fatalf("rename: %s", r.body)
		}

		// Read-modify-write of the config keeps built-in data points.
		cfg := h.do("GET", "/api/v0.3/processes/"+pid+"/config", h.admin, nil).json(t)
		cfg["useEmbeddedInvoiceData"] = false
		cfg["ocrLanguages"] = []string{"eng", "deu"}
		delete(cfg, "configId")
		r := h.do("PUT", "/api/v0.3/processes/"+pid+"/config", h.admin, cfg)
		if r.status != 200 || r.json(t)["useEmbeddedInvoiceData"] != false {
			t.Fatalf("put config: %d %s", r.status, r.body)
		}
		assertEnvelope(t, h.do("PUT", "/api/v0.3/processes/"+pid+"/config", h.admin, map[string]any{"dataPoints": []any{}}), 400, "")
		assertEnvelope(t, h.do("PUT", "/api/v0.3/processes/"+pid+"/config", h.admin, map[string]any{"ocrLanguages": []string{"english"}}), 400, "")
		reset := h.do("POST", "/api/v0.3/processes/"+pid+"/config/reset", h.admin, nil)
		if reset.status != 200 || reset.json(t)["configId"] == cfg["configId"] {
			t.Fatalf("reset: %d %s", reset.status, reset.body)
		}
		if c := h.do("GET", "/api/v0.3/processes/"+pid+"/config", h.admin, nil).json(t); c["useEmbeddedInvoiceData"] != true {
			t.Fatalf("reset did not restore defaults: %v", c)
		}

		// Custom processes take user data points, validated.
		cp := h.process("Forms", workspace.ProcessTypeCustom)
		ok := map[string]any{"dataPoints": []any{map[string]any{"name": "policy_number", "type": "string", "hints": map[string]any{"labels": []string{"Policy No"}, "pattern": `[A-Z]{2}\d{6}`}}}}
		if r := h.do("PUT", "/api/v0.3/processes/"+cp+"/config", h.admin, ok); r.status != 200 {
			t.Fatalf("custom config: %d %s", r.status, r.body)
		}
		for _, bad := range []map[string]any{
			{"name": "Policy Number", "type": "string"},
			{"name": "x", "type": "blob"},
			{"name": "x", "type": "string", "hints": map[string]any{"pattern": "("}},
			{"name": "t", "type": "table"},
		} {
			assertEnvelope(t, h.do("PUT", "/api/v0.3/processes/"+cp+"/config", h.admin, map[string]any{"dataPoints": []any{bad}}), 400, "")
		}

		// Deleting a process removes its collections and blobs.
		pdf := fixture(t, "invoice-a.pdf")
		h.upload(pid, h.admin, nil, nil, part{"file", "a.pdf", pdf})
		if r := h.do("DELETE", "/api/v0.3/processes/"+pid, h.admin, nil); r.status != 204 {
			t.Fatalf("delete process: %d %s", r.status, r.body)
		}
		assertEnvelope(t, h.do("GET", "/api/v0.3/processes/"+pid, h.admin, nil), 404, "ResourceNotFoundError")
		if h.blobCount() != 0 {
			t.Fatal("blobs of a deleted process remain")
		}
	})
}
