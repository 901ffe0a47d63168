package einvoice

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/testenv"
)

// corpusDir is the ZUGFeRD 1 corpus with ground truth, relative to this
// package. See its README for how the truth was made and is compared.
const corpusDir = "../../../shared/corpus/zugferd-v1"

// coreFields must match on every corpus document.
var coreFields = []string{
	"invoice_number", "invoice_date", "total_amount", "net_amount", "tax_amount",
	"currency", "seller_name", "buyer_name", "seller_id", "account_number",
}

// corpusRecord is one entry of expected.json.
type corpusRecord struct {
	File           string         `json:"file"`
	Format         string         `json:"format"`
	Fields         map[string]any `json:"fields"`
	XMLPDFMismatch bool           `json:"xml_pdf_mismatch"`
}

// fieldScore counts the documents stating a field and those we match.
type fieldScore struct{ expected, matched int }

// TestCorpusZUGFeRD1 reads every PDF of the ZUGFeRD 1 corpus with FromPDF
// and compares the result with the truth as the corpus README says:
// normalised strings, amounts to 2 decimals, ids without separators,
// addresses by token overlap, line items matched by description. It logs a
// per-field table and requires every core field to match. The truth is the
// embedded XML, so documents flagged xml_pdf_mismatch (the page shows
// another invoice) are scored too.
func TestCorpusZUGFeRD1(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpusDir, "expected.json"))
	if errors.Is(err, fs.ErrNotExist) {
		testenv.Missing(t, "the corpus at "+corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var records []corpusRecord
	if err := json.Unmarshal(raw, &records); err != nil {
		t.Fatal(err)
	}
	scores := map[string]*fieldScore{}
	extra := map[string]int{}
	var lines lineScore
	for _, rec := range records {
		inv := corpusInvoice(t, rec.File)
		if inv == nil {
			continue
		}
		for field, want := range rec.Fields {
			if field == "line_items" {
				continue
			}
			s := scores[field]
			if s == nil {
				s = &fieldScore{}
				scores[field] = s
			}
			s.expected++
			got, ok := inv.Fields[field]
			if ok && fieldMatches(field, fmt.Sprint(want), got) {
				s.matched++
			} else {
				t.Logf("%s: %s = %q, want %v", rec.File, field, got, want)
			}
		}
		for field := range inv.Fields {
			if _, ok := rec.Fields[field]; !ok {
				extra[field]++
				t.Logf("%s: extra %s = %q", rec.File, field, inv.Fields[field])
			}
		}
		want, _ := rec.Fields["line_items"].([]any)
		lines.add(t, rec.File, want, inv.LineItems)
	}
	logTable(t, scores, &lines)
	t.Logf("fields we read that the truth does not state (not errors): %v", extra)
	for _, f := range coreFields {
		if s := scores[f]; s == nil || s.matched != s.expected {
			t.Errorf("core field %s: %v matched, want all", f, s)
		}
	}
	if t.Failed() {
		return
	}
	for f, s := range scores {
		if s.matched != s.expected {
			t.Errorf("field %s: %d of %d matched", f, s.matched, s.expected)
		}
	}
	if lines.rowsMatched != lines.rowsExpected || lines.rowsExtra != 0 || lines.cellsMatched != lines.cells {
		t.Errorf("line items: %+v", lines)
	}
}

// corpusInvoice runs FromPDF on a corpus file; nil if the file is missing
// or (failing the test) cannot be read.
func corpusInvoice(t *testing.T, file string) *Invoice {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, filepath.FromSlash(file)))
	if errors.Is(err, fs.ErrNotExist) {
		t.Logf("%s: missing, skipped", file)
		return nil
	}
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return nil
	}
	defer f.Close()
	inv, err := FromPDF(f)
	if err != nil {
		t.Errorf("%s: FromPDF: %v", file, err)
		return nil
	}
	return inv
}

// logTable logs the per-field match table.
func logTable(t *testing.T, scores map[string]*fieldScore, lines *lineScore) {
	t.Helper()
	names := make([]string, 0, len(scores))
	for f := range scores {
		names = append(names, f)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-16s %8s %8s %7s\n", "field", "expected", "matched", "rate")
	for _, f := range names {
		s := scores[f]
		fmt.Fprintf(&b, "%-16s %8d %8d %6.1f%%\n", f, s.expected, s.matched, 100*float64(s.matched)/float64(s.expected))
	}
	fmt.Fprintf(&b, "%-16s %8d %8d %6.1f%%  (rows; %d extra rows)\n", "line_items", lines.rowsExpected, lines.rowsMatched,
		100*float64(lines.rowsMatched)/float64(max(lines.rowsExpected, 1)), lines.rowsExtra)
	cols := make([]string, 0, len(lines.cols))
	for c := range lines.cols {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		s := lines.cols[c]
		fmt.Fprintf(&b, "  .%-13s %8d %8d %6.1f%%\n", c, s.expected, s.matched, 100*float64(s.matched)/float64(s.expected))
	}
	t.Log(b.String())
}

// lineScore accumulates the line-item comparison.
type lineScore struct {
	rowsExpected, rowsMatched, rowsExtra int
	cells, cellsMatched                  int
	cols                                 map[string]*fieldScore
}

// add matches the expected rows of one document with the rows we read,
// order-insensitively by best description similarity, and compares each
// column the truth states.
func (s *lineScore) add(t *testing.T, file string, want []any, got []map[string]string) {
	t.Helper()
	if s.cols == nil {
		s.cols = map[string]*fieldScore{}
	}
	type pair struct {
		w, g  int
		score float64
	}
	var pairs []pair
	for i, w := range want {
		wm, _ := w.(map[string]any)
		for j, g := range got {
			score := tokenOverlap(fmt.Sprint(wm["description"]), g["description"])
			for k, v := range wm {
				if k != "description" && fieldMatches(k, fmt.Sprint(v), g[k]) {
					score += 0.01
				}
			}
			pairs = append(pairs, pair{i, j, score})
		}
	}
	sort.SliceStable(pairs, func(a, b int) bool { return pairs[a].score > pairs[b].score })
	usedW, usedG := map[int]bool{}, map[int]bool{}
	s.rowsExpected += len(want)
	for _, p := range pairs {
		if usedW[p.w] || usedG[p.g] || p.score < 0.5 {
			continue
		}
		usedW[p.w], usedG[p.g] = true, true
		s.rowsMatched++
		wm, _ := want[p.w].(map[string]any)
		for k, v := range wm {
			c := s.cols[k]
			if c == nil {
				c = &fieldScore{}
				s.cols[k] = c
			}
			c.expected++
			s.cells++
			if fieldMatches(k, fmt.Sprint(v), got[p.g][k]) {
				c.matched++
				s.cellsMatched++
			} else {
				t.Logf("%s: line %q: %s = %q, want %v", file, wm["description"], k, got[p.g][k], v)
			}
		}
	}
	for i := range want {
		if !usedW[i] {
			t.Logf("%s: line %v not found", file, want[i])
		}
	}
	s.rowsExtra += len(got) - len(usedG)
}

// fieldMatches compares a truth value with ours as the corpus README says.
func fieldMatches(field, want, got string) bool {
	if got == "" {
		return false
	}
	switch {
	case strings.HasSuffix(field, "_amount") || field == "unit_price":
		return numberMatches(want, got, 2)
	case field == "quantity":
		return numberMatches(want, got, 4)
	case field == "vat_rate":
		return numberMatches(strings.TrimSuffix(want, "%"), strings.TrimSuffix(got, "%"), 2)
	case strings.HasSuffix(field, "_address"):
		return addressMatches(want, got)
	case field == "currency":
		return strings.EqualFold(strings.TrimSpace(want), strings.TrimSpace(got))
	case strings.HasSuffix(field, "_id") || field == "account_number" || field == "swift_code" ||
		field == "invoice_number" || field == "order_number":
		return normID(want) == normID(got)
	default:
		return normString(want) == normString(got)
	}
}

// numberMatches compares two numbers rounded to places decimals.
func numberMatches(want, got string, places int) bool {
	w, err1 := strconv.ParseFloat(strings.TrimSpace(want), 64)
	g, err2 := strconv.ParseFloat(strings.TrimSpace(got), 64)
	if err1 != nil || err2 != nil {
		return false
	}
	p := math.Pow10(places)
	return math.Round(w*p) == math.Round(g*p)
}

// normString lower-cases s and collapses its white space.
func normString(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// normID normalises an identifier: also without spaces, dots, dashes and
// slashes.
func normID(s string) string {
	return strings.NewReplacer(" ", "", ".", "", "-", "", "/", "").Replace(normString(s))
}

// tokens returns the set of normalised words of s, commas dropped.
func tokens(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(strings.ReplaceAll(normString(s), ",", " ")) {
		set[w] = true
	}
	return set
}

// tokenOverlap returns |A∩B| / max(|A|,|B|) for the token sets of a and b.
func tokenOverlap(a, b string) float64 {
	ta, tb := tokens(a), tokens(b)
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	n := 0
	for w := range ta {
		if tb[w] {
			n++
		}
	}
	return float64(n) / float64(max(len(ta), len(tb)))
}

// addressMatches accepts a token overlap of at least 0.8, ignoring a
// trailing country code that only one side has.
func addressMatches(want, got string) bool {
	w, g := stripCountry(want), stripCountry(got)
	if tokenOverlap(want, got) >= 0.8 {
		return true
	}
	return tokenOverlap(w, g) >= 0.8
}

// stripCountry removes a trailing ", CC" country code.
func stripCountry(s string) string {
	if i := strings.LastIndex(s, ","); i >= 0 && len(strings.TrimSpace(s[i+1:])) == 2 {
		return s[:i]
	}
	return s
}
