package export_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/export"
)

// FuzzJSONString checks that any text, valid UTF-8 or not, comes out of the
// JSON writer as encoding/json would have written it.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\/\n\r\t\x00\x1f", "<&>", "\u2028\u2029", "\xff\xfe", "é\xc3", "✓𝄞"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		w, _ := export.NewJSON(&buf, export.Spec{Fields: []string{s}})
		if err := w.Write(export.Row{DocumentID: s, Fields: map[string]export.Value{s: {Text: s, Set: true}}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var got []struct {
			DocumentID string            `json:"documentId"`
			Fields     map[string]string `json:"fields"`
		}
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("%v in %q", err, buf.String())
		}
		std, _ := json.Marshal(s)
		var want string
		_ = json.Unmarshal(std, &want)
		if len(got) != 1 || got[0].DocumentID != want || got[0].Fields[want] != want {
			t.Errorf("%q came back as %+v, want %q", s, got, want)
		}
	})
}

// FuzzSanitize checks that no sanitised text starts with a character a
// spreadsheet would act on, and that only a quote is ever added.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "=1", "+1", "-1", "@A1", "\t=1", "\r=1", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := export.Sanitize(s)
		if got != s && got != "'"+s {
			t.Fatalf("Sanitize(%q) = %q", s, got)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Errorf("Sanitize(%q) = %q starts with a formula character", s, got)
		}
	})
}
