package deliver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestBucketURL(t *testing.T) {
	for _, c := range []struct {
		url     string
		wantErr string // "" for OK
	}{
		{"s3://bucket", ""},
		{"s3://bucket?region=eu-central-1&endpoint=https://s3.example.com&use_path_style=true&disable_https=false", ""},
		{"s3://bucket?profile=prod", "parameters profile are not allowed"},
		{"s3://bucket?role=arn:aws:iam::1:role/x&web_identity_token_file=/etc/shadow", "parameters role, web_identity_token_file are not allowed"},
		{"s3://bucket?access_key_id=AKID&secret_access_key=s3cr3tvalue", "give credentials as accessKeyId and secretAccessKey"},
		{"s3://bucket?region=a&region=b", "region is repeated"},
		{"s3://bucket?region=%zz", "cannot be parsed"},
		{"s3://key:s3cr3tvalue@bucket", "want s3://bucket"},
		{"file:///etc", "want s3://bucket"},
		{"s3:opaque", "want s3://bucket"},
		{"s3://bucket?endpoint=" + strings.Repeat("a", maxURLLen), "want s3://bucket"},
	} {
		_, err := BucketURL(c.url)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("BucketURL(%.60q) = %v", c.url, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("BucketURL(%.60q) = %v, want %q", c.url, err, c.wantErr)
		case err != nil && strings.Contains(err.Error(), "s3cr3tvalue"):
			t.Errorf("BucketURL(%.60q) error quotes the URL: %v", c.url, err)
		}
	}
}

// TestHTTPClientRefusesRebinding: a name that resolved to a public address
// when the bucket URL was checked, and to loopback when the client dials,
// is refused before any connection; with private addresses allowed the
// same client reaches the server, so the refusal is the guard's.
func TestHTTPClientRefusesRebinding(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	endpoint := "http://s3.example.com:" + u.Port()
	res := newFakeResolver(map[string][][]string{"s3.example.com": {{"93.184.215.14"}, {"127.0.0.1"}}})
	g := Guard{Resolver: res}
	if err := g.CheckBucketURL(context.Background(), "s3://b?endpoint="+url.QueryEscape(endpoint)); err != nil {
		t.Fatalf("check at creation: %v", err)
	}
	c := g.HTTPClient(0)
	defer c.CloseIdleConnections()
	resp, err := c.Get(endpoint + "/b/key")
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrBlocked) || !strings.Contains(err.Error(), "resolves to 127.0.0.1, a loopback address") {
		t.Fatalf("rebound name: %v, want ErrBlocked", err)
	}
	if _, err := g.HTTPClient(0).Get(srv.URL); !errors.Is(err, ErrBlocked) {
		t.Fatalf("loopback address: %v, want ErrBlocked", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server was reached %d times", n)
	}

	open := Guard{AllowPrivate: true, Resolver: res}.HTTPClient(0)
	defer open.CloseIdleConnections()
	resp, err = open.Get(endpoint + "/b/key")
	if err != nil {
		t.Fatalf("with private addresses allowed: %v", err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Fatal("the server was not reached with private addresses allowed")
	}
}
