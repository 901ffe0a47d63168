// Package testenv decides what a test does when something it needs from
// outside the repository (the shared corpus, tesseract, pdftotext) is
// missing: on a developer's machine it skips, saying what is missing; in
// CI (CI=true) it fails, so that no test passes by not running.
package testenv

import (
	"os"
	"testing"
)

// InCI reports whether the tests run in CI, where every input must exist.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing ends the test because what is missing; it fails under CI=true
// and skips otherwise.
func Missing(tb testing.TB, what string) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("missing in CI: %s", what)
	}
	tb.Skipf("missing: %s", what)
}
