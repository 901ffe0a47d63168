// Package auth turns an Authorization header into a workspace.Principal: it
// generates and parses API keys, checks their checksum before any database
// access, compares secret hashes in constant time and records key use.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash/crc32"
	"strings"

	"github.com/crescent-idp/crescent/internal/workspace"
)

const (
	secretPrefix   = "cws_"
	randomLen      = 32 // base62 characters of randomness (~190 bits)
	checksumLen    = 6  // base62 CRC32 of prefix+random
	minRandomLen   = 30
	maxKeyLen      = 256
	base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// Generated is a freshly minted key: Full is shown to the user exactly once,
// Hash is what the database keeps.
type Generated struct {
	ID   string
	Full string // "ID:cws_…"
	Hash string
}

// Generate mints a new key with a new id.
func Generate() Generated {
	id := workspace.NewID()
	random := randomBase62(randomLen)
	secret := secretPrefix + random + checksum(secretPrefix+random)
	return Generated{ID: id, Full: id + ":" + secret, Hash: HashSecret(secret)}
}

// HashSecret returns the hex SHA-256 of a key secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SecretMatches compares a secret against a stored hash in constant time.
func SecretMatches(secret, hash string) bool {
	got := HashSecret(secret)
	return subtle.ConstantTimeCompare([]byte(got), []byte(hash)) == 1
}

// ParseKey splits "ID:cws_…" into id and secret. It fails, without any I/O,
// when the id is not 32 hex characters, the secret lacks the prefix, holds a
// character outside base62, is too short or its checksum does not match.
func ParseKey(key string) (id, secret string, ok bool) {
	if len(key) > maxKeyLen {
		return "", "", false
	}
	id, secret, found := strings.Cut(key, ":")
	if !found || !workspace.ValidID(id) || !strings.HasPrefix(secret, secretPrefix) {
		return "", "", false
	}
	body := secret[len(secretPrefix):]
	if len(body) < minRandomLen+checksumLen {
		return "", "", false
	}
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(base62Alphabet, body[i]) < 0 {
			return "", "", false
		}
	}
	cut := len(secret) - checksumLen
	if subtle.ConstantTimeCompare([]byte(checksum(secret[:cut])), []byte(secret[cut:])) != 1 {
		return "", "", false
	}
	return id, secret, true
}

// checksum is the CRC32 (IEEE) of s in base62, left-padded to checksumLen.
func checksum(s string) string {
	n := uint64(crc32.ChecksumIEEE([]byte(s)))
	out := make([]byte, checksumLen)
	for i := checksumLen - 1; i >= 0; i-- {
		out[i] = base62Alphabet[n%62]
		n /= 62
	}
	return string(out)
}

// randomBase62 returns n uniformly random base62 characters from crypto/rand.
func randomBase62(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	for len(out) < n {
		_, _ = rand.Read(buf) // never fails on supported platforms
		for _, b := range buf {
			if b >= 248 { // 248 = 4*62: reject to keep the distribution uniform
				continue
			}
			out = append(out, base62Alphabet[b%62])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}
