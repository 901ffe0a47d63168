package deliver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// secretPrefix starts every webhook signing secret (Standard Webhooks).
const secretPrefix = "whsec_"

// Secret key sizes the Standard Webhooks specification recommends.
const (
	secretBytes    = 32
	minSecretBytes = 24
	maxSecretBytes = 64
)

// NewSecret returns a new webhook signing secret: "whsec_" followed by the
// standard base64 of 32 random bytes.
func NewSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // never fails; crashes the program if it could
	return secretPrefix + base64.StdEncoding.EncodeToString(b)
}

// Sign returns the Standard Webhooks signature of a message, the value of
// the webhook-signature header: "v1," followed by the base64 of
// HMAC-SHA256(key, msgID + "." + ts in Unix seconds + "." + body), where
// key is the base64-decoded part of secret after "whsec_".
//
// Sign fails if secret lacks the prefix, is not base64, or decodes to fewer
// than 24 or more than 64 bytes, or if msgID is empty, longer than 256
// bytes, or holds other than printable ASCII without spaces.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	if err := checkMsgID(msgID); err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write(strconv.AppendInt(nil, ts.Unix(), 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// secretKey decodes a "whsec_" secret. Its errors never quote the secret.
func secretKey(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return nil, errors.New("deliver: signing secret does not start with " + secretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, errors.New("deliver: signing secret is not valid base64")
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, fmt.Errorf("deliver: signing secret is %d bytes, want %d to %d", len(key), minSecretBytes, maxSecretBytes)
	}
	return key, nil
}

// checkMsgID refuses message ids that cannot be sent in a header as is.
func checkMsgID(id string) error {
	if id == "" || len(id) > 256 {
		return errors.New("deliver: message id must be 1 to 256 bytes")
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return fmt.Errorf("deliver: message id %q holds a space or a non-printable byte", id)
		}
	}
	return nil
}
