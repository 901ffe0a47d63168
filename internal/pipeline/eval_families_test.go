package pipeline

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// invoiceFamilies groups the visible corpus invoices by who laid them
// out, keyed by path relative to the corpus root. The rule
// (docs/extraction.md): in zugferd-v1 a family is a producer sub-folder;
// in invoice2data it is an issuer (the printed seller, whatever the
// brand name). Scoring a family with everything else as training data
// measures a layout the extractor was not fitted on.
var invoiceFamilies = map[string]string{
	"invoice2data/AmazonWebServices.pdf":      "invoice2data/aws",
	"invoice2data/AzureInterior.pdf":          "invoice2data/azure-interior",
	"invoice2data/FlipkartInvoice.pdf":        "invoice2data/flipkart",
	"invoice2data/NetpresseInvoice.pdf":       "invoice2data/netpresse",
	"invoice2data/Orlen.txt":                  "invoice2data/orlen",
	"invoice2data/QualityHosting.pdf":         "invoice2data/qualityhosting",
	"invoice2data/SammyMaystoneLinesTest.pdf": "invoice2data/sammy-maystone",
	"invoice2data/coolblue1.pdf":              "invoice2data/coolblue",
	"invoice2data/coolblue2.pdf":              "invoice2data/coolblue",
	"invoice2data/free_fiber.pdf":             "invoice2data/free",
	"invoice2data/oyo.pdf":                    "invoice2data/oyo",
	"invoice2data/saeco.pdf":                  "invoice2data/saeco",

	"zugferd-v1/4s4u/additional-data-sample-1.pdf":                                            "zugferd-v1/4s4u",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_BASIC_Einfach.pdf":                                       "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_BASIC_Rechnungskorrektur.pdf":                            "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_COMFORT_Einfach.pdf":                                     "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_COMFORT_Haftpflichtversicherung_Versicherungssteuer.pdf": "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_COMFORT_Kraftfahrversicherung_Bruttopreise.pdf":          "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_COMFORT_Rabatte.pdf":                                     "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_COMFORT_Rechnungskorrektur.pdf":                          "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_COMFORT_SEPA_Prenotification.pdf":                        "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_COMFORT_Sachversicherung_berechneter_Steuersatz.pdf":     "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_EXTENDED_Kostenrechnung.pdf":                             "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_EXTENDED_Rechnungskorrektur.pdf":                         "zugferd-v1/Intarsys",
	"zugferd-v1/Intarsys/ZUGFeRD_1p0_EXTENDED_Warenrechnung.pdf":                              "zugferd-v1/Intarsys",
	"zugferd-v1/Konik/acme_invoice-42_ZUGFeRD.pdf":                                            "zugferd-v1/Konik",
	"zugferd-v1/Mustangproject/MustangGnuaccountingBeispielRE-20140519_499.pdf":               "zugferd-v1/Mustangproject",
	"zugferd-v1/Mustangproject/MustangGnuaccountingBeispielRE-20140522_501.pdf":               "zugferd-v1/Mustangproject",
	"zugferd-v1/Mustangproject/MustangGnuaccountingBeispielRE-20140703_502.pdf":               "zugferd-v1/Mustangproject",
	"zugferd-v1/Mustangproject/MustangGnuaccountingBeispielRE-20150613_503.pdf":               "zugferd-v1/Mustangproject",
	"zugferd-v1/Mustangproject/MustangGnuaccountingBeispielRE-20151008_504.pdf":               "zugferd-v1/Mustangproject",
	"zugferd-v1/Mustangproject/MustangGnuaccountingBeispielRE-20151008_504new.pdf":            "zugferd-v1/Mustangproject",
	"zugferd-v1/Mustangproject/MustangGnuaccountingBeispielRE-20170509_505.pdf":               "zugferd-v1/Mustangproject",
}

// familyOf returns the family of a document, "" when it has none.
func familyOf(d evalDoc) string { return invoiceFamilies[d.path()] }

// fitter is how a scorer that learns from documents (weights, a
// re-ranker of candidates) is trained for the leave-one-family-out table:
// fit sees the documents of every family but the held-out one, and
// returns how to pick the held-out documents' values.
type fitter interface {
	name() string
	fit(train []evalDoc) picker
}

// handWritten is today's extractor: rules written by hand, nothing to
// fit, so a family's held-out score equals its score.
type handWritten struct{}

func (handWritten) name() string { return "hand-written rules (nothing fitted)" }

func (handWritten) fit([]evalDoc) picker { return bestCandidate }

// familyScore is the held-out core tally of one family.
type familyScore struct {
	family string
	docs   int
	core   tally
}

// leaveOneFamilyOut scores every family with a picker fitted on all the
// other families, and returns the scores sorted by family, the macro F1
// (mean of the families' F1) and the micro tally (pooled over all
// held-out predictions).
func leaveOneFamilyOut(docs []evalDoc, f fitter) ([]familyScore, float64, tally) {
	byFamily := map[string][]evalDoc{}
	for _, d := range docs {
		byFamily[familyOf(d)] = append(byFamily[familyOf(d)], d)
	}
	var out []familyScore
	var micro tally
	macro := 0.0
	for fam, held := range byFamily {
		var train []evalDoc
		for _, d := range docs {
			if familyOf(d) != fam {
				train = append(train, d)
			}
		}
		pick := f.fit(train)
		per := map[string]*tally{}
		for _, d := range held {
			score(per, d, pick)
		}
		core := coreOf(per)
		out = append(out, familyScore{fam, len(held), core})
		micro.correct, micro.predicted, micro.truth = micro.correct+core.correct, micro.predicted+core.predicted, micro.truth+core.truth
		_, _, f1 := core.scores()
		macro += f1
	}
	sort.Slice(out, func(i, j int) bool { return out[i].family < out[j].family })
	if len(out) > 0 {
		macro /= float64(len(out))
	}
	return out, macro, micro
}

// familyTable prints the leave-one-family-out table.
func familyTable(docs []evalDoc, f fitter) string {
	scores, macro, micro := leaveOneFamilyOut(docs, f)
	var b strings.Builder
	fmt.Fprintf(&b, "Leave-one-family-out, text only, core fields; scorer: %s\n", f.name())
	fmt.Fprintf(&b, "%-30s %4s %6s %6s %6s  correct/predicted/truth\n", "family (held out)", "docs", "P", "R", "F1")
	for _, s := range scores {
		p, r, f1 := s.core.scores()
		fmt.Fprintf(&b, "%-30s %4d %6.3f %6.3f %6.3f  %d/%d/%d\n", s.family, s.docs, p, r, f1, s.core.correct, s.core.predicted, s.core.truth)
	}
	_, _, mf := micro.scores()
	fmt.Fprintf(&b, "%-30s %4d %6s %6s %6.3f  (headline: every family weighs the same)\n", "MACRO over families", len(scores), "", "", macro)
	fmt.Fprintf(&b, "%-30s %4d %6s %6s %6.3f  %d/%d/%d (every field weighs the same)\n", "MICRO", len(docs), "", "", mf, micro.correct, micro.predicted, micro.truth)
	return b.String()
}

// checkFamilies fails for a scored document without a family, and for a
// zugferd-v1 family that is not the document's producer sub-folder.
func checkFamilies(t *testing.T, docs []evalDoc) {
	t.Helper()
	for _, d := range docs {
		fam := familyOf(d)
		if fam == "" {
			t.Errorf("%s has no family: add it to invoiceFamilies (docs/extraction.md says how)", d.path())
			continue
		}
		if d.folder == "zugferd-v1" {
			if sub, _, ok := strings.Cut(d.item.File, "/"); !ok || fam != d.folder+"/"+sub {
				t.Errorf("%s: family %s is not its producer sub-folder", d.path(), fam)
			}
		}
	}
}
