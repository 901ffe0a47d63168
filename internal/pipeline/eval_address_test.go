package pipeline

import (
	"fmt"
	"strings"
	"unicode"
)

// addressFields are the fields scored both exactly and by tokens.
var addressFields = []string{"seller_address", "buyer_address"}

// normTokens folds case, turns punctuation and symbols into spaces and
// returns the set of words.
func normTokens(s string) map[string]bool {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
	set := map[string]bool{}
	for _, w := range strings.Fields(s) {
		set[w] = true
	}
	return set
}

// dice is the token-set overlap 2|a∩b| / (|a|+|b|).
func dice(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return float64(2*n) / float64(len(a)+len(b))
}

// addressTokenMatch compares addresses as the corpus README says: token
// sets after case folding and punctuation removal overlap by at least
// 0.8, and the truth's trailing country code ("…, DE") is dropped when
// the prediction does not print it.
func addressTokenMatch(want, got any) bool {
	w, g := fmt.Sprint(want), fmt.Sprint(got)
	if got == nil || strings.TrimSpace(g) == "" {
		return false
	}
	wt, gt := normTokens(w), normTokens(g)
	if i := strings.LastIndex(w, ","); i >= 0 {
		cc := strings.ToLower(strings.TrimSpace(w[i+1:]))
		if len(cc) == 2 && !gt[cc] {
			delete(wt, cc)
		}
	}
	return dice(wt, gt) >= 0.8
}

// addressTally counts one address field both ways.
type addressTally struct{ truth, predicted, exact, tokens int }

func (a addressTally) f1(correct int) float64 {
	_, _, f := tally{correct, a.predicted, a.truth}.scores()
	return f
}

// addressTable prints, per folder and over all text-only invoices, the
// F1 of seller_address and buyer_address compared exactly (the per-field
// tables) and by tokens.
func addressTable(docs []evalDoc) string {
	type key struct{ group, field string }
	counts := map[key]*addressTally{}
	var groups []string
	for _, d := range docs {
		for _, field := range addressFields {
			want, ok := d.item.Fields[field]
			if !ok || d.skip[field] {
				continue
			}
			for _, g := range []string{d.folder, "all"} {
				k := key{g, field}
				if counts[k] == nil {
					counts[k] = &addressTally{}
				}
				if g != "all" {
					groups = appendNew(groups, g)
				}
				a := counts[k]
				a.truth++
				e, found := bestCandidate(d, field)
				if !found {
					continue
				}
				a.predicted++
				if same(field, want, e.Value) {
					a.exact++
				}
				if addressTokenMatch(want, e.Value) {
					a.tokens++
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Addresses, text only: exact (case and spaces only) vs tokens (overlap >= 0.8, country code optional)\n")
	fmt.Fprintf(&b, "%-14s %-15s %5s %5s %8s %8s  %s\n", "folder", "field", "truth", "pred", "F1 exact", "F1 token", "exact/token correct")
	for _, g := range append(groups, "all") {
		for _, field := range addressFields {
			a := counts[key{g, field}]
			if a == nil {
				continue
			}
			fmt.Fprintf(&b, "%-14s %-15s %5d %5d %8.3f %8.3f  %d/%d\n", g, field, a.truth, a.predicted, a.f1(a.exact), a.f1(a.tokens), a.exact, a.tokens)
		}
	}
	return b.String()
}

// appendNew appends s to list unless it is there.
func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
