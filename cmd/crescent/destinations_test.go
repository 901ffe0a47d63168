package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store/storetest"
)

// receiver is a webhook endpoint on 127.0.0.1 that fails its first
// failFirst requests with 500.
type receiver struct {
	mu        sync.Mutex
	failFirst int
	calls     int
	got       []delivery
	srv       *httptest.Server
}

type delivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	rx := &receiver{failFirst: failFirst}
	rx.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rx.mu.Lock()
		defer rx.mu.Unlock()
		rx.calls++
		if rx.calls <= rx.failFirst {
			w.WriteHeader(500)
			return
		}
		rx.got = append(rx.got, delivery{r.Header.Clone(), b})
	}))
	t.Cleanup(rx.srv.Close)
	return rx
}

func (rx *receiver) deliveries() ([]delivery, int) {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	return append([]delivery{}, rx.got...), rx.calls
}

// verifySignature checks a Standard Webhooks signature independently.
func verifySignature(secret string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "."))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if v, s, ok := strings.Cut(sig, ","); ok && v == "v1" && hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

func createDestination(t *testing.T, base, key, pid, url string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": "rx", "type": "webhook", "config": map[string]any{"url": url},
		"events": []string{"collection.processed", "collection.accepted"}, "processIds": []string{pid}})
	st, b := call(t, "POST", base+"/api/v0.4/destinations", key, "application/json", bytes.NewReader(body))
	var d map[string]any
	_ = json.Unmarshal(b, &d)
	return st, d
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !ok(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
	}
}

// TestWebhooks: signed deliveries per event, retries until success, the
// delivery log, the test endpoint, and SSRF refusals without the flag.
func TestWebhooks(t *testing.T) {
	pdf, err := os.ReadFile(fixturePDF)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := []string{"--data-dir", dir}
	base := server(t, append(db, "--allow-private-destinations")...)
	key, pid := setup(t, base, db)
	good, flaky := newReceiver(t, 0), newReceiver(t, 2)
	st, d1 := createDestination(t, base, key, pid, good.srv.URL+"/hook")
	if st != 201 || !strings.HasPrefix(d1["secret"].(string), "whsec_") {
		t.Fatalf("create destination: %d %v", st, d1)
	}
	_, d2 := createDestination(t, base, key, pid, flaky.srv.URL+"/hook")

	body, ct := multipartPDF(t, pdf)
	_, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, ct, body)
	var col struct{ ID string }
	_ = json.Unmarshal(b, &col)
	waitFinal(t, base, key, col.ID)
	if st, _ := call(t, "POST", base+"/api/v0.3/collections/"+col.ID+"/accept", key, "", nil); st != 200 {
		t.Fatalf("accept: %d", st)
	}
	waitFor(t, "two deliveries to the good receiver", 30*time.Second, func() bool { g, _ := good.deliveries(); return len(g) == 2 })
	got, _ := good.deliveries()
	types := map[string]bool{}
	for _, g := range got {
		if !verifySignature(d1["secret"].(string), g.header, g.body) {
			t.Errorf("signature does not verify: %v", g.header)
		}
		var ev struct {
			Type string
			Data struct {
				CollectionID string `json:"collectionId"`
			}
		}
		_ = json.Unmarshal(g.body, &ev)
		if ev.Data.CollectionID != col.ID {
			t.Errorf("event names collection %q", ev.Data.CollectionID)
		}
		types[ev.Type] = true
	}
	if !types["collection.processed"] || !types["collection.accepted"] {
		t.Fatalf("event types %v", types)
	}

	// The flaky receiver: two failures, then one success per event.
	waitFor(t, "the flaky receiver's deliveries", 90*time.Second, func() bool { g, _ := flaky.deliveries(); return len(g) == 2 })
	// The server records an attempt after the receiver has answered it:
	// wait for the log to hold both successes.
	var log struct {
		Deliveries []struct {
			EventID string `json:"eventId"`
			Attempt int
			Status  string
		}
	}
	waitFor(t, "both successes in the deliveries log", 90*time.Second, func() bool {
		st, b = call(t, "GET", base+"/api/v0.4/destinations/"+d2["id"].(string)+"/deliveries", key, "", nil)
		log.Deliveries = nil
		_ = json.Unmarshal(b, &log)
		ok := 0
		for _, d := range log.Deliveries {
			if d.Status == "Succeeded" {
				ok++
			}
		}
		return st == 200 && ok == 2
	})
	if len(log.Deliveries) < 4 {
		t.Fatalf("deliveries log: %d %s", st, b)
	}
	succeeded := map[string]int{}
	for _, d := range log.Deliveries {
		if d.Status == "Succeeded" {
			succeeded[d.EventID]++
		}
	}
	if len(succeeded) != 2 {
		t.Fatalf("successes per event: %v", succeeded)
	}
	g, _ := flaky.deliveries()
	if g[0].header.Get("webhook-id") == g[1].header.Get("webhook-id") {
		t.Fatal("two events share a webhook-id")
	}

	st, b = call(t, "POST", base+"/api/v0.4/destinations/"+d1["id"].(string)+"/test", key, "", nil)
	if st != 200 || !bytes.Contains(b, []byte(`"Succeeded"`)) {
		t.Fatalf("test delivery: %d %s", st, b)
	}

	// Without the flag, private targets are refused at creation.
	plainDir := t.TempDir()
	plain := server(t, "--data-dir", plainDir)
	pkey, ppid := setup(t, plain, []string{"--data-dir", plainDir})
	for _, u := range []string{good.srv.URL + "/hook", "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/x", "http://[::1]:9/x", "ftp://example.com/x"} {
		st, d := createDestination(t, plain, pkey, ppid, u)
		if st != 400 {
			t.Errorf("%s accepted: %d %v", u, st, d)
		}
	}
}

// TestS3DestinationCredentials: through the server, an S3 destination
// without credentials is refused with 400 in the error envelope unless
// the server runs with --allow-ambient-s3-credentials.
func TestS3DestinationCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		create := func(base, key string, cfg map[string]any) (int, map[string]any) {
			body, _ := json.Marshal(map[string]any{"name": "bucket", "type": "s3", "config": cfg, "events": []string{"collection.processed"}})
			st, b := call(t, "POST", base+"/api/v0.4/destinations", key, "application/json", bytes.NewReader(body))
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			return st, m
		}
		bucket := map[string]any{"bucketUrl": "s3://dest?endpoint=http%3A%2F%2F127.0.0.1%3A9&region=us-east-1&use_path_style=true"}
		withKeys := map[string]any{"bucketUrl": bucket["bucketUrl"], "accessKeyId": "AKIDDEST", "secretAccessKey": "s"}
		for _, ambient := range []bool{false, true} {
			dir := t.TempDir()
			db := []string{"--data-dir", dir, "--database-url", dbURL}
			args := append(db, "--allow-private-destinations")
			if ambient {
				args = append(args, "--allow-ambient-s3-credentials")
			}
			base := server(t, args...)
			key, _ := setup(t, base, db)
			if st, m := create(base, key, withKeys); st != 201 || m["config"].(map[string]any)["secretAccessKey"] != nil {
				t.Fatalf("with credentials: %d %v", st, m)
			}
			st, m := create(base, key, bucket)
			if ambient {
				if st != 201 {
					t.Fatalf("without credentials, allowed: %d %v", st, m)
				}
				continue
			}
			errs, _ := m["errors"].([]any)
			if st != 400 || m["status"] != 400.0 || len(errs) == 0 ||
				!strings.Contains(errs[0].(map[string]any)["message"].(string), "need accessKeyId and secretAccessKey") {
				t.Fatalf("without credentials: %d %v", st, m)
			}
		}
	})
}
