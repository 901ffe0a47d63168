package deliver

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := NewSecret()
		enc, ok := strings.CutPrefix(s, "whsec_")
		if !ok {
			t.Fatalf("NewSecret() = %q, want whsec_ prefix", s)
		}
		key, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(key) < 24 || len(key) > 32 {
			t.Fatalf("NewSecret() = %q: %d bytes, %v; want 24 to 32 bytes of base64", s, len(key), err)
		}
		if seen[s] {
			t.Fatalf("NewSecret() repeated %q", s)
		}
		seen[s] = true
		if _, err := standardwebhooks.NewWebhook(s); err != nil {
			t.Fatalf("library rejects %q: %v", s, err)
		}
	}
}

// TestSignVector checks the test vector published with the Standard
// Webhooks Go library (webhook_test.go, TestWebhookSign).
func TestSignVector(t *testing.T) {
	got, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestSignVerifiesWithLibrary(t *testing.T) {
	secret := NewSecret()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	body := []byte(`{"type":"collection.processed","timestamp":"2026-01-02T03:04:05Z","data":{"id":"c1"}}`)
	headers := func(id string, ts time.Time, sig string) http.Header {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
		h.Set("webhook-signature", sig)
		return h
	}
	sig, err := Sign(secret, "msg_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(body, headers("msg_1", now, sig)); err != nil {
		t.Fatalf("library does not verify our signature: %v", err)
	}
	libSig, err := wh.Sign("msg_1", now, body)
	if err != nil || libSig != sig {
		t.Fatalf("library signs %q (%v), we sign %q", libSig, err, sig)
	}

	tampered := append([]byte(nil), body...)
	tampered[10] ^= 1
	other, _ := standardwebhooks.NewWebhook(NewSecret())
	for name, verify := range map[string]func() error{
		"body byte":  func() error { return wh.Verify(tampered, headers("msg_1", now, sig)) },
		"timestamp":  func() error { return wh.Verify(body, headers("msg_1", now.Add(time.Second), sig)) },
		"message id": func() error { return wh.Verify(body, headers("msg_2", now, sig)) },
		"other key":  func() error { return other.Verify(body, headers("msg_1", now, sig)) },
		"old message": func() error {
			return wh.Verify(body, headers("msg_1", now.Add(-time.Hour), mustSign(t, secret, "msg_1", now.Add(-time.Hour), body)))
		},
	} {
		if err := verify(); err == nil {
			t.Errorf("tampered %s: verification passed", name)
		}
	}
}

func mustSign(t *testing.T, secret, id string, ts time.Time, body []byte) string {
	t.Helper()
	s, err := Sign(secret, id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignErrors(t *testing.T) {
	key24 := base64.StdEncoding.EncodeToString(make([]byte, 24))
	key16 := base64.StdEncoding.EncodeToString(make([]byte, 16))
	key65 := base64.StdEncoding.EncodeToString(make([]byte, 65))
	for _, c := range []struct{ name, secret, id string }{
		{"no prefix", key24, "msg_1"},
		{"not base64", "whsec_!!!notbase64", "msg_1"},
		{"short key", "whsec_" + key16, "msg_1"},
		{"long key", "whsec_" + key65, "msg_1"},
		{"empty id", "whsec_" + key24, ""},
		{"id with space", "whsec_" + key24, "msg 1"},
		{"id with newline", "whsec_" + key24, "msg_1\r\nX-Evil: 1"},
		{"long id", "whsec_" + key24, strings.Repeat("m", 257)},
	} {
		_, err := Sign(c.secret, c.id, time.Now(), nil)
		if err == nil {
			t.Errorf("%s: Sign succeeded", c.name)
			continue
		}
		if strings.Contains(err.Error(), key24) {
			t.Errorf("%s: error quotes the secret: %v", c.name, err)
		}
	}
	if _, err := Sign("whsec_"+key24, "msg_1", time.Now(), nil); err != nil {
		t.Errorf("24-byte key: %v", err)
	}
}
