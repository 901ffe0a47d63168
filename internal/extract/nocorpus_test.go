package extract

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/crescent-idp/crescent/internal/testenv"
)

// minCorpusString is the shortest corpus value the source is searched for:
// shorter strings ("EUR", "oyo", "500") are too common to mean anything.
const minCorpusString = 5

// genericWords are corpus values that may appear in the source because
// they are ordinary invoice vocabulary (a label, a unit, a currency name),
// not something that identifies a document. Only a single word of letters
// may be listed, with the reason; today nothing is.
var genericWords = map[string]string{}

// sourceDirs are the packages whose non-test source must not name the
// corpus.
var sourceDirs = []string{".", "../pipeline"}

// TestNoCorpusStringsInSource fails when the extractor's or the
// pipeline's non-test Go source (code or comments) contains a value of the
// shared corpus: a string of at least 5 characters in any expected.json
// "fields" or "alternates" (names, numbers, ids, addresses, dates, line
// descriptions) or a document's file name without extension. Rules must
// be generic; a document-specific string is fitting the sample.
func TestNoCorpusStringsInSource(t *testing.T) {
	sets, _ := filepath.Glob(filepath.Join(corpusDir, "*", "expected.json"))
	if len(sets) == 0 {
		testenv.Missing(t, "the corpus in ../shared/corpus")
	}
	needles := corpusStrings(t, sets)
	if len(needles) == 0 {
		t.Fatal("no corpus strings read")
	}
	sources := goSources(t)
	var hits []string
	for _, n := range needles {
		low := strings.ToLower(n.value)
		for _, src := range sources {
			if i := strings.Index(src.text, low); i >= 0 {
				line := 1 + strings.Count(src.text[:i], "\n")
				hits = append(hits, fmt.Sprintf("%s:%d: %q (from %s)", src.path, line, n.value, n.from))
			}
		}
	}
	sort.Strings(hits)
	for _, h := range hits {
		t.Errorf("corpus string in source: %s", h)
	}
	t.Logf("searched %d corpus strings in %d source files", len(needles), len(sources))
}

type corpusString struct{ value, from string }

// corpusStrings reads every string worth searching for from the corpus.
func corpusStrings(t *testing.T, sets []string) []corpusString {
	t.Helper()
	seen := map[string]bool{}
	var out []corpusString
	add := func(s, from string) {
		s = strings.TrimSpace(s)
		key := strings.ToLower(s)
		if len([]rune(s)) < minCorpusString || seen[key] || isGenericWord(s) {
			return
		}
		seen[key] = true
		out = append(out, corpusString{s, from})
	}
	for _, set := range sets {
		raw, err := os.ReadFile(set)
		if err != nil {
			t.Fatal(err)
		}
		var items []struct {
			File       string         `json:"file"`
			Fields     map[string]any `json:"fields"`
			Alternates map[string]any `json:"alternates"`
		}
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
		folder := filepath.Base(filepath.Dir(set))
		for _, it := range items {
			from := folder + "/" + it.File
			add(strings.TrimSuffix(filepath.Base(it.File), filepath.Ext(it.File)), from+" (file name)")
			walkStrings(it.Fields, func(s string) { add(s, from) })
			walkStrings(it.Alternates, func(s string) { add(s, from+" (alternate)") })
		}
	}
	return out
}

// isGenericWord reports whether s is a single word of letters listed in
// genericWords.
func isGenericWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	_, ok := genericWords[strings.ToLower(s)]
	return ok
}

func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, x := range v {
			walkStrings(x, f)
		}
	case map[string]any:
		for _, x := range v {
			walkStrings(x, f)
		}
	}
}

type goSource struct{ path, text string }

// goSources reads the non-test Go files of sourceDirs, lower-cased.
func goSources(t *testing.T) []goSource {
	t.Helper()
	var out []goSource
	for _, dir := range sourceDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, goSource{filepath.ToSlash(f), strings.ToLower(string(b))})
		}
	}
	if len(out) == 0 {
		t.Fatal("no Go source found")
	}
	return out
}
