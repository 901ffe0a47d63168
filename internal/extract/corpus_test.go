package extract

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/testenv"
)

const corpusDir = "../../../shared/corpus"

// coreFields are the fields of the contract's micro F1.
var coreFields = []string{"invoice_number", "invoice_date", "total_amount", "net_amount", "tax_amount", "currency",
	"seller_name", "buyer_name", "seller_id", "account_number"}

type corpusItem struct {
	File         string           `json:"file"`
	Fields       map[string]any   `json:"fields"`
	Alternates   map[string][]any `json:"alternates"`
	NotInPDFText []string         `json:"not_in_pdf_text"`
	XMLMismatch  bool             `json:"xml_pdf_mismatch"`
}

var wsRe = regexp.MustCompile(`\s+`)

func normStr(v any) string {
	s := strings.ToLower(fmt.Sprint(v))
	s = wsRe.ReplaceAllString(s, " ")
	return strings.Trim(s, " .,;:")
}

// same compares like the contract scorer's same().
func same(field string, want, got any) bool {
	if got == nil || got == "" {
		return false
	}
	if w, ok := want.(float64); ok {
		g, ok := got.(float64)
		return ok && math.Abs(g-w) < 0.005
	}
	switch field {
	case "account_number", "seller_id", "buyer_id", "swift_code":
		strip := func(v any) string {
			return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(fmt.Sprint(v)))
		}
		return strip(got) == strip(want)
	case "seller_address", "buyer_address":
		return addressMatch(fmt.Sprint(want), fmt.Sprint(got))
	}
	return normStr(got) == normStr(want)
}

// addressMatch is a token-set overlap of at least 0.8.
func addressMatch(want, got string) bool {
	tok := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, t := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return strings.ContainsRune(" ,.;:-", r) }) {
			m[t] = true
		}
		return m
	}
	a, b := tok(want), tok(got)
	n := 0
	for t := range a {
		if b[t] {
			n++
		}
	}
	return float64(2*n)/float64(len(a)+len(b)) >= 0.8
}

type prf struct{ c, p, t int }

func (s prf) f1() (float64, float64, float64) {
	var p, r, f float64
	if s.p > 0 {
		p = float64(s.c) / float64(s.p)
	}
	if s.t > 0 {
		r = float64(s.c) / float64(s.t)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// holdOut are the zugferd issuers kept out of development.
var holdOut = []string{"Mustangproject/", "Konik/"}

func isHeldOut(file string) bool {
	for _, h := range holdOut {
		if strings.HasPrefix(file, h) {
			return true
		}
	}
	return false
}

// TestCorpusF1 scores Extract on the shared corpus like the contract scorer
// (text only, best candidate) and prints a per-field table.
func TestCorpusF1(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		testenv.Missing(t, "the corpus in ../shared/corpus")
	}
	if !havePdftotext() {
		testenv.Missing(t, "pdftotext (poppler-utils)")
	}
	hide := os.Getenv("EXTRACT_HIDE_HOLDOUT") != ""
	floors := map[string]float64{"invoice2data": 0.8, "zugferd-v1": 0.8}
	for _, folder := range []string{"invoice2data", "zugferd-v1"} {
		dir := filepath.Join(corpusDir, folder)
		b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
		if err != nil {
			t.Fatal(err)
		}
		var items []corpusItem
		if err := json.Unmarshal(b, &items); err != nil {
			t.Fatal(err)
		}
		groups := map[string]map[string]*prf{}
		var li liStats
		var misses []string
		for _, it := range items {
			if it.XMLMismatch {
				continue
			}
			group := folder
			if folder == "zugferd-v1" {
				group = folder + " (dev)"
				if isHeldOut(it.File) {
					if hide {
						continue
					}
					group = folder + " (held out)"
				}
			}
			path := filepath.Join(dir, it.File)
			pages := textFilePages
			if strings.HasSuffix(it.File, ".pdf") {
				pages = pdfPages
			}
			res := Extract(pages(t, path), Options{})
			if want, ok := it.Fields["line_items"].([]any); ok && !(hide && isHeldOut(it.File)) {
				li.add(want, res.Tables["line_items"])
			}
			skip := map[string]bool{}
			for _, f := range it.NotInPDFText {
				skip[f] = true
			}
			for _, g := range []string{group, folder + " (all)"} {
				if groups[g] == nil {
					groups[g] = map[string]*prf{}
				}
			}
			for f, want := range it.Fields {
				if f == "line_items" || skip[f] || want == nil || want == "" {
					continue
				}
				var got any
				if fl := res.Fields[f]; fl != nil && len(fl.Candidates) > 0 {
					got = fl.Candidates[0].Value
				}
				ok := same(f, want, got)
				for _, alt := range it.Alternates[f] {
					ok = ok || same(f, alt, got)
				}
				for _, g := range []string{group, folder + " (all)"} {
					s := groups[g][f]
					if s == nil {
						s = &prf{}
						groups[g][f] = s
					}
					s.t++
					if got != nil && got != "" {
						s.p++
					}
					if ok {
						s.c++
					}
				}
				if !ok && !(hide && isHeldOut(it.File)) {
					misses = append(misses, fmt.Sprintf("  MISS %-60s %-15s want %v got %v", it.File, f, want, got))
				}
			}
		}
		var names []string
		for g := range groups {
			names = append(names, g)
		}
		sort.Strings(names)
		for _, g := range names {
			table, micro := fieldTable(groups[g])
			t.Logf("%s: micro F1 over core fields %.3f\n%s", g, micro, table)
			if g == folder+" (all)" && micro < floors[folder] {
				t.Errorf("%s: micro F1 %.3f below %.2f", folder, micro, floors[folder])
			}
		}
		t.Logf("%s line_items: %s", folder, li)
		if testing.Verbose() && os.Getenv("EXTRACT_MISSES") != "" {
			t.Logf("%s misses:\n%s", folder, strings.Join(misses, "\n"))
		}
	}
}

func fieldTable(per map[string]*prf) (string, float64) {
	var fs []string
	for f := range per {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-16s %6s %6s %6s  correct/predicted/truth\n", "field", "P", "R", "F1")
	var core prf
	for _, f := range fs {
		s := per[f]
		p, r, f1 := s.f1()
		mark := ""
		for _, c := range coreFields {
			if c == f {
				mark = "*"
				core.c += s.c
				core.p += s.p
				core.t += s.t
			}
		}
		fmt.Fprintf(&sb, "%-16s %6.3f %6.3f %6.3f  %d/%d/%d\n", f+mark, p, r, f1, s.c, s.p, s.t)
	}
	p, r, f1 := core.f1()
	fmt.Fprintf(&sb, "%-16s %6.3f %6.3f %6.3f  %d/%d/%d\n", "CORE (micro)", p, r, f1, core.c, core.p, core.t)
	return sb.String(), f1
}

// liStats scores line items: rows matched by description overlap, then
// the numeric cells of matched rows.
type liStats struct{ truthRows, gotRows, matched, cells, cellsOK int }

func (s liStats) String() string {
	return fmt.Sprintf("rows truth %d, predicted %d, matched %d; numeric cells of matched rows %d/%d correct",
		s.truthRows, s.gotRows, s.matched, s.cellsOK, s.cells)
}

func (s *liStats) add(want []any, got *Table) {
	var rows []map[string]Candidate
	if got != nil {
		rows = got.Rows
	}
	s.truthRows += len(want)
	s.gotRows += len(rows)
	used := map[int]bool{}
	for _, w := range want {
		wr, _ := w.(map[string]any)
		best, bestSim := -1, 0.5
		for i, r := range rows {
			if used[i] {
				continue
			}
			d, _ := r["description"].Value.(string)
			if sim := tokenSim(fmt.Sprint(wr["description"]), d); sim >= bestSim {
				best, bestSim = i, sim
			}
		}
		if best < 0 {
			continue
		}
		used[best] = true
		s.matched++
		for _, col := range []string{"quantity", "unit_price", "net_amount", "vat_rate"} {
			wv, ok := wr[col].(float64)
			if !ok {
				continue
			}
			s.cells++
			if gv, ok := rows[best][col].Value.(float64); ok && math.Abs(gv-wv) < 0.005 {
				s.cellsOK++
			}
		}
	}
}

func tokenSim(a, b string) float64 {
	ta, tb := strings.Fields(strings.ToLower(a)), strings.Fields(strings.ToLower(b))
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	set := map[string]bool{}
	for _, t := range tb {
		set[t] = true
	}
	n := 0
	for _, t := range ta {
		if set[t] {
			n++
		}
	}
	return float64(n) / float64(len(ta))
}
