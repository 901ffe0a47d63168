package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

// sampleDoc is one document that the benchmark and the output check run
// Extract on.
type sampleDoc struct {
	name  string // testdata/… or corpus/<folder>/<file>
	pages []doc.Page
	// fromPDF is true when pdftotext made the pages: its output may differ
	// between versions.
	fromPDF bool
}

// sampleDocs returns the synthetic documents of testdata and, when the
// shared corpus and pdftotext are there, the corpus documents.
func sampleDocs(tb testing.TB) []sampleDoc {
	tb.Helper()
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	var docs []sampleDoc
	for _, f := range files {
		docs = append(docs, sampleDoc{name: filepath.ToSlash(f), pages: textFilePages(tb, f)})
	}
	if _, err := os.Stat(corpusDir); err != nil || !havePdftotext() {
		return docs
	}
	for _, folder := range []string{"invoice2data", "zugferd-v1"} {
		dir := filepath.Join(corpusDir, folder)
		b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
		if err != nil {
			tb.Fatal(err)
		}
		var items []corpusItem
		if err := json.Unmarshal(b, &items); err != nil {
			tb.Fatal(err)
		}
		for _, it := range items {
			d := sampleDoc{name: "corpus/" + folder + "/" + it.File}
			if strings.HasSuffix(it.File, ".pdf") {
				d.pages, d.fromPDF = pdfPages(tb, filepath.Join(dir, it.File)), true
			} else {
				d.pages = textFilePages(tb, filepath.Join(dir, it.File))
			}
			docs = append(docs, d)
		}
	}
	return docs
}

// BenchmarkExtract runs Extract once over every sample document per
// iteration: go test -run '^$' -bench Extract -benchmem ./internal/extract
func BenchmarkExtract(b *testing.B) {
	docs := sampleDocs(b)
	words := 0
	for _, d := range docs {
		for _, p := range d.pages {
			words += len(p.Words)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			Extract(d.pages, Options{})
		}
	}
	b.ReportMetric(float64(len(docs)), "docs/op")
	b.ReportMetric(float64(words), "words/op")
}

// BenchmarkFindLabels runs the label lexicon over every segment of the
// sample documents.
func BenchmarkFindLabels(b *testing.B) {
	var segs []*segment
	for _, d := range sampleDocs(b) {
		for _, ln := range buildLayout(d.pages).lines {
			segs = append(segs, ln.segs...)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range segs {
			findLabels(s)
		}
	}
}
