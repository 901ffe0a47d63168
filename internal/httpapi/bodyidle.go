package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// idleBodies ends request bodies that make no progress. Before each read
// of the body the connection's read deadline is pushed BodyIdleTimeout
// ahead, so a large upload may take as long as it needs while it keeps
// sending, and one that stops sending fails its read after the idle time.
// Whatever the handler then answers is replaced by the 408 envelope. The
// deadline is lifted once the body is read to its end, so that the server's
// own watch on the idle connection cannot cancel a handler still working.
func (s *Server) idleBodies(next http.Handler) http.Handler {
	idle := s.cfg.BodyIdleTimeout
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if idle <= 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(idle)); err != nil {
			next.ServeHTTP(w, r) // not a real connection (a recorder)
			return
		}
		body := &idleBody{ReadCloser: r.Body, rc: rc, idle: idle}
		r.Body = body
		next.ServeHTTP(&stallWriter{ResponseWriter: w, r: r, body: body}, r)
	})
}

// idleBody is a request body whose every read must bring a byte within idle.
type idleBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	idle    time.Duration
	stalled atomic.Bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	_ = b.rc.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		_ = b.rc.SetReadDeadline(time.Time{})
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		b.stalled.Store(true)
	}
	return n, err
}

// stallWriter answers 408 in the envelope, in place of whatever the handler
// writes, once the request body has stalled.
type stallWriter struct {
	http.ResponseWriter
	r       *http.Request
	body    *idleBody
	wrote   bool
	swallow bool
}

func (s *stallWriter) WriteHeader(code int) {
	if s.wrote {
		return
	}
	if code >= 100 && code < 200 && !s.body.stalled.Load() {
		s.ResponseWriter.WriteHeader(code) // informational: the real status follows
		return
	}
	s.wrote = true
	if !s.body.stalled.Load() {
		s.ResponseWriter.WriteHeader(code)
		return
	}
	s.swallow = true
	h := s.Header()
	h.Del("Content-Length")
	h.Del("Content-Disposition")
	h.Set("Connection", "close")
	writeProblem(s.ResponseWriter, newProblem(s.r.Context(), http.StatusRequestTimeout, []ProblemItem{{
		Location: "body", Message: "the request body sent nothing for " + s.body.idle.String(),
	}}))
}

func (s *stallWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	if s.swallow {
		return len(b), nil
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *stallWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush forwards to the underlying writer when it can flush.
func (s *stallWriter) Flush() {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	if s.swallow {
		return
	}
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
