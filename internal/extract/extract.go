// Package extract finds invoice and receipt data points on pages of
// positioned words, without templates: a multilingual label lexicon
// (English, German, Polish, French, Dutch and more), values right of or
// below their labels checked by typed converters, patterns for ids (IBAN,
// BIC, VAT ids, e-mail addresses), party blocks for seller and buyer, and
// arithmetic cross-checks between the amounts.
package extract

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// Candidate is one possible value of a field.
type Candidate struct {
	Value      any // string, float64, or a date as "YYYY-MM-DD"
	Raw        string
	Confidence float64 // 0..1
	Page       int
	BBox       [4]float64 // relative to the page, origin top left
	Converter  string     // date, amount, iban, vat_id or string
	Format     string     // how the value was found or written
}

// Field is an extracted data point with its candidates, best first.
type Field struct {
	Name          string
	Candidates    []Candidate // at most 3
	Valid         *bool       // nil when no check applies
	ValidationMsg string
}

// Table is an extracted table such as line_items.
type Table struct {
	Columns []string
	Rows    []map[string]Candidate
}

// Result is what Extract finds in a document.
type Result struct {
	Class  string // invoice, credit_note, receipt or other
	Fields map[string]*Field
	Tables map[string]*Table
}

// Options say which data points to extract.
type Options struct {
	// DataPoints are the process's data points; empty means the Invoices
	// data points.
	DataPoints []workspace.DataPoint
	// MonthFirst reads ambiguous slash dates as month/day (US style)
	// unless the document proves otherwise.
	MonthFirst bool
	// Scorer, when set, orders each field's candidates by its learned
	// probability instead of the hand confidence (which the candidates
	// keep); nil ranks by the hand rules alone.
	Scorer *Scorer
}

// InvoiceFields are the scalar data points of invoices.
var InvoiceFields = []string{
	"account_number", "bank_name", "buyer_address", "buyer_email", "buyer_id", "buyer_name", "currency",
	"due_date", "invoice_date", "invoice_number", "net_amount", "order_number", "sale_date", "seller_address",
	"seller_email", "seller_id", "seller_name", "swift_code", "tax_amount", "total_amount",
}

// LineItemColumns are the columns of the line_items table.
var LineItemColumns = []string{"description", "quantity", "unit", "unit_price", "net_amount", "vat_rate", "gross_amount"}

// cand is a candidate under construction.
type cand struct {
	field  string
	value  any
	raw    string
	conf   float64
	page   int
	box    [4]float64
	conv   string
	format string
	line   *line
	valid  *bool
	msg    string
	feat   []float64 // what the learned scorer reads, set by ranked
}

// extractor holds the state of one Extract call.
type extractor struct {
	l          *layout
	hits       map[*segment][]labelHit
	all        []labelHit
	cands      map[string][]cand
	monthFirst bool
	seller     *party
	buyer      *party
	amounts    []amt // every amount on the pages
	class      string
}

// Extract finds the data points of opt in the pages.
func Extract(pages []doc.Page, opt Options) Result {
	return extractWith(pages, opt, func(x *extractor, name string, cs []cand) *Field {
		cs = x.ranked(name, cs, opt.Scorer != nil)
		if opt.Scorer != nil {
			rerank(opt.Scorer, name, cs)
		}
		return finish(name, cs)
	})
}

// extractWith finds the data points of opt in the pages; field turns the
// candidates of each scalar data point into its Field.
func extractWith(pages []doc.Page, opt Options, field func(x *extractor, name string, cs []cand) *Field) Result {
	x := newExtractor(pages, opt.MonthFirst)
	x.class = x.classify()
	res := Result{Class: x.class, Fields: map[string]*Field{}, Tables: map[string]*Table{}}
	x.run()
	dps := opt.DataPoints
	if len(dps) == 0 {
		for _, n := range InvoiceFields {
			dps = append(dps, workspace.DataPoint{Name: n, Type: fieldType(n)})
		}
		dps = append(dps, workspace.DataPoint{Name: "line_items", Type: "table", Columns: LineItemColumns})
	}
	if len(x.l.lines) > 0 && receiptMode(dps, res.Class) {
		x.receipt()
	}
	for _, dp := range dps {
		if dp.Type == "table" {
			if dp.Name == "line_items" {
				res.Tables[dp.Name] = x.lineItems()
			} else {
				res.Tables[dp.Name] = &Table{Columns: dp.Columns}
			}
			continue
		}
		name := dp.Name
		if name == "date" { // receipts
			name = "invoice_date"
		}
		var cs []cand
		if _, builtin := x.cands[name]; builtin || isKnownField(name) {
			cs = x.cands[name]
		}
		if dp.Hints != nil {
			cs = append(cs, x.custom(dp)...)
		}
		res.Fields[dp.Name] = field(x, dp.Name, cs)
	}
	return res
}

func isKnownField(n string) bool {
	for _, f := range InvoiceFields {
		if f == n {
			return true
		}
	}
	return false
}

func fieldType(n string) string {
	switch {
	case strings.HasSuffix(n, "_date") || n == "date":
		return "date"
	case strings.HasSuffix(n, "_amount"):
		return "amount"
	}
	return "string"
}

func newExtractor(pages []doc.Page, monthFirst bool) *extractor {
	x := &extractor{l: buildLayout(pages), hits: map[*segment][]labelHit{}, cands: map[string][]cand{}}
	for _, ln := range x.l.lines {
		for _, s := range ln.segs {
			h := findLabels(s)
			x.hits[s] = h
			x.all = append(x.all, h...)
		}
	}
	x.monthFirst = x.dateOrder(monthFirst)
	return x
}

func (x *extractor) add(c cand) {
	if c.conf <= 0 {
		return
	}
	if c.conf > 1 {
		c.conf = 1
	}
	x.cands[c.field] = append(x.cands[c.field], c)
}

// run finds the candidates of every built-in field.
func (x *extractor) run() {
	if len(x.l.lines) == 0 {
		return
	}
	x.amounts = x.allAmounts()
	x.findParties()
	for _, h := range x.all {
		for _, f := range h.lab.fields {
			switch f {
			case "invoice_number", "order_number":
				x.labelID(h, f)
			case "invoice_date", "due_date", "sale_date":
				x.labelDate(h, f)
			case "bank_name":
				x.labelName(h, f)
			case "swift_code":
				x.labelBIC(h)
			case "account_number":
				x.labelAccount(h)
			}
		}
	}
	x.fallbackDates()
	x.ids()
	x.bank()
	x.emails()
	x.currency()
	x.partyFields()
	x.totals()
}

// span is text near a label that may hold its value.
type span struct {
	text   string
	words  []word
	how    string // inline, right or below
	factor float64
	seg    *segment
}

var leadJunk = regexp.MustCompile(`^[\s:#.\-–=|]+`)

// spans returns the text right of a label (in its segment, then the next
// segments of the line) and below it (up to maxBelow lines).
func (x *extractor) spans(h labelHit, maxBelow int) []span {
	var out []span
	s := h.seg
	txt, ws := s.sub(h.b, h.next)
	if t := leadJunk.ReplaceAllString(txt, ""); strings.TrimSpace(t) != "" {
		out = append(out, span{text: strings.TrimSpace(t), words: ws, how: "inline", factor: 1, seg: s})
	}
	ln := s.line
	lastInSeg := h.next == len(s.orig) || !hasDigit(string(s.orig[h.next:]))
	if lastInSeg {
		f := 0.95
		for i := s.idx + 1; i < len(ln.segs) && i <= s.idx+3; i++ {
			o := ln.segs[i]
			if x.startsWithLabel(o) {
				break
			}
			t := strings.TrimSpace(leadJunk.ReplaceAllString(o.text(), ""))
			if t != "" {
				out = append(out, span{text: t, words: o.words, how: "right", factor: f, seg: o})
			}
			f -= 0.1
		}
	}
	if maxBelow > 0 && lastInSeg {
		_, lw := s.sub(h.a, h.b)
		lbox := boxOf(lw)
		f := 0.9
		for _, o := range x.l.below(ln, maxBelow, 3.5) {
			var best *segment
			bestOv := 0.0
			for _, os := range o.segs {
				if ov := xOverlap(lbox, os.box); ov > bestOv {
					best, bestOv = os, ov
				}
			}
			if best == nil {
				continue
			}
			if x.startsWithLabel(best) {
				break
			}
			out = append(out, span{text: strings.TrimSpace(best.text()), words: best.words, how: "below", factor: f, seg: best})
			f *= 0.85
		}
	}
	return out
}

func (x *extractor) startsWithLabel(s *segment) bool {
	for _, h := range x.hits[s] {
		f := h.lab.fields[0]
		if !atStart(s, h.a) || f == anchorHolder || string(s.fold[h.a:h.b]) == "#" {
			continue
		}
		if (f == anchorSeller || f == anchorBuyer) && !isAnchor(h) {
			continue
		}
		return true
	}
	return false
}

// labelledAtStart reports whether any label, the account holder's
// included, opens the segment.
func (x *extractor) labelledAtStart(s *segment) bool {
	for _, h := range x.hits[s] {
		if atStart(s, h.a) {
			return true
		}
	}
	return false
}

func boxOf(ws []word) [4]float64 {
	if len(ws) == 0 {
		return [4]float64{}
	}
	b := ws[0].box
	for _, w := range ws[1:] {
		b = union(b, w.box)
	}
	return b
}

func pageOf(ws []word) int {
	if len(ws) == 0 {
		return 1
	}
	return ws[0].page
}

// wordsFor returns the words of ws whose text is part of sub.
func wordsFor(ws []word, sub string) []word {
	var out []word
	for _, w := range ws {
		if strings.Contains(sub, strings.Trim(w.text, ":#,;")) || strings.Contains(w.text, sub) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return ws
	}
	return out
}

var (
	idTokRe    = regexp.MustCompile(`^[\p{L}\p{N}](?:[\p{L}\p{N}/_.\-]*[\p{L}\p{N}])?$`)
	idPrefixRe = regexp.MustCompile(`^(?i)(n°|nº|no\.|nr\.|#)\s*`)
)

// idFrom reads a document number at the start of text.
func idFrom(text string) (string, bool) {
	t := leadJunk.ReplaceAllString(text, "")
	t = idPrefixRe.ReplaceAllString(t, "")
	toks := strings.Fields(t)
	if len(toks) == 0 {
		return "", false
	}
	var out []string
	for i, k := range toks {
		k = strings.TrimRight(k, ",;:)")
		k = strings.TrimLeft(k, "#(")
		if hasDigit(k) {
			if !idTokRe.MatchString(k) {
				return "", false
			}
			out = append(out, k)
			break
		}
		if i == 0 && len(k) <= 3 && strings.ToUpper(k) == k && len(toks) > 1 && hasDigit(toks[1]) && idTokRe.MatchString(k) {
			out = append(out, k)
			continue
		}
		return "", false
	}
	if len(out) == 0 {
		return "", false
	}
	id := strings.Join(out, " ")
	if len([]rune(id)) < 3 || len(id) > 40 || strings.Contains(id, "@") {
		return "", false
	}
	if _, ok := ParseDate(id); ok {
		return "", false
	}
	if _, dec, ok := parseAmount(id); ok && dec == 2 {
		return "", false
	}
	return id, true
}

func hasDigit(s string) bool {
	for _, r := range s {
		if r >= '0' && r <= '9' {
			return true
		}
	}
	return false
}

// quotesInvoice reports whether an invoice-number label of a credit note
// introduces the invoice it corrects ("Credit note 7 for invoice 5",
// "Gutschrift zu Rechnung 123"): an invoice label, not a credit note's,
// after other words of its segment.
func (x *extractor) quotesInvoice(h labelHit) bool {
	if x.class != "credit_note" || atStart(h.seg, h.a) {
		return false
	}
	return !creditRe.MatchString(string(h.seg.fold[h.a:h.b]))
}

// titleDateRe is what may stand between a document number and its date
// in a title: "of", "vom", "du", "z dnia", a dash or a comma and a word.
var titleDateRe = regexp.MustCompile(`^[\s,;\-–]*(?:\p{L}+\.?\s+){0,2}$`)

func (x *extractor) labelID(h labelHit, field string) {
	if field == "invoice_number" && x.quotesInvoice(h) {
		return
	}
	for _, sp := range x.spans(h, 2) {
		id, ok := idFrom(sp.text)
		if !ok {
			if sp.how == "inline" {
				continue
			}
			continue
		}
		ws := wordsFor(sp.words, id)
		x.add(cand{field: field, value: id, raw: id, conf: 0.9 * h.weight * sp.factor, page: pageOf(ws), box: boxOf(ws),
			conv: "string", format: "label:" + sp.how, line: sp.seg.line})
		// A date on the invoice number's line is often the invoice date.
		if field == "invoice_number" && sp.how == "inline" {
			if d, dws, ok := x.findDate(sp.text, sp.words); ok {
				c, format := 0.5*h.weight, "near:invoice_number"
				// A title with the number and the date: "Invoice 17 of
				// 03.05.2024", "Rechnung Nr. 123 vom 1. März 2024".
				if i, j := strings.Index(sp.text, id), strings.Index(sp.text, dws[0].text); i >= 0 && j > i+len(id) &&
					titleDateRe.MatchString(sp.text[i+len(id):j]) {
					c, format = 0.7*sp.factor, "title"
				}
				x.add(cand{field: "invoice_date", value: d, raw: d, conf: c, page: pageOf(dws), box: boxOf(dws),
					conv: "date", format: format, line: sp.seg.line})
			}
		}
		return
	}
}

// findDate finds the first date in text; ws are the words of the text.
func (x *extractor) findDate(text string, ws []word) (string, []word, bool) {
	toks := strings.Fields(text)
	for i := 0; i < len(toks) && i < 8; i++ {
		for n := 5; n >= 1; n-- {
			if i+n > len(toks) {
				continue
			}
			raw := strings.Join(toks[i:i+n], " ")
			d, ok, _ := parseDate(raw, x.monthFirst)
			if !ok && strings.ContainsAny(raw[len(raw)-1:], ".,;:)!") {
				// The end of a sentence: "bis zum 04.07.2015."
				d, ok, _ = parseDate(raw[:len(raw)-1], x.monthFirst)
			}
			if ok {
				var dws []word
				for _, w := range ws {
					for _, t := range toks[i : i+n] {
						if w.text == t {
							dws = append(dws, w)
							break
						}
					}
				}
				if len(dws) == 0 {
					dws = ws
				}
				return d, dws, true
			}
		}
	}
	return "", nil, false
}

// periodToRe is the word between the two dates of a period.
var periodToRe = regexp.MustCompile(`^\s*(-|–|bis(?: zum)?|to|until|au|do|tot)\s`)

// qualifiedDateRe is a date word followed by what kind of date it is
// ("Date d'impression", "Data wydruku", "Date de commande") rather than by
// a colon or the date itself.
var qualifiedDateRe = regexp.MustCompile(`^\s*[\p{L}']`)

func (x *extractor) labelDate(h labelHit, field string) {
	if h.lab.start && h.lab.weight < 1 && qualifiedDateRe.MatchString(string(h.seg.fold[h.b:])) && !x.monthAfter(h) {
		return
	}
	for _, sp := range x.spans(h, 2) {
		if d, ws, ok := x.findDate(sp.text, sp.words); ok {
			// A period "01.09.13 - 30.09.13": the sale date is its end.
			if field == "sale_date" {
				if i := strings.Index(sp.text, ws[len(ws)-1].text); i >= 0 {
					rest := sp.text[i+len(ws[len(ws)-1].text):]
					if m := periodToRe.FindString(rest); m != "" {
						if d2, ws2, ok := x.findDate(rest[len(m):], sp.words); ok {
							d, ws = d2, ws2
						}
					}
				}
			}
			x.add(cand{field: field, value: d, raw: d, conf: 0.9 * h.weight * sp.factor, page: pageOf(ws), box: boxOf(ws),
				conv: "date", format: "label:" + sp.how, line: sp.seg.line})
			return
		}
	}
}

var slashDateRe = regexp.MustCompile(`\b(\d{1,2})[/](\d{1,2})[/](\d{2,4})\b`)

// dateOrder decides whether the document writes slash dates month first.
func (x *extractor) dateOrder(def bool) bool {
	md, dm := 0, 0
	for _, ln := range x.l.lines {
		for _, m := range slashDateRe.FindAllStringSubmatch(ln.text(), -1) {
			var a, b int
			fmt.Sscan(m[1], &a)
			fmt.Sscan(m[2], &b)
			switch {
			case a > 12 && b <= 12:
				dm++
			case b > 12 && a <= 12:
				md++
			}
		}
	}
	if md > dm {
		return true
	}
	if dm > md {
		return false
	}
	return def
}

// monthAfter reports whether a month name follows the label: "Date
// March 3, 2024".
func (x *extractor) monthAfter(h labelHit) bool {
	f := strings.Fields(string(h.seg.fold[h.b:]))
	if len(f) == 0 {
		return false
	}
	_, ok := months[strings.Trim(f[0], ".,")]
	return ok
}

// fallbackDates proposes a date near the top of the first page as the
// invoice date: the first that stands alone ("Berlin, 03.05.2024" counts
// as alone) or, less surely, the first after other words. A date after a
// label that is not an invoice date's ("Stand:", "Printed:",
// "Bestelldatum:"), in its segment or the one before, is a last resort.
func (x *extractor) fallbackDates() {
	var best *cand
	for _, ln := range x.l.lines {
		if ln.page != x.l.lines[0].page || ln.box[1] > 0.45 {
			break
		}
		for _, s := range ln.segs {
			if len(x.hits[s]) > 0 {
				continue
			}
			t := s.text()
			d, ws, ok := x.findDate(t, s.words)
			if !ok {
				continue
			}
			conf := 0.3
			before := strings.TrimSpace(t[:max(0, strings.Index(t, ws[0].text))])
			switch {
			case strings.HasSuffix(before, ":") || before == "" && s.idx > 0 && strings.HasSuffix(ln.segs[s.idx-1].text(), ":"):
				conf = 0.1
			case before != "" && !strings.HasSuffix(before, ","):
				conf = 0.2
			}
			if best == nil || conf > best.conf {
				best = &cand{field: "invoice_date", value: d, raw: d, conf: conf, page: pageOf(ws), box: boxOf(ws), conv: "date", format: "top", line: ln}
			}
			if conf == 0.3 {
				x.add(*best)
				return
			}
		}
	}
	if best != nil {
		x.add(*best)
	}
}

func (x *extractor) labelName(h labelHit, field string) {
	for _, sp := range x.spans(h, 1) {
		t := strings.Trim(sp.text, " ,.;:")
		if !nameLike(t) || sp.how != "inline" && x.labelledAtStart(sp.seg) {
			continue
		}
		x.add(cand{field: field, value: t, raw: t, conf: 0.8 * h.weight * sp.factor, page: pageOf(sp.words), box: boxOf(sp.words),
			conv: "string", format: "label:" + sp.how, line: sp.seg.line})
		return
	}
}

// nameLike reports whether s looks like a name: letters, few digits, not
// too long.
func nameLike(s string) bool {
	letters, digits := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r > ' ' && !strings.ContainsRune(".,:;-/()&'\"+*#", r):
			letters++
		}
	}
	if letters < 2 || len([]rune(s)) > 80 || strings.HasSuffix(s, ":") || strings.Contains(s, "@") || strings.Contains(strings.ToLower(s), "www.") {
		return false
	}
	return digits*3 < letters
}

func (x *extractor) labelBIC(h labelHit) {
	for _, sp := range x.spans(h, 1) {
		for _, t := range strings.Fields(sp.text) {
			if b, ok := normalizeBIC(t); ok {
				ws := wordsFor(sp.words, t)
				x.add(cand{field: "swift_code", value: b, raw: t, conf: 0.95 * sp.factor, page: pageOf(ws), box: boxOf(ws), conv: "string", format: "label:" + sp.how, line: sp.seg.line})
				return
			}
		}
	}
}

func (x *extractor) labelAccount(h labelHit) {
	for _, sp := range x.spans(h, 1) {
		if iban, ws, ok := findIBAN(sp.words); ok {
			x.add(cand{field: "account_number", value: iban, raw: iban, conf: 0.95 * sp.factor * x.accountOwner(sp.seg), page: pageOf(ws), box: boxOf(ws), conv: "iban", format: "label:" + sp.how, line: sp.seg.line})
			return
		}
		toks := strings.Fields(sp.text)
		if len(toks) == 0 {
			continue
		}
		acc := strings.Trim(toks[0], ",;:.")
		if d := len(digitsOnly(acc)); d >= 6 && idTokRe.MatchString(acc) {
			f := false
			ws := wordsFor(sp.words, acc)
			x.add(cand{field: "account_number", value: acc, raw: acc, conf: 0.5 * sp.factor * x.accountOwner(sp.seg), page: pageOf(ws), box: boxOf(ws), conv: "string",
				format: "label:" + sp.how, line: sp.seg.line, valid: &f, msg: "not an IBAN"})
			return
		}
	}
}

var theirAccountRe = regexp.MustCompile(`(ihrem|ihres|your|votre|uw|twojego|pana|pani) (konto|account|compte|rekening|rachunku)|lastschrift|direct debit|prelevement|incasso`)

// accountOwner is 1 for an account of the seller, less when the text says
// it is the buyer's.
func (x *extractor) accountOwner(s *segment) float64 {
	t := fold(s.line.text())
	if s.line.idx > 0 {
		t = fold(x.l.lines[s.line.idx-1].text()) + " " + t
	}
	if theirAccountRe.MatchString(t) {
		return 0.4
	}
	if x.buyer != nil && x.buyer.contains(s) {
		return 0.3
	}
	return 1
}

// findIBAN finds a valid IBAN in the words, possibly printed in groups.
func findIBAN(ws []word) (string, []word, bool) {
	iban, w, ok, _ := findIBANShape(ws)
	return iban, w, ok
}

// findIBANShape finds an IBAN in the words; valid is false when only its
// country length fits and the check digits do not.
func findIBANShape(ws []word) (string, []word, bool, bool) {
	if iban, w, ok := findValidIBAN(ws); ok {
		return iban, w, true, true
	}
	for i := range ws {
		t := strings.ToUpper(strings.Trim(ws[i].text, ",;:.()"))
		if len(t) < 15 || !ibanShapeRe.MatchString(t) {
			continue
		}
		if n, ok := ibanLengths[t[:2]]; ok && n == len(t) {
			return t, ws[i : i+1], true, false
		}
	}
	return "", nil, false, false
}

func findValidIBAN(ws []word) (string, []word, bool) {
	for i := range ws {
		t := strings.ToUpper(strings.Trim(ws[i].text, ",;:.()"))
		t = strings.TrimPrefix(t, "IBAN:")
		if len(t) < 4 || t[0] < 'A' || t[0] > 'Z' || t[1] < 'A' || t[1] > 'Z' || t[2] < '0' || t[2] > '9' {
			continue
		}
		acc := ""
		for j := i; j < len(ws) && j < i+10; j++ {
			p := strings.ToUpper(strings.Trim(ws[j].text, ",;:.()"))
			if j == i {
				p = t
			}
			acc += p
			if len(acc) > 34 {
				break
			}
			if iban, ok := NormalizeIBAN(acc); ok {
				return iban, ws[i : j+1], true
			}
		}
	}
	return "", nil, false
}

// finish turns the ranked candidates of a field (duplicates merged, best
// first) into a Field with at most three.
func finish(name string, cs []cand) *Field {
	f := &Field{Name: name}
	for _, c := range cs {
		if len(f.Candidates) == 0 && c.valid != nil {
			f.Valid, f.ValidationMsg = c.valid, c.msg
		}
		f.Candidates = append(f.Candidates, Candidate{Value: c.value, Raw: c.raw, Confidence: round2(c.conf), Page: c.page, BBox: c.box, Converter: c.conv, Format: c.format})
		if len(f.Candidates) == 3 {
			break
		}
	}
	return f
}
