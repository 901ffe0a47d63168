package httpapi

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/auth"
	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// TestMetricsLabelsAreBounded sends thousands of made-up methods and paths:
// the number of series stays that of a closed set, and /metrics is not on
// the API handler at all.
func TestMetricsLabelsAreBounded(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	series := func() int {
		fams, err := h.srv.deps.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range fams {
			if strings.HasPrefix(f.GetName(), "crescent_http_") {
				n += len(f.GetMetric())
			}
		}
		return n
	}
	c := &http.Client{}
	send := func(method, path string) {
		req, _ := http.NewRequest(method, h.url+path, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for i := range 50 {
		send(fmt.Sprintf("XMETH%d", i), "/api/v0.4/me")
		send(fmt.Sprintf("XMETH%d", i), fmt.Sprintf("/nope/%d", i))
		send("GET", fmt.Sprintf("/api/v0.4/no-such-%d", i))
	}
	before := series()
	for i := 50; i < 500; i++ {
		send(fmt.Sprintf("XMETH%d", i), "/api/v0.4/me")
		send(fmt.Sprintf("XMETH%d", i), fmt.Sprintf("/nope/%d", i))
		send("GET", fmt.Sprintf("/api/v0.4/no-such-%d", i))
	}
	if after := series(); after != before || after > 20 {
		t.Fatalf("series grew from %d to %d with made-up methods and paths", before, after)
	}

	assertEnvelope(t, h.do("GET", "/metrics", "", nil), 404, "ResourceNotFoundError")
	ms := httptest.NewServer(MetricsHandler(h.srv.deps.Registry))
	defer ms.Close()
	resp, err := http.Get(ms.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`method="other",route="unmatched",status="405"`, `method="GET",route="unmatched",status="404"`} {
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("metrics listener: %d, lacks %s:\n%s", resp.StatusCode, want, body)
		}
	}
}

// stalledRequest sends the head and the first bytes of a body announced
// longer, then stops sending and returns the response the server writes.
func stalledRequest(t *testing.T, url, head string, sent string, wait time.Duration) response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head+sent); err != nil {
		t.Fatal(err)
	}
	// Only a safety net: the test waits for the server's answer.
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response to a stalled body: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// TestStalledBodyIsClosedWith408 stops sending a JSON body and an upload
// part-way: the server answers 408 in the envelope once the configured
// idle time passes without a byte.
func TestStalledBodyIsClosedWith408(t *testing.T) {
	cfg := DefaultConfig
	cfg.BodyIdleTimeout = 300 * time.Millisecond
	h := newHarness(t, storetest.SQLiteURL(t), cfg)
	pid := h.process("Invoices", workspace.ProcessTypeInvoices)
	authz := "Authorization: Basic " + basic(h.admin) + "\r\n"

	json := `{"name":"slow","scopes":["workspace.process:read"]}`
	head := "POST /api/v0.4/admin/api-keys HTTP/1.1\r\nHost: x\r\n" + authz +
		"Content-Type: application/json\r\nContent-Length: " + fmt.Sprint(len(json)) + "\r\n\r\n"
	r := stalledRequest(t, h.url, head, json[:10], 100*cfg.BodyIdleTimeout)
	assertEnvelope(t, r, 408, "RequestTimeoutError")

	body, ct := multipartBody(nil, part{"file", "a.pdf", append([]byte("%PDF-1.7\n"), make([]byte, 64<<10)...)})
	head = "POST /api/v0.3/processes/" + pid + "/collections HTTP/1.1\r\nHost: x\r\n" + authz +
		"Content-Type: " + ct + "\r\nContent-Length: " + fmt.Sprint(body.Len()) + "\r\n\r\n"
	r = stalledRequest(t, h.url, head, body.String()[:body.Len()/2], 100*cfg.BodyIdleTimeout)
	assertEnvelope(t, r, 408, "RequestTimeoutError")
	if n := h.total(pid); n != 0 {
		t.Fatalf("a stalled upload left %d collections", n)
	}

	// A trickle is no progress: one byte every tenth of the idle time.
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(cfg.BodyIdleTimeout / 10)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte{body.Bytes()[i%body.Len()]}); err != nil {
					return
				}
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(100 * cfg.BodyIdleTimeout)) // a safety net only
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response to a trickling body: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assertEnvelope(t, response{status: resp.StatusCode, header: resp.Header, body: b}, 408, "RequestTimeoutError")
}

// slowReader yields chunk bytes at a time, pausing before each chunk.
type slowReader struct {
	data  string
	chunk int
	pause time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.data == "" {
		return 0, io.EOF
	}
	time.Sleep(s.pause)
	n := copy(p[:min(len(p), s.chunk)], s.data)
	s.data = s.data[n:]
	return n, nil
}

// TestSlowButSteadyBodyIsAccepted sends a body that takes longer than the
// idle timeout in all but brings the progress size every fortieth of it:
// it is accepted.
func TestSlowButSteadyBodyIsAccepted(t *testing.T) {
	cfg := DefaultConfig
	cfg.BodyIdleTimeout = 2 * time.Second
	h := newHarness(t, storetest.SQLiteURL(t), cfg)
	// The pauses are the input under test, not a wait for an outcome: 60
	// chunks, each bringing the progress the server asks for after a
	// fortieth of the idle window, so the body takes at least 1.5 windows
	// in all (a sleep never returns early) and is never idle for more than
	// a fortieth of one; a client slowed forty-fold by busy cores would
	// really be idle, and be closed rightly.
	chunk := bodyProgressBytes
	json := `{"name":"steady",` + strings.Repeat(" ", 60*chunk) + `"scopes":["workspace.process:read"]}`
	req, _ := http.NewRequest("POST", h.url+"/api/v0.4/admin/api-keys", &slowReader{json, chunk, cfg.BodyIdleTimeout / 40})
	req.ContentLength = int64(len(json))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+basic(h.admin))
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("steady slow body: %d %s", resp.StatusCode, b)
	}
}

// TestSecurityHeaders checks nosniff everywhere, no-store on every
// authenticated answer and a challenge on every 401.
func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, storetest.SQLiteURL(t), DefaultConfig)
	created := h.do("POST", "/api/v0.4/admin/api-keys", h.admin, map[string]any{"name": "x", "scopes": []string{"workspace.process:read"}})
	if created.status != 201 {
		t.Fatalf("create key: %d %s", created.status, created.body)
	}
	all := map[string]response{
		"healthz":     h.do("GET", "/healthz", "", nil),
		"openapi":     h.do("GET", "/api/openapi.json", "", nil),
		"docs":        h.do("GET", "/api/docs", "", nil),
		"not found":   h.do("GET", "/nothing", "", nil),
		"me":          h.do("GET", "/api/v0.4/me", h.admin, nil),
		"key list":    h.do("GET", "/api/v0.4/admin/api-keys", h.admin, nil),
		"key created": created,
		"no key":      h.do("GET", "/api/v0.4/me", "", nil),
		"bad key":     h.do("GET", "/api/v0.4/me", auth.Generate().Full, nil),
	}
	for name, r := range all {
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", name, r.header.Get("X-Content-Type-Options"))
		}
	}
	for _, name := range []string{"me", "key list", "key created", "no key", "bad key"} {
		if cc := all[name].header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", name, cc)
		}
	}
	for _, name := range []string{"no key", "bad key"} {
		r := all[name]
		assertEnvelope(t, r, 401, "AuthenticationError")
		ch := strings.Join(r.header.Values("WWW-Authenticate"), ", ")
		if !strings.Contains(ch, `Basic realm="crescent"`) || !strings.Contains(ch, `Bearer realm="crescent"`) {
			t.Errorf("%s: WWW-Authenticate %q", name, ch)
		}
	}
}

// TestClientAddressThroughTrustedProxies is the resolution table: proxy
// headers count only from a trusted peer, and then the right-most address
// that is not itself a trusted proxy is the client.
func TestClientAddressThroughTrustedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	cases := []struct {
		name, remote string
		trust        []netip.Prefix
		headers      map[string]string
		want         string
	}{
		{"no proxies trusted", "203.0.113.5:1234", nil, map[string]string{"X-Forwarded-For": "198.51.100.1"}, "203.0.113.5"},
		{"untrusted peer", "203.0.113.5:1234", trusted, map[string]string{"X-Forwarded-For": "198.51.100.1"}, "203.0.113.5"},
		{"trusted peer", "10.1.2.3:1234", trusted, map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
		{"spoofed left entries", "10.1.2.3:1234", trusted, map[string]string{"X-Forwarded-For": "1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", "10.1.2.3:1234", trusted, map[string]string{"X-Forwarded-For": "1.1.1.1, 198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"with port", "10.1.2.3:1234", trusted, map[string]string{"X-Forwarded-For": "198.51.100.1:555"}, "198.51.100.1"},
		{"all trusted", "10.1.2.3:1234", trusted, map[string]string{"X-Forwarded-For": "10.4.4.4"}, "10.4.4.4"},
		{"garbage", "10.1.2.3:1234", trusted, map[string]string{"X-Forwarded-For": "not-an-ip"}, "10.1.2.3"},
		{"no header", "10.1.2.3:1234", trusted, nil, "10.1.2.3"},
		{"forwarded", "10.1.2.3:1234", trusted, map[string]string{"Forwarded": `for=1.1.1.1, for="[2001:db8::1]:4711";proto=https`}, "2001:db8::1"},
		{"forwarded obfuscated", "10.1.2.3:1234", trusted, map[string]string{"Forwarded": `for=_hidden`}, "10.1.2.3"},
		{"both agree", "10.1.2.3:1234", trusted, map[string]string{"Forwarded": `for=198.51.100.1`, "X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
		{"both disagree", "10.1.2.3:1234", trusted, map[string]string{"Forwarded": `for=198.51.100.1`, "X-Forwarded-For": "198.51.100.2"}, "10.1.2.3"},
		{"ipv6 peer", "[fd00::1]:1234", trusted, map[string]string{"X-Forwarded-For": "2001:db8::2"}, "2001:db8::2"},
		{"mapped v4", "[::ffff:10.1.2.3]:1234", trusted, map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			s := &Server{cfg: Config{TrustedProxies: c.trust}}
			if got := s.clientAddr(r); got != c.want {
				t.Fatalf("client %q, want %q", got, c.want)
			}
		})
	}
}

// TestFailedAuthThrottlesFailuresOnly spends the failure budget of an
// address: bad keys from it get 429, a valid key from it is still served.
// X-Forwarded-For picks the address only when the peer is a trusted proxy.
func TestFailedAuthThrottlesFailuresOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		cfg := DefaultConfig
		cfg.AuthFailRate, cfg.AuthFailBurst = 0.001, 3
		h := newHarness(t, dbURL, cfg)
		as := func(key, forwardedFor string) response {
			req, _ := http.NewRequest("GET", h.url+"/api/v0.4/me", nil)
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			if forwardedFor != "" {
				req.Header.Set("X-Forwarded-For", forwardedFor)
			}
			return h.send(req)
		}
		bad := auth.Generate().Full
		for i := range 3 {
			// From an untrusted peer the header changes nothing: all three
			// count against 127.0.0.1.
			assertEnvelope(t, as(bad, fmt.Sprintf("198.51.100.%d", i)), 401, "AuthenticationError")
		}
		assertEnvelope(t, as(bad, "198.51.100.77"), 429, "RateLimitError")
		assertEnvelope(t, as("", ""), 429, "RateLimitError")
		assertEnvelope(t, as("Basic %%%", ""), 429, "RateLimitError")
		for range 5 {
			if r := as(h.admin, ""); r.status != 200 {
				t.Fatalf("valid key throttled by failures of its address: %d %s", r.status, r.body)
			}
		}

		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		hp := newHarness(t, dbURL, cfg)
		h = hp
		for range 3 {
			assertEnvelope(t, as(bad, "198.51.100.1"), 401, "AuthenticationError")
		}
		assertEnvelope(t, as(bad, "198.51.100.1"), 429, "RateLimitError")
		assertEnvelope(t, as(bad, "198.51.100.2"), 401, "AuthenticationError")
		assertEnvelope(t, as(bad, "198.51.100.1, 198.51.100.3"), 401, "AuthenticationError")
		if r := as(h.admin, "198.51.100.1"); r.status != 200 {
			t.Fatalf("valid key behind the proxy throttled: %d", r.status)
		}
		// An IPv6 client counts by its /64.
		for range 3 {
			assertEnvelope(t, as(bad, "2001:db8:0:1::1"), 401, "AuthenticationError")
		}
		assertEnvelope(t, as(bad, "2001:db8:0:1::2"), 429, "RateLimitError")
		assertEnvelope(t, as(bad, "2001:db8:0:2::1"), 401, "AuthenticationError")
	})
}

// TestLimitersStayBounded feeds more distinct addresses than the limiters
// keep, all within the idle time: the table never passes its bound.
func TestLimitersStayBounded(t *testing.T) {
	ls := newLimiters(1, 3)
	for i := range maxLimiterEntries + maxLimiterEntries/2 {
		ls.take(fmt.Sprint("2001:db8::", i))
		if len(ls.entries) > maxLimiterEntries {
			t.Fatalf("%d entries after %d addresses", len(ls.entries), i+1)
		}
	}
}
