package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
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
	s.router.Get("/api/docs", s.docs)

	// Identity and API keys.
	op(s, "GET", "v0.4", "/me", "getMe", 200, nil, s.getMe)
	op(s, "POST", "v0.4", "/admin/api-keys", "createApiKey", 201, scopes(ws.ScopeAdminAPIKeyManage), s.createAPIKey)
	op(s, "GET", "v0.4", "/admin/api-keys", "listApiKeys", 200, scopes(ws.ScopeAdminAPIKeyManage), s.listAPIKeys)
	op(s, "GET", "v0.4", "/admin/api-keys/{id}", "getApiKey", 200, scopes(ws.ScopeAdminAPIKeyManage), s.getAPIKey)
	op(s, "DELETE", "v0.4", "/admin/api-keys/{id}", "deleteApiKey", 204, scopes(ws.ScopeAdminAPIKeyManage), s.deleteAPIKey)
	op(s, "POST", "v0.4", "/processes/{pid}/api-keys", "createProcessApiKey", 201, scopes(ws.ScopeProcessAPIKeyManage), s.createProcessKey)
	op(s, "GET", "v0.4", "/processes/{pid}/api-keys", "listProcessApiKeys", 200, scopes(ws.ScopeProcessAPIKeyManage), s.listProcessKeys)
	op(s, "DELETE", "v0.4", "/processes/{pid}/api-keys/{id}", "deleteProcessApiKey", 204, scopes(ws.ScopeProcessAPIKeyManage), s.deleteProcessKey)

	// Process types and processes.
	op(s, "GET", "v0.3", "/process-types", "listProcessTypes", 200, scopes(ws.ScopeProcessRead), s.listProcessTypes)
	op(s, "GET", "v0.3", "/processes", "listProcesses", 200, scopes(ws.ScopeProcessRead), s.listProcesses)
	op(s, "POST", "v0.3", "/processes", "createProcess", 201, scopes(ws.ScopeProcessCreate), s.createProcess)
	op(s, "GET", "v0.3", "/processes/{pid}", "getProcess", 200, scopes(ws.ScopeProcessRead), s.getProcess)
	op(s, "PATCH", "v0.3", "/processes/{pid}", "renameProcess", 200, scopes(ws.ScopeProcessUpdate), s.renameProcess)
	op(s, "DELETE", "v0.3", "/processes/{pid}", "deleteProcess", 204, scopes(ws.ScopeProcessDelete), s.deleteProcess)
	op(s, "GET", "v0.3", "/processes/{pid}/config", "getProcessConfig", 200, scopes(ws.ScopeProcessRead), s.getProcessConfig)
	op(s, "PUT", "v0.3", "/processes/{pid}/config", "putProcessConfig", 200, scopes(ws.ScopeProcessUpdate), s.putProcessConfig)
	op(s, "POST", "v0.3", "/processes/{pid}/config/reset", "resetProcessConfig", 200, scopes(ws.ScopeProcessUpdate), s.resetProcessConfig)
	op(s, "POST", "v0.3", "/processes/{pid}/learning/reset", "resetLearning", 200, scopes(ws.ScopeProcessUpdate), s.resetLearning)

	// Collections: the queue.
	upload := scopes(ws.ScopeCollectionCreate, ws.ScopeFileUpload)
	op(s, "POST", "v0.3", "/processes/{pid}/collections", "uploadCollection", 201, upload, s.uploadMultipart, withBody(uploadFormSchema))
	op(s, "POST", "v0.3", "/processes/{pid}/collections/base64", "uploadCollectionBase64", 201, upload, s.uploadBase64, withBody(base64UploadSchema))
	op(s, "GET", "v0.3", "/processes/{pid}/collections", "listCollections", 200, scopes(ws.ScopeCollectionRead), s.listCollections)
	op(s, "GET", "v0.3", "/collections/{cid}", "getCollection", 200, scopes(ws.ScopeCollectionRead), s.getCollection)
	op(s, "PATCH", "v0.3", "/collections/{cid}", "updateCollection", 200, scopes(ws.ScopeCollectionUpdate), s.patchCollection)
	op(s, "DELETE", "v0.3", "/collections/{cid}", "deleteCollection", 204, scopes(ws.ScopeCollectionDelete), s.deleteCollection)
	op(s, "POST", "v0.3", "/collections/{cid}/stop", "stopCollection", 200, scopes(ws.ScopeCollectionUpdate), s.stopCollection)
	op(s, "POST", "v0.3", "/collections/{cid}/reprocess", "reprocessCollection", 200, scopes(ws.ScopeCollectionUpdate), s.reprocessCollection)
	op(s, "POST", "v0.3", "/collections/{cid}/accept", "acceptCollection", 200, scopes(ws.ScopeResultUpdate), s.acceptCollection)
	op(s, "GET", "v0.3", "/collections/{cid}/files/{fid}/download", "downloadFile", 200, scopes(ws.ScopeFileDownload), s.downloadFile)
	op(s, "GET", "v0.3", "/collections/{cid}/download", "downloadCollection", 200, scopes(ws.ScopeFileDownload), s.downloadCollection)

	// Results and review.
	op(s, "GET", "v0.3", "/results/{cid}", "getResults", 200, scopes(ws.ScopeResultRead), s.getResults)
	op(s, "GET", "v0.3", "/ocr/{cid}", "getOcrResults", 200, scopes(ws.ScopeResultRead), s.getOCR)
	op(s, "POST", "v0.3", "/results/{cid}/documents/{did}/extractions", "addExtraction", 201, scopes(ws.ScopeResultCreate), s.addExtraction)
	op(s, "PATCH", "v0.3", "/results/{cid}/documents/{did}/extractions/{eid}", "updateExtraction", 200, scopes(ws.ScopeResultUpdate), s.updateExtraction)
	op(s, "DELETE", "v0.3", "/results/{cid}/documents/{did}/extractions/{eid}", "deleteExtraction", 204, scopes(ws.ScopeResultDelete), s.deleteExtraction)

	// Exports and destinations.
	op(s, "POST", "v0.4", "/exports", "createExport", 202, scopes(ws.ScopeExportCreate), s.createExport)
	op(s, "GET", "v0.4", "/exports/{id}", "getExport", 200, scopes(ws.ScopeResultRead), s.getExport)
	op(s, "GET", "v0.4", "/exports/{id}/download", "downloadExport", 200, scopes(ws.ScopeResultRead), s.downloadExport)
	op(s, "DELETE", "v0.4", "/exports/{id}", "deleteExport", 204, scopes(ws.ScopeExportDelete), s.deleteExport)
	op(s, "POST", "v0.4", "/destinations", "createDestination", 201, scopes(ws.ScopeDestinationCreate), s.createDestination)
	op(s, "GET", "v0.4", "/destinations", "listDestinations", 200, scopes(ws.ScopeDestinationRead), s.listDestinations)
	op(s, "GET", "v0.4", "/destinations/{id}", "getDestination", 200, scopes(ws.ScopeDestinationRead), s.getDestination)
	op(s, "DELETE", "v0.4", "/destinations/{id}", "deleteDestination", 204, scopes(ws.ScopeDestinationDelete), s.deleteDestination)
	op(s, "GET", "v0.4", "/destinations/{id}/deliveries", "listDeliveries", 200, scopes(ws.ScopeDestinationRead), s.listDeliveries)
	op(s, "POST", "v0.4", "/destinations/{id}/test", "testDestination", 200, scopes(ws.ScopeDestinationCreate), s.testDestination)
}

// metaDocBody holds a request body to document but not have huma read.
const metaDocBody = "crescentDocBody"

// withBody documents a request body the handler streams itself. It is put
// into the OpenAPI document after registration: a body declared before
// would make the framework read (and buffer) it.
func withBody(b *huma.RequestBody) func(*huma.Operation) {
	return func(o *huma.Operation) { o.Metadata[metaDocBody] = b }
}

func scopes(s ...ws.Scope) []ws.Scope { return s }

// versions are the prefixes every operation is served under.
var versions = []string{"v0.3", "v0.4"}

// op registers one operation under both API prefixes. The path documented
// in the OpenAPI document is the one under doc (the prefix the original
// service documented it under); the other is an undocumented alias. needs
// nil means any valid key; every operation requires authentication.
func op[I, O any](s *Server, method, doc, path, id string, status int, needs []ws.Scope, h func(context.Context, *I) (*O, error), opts ...func(*huma.Operation)) {
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
			Errors:        []int{400, 401, 403, 404, 408, 409, 413, 415, 429},

			// No total read time: a large body may be slow; idleBodies
			// ends one that stops sending.
			BodyReadTimeout: -1,
		}
		for _, opt := range opts {
			opt(&o)
		}
		if v != doc {
			o.OperationID = id + "-" + strings.ReplaceAll(v, ".", "")
			o.Hidden = true
		}
		huma.Register(s.api, o, wrapped)
		if b, ok := o.Metadata[metaDocBody].(*huma.RequestBody); ok && !o.Hidden {
			if pi := s.api.OpenAPI().Paths[o.Path]; pi != nil && pi.Post != nil {
				pi.Post.RequestBody = b
			}
		}
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

// MetricsHandler serves GET /metrics (Prometheus text format) from reg and
// 404 for anything else. It belongs on its own listener (--metrics-addr),
// never on the public API one: the figures are operational, not for keys.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	r := chi.NewRouter()
	r.Use(withRequestID)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, newProblem(r.Context(), 404, []ProblemItem{{Location: "path: " + truncate(r.URL.Path, 200), Message: "no such route"}}))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		p := newProblem(r.Context(), 405, []ProblemItem{{Message: "only GET is allowed here"}})
		p.headers = http.Header{"Allow": {http.MethodGet}}
		writeProblem(w, p)
	})
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return r
}
