package extract

import (
	"slices"
	"strings"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	for _, c := range []struct {
		re   string
		want []string
	}{
		{`invoice`, []string{"invoice"}},
		{`(?:^|[^\p{L}\p{N}])(invoice[\s\-._]*date)`, []string{"invoice"}},
		{`tel(?:efon|ephone|\.)?`, []string{"tel"}},
		{`referen(?:z|ce)`, []string{"reference", "referenz"}},
		{`(?:uberweisen|bezahlen)(?: \p{L}+){0,3} bis`, []string{"bezahlen", "uberweisen"}},
		{`^(?:qty|menge)\.?$`, []string{"menge", "qty"}},
		{`a|b*`, nil}, // b* matches anything
		{`(?i)invoice`, nil},
		{`\d+`, strings.Split("0123456789", "")},
		{`x?`, nil},
	} {
		got := requiredLiterals(c.re)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("requiredLiterals(%q) = %q, want %q", c.re, got, c.want)
		}
	}
}

// checkPrefilters fails when a label or column expression matches text
// that its prefilter would have skipped.
func checkPrefilters(t *testing.T, text string) {
	t.Helper()
	checkLabelPrefilter(t, text)
	checkColumnPrefilter(t, text)
}

func checkLabelPrefilter(t *testing.T, text string) {
	t.Helper()
	set := make([]uint64, labelFilter.words())
	labelFilter.present(text, set)
	for _, l := range labels {
		if !anyIn(l.lits, set) && l.re.MatchString(text) {
			t.Fatalf("label %s matches %q but its prefilter skips it", l.re, text)
		}
	}
}

func checkColumnPrefilter(t *testing.T, text string) {
	t.Helper()
	set := make([]uint64, columnFilter.words())
	columnFilter.present(text, set)
	for i, c := range columnWords {
		if !anyIn(columnLits[i], set) && c.re.MatchString(text) {
			t.Fatalf("column %s matches %q but its prefilter skips it", c.col, text)
		}
	}
}

// TestPrefilters checks the prefilters on every segment of the sample
// documents, and on its column header candidates.
func TestPrefilters(t *testing.T) {
	n := 0
	for _, d := range sampleDocs(t) {
		for _, ln := range buildLayout(d.pages).lines {
			for _, s := range ln.segs {
				checkLabelPrefilter(t, s.folded())
				for k := range s.words {
					var parts []string
					for _, w := range s.words[k:min(k+3, len(s.words))] {
						parts = append(parts, w.text)
						checkColumnPrefilter(t, strings.Trim(collapse(fold(strings.Join(parts, " "))), " :"))
					}
				}
				n++
			}
		}
	}
	t.Logf("%d segments", n)
}

func FuzzPrefilters(f *testing.F) {
	for _, s := range []string{"Invoice No: 1", "Rechnungs-Nr. 42", "Fälligkeitsdatum 01.02.2024", "Bitte überweisen Sie bis zum",
		"Payable by", "Tel.", "IBAN", "Unit Price", "MwSt. %", "Prix unitaire HT", "in favour of", "N° de TVA intracommunautaire"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 {
			return
		}
		checkPrefilters(t, fold(s))
		checkPrefilters(t, s)
	})
}
