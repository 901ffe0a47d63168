package extract

import (
	"math"
	"regexp"
	"strings"
	"unicode"
)

// party is the region of the page that describes the seller or the buyer:
// the lines under an anchor label ("Seller", "Bill to", "Nabywca"), or an
// address block.
type party struct {
	anchor  *segment
	weight  float64
	inline  string // text after the anchor label in its segment
	inWords []word
	entries []*segment // segments of the region below the anchor, in order
	lines   map[*line]bool
	x0, x1  float64
}

func (p *party) contains(s *segment) bool {
	if p == nil {
		return false
	}
	if s == p.anchor {
		return true
	}
	if !p.lines[s.line] {
		return false
	}
	return s.box[0] >= p.x0 && s.box[0] < p.x1
}

// region builds the party region of an anchor label.
func (x *extractor) region(h labelHit, weight float64) *party {
	s := h.seg
	ln := s.line
	p := &party{anchor: s, weight: weight, lines: map[*line]bool{ln: true}, x0: s.box[0] - 0.02, x1: s.box[0] + 0.3}
	if s.idx+1 < len(ln.segs) {
		p.x1 = ln.segs[s.idx+1].box[0] - 0.005
	}
	txt, ws := s.sub(h.b, len(s.orig))
	p.inline = strings.TrimSpace(leadJunk.ReplaceAllString(txt, ""))
	p.inWords = ws
	empty := 0
	for _, o := range x.l.below(ln, 12, 2.5) {
		var in []*segment
		stop := false
		for _, os := range o.segs {
			if os.box[0] < p.x0 || os.box[0] >= p.x1 {
				continue
			}
			for _, oh := range x.hits[os] {
				if atStart(os, oh.a) && (oh.lab.fields[0] == anchorSeller || oh.lab.fields[0] == anchorBuyer) && isAnchor(oh) {
					stop = true
				}
			}
			in = append(in, os)
		}
		if stop {
			break
		}
		if len(in) == 0 {
			empty++
			if empty >= 2 {
				break
			}
			continue
		}
		empty = 0
		p.lines[o] = true
		p.entries = append(p.entries, in...)
	}
	return p
}

// isAnchor reports whether a party label stands alone or is followed by a
// colon: "Lieferant Schulz KG" is a name, "Lieferant:" an anchor.
func isAnchor(h labelHit) bool {
	rest := strings.TrimSpace(string(h.seg.fold[h.b:]))
	if rest == "" {
		return true
	}
	return strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "-") && len(rest) > 1 && rest[1] == ' '
}

// findParties locates the seller and buyer anchor regions.
func (x *extractor) findParties() {
	for _, h := range x.all {
		f := h.lab.fields[0]
		if (f != anchorSeller && f != anchorBuyer) || !isAnchor(h) {
			continue
		}
		if f == anchorSeller && x.seller == nil {
			x.seller = x.region(h, h.weight)
		}
		if f == anchorBuyer && x.buyer == nil {
			x.buyer = x.region(h, h.weight)
		}
	}
}

var salutations = map[string]bool{
	"herrn": true, "herr": true, "frau": true, "mr": true, "mr.": true, "mrs": true, "mrs.": true, "ms": true, "ms.": true,
	"m.": true, "mme": true, "pan": true, "pani": true, "firma": true, "dhr.": true, "mevr.": true, "attn": true, "attn:": true,
}

// partyName reads the name at the top of a party region.
func (x *extractor) partyName(p *party) (string, []word, *segment, bool) {
	type entry struct {
		text  string
		words []word
		seg   *segment
	}
	var es []entry
	if p.inline != "" {
		es = append(es, entry{p.inline, p.inWords, p.anchor})
	}
	for _, s := range p.entries {
		es = append(es, entry{s.text(), s.words, s})
	}
	var rowLine *line // the line of a form row whose label was read
	for i, e := range es {
		t := strings.TrimSpace(e.text)
		if e.seg.line == rowLine && e.seg != p.anchor {
			continue // the value of another row: "Address: Weg 1"
		}
		// A form row: "Name: Muster GmbH", or "Name:" with the value in
		// the next segment of its line.
		if kind, rest := formRow(t); kind != "" {
			if kind != "name" {
				rowLine = e.seg.line
				continue
			}
			if rest == "" && i+1 < len(es) && es[i+1].seg.line == e.seg.line && es[i+1].seg != p.anchor {
				return strings.TrimRight(es[i+1].text, " ,;"), es[i+1].words, es[i+1].seg, true
			}
			if rest != "" && nameLike(rest) {
				ws := wordsFor(e.words, rest)
				return strings.TrimRight(rest, " ,;"), ws, e.seg, true
			}
			rowLine = e.seg.line
			continue
		}
		if t == "" || strings.HasPrefix(t, "(") || !nameLike(t) {
			continue
		}
		if e.seg != p.anchor && x.startsWithLabel(e.seg) {
			continue
		}
		if salutations[fold(t)] && i+1 < len(es) && nameLike(es[i+1].text) {
			return t + " " + es[i+1].text, append(append([]word{}, e.words...), es[i+1].words...), es[i+1].seg, true
		}
		return strings.TrimRight(t, " ,;"), e.words, e.seg, true
	}
	return "", nil, nil, false
}

var (
	postcodeRe = regexp.MustCompile(`(^|\s)(\d{5}|\d{4}\s?[A-Z]{2}|\d{2}-\d{3}|\d{4}|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}|[A-Z]{1,2}-\d{4,5}|\d{3}\s\d{2}|\d{6})(\s|,|$)`)
)

var countries = map[string]string{
	"deutschland": "DE", "germany": "DE", "allemagne": "DE", "niemcy": "DE",
	"nederland": "NL", "netherlands": "NL", "the netherlands": "NL", "pays-bas": "NL",
	"france": "FR", "frankreich": "FR", "polska": "PL", "poland": "PL", "polen": "PL", "pologne": "PL",
	"united states": "US", "usa": "US", "united states of america": "US", "u.s.a.": "US",
	"united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB",
	"osterreich": "AT", "austria": "AT", "schweiz": "CH", "switzerland": "CH", "suisse": "CH",
	"belgique": "BE", "belgie": "BE", "belgium": "BE", "italia": "IT", "italy": "IT", "espana": "ES", "spain": "ES",
	"india": "IN", "hong kong": "HK", "luxembourg": "LU", "danmark": "DK", "denmark": "DK", "sverige": "SE", "sweden": "SE",
	"ireland": "IE", "czech republic": "CZ", "cesko": "CZ", "portugal": "PT",
}

// address reads the address lines that follow a name: street lines up to
// the postcode and city, and a country.
func address(texts []string) string {
	var parts []string
	seenPost := false
	dropped := 0
	for _, t := range texts {
		t = strings.Trim(collapse(t), " ,;")
		if t == "" {
			continue
		}
		if len(parts) == 0 && dropped < 2 && !hasDigit(t) && !streetLike(t) && (!strings.ContainsAny(t, ":@") || attnRe.MatchString(fold(t))) {
			// A contact person or department before the street.
			dropped++
			continue
		}
		if cc, ok := countries[fold(t)]; ok {
			if len(parts) > 0 {
				parts = append(parts, cc)
			}
			break
		}
		if seenPost {
			break
		}
		if strings.Contains(t, ":") || strings.Contains(t, "@") || strings.HasPrefix(fold(t), "www") || !hasDigit(t) && len(parts) >= 2 {
			break
		}
		parts = append(parts, t)
		if postcodeRe.MatchString(t) && (!streetLike(t) || len(digitRunRe.FindAllString(t, -1)) >= 2) {
			seenPost = true
		}
	}
	if !seenPost || len(parts) < 2 {
		return ""
	}
	return strings.Join(parts, ", ")
}

var digitRunRe = regexp.MustCompile(`\d+`)

var streetWordRe = regexp.MustCompile(`(?i)^(st|st\.|street|str\.|rd\.?|road|ave\.?|avenue|lane|ln\.?|blvd\.?|drive|dr\.|way|rue|chemin|avenue|boulevard|ul\.?|ulica|al\.|aleja|laan|straat|plein|via|calle|\p{L}*(stra(ss|ß)e|str\.|weg|gasse|platz|allee|ring|damm|ufer))$`)

// streetLike reports whether a line names a street rather than a town.
func streetLike(t string) bool {
	for _, f := range strings.Fields(t) {
		if streetWordRe.MatchString(strings.Trim(f, ",")) {
			return true
		}
	}
	return false
}

// legalForms are company suffixes; upper marks those that must be upper
// case to count (they are also ordinary words).
var legalForms = []struct {
	toks  []string
	upper bool
}{
	{[]string{"gmbh", "&", "co.", "kg"}, false}, {[]string{"gmbh"}, false}, {[]string{"ag"}, true}, {[]string{"kg"}, true},
	{[]string{"ohg"}, false}, {[]string{"e.k."}, false}, {[]string{"e.v."}, false}, {[]string{"a.g."}, false},
	{[]string{"ug"}, true}, {[]string{"se"}, true}, {[]string{"ltd"}, false}, {[]string{"ltd."}, false},
	{[]string{"limited"}, false}, {[]string{"pvt.", "ltd."}, false}, {[]string{"pvt", "ltd"}, false},
	{[]string{"private", "limited"}, false}, {[]string{"plc"}, false}, {[]string{"llc"}, false}, {[]string{"inc"}, false},
	{[]string{"inc."}, false}, {[]string{"corp."}, false}, {[]string{"corporation"}, false}, {[]string{"b.v."}, false},
	{[]string{"bv"}, true}, {[]string{"n.v."}, false}, {[]string{"nv"}, true}, {[]string{"s.a."}, false}, {[]string{"sa"}, true},
	{[]string{"sas"}, true}, {[]string{"sarl"}, true}, {[]string{"s.a.r.l."}, false}, {[]string{"eurl"}, false},
	{[]string{"sasu"}, false}, {[]string{"sp.", "z", "o.o."}, false}, {[]string{"sp.", "z", "o.", "o."}, false},
	{[]string{"spolka", "akcyjna"}, false}, {[]string{"s.p.a."}, false}, {[]string{"spa"}, true}, {[]string{"s.r.l."}, false},
	{[]string{"srl"}, true}, {[]string{"s.l."}, false}, {[]string{"s.r.o."}, false}, {[]string{"a.s."}, false},
	{[]string{"a/s"}, false}, {[]string{"aps"}, false}, {[]string{"ab"}, true}, {[]string{"oy"}, true}, {[]string{"kft."}, false},
	{[]string{"d.o.o."}, false}, {[]string{"gbr"}, false}, {[]string{"ltda"}, false},
}

// legalFormAt returns the number of words of a legal form starting at
// ws[i], or 0.
func legalFormAt(ws []string, i int) int {
	// The words from ws[i] on, trimmed and folded once for all the forms.
	trimmed := make([]string, 0, 4)
	folded := make([]string, 0, 4)
	for _, lf := range legalForms {
		n := len(lf.toks)
		if i+n > len(ws) {
			continue
		}
		match := true
		for k, t := range lf.toks {
			if k == len(trimmed) {
				w := strings.TrimRight(ws[i+k], ",;")
				trimmed, folded = append(trimmed, w), append(folded, fold(w))
			}
			w := trimmed[k]
			if folded[k] != t || lf.upper && strings.ToUpper(w) != w {
				match = false
				break
			}
		}
		if match {
			return n
		}
	}
	return 0
}

// hasLegalForm reports whether the words name a company: a legal form
// after at least one other word.
func hasLegalForm(ws []string) bool {
	for i := 1; i < len(ws); i++ {
		if legalFormAt(ws, i) > 0 {
			return true
		}
	}
	return false
}

var nameParticles = map[string]bool{"von": true, "van": true, "de": true, "der": true, "den": true, "di": true, "da": true, "le": true, "la": true, "du": true, "zu": true}

// personLike reports whether s reads like a person's name: two to four
// capitalised words ("Max Mustermann", "Anna-Lena von Berg"), no legal
// form, no digits.
func personLike(s string) bool {
	ws := strings.Fields(s)
	if len(ws) < 2 || len(ws) > 4 || hasLegalForm(ws) || hasDigit(s) {
		return false
	}
	caps := 0
	for _, w := range ws {
		if nameParticles[w] {
			continue
		}
		for _, part := range strings.Split(strings.TrimSuffix(w, "."), "-") {
			r := []rune(part)
			if len(r) == 0 || !unicode.IsUpper(r[0]) {
				return false
			}
			for _, c := range r[1:] {
				if !unicode.IsLower(c) {
					return false
				}
			}
		}
		caps++
	}
	return caps >= 2
}

// inHeader reports whether text is also printed, alone in its segment,
// in the top quarter of the first page, other than in segment s.
func (x *extractor) inHeader(text string, s *segment) bool {
	first := x.l.lines[0].page
	for _, ln := range x.l.lines {
		if ln.page != first || ln.box[1] > 0.25 {
			break
		}
		for _, o := range ln.segs {
			if o != s && fold(collapse(o.text())) == fold(collapse(text)) {
				return true
			}
		}
	}
	return false
}

var connectors = map[string]bool{"&": true, "und": true, "and": true, "et": true, "de": true, "van": true, "der": true, "-": true, "+": true, "i": true}

// legalNames finds company names ending in a legal form in a segment.
func legalNames(s *segment) []struct {
	name  string
	words []word
} {
	var out []struct {
		name  string
		words []word
	}
	ws := s.words
	texts := make([]string, len(ws))
	for i, w := range ws {
		texts[i] = w.text
	}
	for i := range ws {
		n := legalFormAt(texts, i)
		if n == 0 {
			continue
		}
		st := i
		for st > 0 && i-st < 6 {
			p := ws[st-1].text
			r := []rune(p)
			if strings.HasSuffix(p, ":") || strings.HasSuffix(p, ".") && len(r) > 3 && !unicode.IsUpper(r[len(r)-2]) {
				break
			}
			if unicode.IsUpper(r[0]) || unicode.IsDigit(r[0]) || connectors[fold(p)] {
				st--
				continue
			}
			break
		}
		if st == i {
			continue
		}
		for st < i && connectors[fold(ws[st].text)] {
			st++
		}
		parts := make([]string, 0, i+n-st)
		for _, w := range ws[st : i+n] {
			parts = append(parts, w.text)
		}
		out = append(out, struct {
			name  string
			words []word
		}{strings.TrimRight(strings.Join(parts, " "), ",;"), ws[st : i+n]})
	}
	return out
}

// block is a run of left-aligned segments on consecutive lines.
type block struct {
	segs []*segment
}

func (x *extractor) blocks() []*block {
	var out []*block
	var open []*block
	for _, ln := range x.l.lines {
		var next []*block
		for _, s := range ln.segs {
			var b *block
			for _, o := range open {
				last := o.segs[len(o.segs)-1]
				gap := s.box[1] - last.box[3]
				if last.line.page == ln.page && math.Abs(last.box[0]-s.box[0]) < 0.015 && gap < 0.8*ln.h && gap > -0.5*ln.h {
					b = o
					break
				}
			}
			if b == nil {
				b = &block{}
				out = append(out, b)
			}
			b.segs = append(b.segs, s)
			next = append(next, b)
		}
		// Blocks stay open for one line only.
		open = next
	}
	return out
}

func (b *block) isAddress() bool {
	if len(b.segs) < 2 {
		return false
	}
	for _, s := range b.segs[1:] {
		if postcodeRe.MatchString(s.text()) {
			return true
		}
	}
	return false
}

// partyFields proposes names, addresses, ids of the parties.
func (x *extractor) partyFields() {
	blocks := x.blocks()
	blockOf := map[*segment]*block{}
	for _, b := range blocks {
		for _, s := range b.segs {
			blockOf[s] = b
		}
	}
	firstPage := x.l.lines[0].page
	// Seller names.
	if x.seller != nil {
		if n, ws, s, ok := x.partyName(x.seller); ok {
			x.add(cand{field: "seller_name", value: n, raw: n, conf: 0.9, page: pageOf(ws), box: boxOf(ws), conv: "string", format: "anchor", line: s.line})
			x.addAddress("seller_address", x.seller, s, 0.8)
		}
	}
	for _, h := range x.all {
		if h.lab.fields[0] != anchorHolder {
			continue
		}
		for _, sp := range x.spans(h, 1) {
			t := strings.Trim(sp.text, " ,.;:")
			if nameLike(t) && !x.buyer.contains(sp.seg) {
				c := 0.8 * h.weight * sp.factor
				if personLike(t) {
					// A person after "Kontoinhaber:" is usually the owner
					// behind a company, not the seller: a last resort,
					// unless the letterhead names the same person.
					c = min(c, 0.3)
					if x.inHeader(t, sp.seg) {
						c = min(0.8*h.weight*sp.factor, 0.6)
					}
				}
				x.add(cand{field: "seller_name", value: t, raw: t, conf: c, page: pageOf(sp.words), box: boxOf(sp.words), conv: "string", format: "holder", line: sp.seg.line})
				break
			}
		}
	}
	counts := map[string]int{}
	type lname struct {
		name  string
		words []word
		seg   *segment
	}
	var lnames []lname
	for _, ln := range x.l.lines {
		for _, s := range ln.segs {
			if x.buyer.contains(s) {
				continue
			}
			for _, n := range legalNames(s) {
				counts[fold(n.name)]++
				lnames = append(lnames, lname{n.name, n.words, s})
			}
		}
	}
	win := x.recipient(counts)
	for _, n := range lnames {
		c := 0.55
		if win.has(n.seg) {
			c -= 0.3
		}
		if n.seg.line.page == firstPage && n.seg.box[1] < 0.25 {
			c += 0.15
		}
		if counts[fold(n.name)] > 1 {
			c += 0.1
		}
		name, ws := n.name, n.words
		// A name wrapped onto two lines: "Nordhafen Hausverwaltung / Gesellschaft mbH".
		if b := blockOf[n.seg]; b != nil && fold(n.seg.text()) == fold(name) || strings.HasPrefix(n.seg.text(), name) {
			if b := blockOf[n.seg]; b != nil {
				for i, s := range b.segs {
					if s == n.seg && i > 0 {
						p := b.segs[i-1]
						if !hasDigit(p.text()) && nameLike(p.text()) && !x.labelledAtStart(p) && len(p.words) <= 4 && legalNames(p) == nil {
							name = p.text() + " " + name
							ws = append(append([]word{}, p.words...), ws...)
						}
					}
				}
			}
		}
		x.add(cand{field: "seller_name", value: name, raw: name, conf: c, page: pageOf(ws), box: boxOf(ws), conv: "string", format: "legal_form", line: n.seg.line})
	}
	// Address blocks near the top of the first page.
	var addr []*block
	for _, b := range blocks {
		s := b.segs[0]
		if s.line.page == firstPage && s.box[1] < 0.45 && b.isAddress() && !x.buyer.contains(s) && !x.seller.contains(s) {
			addr = append(addr, b)
		}
	}
	if win != nil && win.back != nil && nameLike(win.back[0]) {
		// The return address above the window names the sender.
		s := win.segs[0]
		x.add(cand{field: "seller_name", value: win.back[0], raw: win.back[0], conf: 0.6, page: s.line.page, box: s.box, conv: "string", format: "return_address", line: s.line})
		if a := address(win.back[1:]); a != "" && x.seller == nil {
			x.add(cand{field: "seller_address", value: a, raw: a, conf: 0.55, page: s.line.page, box: s.box, conv: "string", format: "return_address", line: s.line})
		}
	}
	if len(addr) > 0 && nameLike(addr[0].segs[0].text()) && !x.startsWithLabel(addr[0].segs[0]) && !win.has(addr[0].segs[0]) {
		s := addr[0].segs[0]
		x.add(cand{field: "seller_name", value: s.text(), raw: s.text(), conf: 0.5, page: s.line.page, box: s.box, conv: "string", format: "first_block", line: s.line})
	}
	// The first line of the page.
	for _, ln := range x.l.lines {
		if ln.page != firstPage {
			break
		}
		s := ln.segs[0]
		if len(x.hits[s]) > 0 || !nameLike(s.text()) || x.buyer.contains(s) || win.has(s) {
			continue
		}
		x.add(cand{field: "seller_name", value: s.text(), raw: s.text(), conf: 0.35, page: ln.page, box: s.box, conv: "string", format: "top", line: ln})
		break
	}
	// Seller address from the chosen name's block.
	best := bestCand(x.cands["seller_name"])
	if best != nil && x.seller == nil {
		for _, b := range blocks {
			for i, s := range b.segs {
				if s.line == best.line && strings.Contains(s.text(), strings.Fields(best.raw)[0]) {
					var ts []string
					for _, o := range b.segs[i+1:] {
						ts = append(ts, o.text())
					}
					if a := address(ts); a != "" {
						x.add(cand{field: "seller_address", value: a, raw: a, conf: 0.6, page: s.line.page, box: s.box, conv: "string", format: "block", line: s.line})
					}
				}
			}
		}
	}
	// Buyer.
	if x.buyer != nil {
		if n, ws, s, ok := x.partyName(x.buyer); ok {
			x.add(cand{field: "buyer_name", value: n, raw: n, conf: 0.9 * x.buyer.weight, page: pageOf(ws), box: boxOf(ws), conv: "string", format: "anchor", line: s.line})
			x.addAddress("buyer_address", x.buyer, s, 0.8)
		}
	} else {
		if win != nil {
			name, ws, s, a := win.nameAndAddress()
			if nameLike(name) {
				x.add(cand{field: "buyer_name", value: name, raw: name, conf: math.Min(0.75, win.score), page: s.line.page, box: boxOf(ws), conv: "string", format: "window", line: s.line})
				if a != "" {
					x.add(cand{field: "buyer_address", value: a, raw: a, conf: math.Min(0.75, win.score), page: s.line.page, box: s.box, conv: "string", format: "window", line: s.line})
				}
			}
		}
		for _, b := range addr {
			if best != nil && blockHasLine(b, best.line) {
				continue
			}
			s := b.segs[0]
			name, ws, k := s.text(), s.words, 1
			if salutations[fold(name)] && len(b.segs) > 1 {
				name += " " + b.segs[1].text()
				ws = append(append([]word{}, ws...), b.segs[1].words...)
				k = 2
			}
			if !nameLike(name) {
				continue
			}
			x.add(cand{field: "buyer_name", value: name, raw: name, conf: 0.5, page: s.line.page, box: boxOf(ws), conv: "string", format: "block", line: s.line})
			var ts []string
			for _, o := range b.segs[k:] {
				ts = append(ts, o.text())
			}
			if a := address(ts); a != "" {
				x.add(cand{field: "buyer_address", value: a, raw: a, conf: 0.5, page: s.line.page, box: s.box, conv: "string", format: "block", line: s.line})
			}
			break
		}
	}
}

func blockHasLine(b *block, ln *line) bool {
	for _, s := range b.segs {
		if s.line == ln {
			return true
		}
	}
	return false
}

// formRowRe matches the label of a row of a form-like party block, on
// folded text: the kind of row and the value after it.
var formRowRe = regexp.MustCompile(`^(?:(name|nom|naam|nazwa|nome|nombre|company|company name|business name|firma|firmenname|unternehmen|raison sociale|denomination(?: sociale)?|societe|entreprise|bedrijfsnaam|bedrijf|nazwa firmy|ragione sociale|razon social|empresa)|(address|street|adresse|anschrift|strasse|stra(?:ss|ß)e|adresse postale|rue|adres|ulica|straat|indirizzo|via|direccion|calle|postal address|city|town|ort|stadt|ville|miasto|plaats|plz(?: ?/ ?ort)?|zip(?: code)?|code postal|postcode|kod pocztowy|country|land|pays|kraj))(?:\s*:\s*|$)`)

// formRow returns the kind of a form row ("name", "address") and the text
// after its label, or "" when t does not start with such a label. A label
// needs a colon unless it stands alone.
func formRow(t string) (string, string) {
	f := fold(t)
	m := formRowRe.FindStringSubmatchIndex(f)
	if m == nil {
		return "", ""
	}
	rest := strings.TrimSpace(string([]rune(t)[len([]rune(f[:m[1]])):]))
	if m[2] >= 0 {
		return "name", rest
	}
	return "address", rest
}

func (x *extractor) addAddress(field string, p *party, nameSeg *segment, conf float64) {
	var ts []string
	after := nameSeg == p.anchor
	for _, s := range p.entries {
		if after {
			t := s.text()
			if kind, rest := formRow(t); kind == "address" {
				if rest == "" {
					continue
				}
				// "Address: Weg 1, 12345 Stadt" on one row.
				ts = append(ts, strings.Split(rest, ",")...)
				continue
			} else if kind == "name" {
				break
			}
			ts = append(ts, t)
		}
		if s == nameSeg {
			after = true
		}
	}
	if a := address(ts); a != "" {
		x.add(cand{field: field, value: a, raw: a, conf: conf, page: nameSeg.line.page, box: nameSeg.box, conv: "string", format: "anchor", line: nameSeg.line})
	}
}

func bestCand(cs []cand) *cand {
	var b *cand
	for i := range cs {
		if b == nil || cs[i].conf > b.conf {
			b = &cs[i]
		}
	}
	return b
}

var (
	gstinFind = regexp.MustCompile(`\b\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]\b`)
	taxNoRe   = regexp.MustCompile(`^\d{2,3}/\d{3}/\d{4,5}$|^\d{9,14}$`)
	yourRe    = regexp.MustCompile(`(^|\s)(your|ihre|uw|votre|twoj|ihr)\s`)
)

// ids finds the VAT and tax ids and gives each to the seller or the buyer.
func (x *extractor) ids() {
	type idc struct {
		id     string
		ws     []word
		seg    *segment
		base   float64
		sumOK  bool
		format string
	}
	var found []idc
	for _, ln := range x.l.lines {
		for _, s := range ln.segs {
			ws := s.words
			for i := 0; i < len(ws); i++ {
				best := ""
				bestJ := i
				acc := ""
				for j := i; j < len(ws) && j < i+5; j++ {
					acc += strings.Trim(ws[j].text, ",;()")
					t := strings.TrimSuffix(acc, ".")
					if k := strings.LastIndex(t, ":"); k >= 0 {
						t = t[k+1:]
					}
					if c, fOK, sOK := vatCheck(t); fOK && !isDigits(c) && len(c) > len(best) {
						best, bestJ = c, j
						_ = sOK
					}
				}
				if best != "" {
					_, _, sOK := vatCheck(best)
					found = append(found, idc{best, ws[i : bestJ+1], s, 0.75, sOK, "vat_id"})
					i = bestJ
				}
			}
			if m := gstinFind.FindString(s.text()); m != "" {
				found = append(found, idc{m, wordsFor(ws, m), s, 0.7, true, "gstin"})
			}
		}
	}
	// Label based: VAT numbers, NIP, tax numbers, company numbers.
	for _, h := range x.all {
		isID := false
		for _, f := range h.lab.fields {
			if f == "seller_id" || f == "buyer_id" {
				isID = true
			}
		}
		if !isID {
			continue
		}
		for _, sp := range x.spans(h, 1) {
			toks := strings.Fields(sp.text)
			got := ""
			var gws []word
			sumOK := false
			for n := min(len(toks), 5); n >= 1; n-- {
				t := strings.Trim(strings.Join(toks[:n], ""), ",;().")
				if c, fOK, sOK := vatCheck(t); fOK {
					got, sumOK = c, sOK
				} else if gstinRe.MatchString(t) {
					got, sumOK = t, true
				} else if c := strings.Join(toks[:n], " "); n <= 4 && taxNoRe.MatchString(strings.ReplaceAll(c, " ", "")) {
					got, sumOK = strings.ReplaceAll(c, " ", ""), true
				} else if n == 1 && len(digitsOnly(t)) >= 7 && idTokRe.MatchString(t) {
					got, sumOK = t, false
				}
				if got != "" {
					gws = wordsFor(sp.words, toks[0])
					break
				}
			}
			if got != "" {
				found = append(found, idc{got, gws, sp.seg, h.weight * sp.factor, sumOK, "label:" + sp.how})
				if h.lab.fields[0] == "buyer_id" {
					found[len(found)-1].format = "your"
				}
				break
			}
			if _, ok := ParseAmount(sp.text); ok {
				break
			}
		}
	}
	for _, f := range found {
		conf := f.base
		if !f.sumOK {
			conf *= 0.6
		}
		ctx := fold(f.seg.line.text())
		toBuyer := f.format == "your" || yourRe.MatchString(ctx) || x.buyer.contains(f.seg)
		if toBuyer {
			x.add(cand{field: "buyer_id", value: f.id, raw: f.id, conf: conf, page: pageOf(f.ws), box: boxOf(f.ws), conv: "vat_id", format: f.format, line: f.seg.line, valid: &f.sumOK})
			continue
		}
		if x.seller.contains(f.seg) {
			conf = math.Min(1, conf+0.25)
		} else if x.seller != nil {
			conf *= 0.8
		}
		v := f.sumOK
		msg := ""
		if !v {
			msg = "check digits do not match"
		}
		x.add(cand{field: "seller_id", value: f.id, raw: f.id, conf: conf, page: pageOf(f.ws), box: boxOf(f.ws), conv: "vat_id", format: f.format, line: f.seg.line, valid: &v, msg: msg})
	}
}

var bankWordRe = regexp.MustCompile(`(^|\s)(bank|sparkasse|banque|banca|banco|volksbank|raiffeisen)|bank($|\s)`)

// bank finds IBANs, BICs and bank names without labels.
func (x *extractor) bank() {
	for _, ln := range x.l.lines {
		for _, s := range ln.segs {
			iban, ws, ok, valid := findIBANShape(s.words)
			if !ok {
				continue
			}
			c := cand{field: "account_number", value: iban, raw: iban, conf: 0.8 * x.accountOwner(s), page: pageOf(ws), box: boxOf(ws), conv: "iban", format: "pattern", line: ln}
			if !valid {
				c.conf *= 0.6
				c.valid, c.msg = &valid, "IBAN check digits do not match"
			}
			x.add(c)
			for _, o := range ln.segs {
				for _, w := range o.words {
					if b, ok := normalizeBIC(w.text); ok && !strings.HasPrefix(iban, b) {
						x.add(cand{field: "swift_code", value: b, raw: w.text, conf: 0.6 * x.accountOwner(s), page: w.page, box: w.box, conv: "string", format: "pattern", line: ln})
					}
				}
			}
			// "IBAN …, BIC …, Volksbank Talheim": a bank name among comma-separated parts.
			for _, part := range strings.Split(ln.text(), ",") {
				p := strings.Trim(collapse(part), " .;")
				f := fold(p)
				if nameLike(p) && bankWordRe.MatchString(f) && !strings.Contains(f, "iban") && !strings.Contains(f, "bic") && len(strings.Fields(p)) <= 5 {
					x.add(cand{field: "bank_name", value: p, raw: p, conf: 0.5, page: ln.page, box: s.box, conv: "string", format: "pattern", line: ln})
				}
			}
		}
	}
}

// emails gives the e-mail addresses to the seller or the buyer.
func (x *extractor) emails() {
	for _, ln := range x.l.lines {
		for _, s := range ln.segs {
			for _, w := range s.words {
				m := emailRe.FindString(w.text)
				if m == "" {
					continue
				}
				field, conf := "seller_email", 0.6
				if x.buyer.contains(s) {
					field = "buyer_email"
				} else if x.seller.contains(s) {
					conf = 0.8
				}
				x.add(cand{field: field, value: m, raw: w.text, conf: conf, page: w.page, box: w.box, conv: "string", format: "pattern", line: ln})
			}
		}
	}
}
