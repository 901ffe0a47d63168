package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

func TestAPIKeyLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		exp := time.Now().Add(30 * 24 * time.Hour).UTC()
		expText := exp.Format("2006-01-02T15:04:05") + ".104Z"
		r := h.do("POST", "/api/v0.4/admin/api-keys", h.admin, map[string]any{
			"name": "TEST API key", "exp": expText, "scopes": []string{"workspace.collection:create"}})
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		k := r.json(t)
		if k["status"] != "Active" || k["exp"] != exp.Format("2006-01-02T15:04:05Z") || k["orgId"] != h.org.ID {
			t.Fatalf("create response: %s", r.body)
		}
		full := k["key"].(string)
		if !strings.HasPrefix(full, k["id"].(string)+":cws_") {
			t.Fatalf("key %q", full)
		}

		list := h.do("GET", "/api/v0.4/admin/api-keys?offset=0&limit=100", h.admin, nil).json(t)
		keys := list["apiKeys"].([]any)
		if int(list["pagination"].(map[string]any)["total"].(float64)) != 2 || len(keys) != 2 {
			t.Fatalf("list: %v", list)
		}
		for _, x := range keys {
			if _, has := x.(map[string]any)["key"]; has {
				t.Fatal("a listed key carries its secret")
			}
		}
		if got := h.do("GET", "/api/v0.4/admin/api-keys/"+k["id"].(string), h.admin, nil).json(t); got["name"] != "TEST API key" {
			t.Fatalf("get: %v", got)
		}

		// The new key works, cannot list keys, and dies with its deletion.
		if r := h.do("GET", "/api/v0.4/me", full, nil); r.status != 200 {
			t.Fatalf("new key: %d", r.status)
		}
		assertEnvelope(t, h.do("GET", "/api/v0.4/admin/api-keys", full, nil), 403, "AuthorizationError")
		if r := h.do("DELETE", "/api/v0.4/admin/api-keys/"+k["id"].(string), h.admin, nil); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		assertEnvelope(t, h.do("GET", "/api/v0.4/me", full, nil), 401, "AuthenticationError")
		assertEnvelope(t, h.do("DELETE", "/api/v0.4/admin/api-keys/"+k["id"].(string), h.admin, nil), 404, "ResourceNotFoundError")
		assertEnvelope(t, h.do("GET", "/api/v0.4/admin/api-keys/not-an-id", h.admin, nil), 404, "ResourceNotFoundError")
	})
}

func TestAPIKeyCreateValidation(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	manager := h.mint(h.org.ID, "", workspace.ScopeAdminAPIKeyManage).Full
	soon := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	far := time.Now().Add(400 * 24 * time.Hour).UTC().Format(time.RFC3339)
	cases := []struct {
		name     string
		key      string
		body     any
		status   int
		location string
		message  string
	}{
		{"missing name", h.admin, map[string]any{"scopes": []string{"workspace.process:read"}}, 400, "body: name", "field required"},
		{"missing scopes", h.admin, map[string]any{"name": "x"}, 400, "body: scopes", "field required"},
		{"empty name", h.admin, map[string]any{"name": "  ", "scopes": []string{"workspace.process:read"}}, 400, "body: name", ""},
		{"unknown scope", h.admin, map[string]any{"name": "x", "scopes": []string{"workspace.nope:read"}}, 400, "body: scopes[0]", ""},
		{"repeated scope", h.admin, map[string]any{"name": "x", "scopes": []string{"workspace.process:read", "workspace.process:read"}}, 400, "body: scopes[1]", ""},
		{"no scopes", h.admin, map[string]any{"name": "x", "scopes": []string{}}, 400, "body: scopes", ""},
		{"unknown field", h.admin, map[string]any{"name": "x", "scopes": []string{"workspace.process:read"}, "bogus": 1}, 400, "body: bogus", ""},
		{"wrong type", h.admin, map[string]any{"name": 5, "scopes": []string{"workspace.process:read"}}, 400, "body: name", ""},
		{"exp in the past", h.admin, map[string]any{"name": "x", "exp": soon, "scopes": []string{"workspace.process:read"}}, 400, "body: exp", ""},
		{"exp too far", h.admin, map[string]any{"name": "x", "exp": far, "scopes": []string{"workspace.process:read"}}, 400, "body: exp", ""},
		{"exp not a time", h.admin, map[string]any{"name": "x", "exp": "tomorrow", "scopes": []string{"workspace.process:read"}}, 400, "body: exp", ""},
		{"malformed JSON", h.admin, "{not json", 400, "body", ""},
		{"escalation", manager, map[string]any{"name": "x", "scopes": []string{"workspace.collection:create"}}, 403, "", ""},
		{"body too large", h.admin, `{"name":"` + strings.Repeat("a", 2<<20) + `","scopes":[]}`, 413, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do("POST", "/api/v0.4/admin/api-keys", c.key, c.body)
			m := assertEnvelope(t, r, c.status, "")
			errs := m["errors"].([]any)
			if len(errs) == 0 {
				t.Fatal("no errors listed")
			}
			if c.location == "" {
				return
			}
			for _, e := range errs {
				e := e.(map[string]any)
				if e["location"] == c.location && (c.message == "" || e["message"] == c.message) {
					return
				}
			}
			t.Fatalf("no error at %q (%q): %s", c.location, c.message, r.body)
		})
	}
}

func TestMeShowsTheKey(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	m := h.do("GET", "/api/v0.4/me", h.admin, nil).json(t)
	id, _, _ := strings.Cut(h.admin, ":")
	if m["keyId"] != id || m["orgId"] != h.org.ID || len(m["scopes"].([]any)) != 28 || m["exp"] == "" {
		t.Fatalf("me: %v", m)
	}
	if _, has := m["processId"]; has {
		t.Fatal("an organization key shows a processId")
	}
}

// A key cannot outlive the key that creates it, nor delete a key holding a
// scope it lacks.
func TestAPIKeyCannotOutliveOrOutrankItsMaker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		// A manager whose own key expires in 10 days.
		exp := time.Now().Add(10 * 24 * time.Hour).UTC().Truncate(time.Second)
		r := h.do("POST", "/api/v0.4/admin/api-keys", h.admin, map[string]any{"name": "manager", "exp": exp.Format(time.RFC3339),
			"scopes": []string{"workspace.admin.api_key:manage", "workspace.process:read"}})
		if r.status != 201 {
			t.Fatalf("manager: %d %s", r.status, r.body)
		}
		manager := r.json(t)["key"].(string)

		later := exp.Add(24 * time.Hour).Format(time.RFC3339)
		r = h.do("POST", "/api/v0.4/admin/api-keys", manager, map[string]any{"name": "x", "exp": later, "scopes": []string{"workspace.process:read"}})
		m := assertEnvelope(t, r, 400, "RequestValidationError")
		if e := m["errors"].([]any)[0].(map[string]any); e["location"] != "body: exp" || !strings.Contains(e["message"].(string), "own") {
			t.Fatalf("exp past the maker's: %s", r.body)
		}
		// Without exp, the default (90 days) is cut to the maker's expiry.
		r = h.do("POST", "/api/v0.4/admin/api-keys", manager, map[string]any{"name": "x", "scopes": []string{"workspace.process:read"}})
		if r.status != 201 || r.json(t)["exp"] != exp.Format(time.RFC3339) {
			t.Fatalf("default exp: %d %s", r.status, r.body)
		}
		// Up to its own expiry is fine.
		if r := h.do("POST", "/api/v0.4/admin/api-keys", manager, map[string]any{"name": "x", "exp": exp.Format(time.RFC3339), "scopes": []string{"workspace.process:read"}}); r.status != 201 {
			t.Fatalf("exp at the maker's: %d %s", r.status, r.body)
		}

		// Deleting: a key holding a scope the manager lacks stays.
		adminID, _, _ := strings.Cut(h.admin, ":")
		strong := h.mint(h.org.ID, "", workspace.ScopeAdminAPIKeyManage, workspace.ScopeCollectionDelete)
		for _, id := range []string{adminID, strong.ID} {
			r := h.do("DELETE", "/api/v0.4/admin/api-keys/"+id, manager, nil)
			m := assertEnvelope(t, r, 403, "AuthorizationError")
			if !strings.Contains(m["errors"].([]any)[0].(map[string]any)["message"].(string), "workspace.") {
				t.Fatalf("403 names no scope: %s", r.body)
			}
		}
		if r := h.do("GET", "/api/v0.4/me", strong.Full, nil); r.status != 200 {
			t.Fatalf("the stronger key was deleted: %d", r.status)
		}
		weak := h.mint(h.org.ID, "", workspace.ScopeProcessRead)
		if r := h.do("DELETE", "/api/v0.4/admin/api-keys/"+weak.ID, manager, nil); r.status != 204 {
			t.Fatalf("delete a weaker key: %d %s", r.status, r.body)
		}

		// The same for process keys.
		pid := h.process("P", workspace.ProcessTypeInvoices)
		pm := h.mint(h.org.ID, pid, workspace.ScopeProcessAPIKeyManage, workspace.ScopeProcessRead).Full
		pk := h.mint(h.org.ID, pid, workspace.ScopeProcessAPIKeyManage, workspace.ScopeFileDownload)
		assertEnvelope(t, h.do("DELETE", "/api/v0.4/processes/"+pid+"/api-keys/"+pk.ID, pm, nil), 403, "AuthorizationError")
	})
}
