package deliver

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// receiver is an httptest server on 127.0.0.1 that counts the connections
// it accepts and records the requests it receives.
type receiver struct {
	*httptest.Server
	accepts atomic.Int64
	mu      sync.Mutex
	reqs    []recorded
}

type recorded struct {
	header http.Header
	body   []byte
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func newReceiver(t *testing.T, h http.HandlerFunc) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{req.Header.Clone(), body})
		r.mu.Unlock()
		h(w, req)
	}))
	r.Listener = countingListener{r.Listener, &r.accepts}
	r.Start()
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

var private = Webhook{Guard: Guard{AllowPrivate: true}}

func TestSendSigned(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "accepted")
	})
	secret := NewSecret()
	body := []byte(`{"type":"collection.processed","timestamp":"2026-01-02T03:04:05Z","data":{"id":"c1"}}`)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // two attempts of one event: same id, own timestamps
		before := time.Now().Unix()
		a := private.Send(context.Background(), rcv.URL+"/hook?token=abc", secret, "msg_42", body)
		after := time.Now().Unix()
		if !a.OK() || a.StatusCode != http.StatusAccepted || a.Err != "" || a.Refused {
			t.Fatalf("attempt %d: %+v", i, a)
		}
		if a.ResponseSnippet != "accepted" || a.Latency <= 0 {
			t.Errorf("attempt %d: snippet %q, latency %v", i, a.ResponseSnippet, a.Latency)
		}
		reqs := rcv.requests()
		if len(reqs) != i+1 {
			t.Fatalf("receiver got %d requests, want %d", len(reqs), i+1)
		}
		got := reqs[i]
		if err := wh.Verify(got.body, got.header); err != nil {
			t.Fatalf("library does not verify the delivery: %v", err)
		}
		if string(got.body) != string(body) {
			t.Errorf("body = %s", got.body)
		}
		for k, want := range map[string]string{
			"Content-Type": "application/json",
			"User-Agent":   "Crescent-Webhooks/1",
			"webhook-id":   "msg_42",
		} {
			if v := got.header.Get(k); v != want {
				t.Errorf("header %s = %q, want %q", k, v, want)
			}
		}
		ts, err := strconv.ParseInt(got.header.Get("webhook-timestamp"), 10, 64)
		if err != nil || ts < before || ts > after {
			t.Errorf("webhook-timestamp = %q, want between %d and %d", got.header.Get("webhook-timestamp"), before, after)
		}
		if sig := got.header.Get("webhook-signature"); !strings.HasPrefix(sig, "v1,") || strings.Contains(sig, " ") {
			t.Errorf("webhook-signature = %q, want one v1 signature", sig)
		}
	}
}

// TestSendRefusesPrivate sends to the same kind of receiver without
// AllowPrivate: the connection is refused before it is made.
func TestSendRefusesPrivate(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {})
	a := Webhook{}.Send(context.Background(), rcv.URL, NewSecret(), "msg_1", []byte(`{}`))
	if a.OK() || !a.Refused || a.StatusCode != 0 || !strings.Contains(a.Err, "127.0.0.1 is a loopback address") {
		t.Fatalf("attempt = %+v, want refused as loopback", a)
	}
	if n := rcv.accepts.Load(); n != 0 {
		t.Fatalf("receiver accepted %d connections, want 0", n)
	}
}

// TestSendRebinding: a name that resolves to a public address when the URL
// is checked, then to 127.0.0.1 when the event is sent, is refused at
// delivery and no connection reaches the receiver.
func TestSendRebinding(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {})
	_, port, _ := net.SplitHostPort(rcv.Listener.Addr().String())
	res := newFakeResolver(map[string][][]string{
		"hooks.example.test": {{"93.184.215.14"}, {"127.0.0.1"}},
	})
	w := Webhook{Guard: Guard{Resolver: res}}
	url := "http://hooks.example.test:" + port + "/hook"
	if err := w.Guard.CheckURL(context.Background(), url); err != nil {
		t.Fatalf("CheckURL while public: %v", err)
	}
	a := w.Send(context.Background(), url, NewSecret(), "msg_1", []byte(`{}`))
	if a.OK() || !a.Refused || !strings.Contains(a.Err, "hooks.example.test resolves to 127.0.0.1, a loopback address") {
		t.Fatalf("attempt = %+v, want refused", a)
	}
	if n := rcv.accepts.Load(); n != 0 {
		t.Fatalf("receiver accepted %d connections, want 0", n)
	}
}

// TestDialerControl proves the last line of defence on its own: the
// dialer's Control hook refuses the connected address even when nothing
// checked it before (here the dialer is called directly with 127.0.0.1).
func TestDialerControl(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {})
	addr := rcv.Listener.Addr().String()
	d := &net.Dialer{Timeout: time.Second, Control: Guard{}.control}
	if c, err := d.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("dialer connected to a loopback address")
	} else if !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("dial error = %v", err)
	}
	if n := rcv.accepts.Load(); n != 0 {
		t.Fatalf("receiver accepted %d connections, want 0", n)
	}
	d.Control = Guard{AllowPrivate: true}.control
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial with AllowPrivate: %v", err)
	}
	c.Close()
}

func TestSendRedirectNotFollowed(t *testing.T) {
	secret := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {})
	redirector := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, secret.URL+"/", http.StatusFound)
	})
	a := private.Send(context.Background(), redirector.URL, NewSecret(), "msg_1", []byte(`{}`))
	if a.OK() || a.StatusCode != http.StatusFound || !strings.Contains(a.Err, "302 Found; redirects are not followed") {
		t.Fatalf("attempt = %+v", a)
	}
	if n := secret.accepts.Load(); n != 0 {
		t.Fatalf("redirect target accepted %d connections, want 0", n)
	}
}

func TestSendTimeout(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	w := private
	w.Timeout = 300 * time.Millisecond
	start := time.Now()
	a := w.Send(context.Background(), rcv.URL, NewSecret(), "msg_1", []byte(`{}`))
	if a.OK() || a.StatusCode != 0 || a.Refused || a.Err != "timed out after 300ms" {
		t.Fatalf("attempt = %+v", a)
	}
	if el := time.Since(start); el > 3*time.Second || a.Latency < 300*time.Millisecond {
		t.Fatalf("took %v (latency %v), want about 300ms", el, a.Latency)
	}
}

func TestSendCanceled(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	a := private.Send(ctx, rcv.URL, NewSecret(), "msg_1", nil)
	if a.OK() || !strings.HasPrefix(a.Err, "canceled: ") {
		t.Fatalf("attempt = %+v", a)
	}
}

// TestSendHugeResponse: a 10 MiB answer with a secret past the limit is
// read only up to MaxResponseBytes.
func TestSendHugeResponse(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for i := range 160 {
			if i == 1 {
				io.WriteString(w, "SECRET-TOKEN")
			}
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	a := private.Send(context.Background(), rcv.URL, NewSecret(), "msg_1", nil)
	if !a.OK() {
		t.Fatalf("attempt = %+v", a)
	}
	if len(a.ResponseSnippet) != DefaultMaxResponseBytes || strings.Contains(a.ResponseSnippet, "SECRET") {
		t.Fatalf("snippet is %d bytes (secret: %v), want %d", len(a.ResponseSnippet), strings.Contains(a.ResponseSnippet, "SECRET"), DefaultMaxResponseBytes)
	}

	w := private
	w.MaxResponseBytes = 100
	if a := w.Send(context.Background(), rcv.URL, NewSecret(), "msg_1", nil); len(a.ResponseSnippet) != 100 {
		t.Fatalf("snippet is %d bytes, want 100", len(a.ResponseSnippet))
	}
}

// TestSendEndlessBody: a receiver that answers 200 and never finishes its
// body costs at most Timeout.
func TestSendEndlessBody(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok, wait")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	w := private
	w.Timeout = 300 * time.Millisecond
	a := w.Send(context.Background(), rcv.URL, NewSecret(), "msg_1", nil)
	if !a.OK() || a.ResponseSnippet != "ok, wait" || a.Latency > 3*time.Second {
		t.Fatalf("attempt = %+v", a)
	}
}

func TestSendStatuses(t *testing.T) {
	for _, c := range []struct {
		status     int
		retryAfter string
		wantErr    string
		wantAfter  time.Duration
	}{
		{200, "", "", 0},
		{204, "", "", 0},
		{301, "", "receiver answered 301 Moved Permanently; redirects are not followed", 0},
		{410, "", "receiver answered 410 Gone", 0},
		{429, "120", "receiver answered 429 Too Many Requests", 120 * time.Second},
		{500, "", "receiver answered 500 Internal Server Error", 0},
		{503, "999999999999", "receiver answered 503 Service Unavailable", 24 * time.Hour},
		{599, "", "receiver answered 599 ", 0},
	} {
		rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
			if c.retryAfter != "" {
				w.Header().Set("Retry-After", c.retryAfter)
			}
			w.WriteHeader(c.status)
		})
		a := private.Send(context.Background(), rcv.URL, NewSecret(), "msg_1", nil)
		if a.StatusCode != c.status || a.Err != c.wantErr || a.RetryAfter != c.wantAfter || a.Refused || a.OK() != (c.wantErr == "") {
			t.Errorf("status %d: attempt = %+v", c.status, a)
		}
	}
}

func TestSendConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	a := private.Send(context.Background(), "http://"+addr+"/", NewSecret(), "msg_1", nil)
	if a.OK() || a.Refused || !strings.Contains(a.Err, "connection refused") {
		t.Fatalf("attempt = %+v", a)
	}
}

func TestSendInvalid(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {})
	for name, c := range map[string]struct{ url, secret, id string }{
		"scheme":   {"ftp://127.0.0.1/", NewSecret(), "msg_1"},
		"userinfo": {strings.Replace(rcv.URL, "http://", "http://u:p@", 1), NewSecret(), "msg_1"},
		"secret":   {rcv.URL, "not-a-secret", "msg_1"},
		"id":       {rcv.URL, NewSecret(), "msg 1"},
	} {
		a := private.Send(context.Background(), c.url, c.secret, c.id, nil)
		if a.OK() || !a.Refused || a.Err == "" {
			t.Errorf("%s: attempt = %+v", name, a)
		}
	}
	if n := rcv.accepts.Load(); n != 0 {
		t.Fatalf("receiver accepted %d connections, want 0", n)
	}
}

func TestSendSnippetSanitized(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(500)
		w.Write([]byte("bad\x00\x1b[31mred\r\nline\ttab \xff\xfe ok"))
	})
	a := private.Send(context.Background(), rcv.URL, NewSecret(), "msg_1", nil)
	if want := "bad  [31mred \nline\ttab \uFFFD ok"; a.ResponseSnippet != want {
		t.Fatalf("snippet = %q, want %q", a.ResponseSnippet, want)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"120":                           2 * time.Minute,
		" 30 ":                          30 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"99999999999999999999":          0, // does not parse as int64
		"Fri, 02 Jan 2026 03:06:05 GMT": 2 * time.Minute,
		"Fri, 02 Jan 2026 03:00:00 GMT": 0,
		"Sun, 04 Jan 2026 03:04:05 GMT": 24 * time.Hour,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
