package extract

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// Till receipts have a layout of their own: the shop's name in the first
// prominent line(s), its address below it up to the registration number,
// tax id and phone lines, the items, then the total, the amount tendered
// and the change. receipt reads the seller, address and total from that
// layout and puts its candidates before the invoice-style ones.

// IsReceipts reports whether data points are those of receipts: a "date"
// and no "invoice_date", as the Receipts process type has.
func IsReceipts(dps []workspace.DataPoint) bool {
	return receiptMode(dps, "")
}

// receiptMode reports whether the receipt reading applies: the process
// asks for the Receipts data points (a "date" and no "invoice_date"), or
// the document says it is a receipt.
func receiptMode(dps []workspace.DataPoint, class string) bool {
	date, invoiceDate := false, false
	for _, dp := range dps {
		switch dp.Name {
		case "date":
			date = true
		case "invoice_date":
			invoiceDate = true
		}
	}
	return date && !invoiceDate || class == "receipt"
}

// rline is a receipt line: its text with words joined by single spaces,
// folded, and the mean OCR confidence of its words.
type rline struct {
	ln    *line
	words []word
	text  string
	fold  string
	conf  float64
	// marked is set when marks without letters or digits (specks, a
	// faint line read as ". |") were printed between this line and the
	// one above: the space between them is not blank.
	marked bool
}

var (
	// receiptStopRe marks the lines that end the address block: contact
	// details, registration and tax numbers, document titles.
	receiptStopRe = regexp.MustCompile(`(^|[^\p{L}])(tel|telephone|phone|fax|hp|h/p|mobile|hotline|careline|whats ?app|e-?mail|www|http|gst|sst|vat|tax|tin|roc|co\.? ?reg|company|reg(?:istration)?\.? ?(?:no|nr|num)|business|ust|steuer|st\.? ?nr|tva|siret|siren|rcs|abn|iva|cif|nif|receipt|invoice|bill|cashier|counter|table|date|order|kassenbon|quittung|facture|ticket)([^\p{L}]|$)|@|\.com|\.my\b`)
	// regNoRe is a company registration number such as "(123456-X)".
	regNoRe = regexp.MustCompile(`\(?\s*[0-9O]{4,}[\s\-–]*[a-zA-Z]\s*\)|\(\s*[0-9]{5,}\s*\)`)
	// ownerRe introduces a company other than the shop: the owner or
	// operator of the shop, or its former name.
	ownerRe = regexp.MustCompile(`(^|[^\p{L}])(owned by|operated by|managed by|a member of|member of|a division of|franchisee|fka|formerly|betrieben von|exploite par)([^\p{L}]|$)|(^|\s)(by|von|par)\s*:?\s*$`)
	// receiptTitleRe are lines that name the document, not the shop.
	receiptTitleRe = regexp.MustCompile(`^(simplified |official |cash |sales? )?(tax )?(invoice|receipt|bill|kassenbon|quittung|ticket|facture|recu|rechnung|beleg)\b|^(resit|re[cç]u)\b|^(welcome|willkommen|bienvenue|thank|tq |terima kasih|copy|duplicate|reprint)`)
	// receiptStreetRe are words of street addresses that streetLike does
	// not know.
	receiptStreetRe = regexp.MustCompile(`(^|[^\p{L}])(jalan|jln|lorong|lrg|taman|tmn|persiaran|lebuh|lebuhraya|kampung|kg|bandar|lot|unit|block|blok|level|lantai|floor|suite|plaza|mall|centre|center|building|bangunan|seksyen|section|no|avenue|road|street|highway|boulevard|platz|strasse|rue|place)([^\p{L}]|$)`)
)

// receiptForms are company legal forms and shop suffixes, folded, that
// end a shop's name.
var receiptForms = [][]string{
	{"sdn", "bhd"}, {"sdn.", "bhd."}, {"sdn", "bhd."}, {"sdn.", "bhd"}, {"bhd"}, {"bhd."}, {"berhad"}, {"sb"}, {"plt"},
	{"enterprise"}, {"enterprises"}, {"trading"}, {"pte", "ltd"}, {"pte.", "ltd."}, {"pte", "ltd."}, {"pty", "ltd"},
	{"ltd"}, {"ltd."}, {"limited"}, {"llc"}, {"inc"}, {"inc."}, {"corp"}, {"corp."}, {"corporation"}, {"co.", "ltd"},
	{"co.", "ltd."}, {"gmbh", "&", "co.", "kg"}, {"gmbh"}, {"ag"}, {"kg"}, {"ohg"}, {"e.k."}, {"ug"}, {"sarl"}, {"s.a.r.l."},
	{"sas"}, {"s.a.s."}, {"s.a."}, {"eurl"}, {"s.l."}, {"s.r.l."}, {"srl"}, {"s.p.a."}, {"spa"}, {"b.v."}, {"bv"},
	{"n.v."}, {"nv"}, {"sp.", "z", "o.o."}, {"s.r.o."}, {"a.s."}, {"plc"}, {"ltda"}, {"oy"}, {"ab"}, {"as"}, {"aps"},
}

// legalFormEnd returns the index after the first shop legal form in the
// words, or -1; the form may be the first word only when atStart. Short forms that are also words ("as", "ag", "sb") count
// only in upper case.
func legalFormEnd(ws []string, atStart bool) int {
	from := 1
	if atStart {
		from = 0
	}
	for i := from; i < len(ws); i++ {
		for _, f := range receiptForms {
			if i+len(f) > len(ws) {
				continue
			}
			ok, fuzzy := true, 0
			for k, t := range f {
				w := strings.Trim(ws[i+k], ",;:'’\"")
				fw := fold(w)
				if len(t) <= 3 && !strings.Contains(t, ".") && strings.ToUpper(w) != w {
					ok = false
					break
				}
				if fw != t {
					// A letter misread: only in forms of several words or long ones.
					if (len(f) < 2 && len(t) < 6) || !oneSubst(fw, t) {
						ok = false
						break
					}
					fuzzy++
				}
			}
			if ok && fuzzy <= 2 {
				for k, t := range f {
					if fold(strings.Trim(ws[i+k], ",;:'’\"")) != t {
						ws[i+k] = strings.ToUpper(t) // the form as it is written
					}
				}
				return i + len(f)
			}
		}
	}
	return -1
}

// oneSubst reports whether a and b differ in exactly one letter, as OCR
// misreads do.
func oneSubst(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	d := 0
	for i := range ra {
		if ra[i] != rb[i] {
			d++
		}
	}
	return d == 1
}

// receiptLines returns the lines of the first page with their words'
// confidence.
func (x *extractor) receiptLines() []rline {
	conf := map[[4]float64]float64{}
	if len(x.l.pages) > 0 {
		for _, w := range x.l.pages[0].Words {
			conf[w.Box()] = w.Conf
		}
	}
	var out []rline
	for _, ln := range x.l.lines {
		if ln.page != x.l.lines[0].page {
			break
		}
		out = append(out, newRline(ln, ln.words, conf))
	}
	return out
}

func newRline(ln *line, ws []word, conf map[[4]float64]float64) rline {
	parts := make([]string, len(ws))
	sum := 0.0
	for i, w := range ws {
		parts[i] = w.text
		c, ok := conf[w.box]
		if !ok {
			c = 1
		}
		sum += c
	}
	t := strings.Join(parts, " ")
	return rline{ln: ln, words: ws, text: t, fold: fold(t), conf: sum / float64(max(1, len(ws)))}
}

// readingLines returns the first page's lines as the reader gave them:
// its words come in reading order, and a line ends where the next word
// starts left of the previous one or below it. On a photographed receipt
// that is slightly turned, these lines are the printed ones, where lines
// grouped by height mix neighbouring lines. Each line keeps the layout
// line of its first word.
func (x *extractor) readingLines() []rline {
	if len(x.l.pages) == 0 || len(x.l.lines) == 0 {
		return nil
	}
	pg := x.l.pages[0]
	num := pg.Num
	if num == 0 {
		num = 1
	}
	lineOf := map[[4]float64]*line{}
	for _, ln := range x.l.lines {
		for _, w := range ln.words {
			lineOf[w.box] = ln
		}
	}
	conf := map[[4]float64]float64{}
	var out []rline
	var cur []word
	speck, curSpeck, bottom := false, false, math.Inf(-1)
	flush := func() {
		if len(cur) > 0 {
			if ln := lineOf[cur[0].box]; ln != nil {
				r := newRline(ln, cur, conf)
				r.marked = curSpeck
				out = append(out, r)
			}
			cur = nil
		}
	}
	for _, w := range pg.Words {
		t := strings.TrimSpace(w.Text)
		if t == "" {
			continue
		}
		conf[w.Box()] = w.Conf
		if _, n := alnumShare(t); n == 0 && t != "&" && t != ":" && (t != "-" || len(cur) == 0) {
			if w.Y0 > bottom {
				speck = true
			}
			continue // a rule, a border or a speck
		}
		if len(cur) > 0 {
			p := cur[len(cur)-1]
			if w.X0 < p.box[0] || w.Y0 > p.box[3] {
				flush()
			}
		}
		if len(cur) == 0 {
			curSpeck, speck = speck, false
		}
		cur = append(cur, word{text: t, box: w.Box(), page: num})
		bottom = w.Y1
	}
	flush()
	return out
}

// letterShare is the share of letters among the non-space runes of s, and
// the number of letters.
func letterShare(s string) (float64, int) {
	letters, n := 0, 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		n++
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(letters) / float64(n), letters
}

// alnumShare is the share of letters and digits among the non-space
// runes of s, and their number.
func alnumShare(s string) (float64, int) {
	alnum, n := 0, 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		n++
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			alnum++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(alnum) / float64(n), alnum
}

// noisy reports whether a line is OCR noise: low confidence, few letters,
// or mostly short fragments.
func (r rline) noisy() bool {
	share, letters := letterShare(r.text)
	alnum, _ := alnumShare(r.text)
	if r.conf < 0.45 || letters < 3 || alnum < 0.6 || share < 0.3 {
		return true
	}
	short := 0
	ws := strings.Fields(r.text)
	for _, w := range ws {
		if len([]rune(strings.Trim(w, ".,;:()|'\"-"))) <= 2 {
			short++
		}
	}
	return short*2 > len(ws) && r.conf < 0.85
}

// receiptHead is the number of lines before the receipt's body: the first
// line with an amount, a date or a total, at most 16 lines.
func (x *extractor) receiptHead(ls []rline) int {
	for i, r := range ls {
		if i >= 16 {
			return i
		}
		for _, a := range x.amounts {
			if a.line == r.ln && a.dec == 2 {
				return i
			}
		}
		if _, _, ok := x.findDate(r.text, nil); ok {
			return i
		}
	}
	return len(ls)
}

// receipt adds the receipt layout's candidates for the seller's name and
// address, the total and the date, before the others.
func (x *extractor) receipt() {
	ls := x.receiptLines()
	if len(ls) == 0 {
		return
	}
	if rs := x.readingLines(); len(rs) > 0 {
		x.receiptParty(rs)
	}
	x.receiptTotal(ls)
	x.receiptDates(ls)
}

// receiptParty reads the shop's name and address from the head of the
// receipt.
func (x *extractor) receiptParty(ls []rline) {
	head := x.receiptHead(ls)
	first, last, name := x.receiptName(ls, head)
	if name != "" {
		ws := lineWords(ls[first : last+1])
		x.prefer("seller_name", cand{field: "seller_name", value: name, raw: name, conf: 0.9, page: pageOf(ws), box: boxOf(ws),
			conv: "string", format: "receipt:top", line: ls[first].ln})
		if addr, a, b := x.receiptAddress(ls, first, last); addr != "" {
			ws := lineWords(ls[a:b])
			x.prefer("seller_address", cand{field: "seller_address", value: addr, raw: addr, conf: 0.85, page: pageOf(ws), box: boxOf(ws),
				conv: "string", format: "receipt:top", line: ls[a].ln})
		}
	}
}

// prefer puts c before the field's other candidates, which keep their
// order at lower confidence.
func (x *extractor) prefer(field string, c cand) {
	old := x.cands[field]
	x.cands[field] = nil
	x.add(c)
	for _, o := range old {
		o.conf *= 0.5
		x.add(o)
	}
}

func lineWords(ls []rline) []word {
	var ws []word
	for _, r := range ls {
		ws = append(ws, r.words...)
	}
	return ws
}

// receiptName finds the shop's name in the head: a line with a legal form
// (with the name line above it and a continuation below it), or else the
// first prominent line that is not noise or a title. It returns the name's
// first and last line.
func (x *extractor) receiptName(ls []rline, head int) (int, int, string) {
	owned := func(i int) bool {
		return i >= 0 && ownerRe.MatchString(ls[i].fold) || i >= 1 && ownerRe.MatchString(ls[i-1].fold)
	}
	for i := 0; i < head; i++ {
		ws := strings.Fields(regNoRe.ReplaceAllString(ls[i].text, " "))
		above := i > 0 && nameLine(ls[i-1])
		end := legalFormEnd(ws, above)
		if end < 0 || owned(i-1) || ownerRe.MatchString(fold(strings.Join(ws[:end], " "))) || receiptStopRe.MatchString(fold(strings.Join(ws[:end], " "))) {
			continue
		}
		first, last := i, i
		name := strings.Join(ws[:end], " ")
		// A name over several lines: "… ENTERPRISE (BRANCH" then "NAME) SDN BHD".
		if i+1 < len(ls) && !ls[i+1].noisy() {
			nws := strings.Fields(regNoRe.ReplaceAllString(ls[i+1].text, " "))
			if e := legalFormEnd(nws, true); e > 0 && !hasDigit(strings.Join(nws[:e], " ")) {
				name = strings.Join(ws, " ") + " " + strings.Join(nws[:e], " ")
				last = i + 1
			}
		}
		// The words before the legal form on the line above.
		if above && (end <= 2 || end <= 3 && !hasDigit(ls[i-1].text) && upperShare(ls[i-1].text) >= 0.7 && upperShare(ls[i].text) >= 0.7) {
			name = ls[i-1].text + " " + name
			first = i - 1
		}
		return first, last, strings.Trim(name, " ,.;:-")
	}
	pick, firstClean := -1, -1
	for i := 0; i < head && i < 6; i++ {
		r := ls[i]
		if firstClean < 0 && !r.noisy() {
			firstClean = i
		}
		// A street word ("plaza", "kampung") may be part of the receipt's
		// first line, the name; below it, it starts the address.
		if !nameLine(r) || owned(i-1) || r.conf < 0.6 || i != firstClean && receiptStreetRe.MatchString(r.fold) || addressLike(r.text) {
			continue
		}
		if pick < 0 {
			pick = i
		}
		if upperShare(r.text) >= 0.7 {
			pick = i
			break
		}
	}
	if pick < 0 {
		return 0, 0, ""
	}
	return pick, pick, strings.Trim(regNoRe.ReplaceAllString(ls[pick].text, ""), " ,.;:-")
}

// titleWords are the words of a receipt's title line.
var titleWords = []string{"tax", "invoice", "receipt", "bill", "cash", "sales", "simplified", "official", "resit", "rechnung", "facture", "ticket", "kassenbon", "quittung", "beleg"}

// misreadTitle reports whether a folded line of one to three words is a
// title whose letters OCR misread, one a word: "tar tnvoice".
func misreadTitle(f string) bool {
	ws := strings.Fields(strings.Trim(f, " .:;-|"))
	if len(ws) == 0 || len(ws) > 3 {
		return false
	}
	for _, w := range ws {
		ok := false
		for _, t := range titleWords {
			if w == t || len(t) >= 3 && oneSubst(w, t) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// upperShare is the share of upper-case letters among the letters of s.
func upperShare(s string) float64 {
	up, n := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
			if unicode.IsUpper(r) {
				up++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(up) / float64(n)
}

// nameLine reports whether a line may be (part of) a shop's name: words,
// not noise, not a title, contact or owner line.
func nameLine(r rline) bool {
	if r.noisy() || receiptTitleRe.MatchString(r.fold) || misreadTitle(r.fold) || receiptStopRe.MatchString(r.fold) || ownerRe.MatchString(r.fold) {
		return false
	}
	share, _ := letterShare(regNoRe.ReplaceAllString(r.text, ""))
	return share >= 0.8
}

// regOnlyRe is a line that holds only a registration number: "123456-X".
var regOnlyRe = regexp.MustCompile(`^[^\p{L}\p{N}]*[\p{L}\p{N}]?[\dO ]{4,}[\s\-–]*[\p{L}][^\p{L}\p{N}]*$`)

var (
	// companyRegRe is a company's registration line, printed under its
	// name and before its address.
	companyRegRe = regexp.MustCompile(`(^|[^\p{L}])(co\.? ?reg|company (no|number|reg)|roc|reg(istration)?\.? ?(no|nr|num)|business reg|ssm|hrb|handelsregister|rcs|siret|siren|kvk|crn)([^\p{L}]|$)`)
	// proprietorRe is the owner's line of a small shop: "Inh. M. Huber".
	proprietorRe = regexp.MustCompile(`^(inh\.?|inhaber(in)?|prop\.?|proprietor|owner|g[eé]rant|titulaire|prop(rietress)?)(\s|:|$)`)
)

// maxAddressLines is the most lines an address block has.
const maxAddressLines = 5

// linePitch is the usual distance between the tops of consecutive lines
// of the receipt's head (its median), or 0 when it has fewer than three.
func linePitch(ls []rline) float64 {
	var d []float64
	for i := 1; i < len(ls) && i < 24; i++ {
		if g := lineTop(ls[i]) - lineTop(ls[i-1]); g > 0 {
			d = append(d, g)
		}
	}
	if len(d) < 2 {
		return 0
	}
	slices.Sort(d)
	return d[len(d)/2]
}

func lineTop(r rline) float64 {
	t := math.Inf(1)
	for _, w := range r.words {
		t = math.Min(t, w.box[1])
	}
	return t
}

// gapBefore reports whether a blank gap separates line i from line i-1:
// its top is more than 1.6 usual line distances below the line above's,
// as when a line is left empty.
func gapBefore(ls []rline, i int, pitch float64) bool {
	return pitch > 0 && i > 0 && !ls[i].marked && lineTop(ls[i])-lineTop(ls[i-1]) > 1.6*pitch
}

var (
	// edgeNoiseRe are marks OCR reads at the ends of a line: borders,
	// specks, stray punctuation.
	edgeNoiseRe = regexp.MustCompile(`^[\s:;|.,'"“”‘’~_°*=—–-]+|[\s:;|'"“”‘’~_°*=—–]+$`)
	// addressTailRe are a phone number or a document title printed at the
	// end of the address's last line: "… Ipoh 05 2417788", "… TAXINVOICE".
	addressTailRe = regexp.MustCompile(`(?i)\s+(?:\(?0\d{1,3}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}|(?:tax ?)?invoice|receipt|resit)$`)
	// particles are short lower-case words of addresses.
	particles = map[string]bool{"a": true, "au": true, "am": true, "an": true, "im": true, "in": true, "of": true, "on": true, "de": true, "du": true,
		"la": true, "le": true, "di": true, "da": true, "do": true, "y": true, "e": true, "et": true, "zu": true, "op": true, "en": true, "el": true, "st": true}
)

// addressText is a line's text as an address line: marks at its ends and
// stray lower-case bits read from specks between capitalised words
// ("Jalan Kenari c Utama") left out.
func addressText(t string) string {
	t = edgeNoiseRe.ReplaceAllString(strings.TrimSpace(t), "")
	ws := strings.Fields(t)
	if len(ws) < 3 {
		return t
	}
	keep := ws[:0:0]
	for k, w := range ws {
		if k < len(ws)-1 && capital(ws[k+1]) && (k == 0 && upperShare(ws[k+1]) == 1 || k > 0 && capital(ws[k-1])) &&
			utf8.RuneCountInString(w) <= 2 && strings.ToLower(w) == w && !particles[w] && letterOnly(w) {
			continue
		}
		keep = append(keep, w)
	}
	return strings.Join(keep, " ")
}

// capital reports whether w starts with an upper-case letter or a digit.
func capital(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r) || unicode.IsDigit(r)
	}
	return false
}

func letterOnly(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}

// beforeLabel returns the words of t before a contact or registration
// label on the same line ("30450 Ipoh, Perak. Tel No.: …"), when
// they hold at least two words and a digit; else "".
func beforeLabel(t string) string {
	ws := strings.Fields(t)
	for k := 2; k < len(ws); k++ {
		if loc := receiptStopRe.FindStringIndex(fold(strings.Join(ws[k:], " "))); loc != nil && loc[0] == 0 {
			pre := strings.Join(ws[:k], " ")
			if hasDigit(pre) && !receiptStopRe.MatchString(fold(pre)) && !strings.Contains(pre, ":") {
				return strings.TrimRight(pre, " ,;:")
			}
			return ""
		}
	}
	return ""
}

// addressStop reports whether a line ends the address block: contact
// details, registration and tax numbers, titles, dates, labels.
func (x *extractor) addressStop(r rline, t string) bool {
	f := fold(t)
	if receiptStopRe.MatchString(f) || receiptTitleRe.MatchString(f) || strings.Contains(t, ":") {
		return true
	}
	if _, _, ok := x.findDate(t, nil); ok && !addressLike(t) {
		return true
	}
	// A line that ends with an amount is the receipt's body.
	for _, a := range x.amounts {
		if a.line == r.ln && a.dec == 2 && !addressLike(t) {
			return true
		}
	}
	return false
}

// receiptAddress reads the address: the 1 to 5 lines after the name up
// to the first contact, registration, date or receipt-number line or a
// blank gap, or, when the name comes after its address, the address lines
// just above it. It returns the address, its lines joined by spaces, and
// its lines [a, b).
func (x *extractor) receiptAddress(ls []rline, first, last int) (string, int, int) {
	var parts []string
	a, b := -1, -1
	pitch := linePitch(ls)
	for i := last + 1; i < len(ls) && len(parts) < maxAddressLines && i <= last+maxAddressLines+3; i++ {
		r := ls[i]
		t := addressText(r.text)
		f := fold(t)
		if t == "" || len(parts) == 0 && (regNoRe.MatchString(t) && len(regNoRe.ReplaceAllString(t, "")) < 4 || regOnlyRe.MatchString(t) ||
			ownerRe.MatchString(f) || proprietorRe.MatchString(f) || companyRegRe.MatchString(f) || r.noisy() ||
			strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")")) {
			continue // the registration number, the owner or the branch under the name
		}
		if len(parts) > 0 && gapBefore(ls, i, pitch) {
			break
		}
		if x.addressStop(r, t) {
			if pre := beforeLabel(t); pre != "" && (len(parts) > 0 || addressLike(pre)) {
				if a < 0 {
					a = i
				}
				parts, b = append(parts, pre), i+1
			} else if len(parts) > 0 && !addressLike(strings.Join(parts, " ")) && companyRegRe.MatchString(f) {
				// A branch's name above the registration line, not the address.
				parts, a, b = nil, -1, -1
				continue
			}
			break
		}
		if a < 0 {
			a = i
		}
		parts = append(parts, strings.Trim(t, " -–"))
		b = i + 1
	}
	if addr := addressTailRe.ReplaceAllString(strings.Join(parts, " "), ""); len(parts) > 0 && addressLike(addr) {
		return addr, a, b
	}
	// The address above the name.
	parts, a, b = nil, -1, first
	i := first - 1
	for i >= 0 && (receiptStopRe.MatchString(ls[i].fold) || strings.Contains(ls[i].text, ":") || ls[i].noisy()) && first-i < 4 {
		i--
		b = i + 1
	}
	for ; i >= 0 && first-i <= 8; i-- {
		r := ls[i]
		if receiptStopRe.MatchString(r.fold) || receiptTitleRe.MatchString(r.fold) || strings.Contains(r.text, ":") || !hasDigit(r.text) && !receiptStreetRe.MatchString(r.fold) && !streetLike(r.text) {
			break
		}
		parts = append([]string{strings.TrimSpace(r.text)}, parts...)
		a = i
	}
	if len(parts) > 0 && addressLike(strings.Join(parts, " ")) {
		return strings.Join(parts, " "), a, b
	}
	return "", 0, 0
}

// addressLike reports whether text reads like a street address: a number
// and a street word or a postcode.
func addressLike(t string) bool {
	return hasDigit(t) && (receiptStreetRe.MatchString(fold(t)) || streetLike(t) || postcodeRe.MatchString(t))
}

var (
	// receiptTotalRe are the labels of the amount to pay.
	receiptTotalRe = regexp.MustCompile(`(^|[^\p{L}])(grand total|total amount|total payable|amount payable|amount due|total due|balance due|total to pay|nett? total|total nett?|final total|rounded total|total rounded|total incl|total \(?rm\)?|total sales|total|nett|jumlah(?: besar)?|summe|gesamt(?:betrag|summe)?|zu zahlen|total ttc|net a payer|a payer|montant du|totaal|te betalen|totale|importe|suma|razem|do zaplaty)([^\p{L}]|$)`)
	// receiptNotTotalRe are total-like labels of other things.
	receiptNotTotalRe = regexp.MustCompile(`(^|[^\p{L}])(total (qty|quantity|items?|item count|disc(ount)?|savings?|tax|gst|vat|sst|excl\S*|before|weight|points?|pts|tendered|paid)|(tax|gst|vat|sst|mwst) total|sub ?-?total|subtotal|sous total|zwischensumme|qty|quantity|included in total|incl\.? in total|summary|rounding|round adj|tendered|change)([^\p{L}]|$)`)
	// receiptStrongRe are the labels of the final amount.
	receiptStrongRe = regexp.MustCompile(`(grand|final|rounded|nett?|payable|due|to pay|incl|zu zahlen|payer|ttc|te betalen)`)
	// payTenderRe and payChangeRe are the lines of the payment.
	payTenderRe = regexp.MustCompile(`(^|[^\p{L}])(cash|tunai|tender(ed)?|paid|payment|visa|master ?card|card|credit|debit|bar|gegeben|especes|contanti|efectivo|gotowka)([^\p{L}]|$)`)
	payChangeRe = regexp.MustCompile(`(^|[^\p{L}])(change|change due|baki|kembali|ruckgeld|wechselgeld|rendu|monnaie|resto|cambio|reszta)([^\p{L}]|$)`)
	// roundingRe and subtotalRe are the lines of a rounded total.
	roundingRe = regexp.MustCompile(`(^|[^\p{L}])(rounding|round adj|rounding adj\S*|pembundaran|rundung|arrondi)`)
	subtotalRe = regexp.MustCompile(`(^|[^\p{L}])(sub ?-?total|subtotal|total sales|sous total|zwischensumme)`)
)

// totalAfter reports whether a line that starts with another label
// ("ROUNDING 0.03 TOTAL 14.00", two printed lines read as one) has a
// total label after it, whose amount ends the line.
func totalAfter(f string) bool {
	loc := receiptNotTotalRe.FindStringIndex(f)
	if loc == nil {
		loc = roundingRe.FindStringIndex(f)
	}
	if loc == nil {
		return false
	}
	rest := f[loc[1]:]
	return receiptTotalRe.MatchString(rest) && !receiptNotTotalRe.MatchString(rest)
}

// lineAmount is the last amount printed on a line after position from
// (a rune offset in the line's text), or on the next line when the line
// has none and the next one holds only an amount.
func (x *extractor) lineAmount(ls []rline, i int) (amt, bool) {
	var best *amt
	for k, a := range x.amounts {
		if a.line == ls[i].ln && (best == nil || a.words[0].box[0] > best.words[0].box[0]) {
			best = &x.amounts[k]
		}
	}
	if best != nil {
		return *best, true
	}
	if i+1 < len(ls) {
		n := ls[i+1]
		for _, a := range x.amounts {
			if a.line == n.ln {
				if share, _ := letterShare(strings.ReplaceAll(n.fold, "rm", "")); share < 0.3 {
					return a, true
				}
			}
		}
	}
	return amt{}, false
}

// misreadDigits maps letters OCR reads for digits inside a number.
var misreadDigits = strings.NewReplacer("O", "0", "o", "0", "Q", "0", "D", "0", "S", "5", "s", "5", "l", "1", "I", "1", "|", "1", "i", "1", "!", "1", "B", "8", "Z", "2")

var (
	// misreadAmountRe is an amount as OCR may misread it: digits and
	// look-alike letters, a decimal mark and two of them, perhaps a stray
	// third decimal and a dot after it ("12.500.").
	misreadAmountRe = regexp.MustCompile(`^[0-9OoQDSslI|i!BZ]{1,6}[.,][0-9OoQDSslI|i!BZ]{2}(?:[0-9]?\.)?$`)
	// receiptCurPrefixRe is a currency written before an amount.
	receiptCurPrefixRe = regexp.MustCompile(`^(?i:rm|eur|usd|gbp|[€$£])`)
)

// misreadAmount reads a money amount whose digits OCR may have misread
// as look-alike letters (3O.5O, 1S,80, 4l.18) or followed by a stray
// digit and dot (12.500.): two decimals and at least one real digit are
// required. It returns the amount and true, or false when t is not one.
func misreadAmount(t string) (float64, bool) {
	t = strings.Trim(t, ":;*")
	if m := receiptCurPrefixRe.FindString(t); m != "" && len(m) < len(t) {
		t = t[len(m):]
	}
	if !misreadAmountRe.MatchString(t) || !strings.ContainsAny(t, "0123456789") {
		return 0, false
	}
	t = strings.TrimSuffix(t, ".")
	if sep := strings.LastIndexAny(t, ".,"); len(t)-sep-1 == 3 {
		t = t[:len(t)-1] // the stray third decimal
	}
	t = misreadDigits.Replace(t)
	v, dec, ok := parseAmount(t)
	if !ok || dec != 2 {
		return 0, false
	}
	return v, true
}

// receiptLineAmount is the amount at the end of line i: the one the
// amount reader found, or a misread one in the line's last words when it
// found none or one without two decimals.
func (x *extractor) receiptLineAmount(ls []rline, i int) (amt, bool) {
	a, ok := x.lineAmount(ls, i)
	if ok && a.dec == 2 {
		return a, true
	}
	ws := ls[i].words
	for k := len(ws) - 1; k >= 0 && k >= len(ws)-2; k-- {
		if v, mok := misreadAmount(ws[k].text); mok {
			return amt{v: v, dec: 2, words: ws[k : k+1], raw: ws[k].text, line: ls[i].ln}, true
		}
	}
	return a, ok
}

// receiptTotal picks the amount paid: the last total before the payment
// lines, checked against tendered − change and subtotal + rounding.
func (x *extractor) receiptTotal(ls []rline) {
	type tcand struct {
		a     amt
		score float64
	}
	var cands []tcand
	payAt := len(ls)
	var tender, change, sub, round []float64
	for i, r := range ls {
		f := r.fold
		switch {
		case payChangeRe.MatchString(f) && !receiptTotalRe.MatchString(f):
			if a, ok := x.receiptLineAmount(ls, i); ok {
				change = append(change, a.v)
			}
			continue
		case payTenderRe.MatchString(f) && !receiptTotalRe.MatchString(f):
			if a, ok := x.receiptLineAmount(ls, i); ok {
				tender = append(tender, a.v)
				payAt = min(payAt, i)
			}
			continue
		case roundingRe.MatchString(f) && !totalAfter(f):
			if a, ok := x.receiptLineAmount(ls, i); ok {
				round = append(round, a.v)
			}
			continue
		}
		if subtotalRe.MatchString(f) {
			if a, ok := x.receiptLineAmount(ls, i); ok {
				sub = append(sub, a.v)
			}
		}
		if !receiptTotalRe.MatchString(f) || receiptNotTotalRe.MatchString(f) && !receiptStrongRe.MatchString(f) && !totalAfter(f) {
			continue
		}
		a, ok := x.receiptLineAmount(ls, i)
		if !ok || a.v <= 0 {
			continue
		}
		s := 0.6
		if receiptStrongRe.MatchString(f) {
			s = 0.75
		}
		if a.dec != 2 {
			s *= 0.5
		}
		cands = append(cands, tcand{a: a, score: s})
	}
	// Later totals (before the payment) are the final ones.
	for k := range cands {
		if cands[k].a.line.idx < ls[min(payAt, len(ls)-1)].ln.idx || payAt == len(ls) {
			cands[k].score += 0.05 * float64(k+1) / float64(len(cands))
		}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.005 }
	var paid []float64 // tendered − change
	for _, t := range tender {
		for _, c := range change {
			if t-c > 0 {
				paid = append(paid, round2(t-c))
			}
		}
	}
	var rounded []float64 // subtotal + rounding
	for _, s := range sub {
		for _, r := range round {
			if r != 0 {
				rounded = append(rounded, round2(s+r))
			}
		}
	}
	best := -1
	for k := range cands {
		v := cands[k].a.v
		for _, p := range paid {
			if near(p, v) {
				cands[k].score += 0.3
				break
			}
		}
		for _, p := range rounded {
			if near(p, v) {
				cands[k].score += 0.2
				break
			}
		}
		// The same amount on several total lines.
		for j := range cands {
			if j != k && near(cands[j].a.v, v) {
				cands[k].score += 0.05
			}
		}
		if best < 0 || cands[k].score >= cands[best].score {
			best = k
		}
	}
	if best >= 0 && (cands[best].score >= 0.6 || len(paid) == 0) {
		x.prefer("total_amount", cand{field: "total_amount", value: round2(cands[best].a.v), raw: cands[best].a.raw, conf: min(cands[best].score, 1),
			page: pageOf(cands[best].a.words), box: boxOf(cands[best].a.words), conv: "amount", format: "receipt:total", line: cands[best].a.line})
		return
	}
	if len(paid) > 0 {
		// No readable total: what was tendered less the change.
		x.prefer("total_amount", cand{field: "total_amount", value: paid[0], raw: "", conf: 0.5, page: ls[0].ln.page, conv: "amount", format: "receipt:paid"})
	}
}

// receiptDates adds every date of the receipt as a weak candidate: on
// receipts the date is often at the foot, below the items.
func (x *extractor) receiptDates(ls []rline) {
	for _, r := range ls {
		for _, s := range r.ln.segs {
			if d, ws, ok := x.findDate(s.text(), s.words); ok {
				x.add(cand{field: "invoice_date", value: d, raw: d, conf: 0.25, page: pageOf(ws), box: boxOf(ws), conv: "date", format: "receipt:any", line: r.ln})
				return
			}
		}
	}
}
