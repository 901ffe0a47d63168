package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// ProblemItem is one entry of the envelope's errors list.
type ProblemItem struct {
	Location string `json:"location,omitempty"`
	Message  string `json:"message"`
	Type     string `json:"type"`
}

// Problem is the one error envelope of every non-2xx response.
type Problem struct {
	Action    string        `json:"action"`
	Detail    string        `json:"detail"`
	Errors    []ProblemItem `json:"errors"`
	Instance  string        `json:"instance"`
	Status    int           `json:"status"`
	Timestamp string        `json:"timestamp"`
	Title     string        `json:"title"`
	Type      string        `json:"type"`

	headers http.Header
}

// Error implements error.
func (p *Problem) Error() string {
	if len(p.Errors) > 0 {
		return p.Type + ": " + p.Errors[0].Message
	}
	return p.Type
}

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// GetHeaders implements huma.HeadersError (Retry-After, Allow).
func (p *Problem) GetHeaders() http.Header { return p.headers }

// family is the fixed wording of one error type.
type family struct {
	typ, title, action, detail string
}

const (
	actionFix   = "The client should not repeat this request without modification."
	actionRetry = "The client may repeat this request later."
	seeErrors   = "Please see the 'errors' field for details."
)

// families is the one table from status to envelope wording.
var families = map[int]family{
	400: {"RequestValidationError", "The server cannot process the request due to a client error.", actionFix, seeErrors},
	401: {"AuthenticationError", "The request lacks valid authentication credentials.", "The client should supply a valid API key.", seeErrors},
	402: {"QuotaExceededError", "The organization's subscription quota would be exceeded.", "The client should not repeat this request until the quota allows it.", seeErrors},
	403: {"AuthorizationError", "The client is not allowed to perform this action.", "The client should use a key holding the required scope.", seeErrors},
	404: {"ResourceNotFoundError", "The requested resource was not found.", actionFix, seeErrors},
	405: {"MethodNotAllowedError", "The method is not allowed for the requested resource.", "The client should use one of the methods in the Allow header.", seeErrors},
	408: {"RequestTimeoutError", "The server timed out waiting for the request.", actionRetry, seeErrors},
	409: {"ConflictError", "The request conflicts with the current state of the resource.", actionFix, seeErrors},
	413: {"PayloadTooLargeError", "The request payload is too large.", actionFix, seeErrors},
	415: {"UnsupportedMediaTypeError", "The request content is of an unsupported type.", actionFix, seeErrors},
	429: {"RateLimitError", "Too many requests.", "The client may repeat this request after the time in the Retry-After header.", seeErrors},
	500: {"InternalServerError", "The server encountered an unexpected condition.", actionRetry, "The error was logged with the request id in 'instance'."},
	503: {"ServiceUnavailableError", "The server is temporarily unable to handle the request.", actionRetry, seeErrors},
}

// statusOf maps each workspace error code to its HTTP status.
var statusOf = map[workspace.Code]int{
	workspace.CodeInvalid:         400,
	workspace.CodeUnauthenticated: 401,
	workspace.CodeQuota:           402,
	workspace.CodeForbidden:       403,
	workspace.CodeNotFound:        404,
	workspace.CodeConflict:        409,
	workspace.CodeTooLarge:        413,
	workspace.CodeUnsupported:     415,
	workspace.CodeRateLimited:     429,
	workspace.CodeInternal:        500,
	workspace.CodeUnavailable:     503,
}

// newProblem builds the envelope for status with the given items.
func newProblem(ctx context.Context, status int, items []ProblemItem) *Problem {
	f, ok := families[status]
	if !ok {
		if status >= 500 {
			status, f = 500, families[500]
		} else {
			status, f = 400, families[400]
		}
	}
	typ := snake(f.typ)
	for i := range items {
		if items[i].Type == "" {
			items[i].Type = typ
		}
	}
	if items == nil {
		items = []ProblemItem{}
	}
	p := &Problem{
		Action: f.action, Detail: f.detail, Errors: items, Instance: requestID(ctx),
		Status: status, Timestamp: time.Now().UTC().Format(time.RFC3339), Title: f.title, Type: f.typ,
	}
	if status == http.StatusUnauthorized {
		p.headers = http.Header{"Www-Authenticate": authChallenges}
	}
	return p
}

// authChallenges are the WWW-Authenticate challenges of every 401: the
// schemes an API key is accepted under.
var authChallenges = []string{`Basic realm="crescent", charset="UTF-8"`, `Bearer realm="crescent"`}

// problemFrom turns a use-case error into the envelope; unknown errors
// become a 500 whose cause goes to the log with the request id, never to
// the client.
func problemFrom(ctx context.Context, log *slog.Logger, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	code := workspace.ErrorCode(err)
	status := statusOf[code]
	if status == 0 || status >= 500 {
		if status == 0 {
			status = 500
		}
		log.ErrorContext(ctx, "request failed", "request_id", requestID(ctx), "err", err.Error())
		return newProblem(ctx, status, []ProblemItem{{Message: families[status].title}})
	}
	var we *workspace.Error
	errors.As(err, &we)
	var items []ProblemItem
	for _, f := range we.Fields {
		items = append(items, ProblemItem{Location: f.Location, Message: f.Message})
	}
	if len(items) == 0 {
		items = []ProblemItem{{Message: we.Message}}
	}
	return newProblem(ctx, status, items)
}

var requiredRe = regexp.MustCompile(`^expected required property (.+) to be present$`)

// hookHumaErrors makes huma's own errors (validation, bad JSON, body too
// large) our envelope: locations read "body: name", missing fields
// "field required", and 422 becomes 400.
func hookHumaErrors() {
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		var ctx context.Context = context.Background()
		if hctx != nil {
			ctx = hctx.Context()
		}
		if status == http.StatusUnprocessableEntity {
			status = http.StatusBadRequest
		}
		var items []ProblemItem
		for _, err := range errs {
			if err == nil {
				continue
			}
			var d huma.ErrorDetailer
			if errors.As(err, &d) {
				det := d.ErrorDetail()
				loc, m := det.Location, det.Message
				if sub := requiredRe.FindStringSubmatch(m); sub != nil {
					loc, m = loc+"."+sub[1], "field required"
				}
				if m == "unexpected property" {
					m = "extra fields not permitted"
				}
				items = append(items, ProblemItem{Location: humanLocation(loc), Message: m})
				continue
			}
			items = append(items, ProblemItem{Message: err.Error()})
		}
		if len(items) == 0 && msg != "" {
			items = []ProblemItem{{Message: msg}}
		}
		return newProblem(ctx, status, items)
	}
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return huma.NewErrorWithContext(nil, status, msg, errs...)
	}
}

// humanLocation turns huma's "body.items[0].name" into "body: items[0].name".
func humanLocation(loc string) string {
	if loc == "" {
		return ""
	}
	src, rest, ok := strings.Cut(loc, ".")
	if !ok {
		return loc
	}
	return src + ": " + rest
}

// snake turns "RequestValidationError" into "request_validation_error".
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeProblem writes p as the response, for code outside huma's handlers
// (unknown routes, wrong methods, panics, middleware refusals).
func writeProblem(w http.ResponseWriter, p *Problem) {
	for k, v := range p.headers {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
