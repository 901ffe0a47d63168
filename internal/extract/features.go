package extract

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
)

// featureNames name, in order, what the learned scorer reads of a
// candidate. Every feature is generic: how the value was found (the hand
// confidence, a label and where), where it stands on the page, what the
// validators say of it, how often the document repeats it. None names a
// document, an issuer or a value.
var featureNames = []string{
	"bias",          // always 1
	"hand",          // the hand-set confidence
	"hand_top",      // the hand rules rank it first
	"label",         // found after a label
	"label_inline",  // the label's own segment
	"label_below",   // the lines below the label
	"top_third",     // centre in the top third of the page
	"bottom_third",  // centre in the bottom third
	"right_half",    // centre in the right half
	"first_page",    // on the first page of a document of several pages
	"last_page",     // on the last page of a document of several pages
	"repeats",       // other candidates of the field with the same value (0, 0.5, 1)
	"first_in_read", // first of the field's candidates in reading order
	"valid",         // a validator (checksum, net + tax = total) holds
	"invalid",       // a validator fails
	"sum_holds",     // an amount completing net + tax = total with other amount candidates
	"largest",       // the largest amount with cents printed in the document
	"id_mixed",      // a string of letters and digits (an id's shape)
}

// scorerGroup is the group of fields that share one set of weights: the
// corpus is too small to fit one per field.
func scorerGroup(field string) string {
	switch {
	case strings.HasSuffix(field, "_amount"):
		return "amount"
	case strings.HasSuffix(field, "_date") || field == "date":
		return "date"
	}
	switch field {
	case "invoice_number", "order_number", "seller_id", "buyer_id", "account_number", "swift_code":
		return "id"
	}
	return "name"
}

// candKey is how finish tells two candidates of a field apart: amounts to
// the cent, strings case- and space-insensitively.
func candKey(v any) string {
	key := fmt.Sprint(v)
	if f, ok := v.(float64); ok {
		key = fmt.Sprintf("%.2f", f)
	}
	return strings.ToLower(collapse(key))
}

// maxInvalidConf is the highest confidence of a value whose validator
// fails (check digits, net + tax = total): below what a reviewer is told
// to trust, whatever the rules that found it said.
const maxInvalidConf = 0.6

// ranked returns the candidates of a field best first by the hand
// confidence (at most maxInvalidConf when a validator fails), duplicates
// merged (the first of a value stays), each with
// its features when withFeatures is set.
func (x *extractor) ranked(field string, cs []cand, withFeatures bool) []cand {
	for i := range cs {
		if cs[i].valid != nil && !*cs[i].valid {
			cs[i].conf = math.Min(cs[i].conf, maxInvalidConf)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].conf > cs[j].conf })
	count := map[string]int{}
	for _, c := range cs {
		count[candKey(c.value)]++
	}
	var out []cand
	seen := map[string]bool{}
	for _, c := range cs {
		k := candKey(c.value)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	if !withFeatures || len(out) == 0 {
		return out
	}
	first := -1 // the candidate first in reading order
	for i, c := range out {
		if c.line != nil && (first < 0 || out[first].line == nil || c.line.idx < out[first].line.idx) {
			first = i
		}
	}
	largest := 0.0
	for _, a := range x.amounts {
		if a.dec == 2 { // not a year, a postcode or a phone number
			largest = math.Max(largest, math.Abs(a.v))
		}
	}
	pages := 0
	if x.l != nil {
		pages = len(x.l.pages)
	}
	b := func(ok bool) float64 {
		if ok {
			return 1
		}
		return 0
	}
	for i := range out {
		c := &out[i]
		cy, cx := (c.box[1]+c.box[3])/2, (c.box[0]+c.box[2])/2
		placed := c.box != [4]float64{}
		s, _ := c.value.(string)
		v, isAmount := c.value.(float64)
		c.feat = []float64{
			1,
			c.conf,
			b(i == 0),
			b(strings.HasPrefix(c.format, "label")),
			b(c.format == "label:inline"),
			b(c.format == "label:below"),
			b(placed && cy < 1.0/3),
			b(placed && cy > 2.0/3),
			b(placed && cx > 0.5),
			b(pages > 1 && c.page == 1),
			b(pages > 1 && c.page == pages),
			math.Min(1, float64(count[candKey(c.value)]-1)/2),
			b(i == first),
			b(c.valid != nil && *c.valid),
			b(c.valid != nil && !*c.valid),
			b(isAmount && x.sumHolds(field, v)),
			b(isAmount && largest > 0 && math.Abs(math.Abs(v)-largest) < 0.005),
			b(c.conv == "string" && hasDigit(s) && strings.IndexFunc(s, unicode.IsLetter) >= 0),
		}
	}
	return out
}

// sumHolds reports whether the amount v of field completes net + tax =
// total with candidates of the two other amounts.
func (x *extractor) sumHolds(field string, v float64) bool {
	vals := func(f string) []float64 {
		var out []float64
		for _, c := range x.cands[f] {
			if a, ok := c.value.(float64); ok {
				out = append(out, a)
			}
		}
		return out
	}
	var a, b []float64
	sum := func(p, q float64) float64 { return p + q }
	switch field {
	case "total_amount":
		a, b = vals("net_amount"), vals("tax_amount")
	case "net_amount":
		a, b = vals("total_amount"), vals("tax_amount")
		sum = func(p, q float64) float64 { return p - q }
	case "tax_amount":
		a, b = vals("total_amount"), vals("net_amount")
		sum = func(p, q float64) float64 { return p - q }
	default:
		return false
	}
	for _, p := range a {
		for _, q := range b {
			if v != 0 && math.Abs(sum(p, q)-v) < 0.011 {
				return true
			}
		}
	}
	return false
}
