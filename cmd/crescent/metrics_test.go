package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetricsOnTheirOwnListener serves /metrics on --metrics-addr only:
// the API listener answers 404 for it.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	metrics := freeAddr(t)
	base := server(t, "--data-dir", t.TempDir(), "--metrics-addr", metrics)
	fetch := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, _ := fetch(base + "/metrics"); st != 404 {
		t.Fatalf("API listener answered /metrics with %d", st)
	}
	st, body := fetch("http://" + metrics + "/metrics")
	if st != 200 || !strings.Contains(body, `crescent_http_requests_total{method="GET",route="/healthz",status="200"}`) ||
		!strings.Contains(body, "process_resident_memory_bytes") {
		t.Fatalf("metrics listener: %d\n%s", st, body)
	}
}
