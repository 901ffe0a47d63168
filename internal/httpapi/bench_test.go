package httpapi

import (
	"net/http"
	"testing"

	"github.com/crescent-idp/crescent/internal/store/storetest"
)

// BenchmarkAuthenticatedGet measures one authenticated GET /me through the
// whole handler (key check against SQLite, scope, encoding).
func BenchmarkAuthenticatedGet(b *testing.B) {
	cfg := DefaultConfig
	cfg.KeyRate = 0 // measure the handler, not the limiter
	h := newHarness(b, storetest.SQLiteURL(b), cfg)
	req, _ := http.NewRequest("GET", h.url+"/api/v0.4/me", nil)
	req.Header.Set("Authorization", "Basic "+basic(h.admin))
	c := &http.Client{}
	for b.Loop() {
		resp, err := c.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp.StatusCode)
		}
		resp.Body.Close()
	}
}
