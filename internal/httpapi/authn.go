package httpapi

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// principal returns the authenticated caller stored by authenticate.
func principal(ctx context.Context) workspace.Principal {
	p, _ := ctx.Value(principalKey).(workspace.Principal)
	return p
}

// scopesOf reads the scopes an operation requires from its metadata.
func scopesOf(op *huma.Operation) ([]workspace.Scope, bool) {
	v, ok := op.Metadata[metaScopes]
	if !ok {
		return nil, false
	}
	s, _ := v.([]workspace.Scope)
	return s, true
}

// authenticate is the huma middleware in front of every API operation:
// key authentication, the per-key rate limit, then the operation's scopes.
// The body is not read before all of them pass. Failures are throttled per
// client address (see clientAddr): past the budget they get 429 instead of
// 401. Only failures are: a valid key is always authenticated (malformed
// keys and bad checksums are refused without a database look-up anyway)
// and is limited by its own per-key budget alone, so that someone guessing
// from a shared address (a NAT, an office) cannot lock out its users.
func (s *Server) authenticate(hctx huma.Context, next func(huma.Context)) {
	needs, ok := scopesOf(hctx.Operation())
	if !ok { // public operation
		next(hctx)
		return
	}
	ctx := hctx.Context()
	r, _ := hctxRequest(hctx)
	p, err := s.deps.Auth.Authenticate(ctx, hctx.Header("Authorization"))
	if err != nil {
		if workspace.ErrorCode(err) == workspace.CodeUnauthenticated {
			addr := failureKey(s.clientAddr(r))
			if blocked, wait := s.authFailures.exhausted(addr); blocked {
				s.writeHuma(hctx, tooMany(ctx, wait, "too many failed authentication attempts from this address"))
				return
			}
			s.authFailures.take(addr)
		}
		s.writeHuma(hctx, problemFrom(ctx, s.log, err))
		return
	}
	// Whatever an authenticated request gets back is for that key only:
	// no shared or browser cache may keep it (key secrets, documents).
	hctx.SetHeader("Cache-Control", "no-store")
	if ok, wait := s.keyLimits.take(p.KeyID); !ok {
		s.writeHuma(hctx, tooMany(ctx, wait, "rate limit of this API key exceeded"))
		return
	}
	if missing, ok := workspace.PermitsAll(p.Scopes, needs); !ok {
		s.writeHuma(hctx, newProblem(ctx, 403, []ProblemItem{{Message: "this API key lacks the scope " + string(missing)}}))
		return
	}
	if err := s.checkPathResources(hctx, p); err != nil {
		s.writeHuma(hctx, problemFrom(ctx, s.log, err))
		return
	}
	next(huma.WithValue(huma.WithValue(hctx, principalKey, p), requestKey, r))
}

// checkPathResources answers 404 before anything else (the body is not yet
// read) when a process or collection named in the path is not visible to
// the key: of another organization, or outside a process key's process.
// Doing it here, for every operation, means no route can forget it.
func (s *Server) checkPathResources(hctx huma.Context, p workspace.Principal) error {
	ctx := hctx.Context()
	if pid := hctx.Param("pid"); pid != "" && s.deps.Processes != nil {
		if err := s.deps.Processes.Visible(ctx, p, pid); err != nil {
			return err
		}
	}
	if cid := hctx.Param("cid"); cid != "" && s.deps.Collections != nil {
		if err := s.deps.Collections.Visible(ctx, p, cid); err != nil {
			return err
		}
	}
	return nil
}

// tooMany is the 429 envelope with Retry-After in whole seconds.
func tooMany(ctx context.Context, wait time.Duration, msg string) *Problem {
	p := newProblem(ctx, 429, []ProblemItem{{Message: msg}})
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	p.headers = map[string][]string{"Retry-After": {strconv.Itoa(secs)}}
	return p
}

// writeHuma writes p through a huma context.
func (s *Server) writeHuma(hctx huma.Context, p *Problem) {
	for k, v := range p.headers {
		for _, x := range v {
			hctx.AppendHeader(k, x)
		}
	}
	hctx.SetHeader("Content-Type", "application/json")
	hctx.SetHeader("Cache-Control", "no-store")
	hctx.SetStatus(p.Status)
	_ = json.NewEncoder(hctx.BodyWriter()).Encode(p)
}
