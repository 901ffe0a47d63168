package blob_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/blob"
)

// TestOpenWithNoAmbient: with NoAmbient the URL must carry its own
// credentials and nothing that loads the server's AWS configuration; the
// environment's credentials are never used, and every request goes through
// the given HTTP client.
func TestOpenWithNoAmbient(t *testing.T) {
	f := startFakeS3(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDAMBIENT")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "ambient")
	ctx := context.Background()
	for _, q := range []string{"", "&profile=prod", "&access_key_id=AKIDOWN&secret_access_key=s&profile=prod"} {
		if _, err := blob.OpenWith(ctx, f.baseURL+q, blob.Options{NoAmbient: true}); err == nil {
			t.Errorf("opened %q without ambient configuration", q)
		}
	}
	var sent int
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		sent++
		return http.DefaultTransport.RoundTrip(r)
	})}
	refused := errors.New("refused by the test")
	s, err := blob.OpenWith(ctx, f.baseURL+"&access_key_id=AKIDOWN&secret_access_key=s", blob.Options{
		NoAmbient: true, HTTPClient: client, Permanent: func(err error) bool { return errors.Is(err, refused) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustPut(t, s, "k", "v")
	if sent == 0 || !f.sawKeyID("AKIDOWN") || f.sawKeyID("AKIDAMBIENT") {
		t.Fatalf("requests through the client: %d; own key seen %v, ambient key seen %v", sent, f.sawKeyID("AKIDOWN"), f.sawKeyID("AKIDAMBIENT"))
	}

	// A permanent error is not retried.
	sent = 0
	client.Transport = roundTripper(func(*http.Request) (*http.Response, error) { sent++; return nil, refused })
	if _, _, err := s.Put(ctx, "k2", strings.NewReader("v"), "text/plain"); !errors.Is(err, refused) || sent != 1 {
		t.Fatalf("put through a refusing client: %v after %d requests", err, sent)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
