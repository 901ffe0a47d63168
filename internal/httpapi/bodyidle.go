package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// bodyProgressBytes is what a request body must bring, within the idle
// time spent waiting for it, to count as making progress: a trickle of a
// byte every few seconds is no progress.
const bodyProgressBytes = 1 << 10

// idleBodies ends request bodies that make no progress: a body must bring
// bodyProgressBytes (or its end) within BodyIdleTimeout of waiting for it.
// Before each read of the body the connection's read deadline is set to the
// waiting time left, and it is renewed whenever enough bytes arrived, so a
// large upload may take as long as it needs while it keeps sending, and time
// the handler spends between reads is not counted. A stalled body fails its
// read; whatever the handler then answers is replaced by the 408 envelope.
// The deadline is lifted once the body is read to its end, so that the
// server's own watch on the idle connection cannot cancel a handler still
// working.
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

// idleBody is a request body that must bring bodyProgressBytes within idle
// of waiting. Reads of one body are not concurrent.
type idleBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	idle     time.Duration
	waited   time.Duration // blocked in reads since the last progress
	received int           // bytes since the last progress
	stalled  atomic.Bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	start := time.Now()
	_ = b.rc.SetReadDeadline(start.Add(b.idle - b.waited))
	n, err := b.ReadCloser.Read(p)
	b.waited += time.Since(start)
	b.received += n
	if b.received >= bodyProgressBytes {
		b.waited, b.received = 0, 0
	}
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
