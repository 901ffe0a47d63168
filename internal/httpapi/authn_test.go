package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/auth"
	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// TestAuthScenarios is the authentication matrix, on both databases.
func TestAuthScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		ctx := context.Background()

		readOnly := h.mint(h.org.ID, "", workspace.ScopeProcessRead).Full
		deleted := h.mint(h.org.ID, "", workspace.ScopeAdminAPIKeyManage)
		if err := h.st.DeleteKey(ctx, workspace.KeyFilter{OrgID: h.org.ID}, deleted.ID); err != nil {
			t.Fatal(err)
		}
		expired := auth.Generate()
		past := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
		if err := h.st.CreateKey(ctx, workspace.APIKey{ID: expired.ID, Name: "old", OrgID: h.org.ID,
			Scopes: workspace.AllScopes, SecretHash: expired.Hash, CreatedAt: past.Add(-time.Hour), ExpiresAt: past}); err != nil {
			t.Fatal(err)
		}
		other := workspace.Org{ID: workspace.NewID(), Name: "other", CreatedAt: time.Now()}
		if err := h.st.CreateOrg(ctx, other); err != nil {
			t.Fatal(err)
		}
		otherKey := h.mint(other.ID, "", workspace.AllScopes...)
		unknown := auth.Generate().Full // well-formed, never stored
		badSum := h.admin[:len(h.admin)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(h.admin, "A")]
		adminID, _, _ := strings.Cut(h.admin, ":")

		cases := []struct {
			name       string
			path       string
			header     string
			status     int
			typ        string
			dbLookups  int64
			wantInBody string
		}{
			{"missing key", "/api/v0.4/me", "", 401, "AuthenticationError", 0, ""},
			{"malformed basic", "/api/v0.4/me", "Basic %%%", 401, "AuthenticationError", 0, ""},
			{"unknown scheme", "/api/v0.4/me", "Digest " + h.admin, 401, "AuthenticationError", 0, ""},
			{"bad checksum", "/api/v0.4/me", "Bearer " + badSum, 401, "AuthenticationError", 0, ""},
			{"unknown key", "/api/v0.4/me", "Bearer " + unknown, 401, "AuthenticationError", 1, ""},
			{"expired", "/api/v0.4/me", "Bearer " + expired.Full, 401, "AuthenticationError", 1, ""},
			{"deleted", "/api/v0.4/me", "Bearer " + deleted.Full, 401, "AuthenticationError", 1, ""},
			{"lacking scope", "/api/v0.4/admin/api-keys", "Bearer " + readOnly, 403, "AuthorizationError", 1, "workspace.admin.api_key:manage"},
			{"other organization's key id", "/api/v0.4/admin/api-keys/" + adminID, "Bearer " + otherKey.Full, 404, "ResourceNotFoundError", 1, ""},
			{"valid bearer", "/api/v0.4/me", "Bearer " + h.admin, 200, "", 1, adminID},
			{"valid basic on v0.3", "/api/v0.3/me", "Basic " + b64(h.admin), 200, "", 1, adminID},
			{"own key by id", "/api/v0.4/admin/api-keys/" + adminID, "Bearer " + h.admin, 200, "", 1, adminID},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				req, _ := http.NewRequest("GET", h.url+c.path, nil)
				if c.header != "" {
					req.Header.Set("Authorization", c.header)
				}
				before := h.keys.lookups.Load()
				r := h.send(req)
				if c.status >= 400 {
					assertEnvelope(t, r, c.status, c.typ)
				} else if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				if got := h.keys.lookups.Load() - before; got != c.dbLookups {
					t.Errorf("database look-ups %d, want %d", got, c.dbLookups)
				}
				if c.wantInBody != "" && !strings.Contains(string(r.body), c.wantInBody) {
					t.Errorf("body lacks %q: %s", c.wantInBody, r.body)
				}
			})
		}

		t.Run("key in query string is ignored", func(t *testing.T) {
			assertEnvelope(t, h.do("GET", "/api/v0.4/me?api_key="+h.admin, "", nil), 401, "AuthenticationError")
		})
		t.Run("no secret in logs", func(t *testing.T) {
			_, secret, _ := strings.Cut(h.admin, ":")
			created := h.do("POST", "/api/v0.4/admin/api-keys", h.admin, map[string]any{"name": "x", "scopes": []string{"workspace.process:read"}})
			_, newSecret, _ := strings.Cut(created.json(t)["key"].(string), ":")
			logs := h.logs.String()
			if !strings.Contains(logs, `"msg":"request"`) {
				t.Fatal("no request was logged")
			}
			for _, s := range []string{secret, newSecret, b64(h.admin)} {
				if strings.Contains(logs, s) {
					t.Fatal("a key secret appears in the logs")
				}
			}
		})
	})
}

// TestLastUsedAt checks that use is recorded, and not on every request.
func TestLastUsedAt(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	id, _, _ := strings.Cut(h.admin, ":")
	for range 3 {
		if r := h.do("GET", "/api/v0.4/me", h.admin, nil); r.status != 200 {
			t.Fatal(r.status)
		}
	}
	k, err := h.st.KeyByID(context.Background(), id)
	if err != nil || time.Since(k.LastUsedAt) > time.Minute {
		t.Fatalf("lastUsedAt %v, %v", k.LastUsedAt, err)
	}
	wrote, _ := h.st.TouchKey(context.Background(), id, time.Now(), time.Minute)
	if wrote {
		t.Fatal("a second write within the minute was possible")
	}
}

func TestRateLimitPerKey(t *testing.T) {
	cfg := DefaultConfig
	cfg.KeyRate, cfg.KeyBurst = 0.5, 3
	h := newHarness(t, storetest.SQLiteURL(t), cfg)
	other := h.mint(h.org.ID, "", workspace.ScopeProcessRead).Full
	for i := range 3 {
		if r := h.do("GET", "/api/v0.4/me", h.admin, nil); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := h.do("GET", "/api/v0.4/me", h.admin, nil)
	assertEnvelope(t, r, 429, "RateLimitError")
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After %q", ra)
	}
	if r := h.do("GET", "/api/v0.4/me", other, nil); r.status != 200 {
		t.Fatalf("another key was limited too: %d", r.status)
	}
}

func TestFailedAuthThrottledPerAddress(t *testing.T) {
	cfg := DefaultConfig
	cfg.AuthFailRate, cfg.AuthFailBurst = 0.1, 3
	h := newHarness(t, storetest.SQLiteURL(t), cfg)
	bad := auth.Generate().Full
	for i := range 3 {
		assertEnvelope(t, h.do("GET", "/api/v0.4/me", bad, nil), 401, "AuthenticationError")
		_ = i
	}
	before := h.keys.lookups.Load()
	r := h.do("GET", "/api/v0.4/me", h.admin[:len(h.admin)-1], nil) // bad checksum
	assertEnvelope(t, r, 429, "RateLimitError")
	if r.header.Get("Retry-After") == "" || h.keys.lookups.Load() != before {
		t.Fatal("throttled request lacked Retry-After or reached the database")
	}
}

func b64(s string) string { return basic(s) }
