package einvoice

import "strings"

// syntax describes where one XML syntax keeps each field, as paths of local
// element names (see node.all and node.get). One generic mapper reads every
// syntax; nothing is keyed to a particular producer.
type syntax struct {
	format   string
	profile  []string // guideline or customization id
	typeCode []string // UNTDID 1001 document type code
	// currency is the document currency; currencyAttr are amounts whose
	// currencyID attribute stands in when the code itself is missing.
	currency, currencyAttr []string
	header                 []rule
	parties                []party
	payment                payment
	line                   line
}

// kind says how a rule's value is read and normalised.
type kind int

const (
	kindText   kind = iota // white space collapsed
	kindDate               // YYYY-MM-DD, see date
	kindAmount             // decimal string, see decimal
)

// rule maps a header field to the paths holding it, tried in order.
type rule struct {
	field string
	kind  kind
	paths []string
}

// party describes a trade party: the field prefix ("seller", "buyer"), the
// path to the party element and, relative to it, its name, address, tax
// identifiers and e-mail address.
type party struct {
	prefix, path string
	name         []string
	address      address
	taxID, email []qualified
}

// qualified selects a value among repeated elements by a qualifier: the
// first element reached by container (the party itself if empty) whose
// qualifier value equals want (any, if qualifier is empty), read at value
// (the element's own text if empty).
type qualified struct {
	container, value, qualifier, want string
}

// address describes a postal address relative to its party.
type address struct {
	path                    string
	lines                   []string
	postcode, city, country string
}

// payment describes the payment means: each element reached by means is a
// candidate; the first with an account wins, else the first with anything.
type payment struct {
	means              string
	account, bic, bank []string
}

// line describes the invoice lines: path reaches each line, the other
// paths are relative to it.
type line struct {
	path                                             string
	description, quantity, unit, unitPrice, net, vat []string
}

// amountFields are the header fields whose sign flips on a credit note.
var amountFields = []string{"net_amount", "tax_amount", "total_amount"}

// mapInvoice reads root according to syn.
func mapInvoice(root *node, syn *syntax) *Invoice {
	inv := &Invoice{
		Format:   syn.format,
		Profile:  root.get(syn.profile...),
		TypeCode: root.get(syn.typeCode...),
		Fields:   map[string]string{},
	}
	inv.DocumentType = documentType(root.local, inv.TypeCode)
	set := func(field, v string) {
		if v != "" {
			inv.Fields[field] = v
		}
	}
	currency := currencyCode(root.get(syn.currency...))
	if currency == "" {
		currency = currencyCode(root.get(syn.currencyAttr...))
	}
	set("currency", currency)
	for _, r := range syn.header {
		set(r.field, readRule(root, r, currency))
	}
	for _, p := range syn.parties {
		readParty(root, p, set)
	}
	readPayment(root, syn.payment, set)
	inv.LineItems = readLines(root, syn.line, currency)
	if inv.DocumentType == TypeCreditNote && !negativeTotals(inv) {
		creditSigns(inv)
	}
	for _, li := range inv.LineItems {
		if g := grossAmount(li["net_amount"], li["vat_rate"]); g != "" {
			li["gross_amount"] = g
		}
	}
	return inv
}

// readRule returns the value of r in n, "" if none.
func readRule(n *node, r rule, currency string) string {
	switch r.kind {
	case kindDate:
		for _, p := range r.paths {
			for _, m := range n.all(p) {
				if d := date(m); d != "" {
					return d
				}
			}
		}
		return ""
	case kindAmount:
		return amount(n, currency, r.paths...)
	default:
		return n.get(r.paths...)
	}
}

// amount returns the first decimal amount reached by paths, preferring one
// whose currencyID is the document currency: CII and UBL repeat the tax
// total in the tax accounting currency.
func amount(n *node, currency string, paths ...string) string {
	first := ""
	for _, p := range paths {
		for _, m := range n.all(p) {
			v := decimal(m.value())
			if v == "" {
				continue
			}
			cur := currencyCode(m.attr("currencyID"))
			if cur == "" || currency == "" || cur == currency {
				return v
			}
			if first == "" {
				first = v
			}
		}
	}
	return first
}

// readParty sets the fields of party p found in root.
func readParty(root *node, p party, set func(field, v string)) {
	n := root.first(p.path)
	if n == nil {
		return
	}
	set(p.prefix+"_name", n.get(p.name...))
	if a := n.first(p.address.path); a != nil {
		lines := make([]string, 0, len(p.address.lines))
		for _, l := range p.address.lines {
			lines = append(lines, a.values(l)...)
		}
		set(p.prefix+"_address", joinAddress(lines, a.get(p.address.postcode), a.get(p.address.city),
			countryCode(a.get(p.address.country))))
	}
	set(p.prefix+"_id", pick(n, p.taxID))
	set(p.prefix+"_email", pick(n, p.email))
}

// countryCode upper-cases a two-letter country code; anything else (a
// country name) is kept as written.
func countryCode(s string) string {
	if len(s) == 2 {
		return strings.ToUpper(s)
	}
	return s
}

// pick returns the first value selected by any of qs in n.
func pick(n *node, qs []qualified) string {
	for _, q := range qs {
		cs := []*node{n}
		if q.container != "" {
			cs = n.all(q.container)
		}
		for _, c := range cs {
			if q.qualifier != "" && !strings.EqualFold(c.get(q.qualifier), q.want) {
				continue
			}
			if v := c.get(q.value); v != "" {
				return v
			}
		}
	}
	return ""
}

// readPayment sets account_number, swift_code and bank_name from the
// payment means in root: the first means stating an account, else the
// first stating a BIC or bank name.
func readPayment(root *node, p payment, set func(field, v string)) {
	var best *node
	for _, m := range root.all(p.means) {
		if m.get(p.account...) != "" {
			best = m
			break
		}
		if best == nil && (m.get(p.bic...) != "" || m.get(p.bank...) != "") {
			best = m
		}
	}
	if best == nil {
		return
	}
	set("account_number", compact(best.get(p.account...)))
	set("swift_code", compact(best.get(p.bic...)))
	set("bank_name", best.get(p.bank...))
}

// readLines returns the invoice lines of root. A line with neither a
// description, a quantity nor an amount (a CII text-only line carrying a
// note) is left out.
func readLines(root *node, l line, currency string) []map[string]string {
	var items []map[string]string
	for _, n := range root.all(l.path) {
		li := map[string]string{}
		put := func(k, v string) {
			if v != "" {
				li[k] = v
			}
		}
		put("description", n.get(l.description...))
		put("quantity", decimal(n.get(l.quantity...)))
		put("unit", n.get(l.unit...))
		put("unit_price", amount(n, currency, l.unitPrice...))
		put("net_amount", amount(n, currency, l.net...))
		put("vat_rate", decimal(n.get(l.vat...)))
		if li["description"] == "" && li["quantity"] == "" && li["net_amount"] == "" {
			continue
		}
		items = append(items, li)
	}
	return items
}

// negativeTotals reports whether the document's first stated total
// (total_amount, else net_amount, else tax_amount) is negative: a credit
// note some producers already write with negative amounts.
func negativeTotals(inv *Invoice) bool {
	for _, f := range []string{"total_amount", "net_amount", "tax_amount"} {
		if v, ok := inv.Fields[f]; ok {
			return strings.HasPrefix(v, "-")
		}
	}
	return false
}

// creditSigns flips the sign of a credit note's totals, line quantities
// and line amounts, so that they read negative as the correction invoices
// of Crescent's corpus do: EN 16931 writes a credit note's amounts positive
// and lets the type code say they are owed the other way. Prices and rates
// keep their sign.
func creditSigns(inv *Invoice) {
	for _, f := range amountFields {
		if v, ok := inv.Fields[f]; ok {
			inv.Fields[f] = negate(v)
		}
	}
	for _, li := range inv.LineItems {
		for _, f := range []string{"quantity", "net_amount"} {
			if v, ok := li[f]; ok {
				li[f] = negate(v)
			}
		}
	}
}
