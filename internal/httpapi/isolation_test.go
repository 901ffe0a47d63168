package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// TestEveryIDRouteIsIsolated walks every route of the router that takes an
// id and calls it with real ids of this organization, as a key of another
// organization and as a process key of another process: every answer must
// be 404. A new route with an unknown parameter fails the test until the
// test learns it, so no route can skip the check.
func TestEveryIDRouteIsIsolated(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	pdf := fixture(t, "invoice-a.pdf")
	pid := h.process("Invoices", workspace.ProcessTypeInvoices)
	otherPid := h.process("Other", workspace.ProcessTypeInvoices)
	col := h.upload(pid, h.admin, nil, nil, part{"file", "a.pdf", pdf}).json(t)
	cid := col["id"].(string)
	fid := col["files"].([]any)[0].(map[string]any)["id"].(string)
	pkey := h.mint(h.org.ID, pid, workspace.ScopeCollectionRead).ID

	other := workspace.Org{ID: workspace.NewID(), Name: "other", CreatedAt: time.Now()}
	if err := h.st.CreateOrg(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	strangers := map[string]string{
		"other organization":       h.mint(other.ID, "", workspace.AllScopes...).Full,
		"process key of elsewhere": h.mint(h.org.ID, otherPid, nonAdmin()...).Full,
	}
	ids := map[string]string{"pid": pid, "cid": cid, "fid": fid, "id": pkey, "did": workspace.NewID(), "eid": workspace.NewID()}

	walked := 0
	err := chi.Walk(h.srv.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.Contains(route, "{") || !strings.HasPrefix(route, "/api/v0.") {
			return nil // the schema documents under /api/schemas are public
		}
		path := route
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			name := path[i+1 : j]
			id, ok := ids[name]
			if !ok {
				t.Errorf("%s %s: the isolation test does not know the parameter {%s}", method, route, name)
				return nil
			}
			if name == "id" && strings.HasPrefix(route, "/api/v0.4/admin/") {
				id, _, _ = strings.Cut(h.admin, ":")
			}
			path = path[:i] + id + path[j+1:]
		}
		walked++
		for who, key := range strangers {
			if who == "process key of elsewhere" && strings.Contains(route, "/admin/") {
				continue // a process key cannot hold admin scopes: 403 by scope, tested elsewhere
			}
			var body any
			if method == "POST" || method == "PUT" || method == "PATCH" {
				body = map[string]any{}
			}
			r := h.do(method, path, key, body)
			if r.status != 404 {
				t.Errorf("%s %s as %s: %d, want 404 (%s)", method, route, who, r.status, r.body)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if walked < 30 {
		t.Fatalf("walked only %d id routes", walked)
	}
}

func nonAdmin() []workspace.Scope {
	var out []workspace.Scope
	for _, s := range workspace.AllScopes {
		if !s.Admin() {
			out = append(out, s)
		}
	}
	return out
}

// TestProcessKeys checks a process key sees its own process and nothing else.
func TestProcessKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		p1 := h.process("One", workspace.ProcessTypeInvoices)
		p2 := h.process("Two", workspace.ProcessTypeInvoices)
		r := h.do("POST", "/api/v0.4/processes/"+p2+"/api-keys", h.admin, map[string]any{"name": "p2", "scopes": []string{"workspace.collection:read", "workspace.process:read", "workspace.process.api_key:manage"}})
		if r.status != 201 || r.json(t)["processId"] != p2 {
			t.Fatalf("create process key: %d %s", r.status, r.body)
		}
		pk := r.json(t)["key"].(string)
		assertEnvelope(t, h.do("POST", "/api/v0.4/processes/"+p2+"/api-keys", h.admin, map[string]any{"name": "adm", "scopes": []string{"workspace.admin.user:read"}}), 400, "")
		list := h.do("GET", "/api/v0.3/processes", pk, nil).json(t)["processes"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["id"] != p2 {
			t.Fatalf("process key lists %v", list)
		}
		assertEnvelope(t, h.do("GET", "/api/v0.3/processes/"+p1, pk, nil), 404, "")
		if me := h.do("GET", "/api/v0.4/me", pk, nil).json(t); me["processId"] != p2 {
			t.Fatalf("me: %v", me)
		}
		keys := h.do("GET", "/api/v0.4/processes/"+p2+"/api-keys", pk, nil)
		if keys.status != 200 || len(keys.json(t)["apiKeys"].([]any)) != 1 {
			t.Fatalf("process keys: %d %s", keys.status, keys.body)
		}
		if n := len(h.do("GET", "/api/v0.4/admin/api-keys", h.admin, nil).json(t)["apiKeys"].([]any)); n != 1 {
			t.Fatalf("process keys listed among organization keys: %d", n)
		}
		id, _, _ := strings.Cut(pk, ":")
		if r := h.do("DELETE", "/api/v0.4/processes/"+p2+"/api-keys/"+id, h.admin, nil); r.status != 204 {
			t.Fatalf("delete process key: %d", r.status)
		}
		assertEnvelope(t, h.do("GET", "/api/v0.4/me", pk, nil), 401, "")
		// Deleting the process takes its keys with it.
		pk2 := h.mint(h.org.ID, p1, workspace.ScopeProcessRead).Full
		h.do("DELETE", "/api/v0.3/processes/"+p1, h.admin, nil)
		assertEnvelope(t, h.do("GET", "/api/v0.4/me", pk2, nil), 401, "")
	})
}
