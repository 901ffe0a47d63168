package deliver

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// fakeResolver answers from a table; a host with several answers gets the
// next one on each lookup (the last one repeats), as a rebinding DNS
// server would. Unknown hosts are not found. It never touches the network.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	calls   map[string]int
}

func newFakeResolver(answers map[string][][]string) *fakeResolver {
	return &fakeResolver{answers: answers, calls: map[string]int{}}
}

func (r *fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	host = strings.TrimSuffix(strings.ToLower(host), ".") // as DNS does
	seq, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	n := r.calls[host]
	r.calls[host]++
	ips := seq[min(n, len(seq)-1)]
	var out []net.IPAddr
	for _, s := range ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	res := newFakeResolver(map[string][][]string{
		"internal.example.com": {{"10.0.0.1"}},
		"hooks.example.com":    {{"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}},
		"mixed.example.com":    {{"93.184.215.14", "192.168.1.1"}},
		"metadata.example.com": {{"169.254.169.254"}},
		"mapped.example.com":   {{"::ffff:127.0.0.1"}},
		"localhost":            {{"127.0.0.1", "::1"}},
	})
	const (
		ok      = "ok"
		blocked = "blocked" // CodeInvalid and ErrBlocked
		bad     = "invalid" // CodeInvalid, not ErrBlocked
	)
	for _, c := range []struct {
		url          string
		allowPrivate bool
		want         string
		msg          string // a substring of the message
	}{
		{"http://127.0.0.1/", false, blocked, "127.0.0.1 is a loopback address"},
		{"http://127.0.0.1:8080/hook", false, blocked, "loopback"},
		{"http://localhost:8080/", false, blocked, "localhost is a loopback name"},
		{"http://api.LOCALHOST./", false, blocked, "loopback name"},
		{"http://[::1]/", false, blocked, "::1 is a loopback address"},
		{"http://169.254.169.254/latest/meta-data/", false, blocked, "169.254.169.254 is a link-local address"},
		{"http://10.0.0.1", false, blocked, "10.0.0.1 is a private address (RFC 1918)"},
		{"http://192.168.1.1", false, blocked, "192.168.1.1 is a private address"},
		{"http://172.16.0.1", false, blocked, "172.16.0.1 is a private address"},
		{"http://172.31.255.255", false, blocked, "private"},
		{"http://100.64.0.1", false, blocked, "100.64.0.1 is a shared CGNAT address"},
		{"http://[fd00::1]/", false, blocked, "fd00::1 is a private address (fc00::/7)"},
		{"http://[fe80::1]/", false, blocked, "fe80::1 is a link-local address"},
		{"http://[fe80::1%25eth0]/", false, blocked, "IPv6 zone"},
		{"http://224.0.0.1/", false, blocked, "224.0.0.1 is a multicast address"},
		{"http://[ff02::1]/", false, blocked, "multicast"},
		{"http://0.0.0.0/", false, blocked, "0.0.0.0 is the unspecified address"},
		{"http://[::]/", false, blocked, "unspecified"},
		{"http://255.255.255.255/", false, blocked, "broadcast"},
		{"http://[::ffff:127.0.0.1]/", false, blocked, "::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1)"},
		{"http://[::ffff:a9fe:a9fe]/", false, blocked, "link-local address (IPv4-mapped 169.254.169.254)"},
		{"http://[64:ff9b::a00:1]/", false, blocked, "embedded IPv4 10.0.0.1"},
		{"http://[2002:7f00:1::]/", false, blocked, "embedded IPv4 127.0.0.1"},
		{"http://127.1/", false, blocked, "not a canonical IP address"},
		{"http://2130706433/", false, blocked, "not a canonical IP address"},
		{"http://0x7f000001/", false, blocked, "not a canonical IP address"},
		{"http://0177.0.0.1/", false, blocked, "not a canonical IP address"},
		{"http://internal.example.com/hook", false, blocked, "internal.example.com resolves to 10.0.0.1, a private address"},
		{"http://metadata.example.com/", false, blocked, "resolves to 169.254.169.254, a link-local address"},
		{"http://mixed.example.com/", false, blocked, "resolves to 192.168.1.1"},
		{"http://mapped.example.com/", false, blocked, "loopback"},

		{"ftp://hooks.example.com/", false, bad, `scheme "ftp" is not allowed`},
		{"file:///etc/passwd", false, bad, `scheme "file"`},
		{"gopher://hooks.example.com/", false, bad, "scheme"},
		{"hooks.example.com/x", false, bad, "scheme"},
		{"http://user:pw@hooks.example.com/", false, bad, "user name or password"},
		{"http://evil@127.0.0.1/", false, bad, "user name or password"},
		{"http:hooks.example.com", false, bad, "no host"},
		{"http:///path", false, bad, "no host"},
		{"http://hooks.example.com:0/", false, bad, "port 0 is out of range"},
		{"http://hooks.example.com:70000/", false, bad, "out of range"},
		{"http://hooks.example.com:x/", false, bad, "cannot be parsed"},
		{"http://unknown.example.com/", false, bad, `cannot resolve host "unknown.example.com": no such host`},
		{"http://bücher.example/", false, bad, "punycode"},
		{"http://hooks.example.com/" + strings.Repeat("a", 2048), false, bad, "longer than"},

		{"https://hooks.example.com/hook?token=x", false, ok, ""},
		{"http://hooks.example.com:8443/", false, ok, ""},
		{"HTTPS://HOOKS.example.com./", false, ok, ""},
		{"https://93.184.215.14/", false, ok, ""},
		{"https://[2606:4700:4700::1111]/", false, ok, ""},
		{"https://[64:ff9b::5db8:d70e]/", false, ok, ""}, // NAT64 of a public address

		{"http://127.0.0.1:8080/", true, ok, ""},
		{"http://localhost:8080/", true, ok, ""},
		{"http://10.0.0.1/", true, ok, ""},
		{"http://[fd00::1]/", true, ok, ""},
		{"http://169.254.169.254/", true, ok, ""},
		{"http://100.64.0.1/", true, ok, ""},
		{"http://internal.example.com/", true, ok, ""},
		{"http://[::ffff:127.0.0.1]/", true, ok, ""},
		{"http://0.0.0.0/", true, blocked, "unspecified"},
		{"http://224.0.0.1/", true, blocked, "multicast"},
		{"http://255.255.255.255/", true, blocked, "broadcast"},
		{"http://user:pw@127.0.0.1/", true, bad, "user name"},
	} {
		g := Guard{AllowPrivate: c.allowPrivate, Resolver: res}
		err := g.CheckURL(context.Background(), c.url)
		got := ok
		if err != nil {
			got = bad
			if errors.Is(err, ErrBlocked) {
				got = blocked
			}
		}
		if got != c.want {
			t.Errorf("CheckURL(%q) allowPrivate=%v = %s (%v), want %s", c.url, c.allowPrivate, got, err, c.want)
			continue
		}
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, c.msg) || !strings.HasPrefix(msg, "webhook URL refused: ") {
				t.Errorf("CheckURL(%q) message = %q, want it to contain %q", c.url, msg, c.msg)
			}
		}
	}
}

func TestCheckURLLiteralNeedsNoResolver(t *testing.T) {
	res := newFakeResolver(nil)
	if err := (Guard{Resolver: res}).CheckURL(context.Background(), "https://93.184.215.14/"); err != nil {
		t.Fatal(err)
	}
	if len(res.calls) != 0 {
		t.Fatalf("resolver called for an IP literal: %v", res.calls)
	}
}

func TestCheckURLContextEnded(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Guard{Resolver: ctxResolver{}}.CheckURL(ctx, "https://hooks.example.com/")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

type ctxResolver struct{}

func (ctxResolver) LookupIPAddr(ctx context.Context, _ string) ([]net.IPAddr, error) {
	return nil, ctx.Err()
}

func TestCheckBucketURL(t *testing.T) {
	res := newFakeResolver(map[string][][]string{
		"minio.internal": {{"10.1.2.3"}},
		"s3.example.com": {{"93.184.215.14"}},
	})
	for _, c := range []struct {
		url          string
		allowPrivate bool
		wantErr      string // "" for OK
	}{
		{"s3://bucket?region=eu-central-1", false, ""},
		{"s3://bucket?endpoint=https://s3.example.com&use_path_style=true", false, ""},
		{"s3://bucket?endpoint=http://169.254.169.254", false, "bucket endpoint refused: 169.254.169.254 is a link-local address"},
		{"s3://bucket?endpoint=http://127.0.0.1:9000", false, "loopback"},
		{"s3://bucket?endpoint=http://minio.internal:9000", false, "resolves to 10.1.2.3"},
		{"s3://bucket?endpoint=http://127.0.0.1:9000", true, ""},
		{"file:///etc", false, "bucket URL refused"},
		{"s3://?region=x", false, "bucket URL refused"},
		{"s3://key:secret@bucket", false, "bucket URL refused"},
	} {
		err := Guard{AllowPrivate: c.allowPrivate, Resolver: res}.CheckBucketURL(context.Background(), c.url)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("CheckBucketURL(%q) = %v", c.url, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("CheckBucketURL(%q) = %v, want %q", c.url, err, c.wantErr)
		case err != nil && strings.Contains(err.Error(), "secret"):
			t.Errorf("CheckBucketURL(%q) error quotes the URL: %v", c.url, err)
		}
	}
}

func TestControl(t *testing.T) {
	for _, c := range []struct {
		network, addr string
		allowPrivate  bool
		ok            bool
	}{
		{"tcp4", "127.0.0.1:80", false, false},
		{"tcp6", "[::1]:80", false, false},
		{"tcp6", "[::ffff:10.0.0.1]:443", false, false},
		{"tcp6", "[fe80::1%eth0]:443", false, false},
		{"tcp4", "93.184.215.14:443", false, true},
		{"tcp4", "127.0.0.1:80", true, true},
		{"tcp4", "0.0.0.0:80", true, false},
		{"udp4", "93.184.215.14:53", false, false},
		{"tcp4", "hooks.example.com:80", true, false},
	} {
		err := Guard{AllowPrivate: c.allowPrivate}.control(c.network, c.addr, nil)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBlocked)) {
			t.Errorf("control(%s, %s, allowPrivate=%v) = %v, want ok=%v", c.network, c.addr, c.allowPrivate, err, c.ok)
		}
	}
}

func TestClassifyPublic(t *testing.T) {
	for _, s := range []string{"1.1.1.1", "8.8.8.8", "93.184.215.14", "203.0.113.10", "2001:4860:4860::8888", "2606:4700:4700::1111"} {
		if r, _ := classify(netip.MustParseAddr(s)); r != "" {
			t.Errorf("classify(%s) = %q, want allowed", s, r)
		}
	}
}
