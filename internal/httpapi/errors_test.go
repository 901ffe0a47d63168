package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/crescent-idp/crescent/internal/store/storetest"
)

func TestEnvelopeEverywhere(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	assertEnvelope(t, h.do("GET", "/api/v0.4/no-such-route", h.admin, nil), 404, "ResourceNotFoundError")
	assertEnvelope(t, h.do("GET", "/nothing/here", "", nil), 404, "ResourceNotFoundError")
	r := h.do("PUT", "/api/v0.4/admin/api-keys", h.admin, map[string]any{})
	assertEnvelope(t, r, 405, "MethodNotAllowedError")
	if allow := strings.Join(r.header.Values("Allow"), ","); allow != "GET,POST" {
		t.Fatalf("Allow = %q", allow)
	}
	m := assertEnvelope(t, h.do("POST", "/api/v0.4/admin/api-keys", h.admin, map[string]any{}), 400, "RequestValidationError")
	if m["title"] != "The server cannot process the request due to a client error." ||
		m["action"] != "The client should not repeat this request without modification." ||
		m["detail"] != "Please see the 'errors' field for details." {
		t.Fatalf("400 wording: %v", m)
	}
	for _, e := range m["errors"].([]any) {
		if e.(map[string]any)["type"] != "request_validation_error" {
			t.Fatalf("error type: %v", e)
		}
	}
	assertEnvelope(t, h.do("GET", "/api/v0.4/admin/api-keys?limit=abc", h.admin, nil), 400, "RequestValidationError")
	assertEnvelope(t, h.do("GET", "/api/v0.4/admin/api-keys?offset=-1", h.admin, nil), 400, "RequestValidationError")
}

func TestRequestIDEchoedWhenSane(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	req, _ := http.NewRequest("GET", h.url+"/api/v0.4/me", nil)
	req.Header.Set("X-Request-Id", "client-req-12345")
	if got := h.send(req).header.Get("X-Request-Id"); got != "client-req-12345" {
		t.Fatalf("sane id not echoed: %q", got)
	}
	req.Header.Set("X-Request-Id", "bad id with spaces")
	m := assertEnvelope(t, h.send(req), 401, "AuthenticationError")
	if len(m["instance"].(string)) != 36 {
		t.Fatalf("generated instance %v is not a dashed UUID", m["instance"])
	}
}

func TestPanicBecomes500WithoutInternals(t *testing.T) {
	logs := &syncBuffer{}
	s := &Server{log: slog.New(slog.NewJSONHandler(logs, nil)), metrics: newMetrics(prometheus.NewRegistry())}
	h := withRequestID(s.observe(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internal detail")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	r := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	assertEnvelope(t, r, 500, "InternalServerError")
	if strings.Contains(rec.Body.String(), "secret internal detail") {
		t.Fatal("panic value leaked to the client")
	}
	if !strings.Contains(logs.String(), "secret internal detail") || !strings.Contains(logs.String(), r.header.Get("X-Request-Id")) {
		t.Fatal("panic not logged with the request id")
	}
}

func TestOperationalEndpoints(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	if r := h.do("GET", "/healthz", "", nil); r.status != 200 || r.json(t)["status"] != "ok" {
		t.Fatalf("healthz: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/readyz", "", nil); r.status != 200 || !strings.Contains(string(r.body), `"database":"ok"`) {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}
	h.do("GET", "/api/v0.4/me", h.admin, nil)
	ms := httptest.NewServer(MetricsHandler(h.srv.deps.Registry))
	defer ms.Close()
	if r := h.send(mustRequest("GET", ms.URL+"/metrics")); r.status != 200 ||
		!strings.Contains(string(r.body), `crescent_http_requests_total{method="GET",route="/api/v0.4/me",status="200"} 1`) ||
		!strings.Contains(string(r.body), "crescent_http_request_duration_seconds_bucket") {
		t.Fatalf("metrics: %s", r.body)
	}
	docs := h.do("GET", "/api/docs", "", nil)
	if docs.status != 200 || strings.Contains(string(docs.body), "https://") || !strings.Contains(string(docs.body), "/api/openapi.json") {
		t.Fatal("docs page missing or loads something from the network")
	}
}

func TestOpenAPIListsEveryRouteWithItsScope(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	r := h.do("GET", "/api/openapi.json", "", nil)
	var spec struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &spec); err != nil || !strings.HasPrefix(spec.OpenAPI, "3.1") {
		t.Fatalf("openapi: %v %s", err, spec.OpenAPI)
	}
	want := map[string]string{
		"POST /api/v0.4/admin/api-keys":        "workspace.admin.api_key:manage",
		"GET /api/v0.4/admin/api-keys":         "workspace.admin.api_key:manage",
		"GET /api/v0.4/admin/api-keys/{id}":    "workspace.admin.api_key:manage",
		"DELETE /api/v0.4/admin/api-keys/{id}": "workspace.admin.api_key:manage",
		"GET /api/v0.4/me":                     "",
	}
	for route, scope := range want {
		method, path, _ := strings.Cut(route, " ")
		op, ok := spec.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s missing", route)
			continue
		}
		sec, _ := json.Marshal(op["security"])
		if scope != "" && !strings.Contains(string(sec), scope) {
			t.Errorf("%s security %s lacks %s", route, sec, scope)
		}
	}
}

func mustRequest(method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		panic(err)
	}
	return req
}
