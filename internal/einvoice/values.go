package einvoice

import (
	"math/big"
	"regexp"
	"strings"
	"time"
)

// decimalRe matches the decimal numbers the formats use: an optional sign,
// digits and an optional fraction, '.' as separator, no exponent.
var decimalRe = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)

// decimal returns s trimmed, without a leading '+', if it is a decimal
// number, and "" otherwise.
func decimal(s string) string {
	s = strings.TrimSpace(s)
	if !decimalRe.MatchString(s) {
		return ""
	}
	return strings.TrimPrefix(s, "+")
}

// negate returns the decimal string s with its sign flipped; zero stays
// unsigned.
func negate(s string) string {
	if s == "" {
		return s
	}
	if r, ok := new(big.Rat).SetString(s); ok && r.Sign() == 0 {
		return strings.TrimPrefix(s, "-")
	}
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return rest
	}
	return "-" + s
}

// grossAmount returns net × (1 + rate/100) rounded to 2 decimals, "" when
// either is missing or not a number.
func grossAmount(net, rate string) string {
	n, ok1 := new(big.Rat).SetString(net)
	r, ok2 := new(big.Rat).SetString(rate)
	if net == "" || rate == "" || !ok1 || !ok2 {
		return ""
	}
	factor := new(big.Rat).Add(big.NewRat(1, 1), new(big.Rat).Quo(r, big.NewRat(100, 1)))
	g := new(big.Rat).Mul(n, factor)
	// FloatString rounds half away from zero, as commercial rounding does.
	return g.FloatString(2)
}

// date returns the date held by the date element n as YYYY-MM-DD, "" when
// n holds none. It reads a CII date (a udt:DateTimeString child, or in the
// ZUGFeRD release candidate the element itself, with format 102 = YYYYMMDD;
// other formats such as 610 = YYYYMM name no day and are skipped) and a UBL
// or ISO 8601 date (YYYY-MM-DD, optionally followed by a time or zone).
func date(n *node) string {
	if n == nil {
		return ""
	}
	s := n.first("DateTimeString")
	if s == nil {
		s = n
	}
	text, format := s.value(), s.attr("format")
	switch {
	case format == "102" || (format == "" && len(text) == 8):
		if t, err := time.Parse("20060102", text); err == nil {
			return t.Format(time.DateOnly)
		}
	case format == "" && len(text) >= 10:
		if t, err := time.Parse(time.DateOnly, text[:10]); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return ""
}

// currencyCode returns s upper-cased if it is a three-letter code, "" otherwise.
func currencyCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 3 {
		return ""
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return ""
		}
	}
	return s
}

// compact returns s without white space, as IBANs and BICs are written
// electronically.
func compact(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// joinAddress formats address parts as "street, street 2, postcode city,
// CC", leaving out empty parts.
func joinAddress(lines []string, postcode, city, country string) string {
	parts := make([]string, 0, len(lines)+2)
	for _, l := range lines {
		if l != "" {
			parts = append(parts, l)
		}
	}
	if pc := strings.TrimSpace(postcode + " " + city); pc != "" {
		parts = append(parts, pc)
	}
	if country != "" {
		parts = append(parts, country)
	}
	return strings.Join(parts, ", ")
}

// creditNoteCodes are the UNTDID 1001 document type codes EN 16931 counts
// as credit notes; every other code is an invoice (380, 384 corrected
// invoice, 389 self-billed invoice, 326 partial invoice, ...).
var creditNoteCodes = map[string]bool{
	"81": true, "83": true, "261": true, "262": true, "296": true, "308": true,
	"381": true, "396": true, "420": true, "458": true, "532": true,
}

// documentType returns TypeCreditNote for a UBL CreditNote root or a credit
// note type code, TypeInvoice otherwise.
func documentType(rootLocal, typeCode string) string {
	if rootLocal == "CreditNote" || creditNoteCodes[typeCode] {
		return TypeCreditNote
	}
	return TypeInvoice
}
