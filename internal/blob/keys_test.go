package blob_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/blob"
)

func TestValidateKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"collections/01J9Z/01J9Y", true},
		{"exports/e-1_v2.0.pdf", true},
		{"a", true},
		{".hidden", true},
		{strings.Repeat("k", blob.MaxKeyLen), true},
		{strings.Repeat("k", blob.MaxKeyLen+1), false},
		{"", false},
		{"/leading", false},
		{"trailing/", false},
		{"double//slash", false},
		{"./a", false},
		{"a/./b", false},
		{"..", false},
		{"a/../b", false},
		{"a..b", false},
		{"space here", false},
		{"tab\there", false},
		{"nul\x00", false},
		{"back\\slash", false},
		{"percent%2F", false},
		{"ümlaut", false},
		{"a.attrs", false},
		{"a.1a2b.tmp", false},
	} {
		err := blob.ValidateKey(tc.key)
		if tc.ok && err != nil {
			t.Errorf("ValidateKey(%.30q) = %v, want nil", tc.key, err)
		}
		if !tc.ok && !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("ValidateKey(%.30q) = %v, want ErrInvalidKey", tc.key, err)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		ok     bool
	}{
		{"collections/c1/", true},
		{"a/", true},
		{"", false},
		{"/", false},
		{"collections/c1", false},
		{"/collections/", false},
		{"a//", false},
		{"../", false},
		{"a b/", false},
	} {
		err := blob.ValidatePrefix(tc.prefix)
		if tc.ok != (err == nil) {
			t.Errorf("ValidatePrefix(%q) = %v, want ok=%v", tc.prefix, err, tc.ok)
		}
	}
}
