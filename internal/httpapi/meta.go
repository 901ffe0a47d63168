package httpapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// healthz says the process is alive; it touches nothing.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz runs every readiness probe with a short deadline. A failing
// required probe makes the answer 503 (in the error envelope, naming each
// failure); optional ones (OCR) are reported as "unavailable" only.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	var failed []ProblemItem
	for _, c := range s.deps.Checks {
		if err := c.Probe(ctx); err != nil {
			checks[c.Name] = "unavailable"
			if !c.Optional {
				s.log.WarnContext(ctx, "readiness probe failed", "check", c.Name, "err", err.Error())
				failed = append(failed, ProblemItem{Location: c.Name, Message: c.Name + " is unavailable"})
			}
			continue
		}
		checks[c.Name] = "ok"
	}
	if len(failed) > 0 {
		writeProblem(w, newProblem(r.Context(), http.StatusServiceUnavailable, failed))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "checks": checks})
}

//go:embed docs.html
var docsPage []byte

// docs serves a self-contained reference page that renders
// /api/openapi.json in the browser with no external script or font.
func (s *Server) docs(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	_, _ = w.Write(docsPage)
}
