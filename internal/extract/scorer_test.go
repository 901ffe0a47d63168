package extract

import (
	"fmt"
	"strings"
	"testing"
)

// TestEmbeddedScorerLoads checks that the committed model/scorer.json was
// fitted on this version's features: after a feature change, run make
// train.
func TestEmbeddedScorerLoads(t *testing.T) {
	if _, err := ParseScorer(scorerJSON); err != nil {
		t.Fatalf("model/scorer.json: %v (run make train)", err)
	}
	if EmbeddedScorer() == nil {
		t.Fatal("no embedded scorer")
	}
}

// TestFitScorerRanksTheSignal fits the scorer on candidates whose only
// difference is one feature and checks it ranks by that feature.
func TestFitScorerRanksTheSignal(t *testing.T) {
	var ex []Example
	for i := range 40 {
		for _, pos := range []bool{true, false} {
			f := make([]float64, len(featureNames))
			f[0], f[1] = 1, 0.5
			if pos {
				f[13] = 1 // valid
			}
			if i%5 == 0 { // noise
				f[13] = 1 - f[13]
			}
			ex = append(ex, Example{Field: "total_amount", Features: f, Positive: pos})
		}
	}
	s := FitScorer(ex, 0.1, 40)
	hi, lo := make([]float64, len(featureNames)), make([]float64, len(featureNames))
	hi[0], lo[0], hi[1], lo[1], hi[13] = 1, 1, 0.5, 0.5, 1
	if s.Score("net_amount", hi) <= s.Score("net_amount", lo) {
		t.Errorf("valid scored %.3f, not above invalid %.3f", s.Score("net_amount", hi), s.Score("net_amount", lo))
	}
	if s.Score("invoice_number", hi) != 0 {
		t.Error("a group without examples scores")
	}
	b, err := s.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseScorer(b)
	if err != nil || back.Score("tax_amount", hi) != s.Score("tax_amount", hi) {
		t.Errorf("round trip: %v", err)
	}
}

// TestUnseenLayoutsScorer compares the hand rules with the embedded
// scorer on the generated invoices (dev and held-out vocabularies): a
// second held-out figure for the scorer, next to leave-one-family-out.
func TestUnseenLayoutsScorer(t *testing.T) {
	s := EmbeddedScorer()
	if s == nil {
		t.Skip("no embedded scorer")
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-16s %8s %8s %8s %8s\n", "field", "dev", "dev+sc", "held", "held+sc")
	var sums [4]float64
	cols := []map[string]float64{
		unseenScoreWith(devVocab, unseenDocs, nil, Options{}),
		unseenScoreWith(devVocab, unseenDocs, nil, Options{Scorer: s}),
		unseenScoreWith(heldOutVocab, unseenDocs, nil, Options{}),
		unseenScoreWith(heldOutVocab, unseenDocs, nil, Options{Scorer: s}),
	}
	for _, f := range unseenFields {
		fmt.Fprintf(&sb, "%-16s", f)
		for i, c := range cols {
			fmt.Fprintf(&sb, " %8.3f", c[f])
			sums[i] += c[f]
		}
		fmt.Fprintln(&sb)
	}
	n := float64(len(unseenFields))
	fmt.Fprintf(&sb, "%-16s %8.3f %8.3f %8.3f %8.3f\n", "mean", sums[0]/n, sums[1]/n, sums[2]/n, sums[3]/n)
	t.Logf("%d generated invoices per vocabulary, hand rules vs embedded scorer\n%s", unseenDocs, sb.String())
}
