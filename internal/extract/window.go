package extract

import (
	"math"
	"regexp"
	"strings"
)

// addrBlock is an address read upwards from its postcode line: a name,
// street lines, the postcode and city, and perhaps a country. Its lines
// share their left edge but may be apart (double spacing in an envelope
// window) and other text may sit beside them.
type addrBlock struct {
	segs  []*segment // top to bottom
	score float64    // how much it looks like the recipient's window block
	back  []string   // the parts of the return address printed above it
}

// returnSepRe splits a one-line return address ("Muster GmbH · Weg 1 ·
// 12345 Stadt", "Muster GmbH - Weg 1 - 12345 Stadt").
var returnSepRe = regexp.MustCompile(`\s*[●•·|▪◦∙]\s*|\s+[-–]\s+|\s*,\s*`)

// attnRe matches a line naming who in the recipient's company should
// read the invoice.
var attnRe = regexp.MustCompile(`^(attn\b|attention\b|z\. ?hd\.?|zu handen|c/o\b|a l'attention|t\.a\.v\.|ter attentie)`)

// cityLine reports whether t is a "postcode city" line and nothing more.
func cityLine(t string) bool {
	t = strings.Trim(collapse(t), " ,;")
	if !postcodeRe.MatchString(t) || strings.ContainsAny(t, ":@") || len([]rune(t)) > 50 || streetLike(t) {
		return false
	}
	if len(returnSepRe.Split(t, -1)) > 2 {
		return false
	}
	letters := 0
	for _, f := range strings.Fields(t) {
		if !hasDigit(f) && len([]rune(f)) >= 2 {
			letters++
		}
	}
	return letters >= 1 && letters <= 4
}

// returnParts splits a line into the parts of a return address when it is
// one: at least three parts, one of them with a postcode.
func returnParts(t string) []string {
	var parts []string
	for _, p := range returnSepRe.Split(collapse(t), -1) {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) < 3 {
		return nil
	}
	for _, p := range parts[1:] {
		if postcodeRe.MatchString(p) {
			return parts
		}
	}
	return nil
}

// addressBlocks finds the address blocks in the top half of the first
// page and scores them as the recipient's; counts are how often each
// company name (folded) is printed.
func (x *extractor) addressBlocks(counts map[string]int) []*addrBlock {
	first := x.l.lines[0].page
	var out []*addrBlock
	for _, ln := range x.l.lines {
		if ln.page != first || ln.box[1] > 0.5 {
			break
		}
		for _, s := range ln.segs {
			if !cityLine(s.text()) || x.labelledAtStart(s) {
				continue
			}
			if b := x.walkUp(s); b != nil {
				x.scoreBlock(b, counts)
				out = append(out, b)
			}
		}
	}
	return out
}

// aligned returns the segment of ln whose left edge is at x0, and whether
// another segment of ln covers x0 (text in the way).
func aligned(ln *line, x0 float64) (*segment, bool) {
	for _, s := range ln.segs {
		if math.Abs(s.box[0]-x0) < 0.015 {
			return s, false
		}
		if s.box[0] < x0 && s.box[2] > x0 {
			return nil, true
		}
	}
	return nil, false
}

// walkUp collects the lines of an address block above its city line, and
// a country below it.
func (x *extractor) walkUp(city *segment) *addrBlock {
	x0 := city.box[0]
	segs := []*segment{city}
	top := city
	minPitch := math.Inf(1)
	for i := city.line.idx - 1; i >= 0 && len(segs) < 6; i-- {
		o := x.l.lines[i]
		pitch := top.box[1] - o.box[1]
		if o.page != city.line.page || pitch > math.Max(4*math.Max(o.h, top.line.h), 0.045) || pitch > 1.6*minPitch {
			break
		}
		s, blocked := aligned(o, x0)
		if blocked || returnParts(o.text()) != nil {
			break
		}
		if s == nil {
			continue
		}
		t := s.text()
		if attnRe.MatchString(fold(t)) {
			segs = append([]*segment{s}, segs...)
			top = s
			minPitch = math.Min(minPitch, pitch)
			continue
		}
		if x.labelledAtStart(s) || strings.ContainsAny(t, ":@") || strings.Contains(fold(t), "www") || len([]rune(t)) > 60 ||
			postcodeRe.MatchString(t) && !streetLike(t) {
			break
		}
		segs = append([]*segment{s}, segs...)
		top = s
		minPitch = math.Min(minPitch, pitch)
		if salutations[fold(strings.Fields(t)[0])] {
			break // "Herrn", "Firma": the first line of a recipient
		}
	}
	// A street line right above the city, and a name at the top.
	if len(segs) < 3 {
		return nil
	}
	if st := segs[len(segs)-2].text(); !hasDigit(st) && !streetLike(st) {
		return nil
	}
	if hasDigit(segs[0].text()) || !nameLike(segs[0].text()) {
		return nil
	}
	b := &addrBlock{segs: segs}
	if i := city.line.idx + 1; i < len(x.l.lines) {
		o := x.l.lines[i]
		if s, _ := aligned(o, x0); s != nil && o.page == city.line.page {
			if _, ok := countries[fold(strings.Trim(s.text(), " ,."))]; ok {
				b.segs = append(b.segs, s)
			}
		}
	}
	// A return address printed just above the block.
	for i := top.line.idx - 1; i >= 0 && i >= top.line.idx-3; i-- {
		o := x.l.lines[i]
		if o.page != top.line.page || top.box[1]-o.box[3] > 0.06 {
			break
		}
		var parts []string
		for _, s := range o.segs {
			if s.box[2] > x0-0.02 && s.box[0] < x0+0.35 {
				parts = append(parts, s.text())
			}
		}
		if p := returnParts(strings.Join(parts, " · ")); p != nil {
			b.back = p
			break
		}
	}
	return b
}

// scoreBlock rates a block as the recipient's address.
func (x *extractor) scoreBlock(b *addrBlock, counts map[string]int) {
	name := b.segs[0].text()
	c := 0.5
	if b.back != nil {
		c += 0.2
	}
	if salutations[fold(strings.Fields(name)[0])] {
		c += 0.1
	}
	if counts[fold(collapse(name))] > 1 {
		c -= 0.3 // the seller's name, printed again elsewhere
	}
	if b.segs[0].box[0] > 0.5 {
		c -= 0.1
	}
	if b.segs[0].box[1] < 0.09 {
		c -= 0.2 // above any envelope window: a letterhead
	}
	// Phone, e-mail or web lines under the block: a letterhead.
	last := b.segs[len(b.segs)-1]
	for i := last.line.idx + 1; i < len(x.l.lines) && i <= last.line.idx+3; i++ {
		o := x.l.lines[i]
		if o.page != last.line.page || o.box[1]-last.box[3] > 0.05 {
			break
		}
		if s, _ := aligned(o, b.segs[0].box[0]); s != nil && (x.labelledAtStart(s) || strings.Contains(s.text(), "@")) {
			c -= 0.2
			break
		}
	}
	b.score = c
}

// nameAndAddress reads the block's name (a salutation joined to the line
// after it) and its address.
func (b *addrBlock) nameAndAddress() (string, []word, *segment, string) {
	s := b.segs[0]
	name, ws, k := s.text(), s.words, 1
	if salutations[fold(name)] && len(b.segs) > 2 {
		name += " " + b.segs[1].text()
		ws = append(append([]word{}, ws...), b.segs[1].words...)
		k = 2
	}
	var ts []string
	for _, o := range b.segs[k:] {
		ts = append(ts, o.text())
	}
	return strings.TrimRight(name, " ,;"), ws, s, address(ts)
}

func (b *addrBlock) has(s *segment) bool {
	if b == nil {
		return false
	}
	for _, o := range b.segs {
		if o == s || o.line == s.line && o.box[0] <= s.box[0] && s.box[0] < o.box[2] {
			return true
		}
	}
	return false
}

// recipient returns the address block most like the recipient's window,
// or nil when none is convincing or a buyer label marks the buyer.
func (x *extractor) recipient(counts map[string]int) *addrBlock {
	if x.buyer != nil {
		return nil
	}
	var best *addrBlock
	for _, b := range x.addressBlocks(counts) {
		if x.seller.contains(b.segs[0]) {
			continue
		}
		if best == nil || b.score > best.score {
			best = b
		}
	}
	if best == nil || best.score < 0.5 {
		return nil
	}
	return best
}
