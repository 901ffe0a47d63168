package extract

import (
	"math"
	"strings"
)

// Check is what the validators say of one field's value: Valid is nil
// when no check applies to it.
type Check struct {
	Valid *bool
	Msg   string
}

// Validate runs the validators on the value chosen for each field (after
// a reviewer's edits, say): net + tax = total on the amounts, the check
// digits of an IBAN in account_number, the format and check digits of VAT
// ids in seller_id and buyer_id. Fields without a check are absent from
// the result; values of an unexpected type are not checked.
func Validate(values map[string]any) map[string]Check {
	out := map[string]Check{}
	n, nok := values["net_amount"].(float64)
	t, tok := values["tax_amount"].(float64)
	g, gok := values["total_amount"].(float64)
	if nok && tok && gok {
		v := math.Abs(n+t-g) < 0.011
		c := Check{Valid: &v}
		if !v {
			c.Msg = "net + tax != total"
		}
		out["net_amount"], out["tax_amount"], out["total_amount"] = c, c, c
	}
	if s, ok := values["account_number"].(string); ok {
		compact := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(s))
		if len(compact) >= 4 && upperASCII(compact[0]) && upperASCII(compact[1]) && compact[2] >= '0' && compact[2] <= '9' {
			_, v := NormalizeIBAN(compact)
			c := Check{Valid: &v}
			if !v {
				c.Msg = "not a valid IBAN: its length or check digits are wrong"
			}
			out["account_number"] = c
		}
	}
	for _, f := range []string{"seller_id", "buyer_id"} {
		s, ok := values[f].(string)
		if !ok {
			continue
		}
		if _, formatOK, sumOK := vatCheck(s); formatOK {
			v := sumOK
			c := Check{Valid: &v}
			if !v {
				c.Msg = "the VAT id's check digits are wrong"
			}
			out[f] = c
		}
	}
	return out
}

func upperASCII(b byte) bool { return b >= 'A' && b <= 'Z' }
