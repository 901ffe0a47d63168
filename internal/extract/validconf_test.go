package extract

import (
	"os"
	"strings"
	"testing"
)

// TestFailingValidatorLowersConfidence checks that a value whose
// validator fails (VAT id check digits, net + tax != total) is never
// offered with a confidence a reviewer would trust.
func TestFailingValidatorLowersConfidence(t *testing.T) {
	b, err := os.ReadFile("testdata/invoice_de.txt")
	if err != nil {
		t.Fatal(err)
	}
	const goodVAT, badVAT = "DE136695976", "DE136695975"
	if _, format, sum := vatCheck(badVAT); !format || sum {
		t.Fatalf("%s: format %v, check digits %v; want a well-formed id with wrong check digits", badVAT, format, sum)
	}
	for name, text := range map[string]string{
		"vat id":    strings.Replace(string(b), goodVAT, badVAT, 1),
		"net + tax": strings.Replace(string(b), "714,00 EUR", "741,00 EUR", 1),
	} {
		res := Extract(TextPages(text), Options{})
		failed := 0
		for _, f := range res.Fields {
			if f.Valid == nil || *f.Valid || len(f.Candidates) == 0 {
				continue
			}
			failed++
			if c := f.Candidates[0].Confidence; c > maxInvalidConf {
				t.Errorf("%s: %s = %v fails its check (%s) at confidence %.2f > %.2f", name, f.Name, f.Candidates[0].Value, f.ValidationMsg, c, maxInvalidConf)
			}
		}
		if failed == 0 {
			t.Errorf("%s: no field fails its check", name)
		}
	}
}
