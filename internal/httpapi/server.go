// Package httpapi is Crescent's HTTP adapter: the route table, thin
// handlers that decode, call one use case and encode, the error envelope,
// authentication and rate limits, OpenAPI and the operational endpoints.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crescent-idp/crescent/internal/auth"
	"github.com/crescent-idp/crescent/internal/outbound"
	"github.com/crescent-idp/crescent/internal/service"
)

// Config holds the HTTP layer's limits.
type Config struct {
	Version string
	// KeyRate and KeyBurst limit requests per API key (tokens per second
	// and bucket size); KeyRate 0 disables the limit.
	KeyRate  float64
	KeyBurst int
	// AuthFailRate and AuthFailBurst throttle failed authentication per
	// client address: past the burst, further failures get 429 (valid keys
	// are not affected).
	AuthFailRate  float64
	AuthFailBurst int
	// MaxBodyBytes caps JSON request bodies.
	MaxBodyBytes int64
	// BodyIdleTimeout closes, answering 408, a request body that brings
	// less than 1 KiB in this much waiting for it; 0 disables it.
	BodyIdleTimeout time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For and Forwarded
	// headers name the client; empty trusts no one.
	TrustedProxies []netip.Prefix
}

// DefaultConfig is generous enough for any single client of a
// self-hosted server while still stopping runaway loops.
var DefaultConfig = Config{
	KeyRate: 1000, KeyBurst: 2000,
	AuthFailRate: 1, AuthFailBurst: 30,
	MaxBodyBytes:    1 << 20,
	BodyIdleTimeout: 30 * time.Second,
}

// Check is one readiness probe; Optional ones are reported but do not make
// the server unready.
type Check struct {
	Name     string
	Optional bool
	Probe    func(context.Context) error
}

// Deps are the use cases and probes the HTTP layer calls.
type Deps struct {
	Auth         *auth.Authenticator
	Keys         *service.Keys
	Processes    *service.Processes
	Collections  *service.Collections
	Results      *service.Results
	Learning     *service.Learning
	Exports      *service.Exports
	Destinations *service.Destinations
	Sender       *outbound.Sender
	Checks       []Check
	Log          *slog.Logger
	Registry     *prometheus.Registry
}

// Server is the HTTP handler of the whole API.
type Server struct {
	cfg          Config
	deps         Deps
	log          *slog.Logger
	metrics      *metrics
	router       chi.Router
	api          huma.API
	keyLimits    *limiters
	authFailures *limiters
	// patterns is every registered route pattern: the closed set of the
	// metrics' route label.
	patterns map[string]bool
}

// New builds the handler. It registers its metrics on d.Registry.
func New(cfg Config, d Deps) *Server {
	hookHumaErrors()
	s := &Server{
		cfg: cfg, deps: d, log: d.Log,
		metrics:      newMetrics(d.Registry),
		keyLimits:    newLimiters(cfg.KeyRate, cfg.KeyBurst),
		authFailures: newLimiters(cfg.AuthFailRate, cfg.AuthFailBurst),
	}
	r := chi.NewRouter()
	r.Use(withRequestID, s.observe, s.idleBodies, jsonByDefault)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)
	s.router = r

	hc := huma.DefaultConfig("Crescent API", cfg.Version)
	hc.OpenAPIPath = "/api/openapi"
	hc.DocsPath = ""
	hc.SchemasPath = "/api/schemas"
	hc.CreateHooks = nil
	hc.Formats = jsonFormats
	hc.Info.Description = "Crescent: a self-hosted document processing workspace, compatible with the Alphamoon Workspace API v0.3 and v0.4. " +
		"Every path is served under both /api/v0.3 and /api/v0.4. Each operation names the one scope it needs under security."
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"apiKey": {Type: "http", Scheme: "basic", Description: "The API key ID:SECRET as Basic credentials (curl -u \"$KEY\")."},
		"bearer": {Type: "http", Scheme: "bearer", Description: "The API key ID:SECRET as a Bearer token."},
	}
	s.api = humachi.New(r, hc)
	s.api.UseMiddleware(s.authenticate)
	s.routes()
	s.patterns = map[string]bool{}
	_ = chi.Walk(r, func(_, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		s.patterns[route] = true
		return nil
	})
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// notFound answers unknown routes with the 404 envelope.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, newProblem(r.Context(), 404, []ProblemItem{{Location: "path: " + truncate(r.URL.Path, 200), Message: "no such route"}}))
}

var allMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// methodNotAllowed answers with the 405 envelope and an Allow header listing
// the methods the path does serve.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range allMethods {
		if s.router.Match(chi.NewRouteContext(), m, r.URL.Path) {
			allowed = append(allowed, m)
		}
	}
	p := newProblem(r.Context(), 405, []ProblemItem{{Message: "method " + r.Method + " is not allowed here"}})
	p.headers = http.Header{"Allow": allowed}
	writeProblem(w, p)
}

// jsonByDefault reads a body sent without a content type, or with curl's
// default form type, as JSON: every API body that is not an upload is JSON,
// and "curl -d '{…}'" should just work.
func jsonByDefault(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct == "" || ct == "application/x-www-form-urlencoded" {
			if r.ContentLength != 0 {
				r.Header.Set("Content-Type", "application/json")
			}
		}
		next.ServeHTTP(w, r)
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
