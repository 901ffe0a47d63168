package auth

import (
	"encoding/base64"
	"strings"
)

// maxHeaderLen bounds the Authorization header we are willing to look at.
const maxHeaderLen = 1024

// ParseAuthorization extracts the API key ("ID:SECRET") from an
// Authorization header value. It accepts "Basic base64(ID:SECRET)" and
// "Bearer ID:SECRET", schemes case-insensitively. It returns ok=false for
// an empty, oversized or malformed value; it never looks at the key's
// content beyond decoding it.
func ParseAuthorization(h string) (key string, ok bool) {
	if h == "" || len(h) > maxHeaderLen {
		return "", false
	}
	scheme, rest, found := strings.Cut(h, " ")
	if !found {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", false
		}
		key = string(raw)
	case "bearer":
		key = rest
	default:
		return "", false
	}
	if key == "" || strings.ContainsAny(key, " \t\r\n") {
		return "", false
	}
	return key, true
}
