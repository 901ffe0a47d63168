package extract

import "testing"

func TestValidate(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		name   string
		values map[string]any
		field  string
		want   *bool
	}{
		{"sum holds", map[string]any{"net_amount": 100.0, "tax_amount": 19.0, "total_amount": 119.0}, "tax_amount", &yes},
		{"sum fails", map[string]any{"net_amount": 100.0, "tax_amount": 19.0, "total_amount": 120.0}, "total_amount", &no},
		{"sum needs all three", map[string]any{"net_amount": 100.0, "total_amount": 120.0}, "total_amount", nil},
		{"valid IBAN", map[string]any{"account_number": "DE89 3704 0044 0532 0130 00"}, "account_number", &yes},
		{"IBAN with a wrong check digit", map[string]any{"account_number": "DE88370400440532013000"}, "account_number", &no},
		{"national account: no check", map[string]any{"account_number": "12345678"}, "account_number", nil},
		{"VAT id", map[string]any{"seller_id": "DE136695976"}, "seller_id", &yes},
		{"VAT id with a wrong check digit", map[string]any{"buyer_id": "DE136695975"}, "buyer_id", &no},
		{"not a VAT id", map[string]any{"seller_id": "HRB 1234"}, "seller_id", nil},
	}
	for _, c := range cases {
		got, ok := Validate(c.values)[c.field]
		switch {
		case c.want == nil && ok:
			t.Errorf("%s: checked (%v), want no check", c.name, *got.Valid)
		case c.want != nil && (!ok || *got.Valid != *c.want):
			t.Errorf("%s: %+v, want valid=%v", c.name, got, *c.want)
		case c.want != nil && !*c.want && got.Msg == "":
			t.Errorf("%s: no message", c.name)
		}
	}
}
