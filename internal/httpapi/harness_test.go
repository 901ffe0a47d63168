package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/crescent-idp/crescent/internal/auth"
	"github.com/crescent-idp/crescent/internal/blob"
	"github.com/crescent-idp/crescent/internal/deliver"
	"github.com/crescent-idp/crescent/internal/jobs"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// countingKeys is the real key store, counting the look-ups made for
// authentication so a test can prove that a bad key never reached it.
type countingKeys struct {
	workspace.APIKeyStore
	lookups atomic.Int64
}

func (c *countingKeys) KeyByID(ctx context.Context, id string) (workspace.APIKey, error) {
	c.lookups.Add(1)
	return c.APIKeyStore.KeyByID(ctx, id)
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// harness is a real server over a real database.
type harness struct {
	t     testing.TB
	url   string
	st    *store.Store
	org   workspace.Org
	keys  *countingKeys
	logs  *syncBuffer
	admin string // a key with every scope

	srv         *Server
	blobDir     string
	collections *service.Collections
}

func newHarness(t testing.TB, dbURL string, cfg Config) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := st.DefaultOrg(ctx, "Default")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, st: st, org: org, keys: &countingKeys{APIKeyStore: st}, logs: &syncBuffer{}}
	h.blobDir = t.TempDir()
	bl, err := blob.Open(ctx, "file://"+h.blobDir)
	if err != nil {
		t.Fatal(err)
	}
	postgres := st.Dialect() == store.Postgres
	if err := jobs.Migrate(ctx, st.DB(), postgres); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(st.DB(), postgres, nil, jobs.Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	st.SetEnqueuer(q.Enqueue)
	log := slog.New(slog.NewJSONHandler(h.logs, nil))
	limits := service.DefaultUploadLimits
	limits.MaxFileBytes = 4 << 20
	h.collections = &service.Collections{Store: st, Processes: st, Blobs: bl, Limits: limits, TempDir: t.TempDir(), Log: log, Now: time.Now}
	learning := &service.Learning{Store: st, Results: st, Processes: st, Now: time.Now}
	srv := New(cfg, Deps{
		Auth:         auth.NewAuthenticator(h.keys),
		Keys:         service.NewKeys(st, st),
		Processes:    &service.Processes{Store: st, Blobs: bl, Log: log, Now: time.Now},
		Collections:  h.collections,
		Results:      &service.Results{Store: st, Collections: h.collections, Learning: learning, Now: time.Now},
		Learning:     learning,
		Exports:      &service.Exports{Store: st, Collections: h.collections, Blobs: bl, Log: log, Now: time.Now},
		Destinations: &service.Destinations{Store: st, Processes: st, Guard: deliver.Guard{}, Now: time.Now},
		Checks:       []Check{{Name: "database", Probe: st.Ping}},
		Log:          log,
		Registry:     prometheus.NewRegistry(),
	})
	h.srv = srv
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	h.url = ts.URL
	h.admin = h.mint(org.ID, "", workspace.AllScopes...).Full
	return h
}

// mint creates a key directly through the use case, as the CLI does.
func (h *harness) mint(orgID, processID string, scopes ...workspace.Scope) service.CreatedKey {
	h.t.Helper()
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	k, err := service.NewKeys(h.st, h.st).Create(context.Background(), service.Operator(orgID),
		service.CreateKeyInput{Name: "test", Scopes: names, ProcessID: processID})
	if err != nil {
		h.t.Fatal(err)
	}
	return k
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d, body not JSON: %q", r.status, r.body)
	}
	return m
}

// do sends a request with key as Basic credentials ("" for none).
func (h *harness) do(method, path, key string, body any) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, h.url+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key)))
	}
	return h.send(req)
}

func (h *harness) send(req *http.Request) response {
	h.t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

var envelopeKeys = []string{"action", "detail", "errors", "instance", "status", "timestamp", "title", "type"}

// assertEnvelope checks r is the error envelope with status and type.
func assertEnvelope(t *testing.T, r response, status int, typ string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	m := r.json(t)
	if len(m) != len(envelopeKeys) {
		t.Fatalf("envelope has keys %v", m)
	}
	for _, k := range envelopeKeys {
		if _, ok := m[k]; !ok {
			t.Fatalf("envelope lacks %q: %s", k, r.body)
		}
	}
	if int(m["status"].(float64)) != status || (typ != "" && m["type"] != typ) {
		t.Fatalf("envelope status/type %v/%v, want %d/%s", m["status"], m["type"], status, typ)
	}
	if m["instance"] != r.header.Get("X-Request-Id") {
		t.Fatalf("instance %v differs from X-Request-Id %q", m["instance"], r.header.Get("X-Request-Id"))
	}
	return m
}

func basic(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
