package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestGenerateParseRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		g := Generate()
		id, secret, ok := ParseKey(g.Full)
		if !ok || id != g.ID {
			t.Fatalf("ParseKey(%q) = %q, ok=%v", g.Full, id, ok)
		}
		if !SecretMatches(secret, g.Hash) {
			t.Fatal("secret does not match its own hash")
		}
		if strings.Contains(g.Hash, secret) || seen[secret] {
			t.Fatal("hash leaks the secret, or a secret repeated")
		}
		seen[secret] = true
	}
}

func TestParseKeyRejectsWithoutIO(t *testing.T) {
	g := Generate()
	id, secret, _ := strings.Cut(g.Full, ":")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	cases := map[string]string{
		"empty":              "",
		"no colon":           id + secret,
		"short id":           id[1:] + ":" + secret,
		"upper-case id":      strings.ToUpper(id) + ":" + secret,
		"no prefix":          id + ":" + strings.TrimPrefix(secret, "cws_"),
		"wrong prefix":       id + ":cwz_" + strings.TrimPrefix(secret, "cws_"),
		"checksum changed":   id + ":" + flip(secret, len(secret)-1),
		"random changed":     id + ":" + flip(secret, 6),
		"too short":          id + ":cws_abc",
		"non-base62":         id + ":" + secret[:10] + "-" + secret[11:],
		"huge":               id + ":" + secret + strings.Repeat("a", 400),
		"trailing space":     g.Full + " ",
		"truncated checksum": g.Full[:len(g.Full)-1],
	}
	for name, key := range cases {
		if _, _, ok := ParseKey(key); ok {
			t.Errorf("%s: %q accepted", name, key)
		}
	}
}

func TestParseAuthorization(t *testing.T) {
	key := Generate().Full
	b64 := base64.StdEncoding.EncodeToString([]byte(key))
	cases := []struct {
		header string
		want   string
		ok     bool
	}{
		{"Basic " + b64, key, true},
		{"basic " + b64, key, true},
		{"Bearer " + key, key, true},
		{"BEARER  " + key, key, true},
		{"", "", false},
		{"Basic", "", false},
		{"Basic !!!", "", false},
		{"Token " + key, "", false},
		{"Bearer ", "", false},
		{"Bearer a b", "", false},
		{"Basic " + strings.Repeat("A", 2000), "", false},
	}
	for _, c := range cases {
		got, ok := ParseAuthorization(c.header)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseAuthorization(%.30q) = %q, %v; want %q, %v", c.header, got, ok, c.want, c.ok)
		}
	}
}

// FuzzParseAuthorization checks that no header makes the parsers panic
// and that whatever they accept is a well-formed key.
func FuzzParseAuthorization(f *testing.F) {
	key := Generate().Full
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte(key)))
	f.Add("Bearer " + key)
	f.Add("Basic =")
	f.Add("Bearer 0123456789abcdef0123456789abcdef:cws_")
	f.Fuzz(func(t *testing.T, h string) {
		k, ok := ParseAuthorization(h)
		if !ok {
			return
		}
		if k == "" || strings.ContainsAny(k, " \t\r\n") {
			t.Fatalf("accepted key %q", k)
		}
		if id, secret, ok := ParseKey(k); ok {
			if len(id) != 32 || !strings.HasPrefix(secret, "cws_") {
				t.Fatalf("ParseKey accepted %q", k)
			}
		}
	})
}
