package blob

import (
	"fmt"
	"strings"
)

// MaxKeyLen is the longest key, in bytes, that ValidateKey accepts.
const MaxKeyLen = 512

// reservedSuffixes end the names of files that fileblob writes beside an
// object (metadata sidecars and in-flight temporary files). Keys may not
// end with them on any backend, so both backends accept the same keys.
var reservedSuffixes = []string{".attrs", ".tmp"}

// ValidateKey returns an error wrapping ErrInvalidKey unless key is 1 to
// MaxKeyLen bytes of [A-Za-z0-9/._-], does not contain "..", and is made of
// non-empty "/"-separated segments other than "." (so no leading, trailing
// or doubled "/"). Keys may not end in ".attrs" or ".tmp", which the file
// backend reserves.
func ValidateKey(key string) error {
	if err := validatePath(key); err != nil {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, truncate(key), err.msg)
	}
	for _, suf := range reservedSuffixes {
		if strings.HasSuffix(key, suf) {
			return fmt.Errorf("%w %q: ends in reserved suffix %q", ErrInvalidKey, truncate(key), suf)
		}
	}
	return nil
}

// ValidatePrefix returns an error wrapping ErrInvalidKey unless prefix ends
// in "/" and, without that "/", is a key ValidateKey would accept apart from
// the reserved suffixes. Requiring the "/" keeps "collections/1/" from also
// matching "collections/10/".
func ValidatePrefix(prefix string) error {
	trimmed, ok := strings.CutSuffix(prefix, "/")
	if !ok {
		return fmt.Errorf("%w: prefix %q must end in \"/\"", ErrInvalidKey, truncate(prefix))
	}
	if err := validatePath(trimmed); err != nil {
		return fmt.Errorf("%w: prefix %q: %s", ErrInvalidKey, truncate(prefix), err.msg)
	}
	return nil
}

// keyError says what is wrong with a key.
type keyError struct{ msg string }

// validatePath checks everything but the reserved suffixes.
func validatePath(p string) *keyError {
	switch {
	case p == "":
		return &keyError{"empty"}
	case len(p) > MaxKeyLen:
		return &keyError{fmt.Sprintf("longer than %d bytes", MaxKeyLen)}
	case strings.Contains(p, ".."):
		return &keyError{`contains ".."`}
	}
	for i := 0; i < len(p); i++ {
		if !keyByte(p[i]) {
			return &keyError{fmt.Sprintf("byte %q at %d is not one of [A-Za-z0-9/._-]", p[i], i)}
		}
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "":
			return &keyError{`has a leading, trailing or doubled "/"`}
		case ".":
			return &keyError{`has a "." segment`}
		}
	}
	return nil
}

// keyByte reports whether c may appear in a key.
func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '/' || c == '.' || c == '_' || c == '-'
}

// truncate shortens a rejected key for an error message.
func truncate(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
