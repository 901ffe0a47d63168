package extract

import (
	"regexp"
	"strings"

	"github.com/crescent-idp/crescent/internal/doc"
)

var (
	creditRe  = regexp.MustCompile(`(^|[^\p{L}])(credit note|credit memo|gutschrift|rechnungskorrektur|rechnungs-korrektur|stornorechnung|korekta|faktura korygujaca|avoir|facture d'avoir|creditnota|creditfactuur|nota di credito|nota de credito)([^\p{L}]|$)`)
	receiptRe = regexp.MustCompile(`(^|[^\p{L}])(receipt|payment receipt|kassenbon|kassenbeleg|quittung|paragon(?: fiskalny)?|ticket de caisse|recu|kassabon|kwitantie|bon fiscal|scontrino|recibo)([^\p{L}]|$)`)
	invoiceRe = regexp.MustCompile(`(^|[^\p{L}])(invoice|tax invoice|rechnung|faktura|facture|factuur|fattura|factura|beitragsrechnung|bill)([^\p{L}]|$)`)
)

// Classify says what kind of document the pages hold: invoice,
// credit_note, receipt or other.
func Classify(pages []doc.Page) string {
	return newExtractor(pages, false).classify()
}

func (x *extractor) classify() string {
	var top, all strings.Builder
	for i, ln := range x.l.lines {
		t := fold(ln.text())
		if i < 25 {
			top.WriteString(t + "\n")
		}
		all.WriteString(t + "\n")
	}
	switch {
	case creditRe.MatchString(top.String()):
		return "credit_note"
	case receiptRe.MatchString(top.String()) && !invoiceRe.MatchString(top.String()):
		return "receipt"
	case invoiceRe.MatchString(top.String()) || invoiceRe.MatchString(all.String()):
		return "invoice"
	case receiptRe.MatchString(all.String()):
		return "receipt"
	}
	return "other"
}
