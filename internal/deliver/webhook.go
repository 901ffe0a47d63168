package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Defaults of Webhook.
const (
	DefaultTimeout          = 15 * time.Second
	DefaultConnectTimeout   = 5 * time.Second
	DefaultMaxResponseBytes = 4 << 10
)

// UserAgent is the User-Agent of every webhook request.
const UserAgent = "Crescent-Webhooks/1"

// maxRetryAfter bounds Attempt.RetryAfter.
const maxRetryAfter = 24 * time.Hour

// Attempt is the outcome of one webhook request, for the delivery log.
type Attempt struct {
	// StatusCode is the receiver's HTTP status, 0 if none was received.
	StatusCode int
	// Latency runs from the start of the attempt until the response body
	// was read or the attempt failed.
	Latency time.Duration
	// Err says why the attempt failed; "" when it succeeded.
	Err string
	// ResponseSnippet is the start of the response body, at most
	// MaxResponseBytes, as valid UTF-8 with control characters other than
	// newline and tab replaced by spaces. It is the receiver's text: show
	// it to the destination's owner only.
	ResponseSnippet string
	// Refused reports that no request was made, or the connection was
	// refused by the Guard, because the URL or the secret is invalid or
	// the host resolves to an address that is not allowed. Retrying does
	// not help until the destination or its DNS changes.
	Refused bool
	// RetryAfter is the receiver's Retry-After header (seconds or a date),
	// capped at 24 hours; 0 if absent or invalid.
	RetryAfter time.Duration
}

// OK reports whether the receiver accepted the event with a 2xx status.
func (a Attempt) OK() bool { return a.Err == "" && a.StatusCode >= 200 && a.StatusCode <= 299 }

// Webhook sends events to webhook receivers. The zero value uses the
// defaults and refuses private addresses.
type Webhook struct {
	// Guard decides which addresses may be reached.
	Guard Guard
	// Timeout bounds the whole request: DNS, connection, TLS, sending and
	// reading the response. 0 means DefaultTimeout.
	Timeout time.Duration
	// ConnectTimeout bounds each TCP connection and the TLS handshake. 0
	// means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// MaxResponseBytes bounds how much of the response body is read. 0 or
	// less means DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// Send POSTs body to rawURL as one Standard Webhooks message: with
// Content-Type application/json, the headers webhook-id (msgID, the same
// on every attempt of one event), webhook-timestamp (this attempt's time
// in Unix seconds) and webhook-signature (see Sign), and User-Agent
// Crescent-Webhooks/1.
//
// Every address the host resolves to is checked against w.Guard, and the
// dialer checks the address again just before connecting, so a name that
// rebinds to a refused address after CheckURL cannot be reached. No proxy
// is used, redirects are not followed (a 3xx is a failed attempt), and at
// most MaxResponseBytes of the response body are read.
//
// Send never returns an error: the Attempt says what happened, and
// Attempt.OK reports success, which is any 2xx status.
func (w Webhook) Send(ctx context.Context, rawURL, secret, msgID string, body []byte) Attempt {
	start := time.Now()
	u, err := parseURL(rawURL)
	if err != nil {
		return Attempt{Err: "refused: " + err.Error(), Refused: true}
	}
	sig, err := Sign(secret, msgID, start, body)
	if err != nil {
		return Attempt{Err: err.Error(), Refused: true}
	}
	timeout := orDefault(w.Timeout, DefaultTimeout)
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Attempt{Err: "refused: " + err.Error(), Refused: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(start.Unix(), 10))
	req.Header.Set("webhook-signature", sig)

	client, transport := w.client()
	defer transport.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return Attempt{
			Latency: time.Since(start),
			Err:     describe(ctx, err, timeout),
			Refused: errors.Is(err, ErrBlocked),
		}
	}
	defer resp.Body.Close()
	limit := w.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	// A failed or slow body read does not change the outcome: the
	// receiver has answered.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, limit))
	a := Attempt{
		StatusCode:      resp.StatusCode,
		Latency:         time.Since(start),
		ResponseSnippet: sanitize(snippet),
		RetryAfter:      retryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	status := strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		a.Err = "receiver answered " + status + "; redirects are not followed"
	default:
		a.Err = "receiver answered " + status
	}
	return a
}

// client returns a one-request HTTP client that dials through w.Guard.
func (w Webhook) client() (*http.Client, *http.Transport) {
	t := w.Guard.transport(orDefault(w.ConnectTimeout, DefaultConnectTimeout))
	t.DisableKeepAlives = true
	c := &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return c, t
}

// describe turns a failed request into a sentence for the delivery log,
// without the URL, which may hold a token.
func describe(parent context.Context, err error, timeout time.Duration) string {
	var blocked *blockedError
	var resolve *resolveError
	switch {
	case errors.As(err, &blocked):
		return "refused: " + blocked.Error()
	case parent.Err() != nil:
		return "canceled: " + parent.Err().Error()
	case errors.As(err, &resolve):
		return resolve.Error()
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return fmt.Sprintf("timed out after %s", timeout)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// sanitize returns b as valid UTF-8 with control characters other than
// newline and tab replaced by spaces.
func sanitize(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(b), "\uFFFD"))
}

// retryAfter parses a Retry-After value, delay-seconds or an HTTP date,
// into a duration from now in [0, 24h]; invalid values give 0.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
