package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/testenv"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// lineHeldOut are the invoice families whose line-item tables are only
// scored, never read while working on the table reader: the line-item
// figure on them says how well a change carries over to layouts it was
// not fitted on. The other families with line items are the dev part.
var lineHeldOut = map[string]bool{
	"zugferd-v1/4s4u":       true,
	"invoice2data/coolblue": true,
	"invoice2data/saeco":    true,
}

// TestLineItemsSplit scores the line-item rows of the corpus invoices,
// text only, on the dev families and on the held-out families apart.
// CRESCENT_LINES_DUMP=1 prints the dev documents' rows against their
// truth. It reports; the floor is TestCorpusEval's.
func TestLineItemsSplit(t *testing.T) {
	root := corpusRoot
	ctx := context.Background()
	p := evalPipeline(t)
	invoices, _ := workspace.ProcessTypeByID(workspace.ProcessTypeInvoices)
	cfg := workspace.ProcessConfig{DataPoints: invoices.DataPoints, OCRLanguages: []string{"eng"}}
	parts := map[string]*lineTally{"dev": {}, "held-out": {}}
	seen := 0
	for _, folder := range []string{"invoice2data", "zugferd-v1"} {
		var items []expectedDoc
		raw, err := os.ReadFile(filepath.Join(root, folder, "expected.json"))
		if err != nil {
			testenv.Missing(t, "the corpus in ../shared/corpus")
			return
		}
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if _, ok := it.Fields["line_items"].([]any); !ok || it.XMLPDFMismatch {
				continue
			}
			seen++
			d, _ := p.evalDocument(ctx, t, filepath.Join(root, folder, it.File), cfg)
			ed := evalDoc{folder: folder, item: it, doc: d}
			part := "dev"
			if lineHeldOut[familyOf(ed)] {
				part = "held-out"
			}
			parts[part].add(ed)
			if part == "dev" && os.Getenv("CRESCENT_LINES_DUMP") != "" {
				t.Logf("\n%s", dumpLines(ed))
				if dir := os.Getenv("CRESCENT_LINES_PAGES"); dir != "" && strings.HasSuffix(it.File, ".pdf") {
					savePages(ctx, t, p, filepath.Join(root, folder, it.File), filepath.Join(dir, strings.ReplaceAll(it.File, "/", "_")+".json"), cfg)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no corpus invoice has line items")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %4s %6s %6s %6s  right/predicted/truth; matched; cells\n", "part", "docs", "P", "R", "F1")
	for _, name := range []string{"dev", "held-out"} {
		l := parts[name]
		p, r, f := tally{l.right, l.predicted, l.truth}.scores()
		fmt.Fprintf(&b, "%-9s %4d %6.3f %6.3f %6.3f  %d/%d/%d; %d; %d/%d\n", name, l.docs, p, r, f, l.right, l.predicted, l.truth, l.matched, l.cellsRight, l.cells)
	}
	t.Logf("\nLine items, text only, dev and held-out families\n%s", b.String())
}

// savePages writes the pages of a PDF as the pipeline reads them, as JSON.
func savePages(ctx context.Context, t *testing.T, p *Pipeline, path, out string, cfg workspace.ProcessConfig) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	read, err := p.readPDF(ctx, f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(read.pages)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// dumpLines prints a document's predicted rows and its true rows.
func dumpLines(d evalDoc) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", d.path())
	for _, row := range d.doc.Tables["line_items"].Rows {
		var cells []string
		for k, c := range row {
			cells = append(cells, fmt.Sprintf("%s=%v", k, c.Value))
		}
		sort.Strings(cells)
		fmt.Fprintf(&b, "  got  %s\n", strings.Join(cells, " | "))
	}
	want, _ := d.item.Fields["line_items"].([]any)
	for _, w := range want {
		wr, _ := w.(map[string]any)
		var cells []string
		for k, v := range wr {
			cells = append(cells, fmt.Sprintf("%s=%v", k, v))
		}
		sort.Strings(cells)
		fmt.Fprintf(&b, "  want %s\n", strings.Join(cells, " | "))
	}
	return b.String()
}
