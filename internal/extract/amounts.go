package extract

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// amt is a money amount printed on a page.
type amt struct {
	v     float64
	dec   int
	cur   bool // printed with a currency mark
	words []word
	raw   string
	line  *line
	seg   *segment
}

var curMarkRe = regexp.MustCompile(`^(?:[€$£¥₹]|us\$|eur|usd|gbp|pln|zl|chf|inr|rs\.?|czk|kc|sek|nok|dkk|jpy|huf|ron|euro?s?)$`)

func isCurMark(t string) bool {
	t = strings.Trim(t, ":,;()")
	if utf8.RuneCountInString(t) > 5 { // longer than "euros"; fold keeps the number of runes
		return false
	}
	return curMarkRe.MatchString(fold(t))
}

// findAmounts reads the amounts in a run of words, left to right.
func findAmounts(ws []word, ln *line, s *segment) []amt {
	var out []amt
	for i := 0; i < len(ws); {
		found := false
		for n := 3; n >= 1; n-- {
			if i+n > len(ws) {
				continue
			}
			parts := make([]string, n)
			for k := 0; k < n; k++ {
				parts[k] = ws[i+k].text
			}
			if n > 1 && !joinable(parts) {
				continue
			}
			raw := strings.Join(parts, " ")
			raw = strings.TrimRight(raw, ",;:")
			if strings.HasSuffix(raw, "%") || (i+n < len(ws) && strings.HasPrefix(ws[i+n].text, "%")) {
				continue
			}
			v, dec, ok := parseAmount(raw)
			if !ok {
				continue
			}
			cur := false
			for _, p := range parts {
				if isCurMark(p) || strings.ContainsAny(p, "€$£¥₹") {
					cur = true
				}
			}
			if !cur && i > 0 && isCurMark(ws[i-1].text) {
				cur = true
			}
			if !cur && i+n < len(ws) && isCurMark(ws[i+n].text) {
				cur = true
			}
			out = append(out, amt{v: v, dec: dec, cur: cur, words: ws[i : i+n], raw: raw, line: ln, seg: s})
			i += n
			found = true
			break
		}
		if !found {
			i++
		}
	}
	return out
}

// joinable reports whether words may form one amount: a currency mark and
// a number, or thousands groups split by spaces.
func joinable(p []string) bool {
	for i, t := range p {
		if isCurMark(t) || t == "-" {
			continue
		}
		if i > 0 && !isCurMark(p[i-1]) && p[i-1] != "-" {
			// "1 234,56": the later part must start with three digits.
			if len(t) < 3 || !isDigits(t[:3]) || (len(t) > 3 && t[3] != ',' && t[3] != '.') {
				return false
			}
			if len(digitsOnly(p[i-1])) > 3 {
				return false
			}
		}
	}
	return true
}

// quality is how much an amount looks like money.
func (a amt) quality() float64 {
	switch {
	case a.cur || a.dec == 2:
		return 1
	case a.dec == 0:
		return 0.5
	}
	return 0.6
}

func (x *extractor) allAmounts() []amt {
	var out []amt
	for _, ln := range x.l.lines {
		for _, s := range ln.segs {
			out = append(out, findAmounts(s.words, ln, s)...)
		}
	}
	return out
}

// spanAmounts reads the amounts of a span.
func spanAmounts(sp span) []amt {
	ws := sp.words
	// Inline spans: only the words after the label.
	return findAmounts(ws, sp.seg.line, sp.seg)
}

var amountFields = map[string]bool{"total_amount": true, "net_amount": true, "tax_amount": true}

// totals proposes net, tax and total amounts from their labels and picks a
// consistent triple.
func (x *extractor) totals() {
	for _, h := range x.all {
		var fs []string
		for _, f := range h.lab.fields {
			if amountFields[f] {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			continue
		}
		field := fs[0]
		sps := x.spans(h, 8)
		var same []amt
		var below []span
		for _, sp := range sps {
			if sp.how == "below" {
				below = append(below, sp)
				continue
			}
			as := spanAmounts(sp)
			if sp.how == "inline" {
				// Skip amounts glued to the label's own words (a rate "19%").
				as = afterLabel(as, h)
			}
			same = append(same, as...)
		}
		if len(same) > 0 {
			for i, a := range same {
				f := 0.6
				if i == len(same)-1 {
					f = 1
				}
				x.addAmount(field, a, 0.9*h.weight*f*a.quality(), "label:right")
			}
			// a + b = c on one line: net, tax and total.
			if len(same) >= 3 {
				n := len(same)
				for i := 0; i < n-2; i++ {
					for j := i + 1; j < n-1; j++ {
						a, b, c := same[i], same[j], same[n-1]
						if math.Abs(a.v+b.v-c.v) < 0.011 && a.v != 0 && c.v != 0 && a.quality() == 1 {
							x.addAmount("net_amount", a, 0.8*h.weight, "row")
							x.addAmount("tax_amount", b, 0.8*h.weight, "row")
							x.addAmount("total_amount", c, 0.85*h.weight, "row")
						}
					}
				}
			}
			continue
		}
		// A column header: the amounts below it, the last (lowest) first.
		var col []amt
		for _, sp := range below {
			as := spanAmounts(sp)
			if len(as) == 0 {
				continue
			}
			col = append(col, as[len(as)-1])
		}
		for i, a := range col {
			f := 0.7 + 0.2*float64(i+1)/float64(len(col))
			x.addAmount(field, a, 0.85*h.weight*f*a.quality(), "label:below")
		}
	}
	// Amounts printed with a "TTC"/"brutto"-like word after them.
	for _, a := range x.amounts {
		_, after := a.seg.sub(0, len(a.seg.orig))
		_ = after
		t := fold(a.seg.text())
		if strings.HasSuffix(t, "ttc") || strings.HasSuffix(t, "brutto") || strings.HasSuffix(t, "incl. vat") {
			x.addAmount("total_amount", a, 0.6*a.quality(), "suffix")
		}
	}
	// The largest amount with a currency mark, as a last resort.
	var big *amt
	for i, a := range x.amounts {
		if a.cur && (big == nil || math.Abs(a.v) > math.Abs(big.v)) {
			big = &x.amounts[i]
		}
	}
	if big != nil {
		x.addAmount("total_amount", *big, 0.25, "largest")
	}
	x.solveTotals()
}

func afterLabel(as []amt, h labelHit) []amt {
	_, lw := h.seg.sub(h.a, h.b)
	var out []amt
	for _, a := range as {
		inLabel := false
		for _, w := range a.words {
			for _, l := range lw {
				if w == l {
					inLabel = true
				}
			}
		}
		if !inLabel {
			out = append(out, a)
		}
	}
	return out
}

func (x *extractor) addAmount(field string, a amt, conf float64, format string) {
	v := round2(a.v)
	if strings.HasPrefix(format, "label") && strings.HasPrefix(strings.TrimSpace(a.raw), "(") {
		v = math.Abs(v) // "(35,13 €)": an amount given for information
	}
	x.add(cand{field: field, value: v, raw: a.raw, conf: conf, page: pageOf(a.words), box: boxOf(a.words), conv: "amount", format: format, line: a.line})
}

// solveTotals reorders the amount candidates so that the best ones agree:
// net + tax = total, and the tax matches a printed rate.
func (x *extractor) solveTotals() {
	top := func(f string) []cand {
		cs := mergeCands(x.cands[f])
		if len(cs) > 6 {
			cs = cs[:6]
		}
		return cs
	}
	nets, taxes, tots := top("net_amount"), top("tax_amount"), top("total_amount")
	// Tax amounts from several rate lines may add up.
	if len(taxes) > 1 {
		for _, t := range tots {
			for _, n := range nets {
				d := round2(t.value.(float64) - n.value.(float64))
				if d == 0 || hasValue(taxes, d) {
					continue
				}
				if sumOfSome(taxes, d) {
					taxes = append(taxes, cand{field: "tax_amount", value: d, raw: "", conf: 0.6, conv: "amount", format: "sum", page: t.page})
				}
			}
		}
	}
	rates := x.rates()
	type pick struct{ n, t, g *cand }
	best, bestScore := pick{}, -1.0
	opts := func(cs []cand) []*cand {
		out := []*cand{nil}
		for i := range cs {
			out = append(out, &cs[i])
		}
		return out
	}
	for _, g := range opts(tots) {
		for _, n := range opts(nets) {
			for _, t := range opts(taxes) {
				s := 0.0
				var nv, tv, gv float64
				if g != nil {
					s += g.conf
					gv = g.value.(float64)
				}
				if n != nil {
					s += n.conf
					nv = n.value.(float64)
				}
				if t != nil {
					s += t.conf
					tv = t.value.(float64)
				}
				switch {
				case g != nil && n != nil && t != nil:
					if math.Abs(nv+tv-gv) < 0.011 {
						s += 1
					} else {
						s -= 0.5
					}
				case g != nil && n != nil:
					if gv != 0 && math.Abs(nv) > math.Abs(gv)+0.001 {
						s -= 0.5
					}
				case g != nil && t != nil:
					if rateFits(gv-tv, tv, rates) {
						s += 0.4
					}
					if math.Abs(tv) >= math.Abs(gv) && gv != 0 {
						s -= 0.5
					}
				}
				if n != nil && t != nil && rateFits(nv, tv, rates) {
					s += 0.3
				}
				if s > bestScore {
					best, bestScore = pick{n, t, g}, s
				}
			}
		}
	}
	set := func(f string, c *cand, all []cand, ok *bool, msg string) {
		var out []cand
		if c != nil {
			cc := *c
			cc.conf = math.Max(cc.conf, 0.5)
			if ok != nil {
				cc.valid, cc.msg = ok, msg
				if *ok {
					cc.conf = math.Min(1, cc.conf+0.2)
				} else {
					cc.conf *= 0.7
				}
			}
			out = append(out, cc)
		}
		for _, o := range all {
			if c == nil || o.value != c.value {
				o.conf = math.Min(o.conf, 0.45)
				out = append(out, o)
			}
		}
		x.cands[f] = out
	}
	var ok *bool
	msg := ""
	if best.n != nil && best.t != nil && best.g != nil {
		v := math.Abs(best.n.value.(float64)+best.t.value.(float64)-best.g.value.(float64)) < 0.011
		ok = &v
		if !v {
			msg = "net + tax != total"
		}
	}
	// A net amount implied by total and tax when it is printed somewhere.
	if best.n == nil && best.g != nil && best.t != nil {
		tv := 0.0
		if best.t != nil {
			tv = best.t.value.(float64)
		}
		want := round2(best.g.value.(float64) - tv)
		for _, a := range x.amounts {
			if round2(a.v) == want {
				c := cand{field: "net_amount", value: want, raw: a.raw, conf: 0.5, page: pageOf(a.words), box: boxOf(a.words), conv: "amount", format: "derived", line: a.line}
				best.n = &c
				break
			}
		}
	}
	set("total_amount", best.g, tots, ok, msg)
	set("net_amount", best.n, nets, ok, msg)
	set("tax_amount", best.t, taxes, ok, msg)
}

// mergeCands merges candidates of equal value, keeping the best, sorted.
func mergeCands(cs []cand) []cand {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].conf > cs[j].conf })
	var out []cand
	for _, c := range cs {
		dup := false
		for i := range out {
			if out[i].value == c.value {
				dup = true
				out[i].conf = math.Min(1, out[i].conf+0.05*c.conf)
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

func hasValue(cs []cand, v float64) bool {
	for _, c := range cs {
		if c.value.(float64) == v {
			return true
		}
	}
	return false
}

// sumOfSome reports whether two or three of the candidates add up to v.
func sumOfSome(cs []cand, v float64) bool {
	n := len(cs)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b := cs[i].value.(float64), cs[j].value.(float64)
			if math.Abs(a+b-v) < 0.011 {
				return true
			}
			for k := j + 1; k < n; k++ {
				if math.Abs(a+b+cs[k].value.(float64)-v) < 0.011 {
					return true
				}
			}
		}
	}
	return false
}

var rateRe = regexp.MustCompile(`(\d{1,2}(?:[.,]\d{1,2})?)\s?%`)

// rates are the percentages printed in the document.
func (x *extractor) rates() []float64 {
	seen := map[float64]bool{}
	var out []float64
	for _, ln := range x.l.lines {
		for _, m := range rateRe.FindAllStringSubmatch(ln.text(), -1) {
			v, _, ok := parseAmount(m[1])
			if ok && v > 0 && v <= 30 && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

func rateFits(net, tax float64, rates []float64) bool {
	if net == 0 || tax == 0 {
		return false
	}
	for _, r := range rates {
		if math.Abs(net*r/100-tax) <= math.Max(0.02, math.Abs(tax)*0.005) {
			return true
		}
	}
	return false
}

var isoRe = regexp.MustCompile(`^[A-Z]{3}$`)

// currency picks the currency from codes, symbols and labels.
func (x *extractor) currency() {
	score := map[string]float64{}
	where := map[string]word{}
	for _, h := range x.all {
		for _, f := range h.lab.fields {
			if f != "currency" {
				continue
			}
			for _, sp := range x.spans(h, 1) {
				for _, w := range sp.words {
					if c := currencyWords[fold(strings.Trim(w.text, ".,:;()"))]; c != "" {
						score[c] += 5
						where[c] = w
					}
				}
			}
		}
	}
	for _, ln := range x.l.lines {
		for _, w := range ln.words {
			t := strings.Trim(w.text, ".,:;()")
			for _, sym := range []string{"€", "$", "£", "₹", "¥"} {
				if strings.Contains(t, sym) && t != "US$" {
					c := currencyWords[sym]
					score[c] += 1
					where[c] = w
				}
			}
			f := fold(t)
			if isoRe.MatchString(t) || f == "zl" || f == "rs" || f == "rs." || f == "euro" || f == "euros" || f == "kc" {
				if c := currencyWords[f]; c != "" {
					score[c] += 1.5
					where[c] = w
				}
			}
		}
		if strings.Contains(fold(ln.text()), "us dollar") {
			score["USD"] += 3
		}
	}
	total := 0.0
	for _, s := range score {
		total += s
	}
	for c, s := range score {
		w := where[c]
		x.add(cand{field: "currency", value: c, raw: w.text, conf: math.Min(0.95, 0.5+0.5*s/total), page: w.page, box: w.box, conv: "string", format: "marks"})
	}
}
