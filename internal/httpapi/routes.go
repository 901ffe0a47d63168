package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	ws "github.com/crescent-idp/crescent/internal/workspace"
)

// metaScopes is the operation metadata key holding the scopes it needs;
// an operation without it is public.
const metaScopes = "crescentScopes"

// routes is the route table: every route on one screen, with its scope.
func (s *Server) routes() {
	// Operations: no key.
	s.router.Get("/healthz", s.healthz)
	s.router.Get("/readyz", s.readyz)
	s.router.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{}))
	s.router.Get("/api/docs", s.docs)

	// Identity and API keys.
	op(s, "GET", "v0.4", "/me", "getMe", 200, nil, s.getMe)
	op(s, "POST", "v0.4", "/admin/api-keys", "createApiKey", 201, scopes(ws.ScopeAdminAPIKeyManage), s.createAPIKey)
	op(s, "GET", "v0.4", "/admin/api-keys", "listApiKeys", 200, scopes(ws.ScopeAdminAPIKeyManage), s.listAPIKeys)
	op(s, "GET", "v0.4", "/admin/api-keys/{id}", "getApiKey", 200, scopes(ws.ScopeAdminAPIKeyManage), s.getAPIKey)
	op(s, "DELETE", "v0.4", "/admin/api-keys/{id}", "deleteApiKey", 204, scopes(ws.ScopeAdminAPIKeyManage), s.deleteAPIKey)
}

func scopes(s ...ws.Scope) []ws.Scope { return s }

// versions are the prefixes every operation is served under.
var versions = []string{"v0.3", "v0.4"}

// op registers one operation under both API prefixes. The path documented
// in the OpenAPI document is the one under doc (the prefix the original
// service documented it under); the other is an undocumented alias. needs
// nil means any valid key; every operation requires authentication.
func op[I, O any](s *Server, method, doc, path, id string, status int, needs []ws.Scope, h func(context.Context, *I) (*O, error)) {
	if needs == nil {
		needs = []ws.Scope{}
	}
	security := []map[string][]string{}
	for _, scheme := range []string{"apiKey", "bearer"} {
		names := make([]string, len(needs))
		for i, n := range needs {
			names[i] = string(n)
		}
		security = append(security, map[string][]string{scheme: names})
	}
	desc := "Requires any valid API key."
	if len(needs) > 0 {
		parts := make([]string, len(needs))
		for i, n := range needs {
			parts[i] = "`" + string(n) + "`"
		}
		desc = "Requires the scope " + strings.Join(parts, " and ") + "."
	}
	wrapped := func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, problemFrom(ctx, s.log, err)
		}
		return out, nil
	}
	for _, v := range versions {
		o := huma.Operation{
			OperationID:   id,
			Method:        method,
			Path:          "/api/" + v + path,
			DefaultStatus: status,
			Description:   desc,
			Security:      security,
			MaxBodyBytes:  s.cfg.MaxBodyBytes,
			Metadata:      map[string]any{metaScopes: needs},
			Tags:          []string{tagOf(path)},
			Errors:        []int{400, 401, 403, 404, 429},
		}
		if v != doc {
			o.OperationID = id + "-" + strings.ReplaceAll(v, ".", "")
			o.Hidden = true
		}
		huma.Register(s.api, o, wrapped)
	}
}

// tagOf groups operations by the first segment of their path.
func tagOf(path string) string {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if seg[0] == "admin" && len(seg) > 1 {
		return seg[1]
	}
	return seg[0]
}

// hctxRequest exposes the underlying request of a huma context.
func hctxRequest(hctx huma.Context) (*http.Request, http.ResponseWriter) {
	return humachi.Unwrap(hctx)
}
