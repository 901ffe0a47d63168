package httpapi

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// bigPDF streams a PDF of about size bytes: a real one, padding, and a
// final startxref and %%EOF, so it is accepted by the byte scan used for
// PDFs over 32 MiB.
func bigPDF(pdf []byte, size int64) io.Reader {
	trailer := "\nstartxref\n0\n%%EOF\n"
	pad := size - int64(len(pdf)) - int64(len(trailer))
	return io.MultiReader(bytes.NewReader(pdf), io.LimitReader(repeatByte('\n'), pad), strings.NewReader(trailer))
}

type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// base64JSON streams the JSON body of a base64 upload of file, encoding as
// it goes, so the client holds no copy of it.
func base64JSON(head string, file io.Reader, tail string) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		enc := base64.NewEncoder(base64.StdEncoding, pw)
		_, err := io.Copy(enc, file)
		if err == nil {
			err = enc.Close()
		}
		pw.CloseWithError(err)
	}()
	return io.MultiReader(strings.NewReader(head), pr, strings.NewReader(tail))
}

// heapPeak samples heap in use until stopped and returns the peak.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// A 60 MiB base64 upload is decoded as a stream into the spool file: heap
// in use grows by less than 32 MiB, as for multipart.
func TestBase64UploadIsStreamed(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	h.collections.Limits.MaxFileBytes = 64 << 20
	pdf := fixture(t, "invoice-a.pdf")
	pid := h.process("Invoices", workspace.ProcessTypeInvoices)
	const size = 45 << 20 // 60 MiB of base64

	body := base64JSON(`{"priority":true,"metadata":{"batch":"7"},"files":[{"name":"big.pdf","content":"`, bigPDF(pdf, size), `"}],"name":"big"}`)
	req, _ := http.NewRequest("POST", h.url+"/api/v0.3/processes/"+pid+"/collections/base64", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+basic(h.admin))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	hwmBefore := peakRSS(t)
	stop := heapPeak()
	c := &http.Client{Timeout: 5 * time.Minute}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	peak := stop()
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, b)
	}
	r := response{status: resp.StatusCode, body: b}
	m := r.json(t)
	f := m["files"].([]any)[0].(map[string]any)
	if f["size"].(float64) != size || m["name"] != "big" || m["priority"] != true || m["metadata"].(map[string]any)["batch"] != "7" {
		t.Fatalf("collection: %.400s", b)
	}
	growth := int64(peak) - int64(before.HeapInuse)
	rss := peakRSS(t) - hwmBefore
	t.Logf("60 MiB base64 upload: heap in use before %.1f MiB, peak %.1f MiB, growth %.1f MiB; peak RSS growth %.1f MiB",
		mib(before.HeapInuse), mib(peak), float64(growth)/(1<<20), float64(rss)/(1<<20))
	if growth >= 32<<20 || rss >= 32<<20 {
		t.Fatalf("a base64 upload grew heap in use by %.1f MiB and peak RSS by %.1f MiB; want under 32 MiB each",
			float64(growth)/(1<<20), float64(rss)/(1<<20))
	}
}

// peakRSS returns the process's peak resident set size (VmHWM), or 0 where
// /proc is not available.
func peakRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb); err != nil {
				t.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	return 0
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// The streamed base64 body is read as strictly as every JSON body, in any
// field order; a retry with the content wrapped or escaped otherwise
// replays, another file under the same key is 409.
func TestBase64UploadBodies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pdf := fixture(t, "invoice-a.pdf")
		other := fixture(t, "invoice-b.pdf")
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)
		path := "/api/v0.3/processes/" + pid + "/collections/base64"
		b64 := base64.StdEncoding.EncodeToString(pdf)
		send := func(idem, body string) response {
			req, _ := http.NewRequest("POST", h.url+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Basic "+basic(h.admin))
			if idem != "" {
				req.Header.Set("Idempotency-Key", idem)
			}
			return h.send(req)
		}
		// Content before name, wrapped at 76 characters with escaped newlines and slashes.
		var wrapped strings.Builder
		for i := 0; i < len(b64); i += 76 {
			wrapped.WriteString(strings.ReplaceAll(b64[i:min(i+76, len(b64))], "/", `\/`) + `\n`)
		}
		a := send("b64", `{"files":[{"content":"`+b64+`","name":"a.pdf"}],"priority":true,"metadata":{"k":"v"}}`)
		b := send("b64", ` { "metadata" : {"k":"v"}, "priority":true, "files":[ {"name":"a.pdf", "content":"`+wrapped.String()+`"} ] } `)
		if a.status != 201 || b.status != 201 || a.json(t)["id"] != b.json(t)["id"] || b.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %d %.300s", a.status, b.status, b.body)
		}
		if f := a.json(t)["files"].([]any)[0].(map[string]any); f["size"].(float64) != float64(len(pdf)) || f["name"] != "a.pdf" {
			t.Fatalf("file: %v", f)
		}
		assertEnvelope(t, send("b64", `{"files":[{"name":"a.pdf","content":"`+base64.StdEncoding.EncodeToString(other)+`"}],"priority":true,"metadata":{"k":"v"}}`), 409, "ConflictError")

		file := `{"name":"a.pdf","content":"` + b64 + `"}`
		for _, c := range []struct{ name, body, location, message string }{
			{"name in capitals", `{"files":[` + file + `],"PRIORITY":true}`, "body: PRIORITY", `did you mean "priority"`},
			{"file field in capitals", `{"files":[{"Name":"a.pdf","content":"` + b64 + `"}],"priority":true}`, "body: files[0].Name", `did you mean "name"`},
			{"unknown field", `{"files":[` + file + `],"priority":true,"colour":"red"}`, "body: colour", "extra fields not permitted"},
			{"field twice", `{"files":[` + file + `],"priority":true,"priority":false}`, "body: priority", "twice"},
			{"file name twice", `{"files":[{"name":"a.pdf","name":"b.pdf","content":"` + b64 + `"}],"priority":true}`, "body: files[0].name", "twice"},
			{"missing priority", `{"files":[` + file + `]}`, "body: priority", "field required"},
			{"missing content", `{"files":[{"name":"a.pdf"}],"priority":true}`, "body: files[0].content", "field required"},
			{"no files", `{"files":[],"priority":true}`, "body: files", "at least one"},
			{"priority not a boolean", `{"files":[` + file + `],"priority":"yes"}`, "body: priority", "boolean"},
			{"not base64", `{"files":[{"name":"a.pdf","content":"%%%%"}],"priority":true}`, "body: files[0].content", "base64"},
			{"metadata key twice", `{"files":[` + file + `],"priority":true,"metadata":{"a":1,"a":2}}`, "body: metadata", "twice"},
			{"metadata not an object", `{"files":[` + file + `],"priority":true,"metadata":[1]}`, "body: metadata", "JSON object"},
			{"name not UTF-8", "{\"files\":[{\"name\":\"a\xff.pdf\",\"content\":\"" + b64 + "\"}],\"priority\":true}", "body", "UTF-8"},
			{"lone surrogate", `{"files":[{"name":"a\udc00.pdf","content":"` + b64 + `"}],"priority":true}`, "body", "surrogate"},
			{"data after the end", `{"files":[` + file + `],"priority":true} {}`, "body", "after the end"},
			{"cut short", `{"files":[{"name":"a.pdf","content":"` + b64[:100], "body", "malformed"},
			{"not an object", `[1]`, "body", "malformed"},
		} {
			r := send("", c.body)
			m := assertEnvelope(t, r, 400, "RequestValidationError")
			e := m["errors"].([]any)[0].(map[string]any)
			if e["location"] != c.location || !strings.Contains(e["message"].(string), c.message) {
				t.Errorf("%s: %s", c.name, r.body)
			}
		}
		if n := h.total(pid); n != 1 {
			t.Fatalf("%d collections, want 1", n)
		}
		if left, _ := os.ReadDir(h.collections.TempDir); len(left) != 0 {
			t.Fatalf("%d spooled files left behind", len(left))
		}
	})
}
