package extract

import (
	"regexp"
	"strings"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// custom finds a user data point from its hints: the value right of or
// below one of its labels, or the first match of its pattern, checked by
// the data point's type.
func (x *extractor) custom(dp workspace.DataPoint) []cand {
	var out []cand
	conv := func(text string, ws []word, seg *segment) (cand, bool) {
		c := cand{field: dp.Name, raw: text, page: pageOf(ws), box: boxOf(ws), line: seg.line}
		switch dp.Type {
		case "date":
			d, dws, ok := x.findDate(text, ws)
			if !ok {
				return c, false
			}
			c.value, c.raw, c.conv, c.box = d, d, "date", boxOf(dws)
		case "amount", "number":
			as := findAmounts(ws, seg.line, seg)
			if len(as) == 0 {
				v, ok := ParseAmount(text)
				if !ok {
					return c, false
				}
				c.value = v
			} else {
				c.value, c.raw, c.box = round2(as[0].v), as[0].raw, boxOf(as[0].words)
			}
			c.conv = "amount"
		default:
			t := strings.Trim(collapse(text), " :;,")
			if t == "" {
				return c, false
			}
			c.value, c.conv = t, "string"
		}
		return c, true
	}
	var pat *regexp.Regexp
	if dp.Hints.Pattern != "" {
		pat, _ = regexp.Compile(dp.Hints.Pattern)
	}
	for _, lab := range dp.Hints.Labels {
		src := strings.ReplaceAll(regexp.QuoteMeta(fold(strings.TrimSpace(lab))), " ", `[\s\-._]*`)
		re, err := regexp.Compile(`(?:^|[^\p{L}\p{N}])(` + src + `)`)
		if err != nil || src == "" {
			continue
		}
		l := &label{fields: []string{dp.Name}, re: re, weight: 1}
		for _, ln := range x.l.lines {
			for _, s := range ln.segs {
				for _, m := range re.FindAllStringSubmatchIndex(s.folded(), -1) {
					h := labelHit{lab: l, seg: s, a: runeIndex(s.folded(), m[2]), b: runeIndex(s.folded(), m[3]), next: len(s.orig), weight: 1}
					for _, sp := range x.spans(h, 2) {
						text := sp.text
						if pat != nil {
							text = pat.FindString(text)
							if text == "" {
								continue
							}
						}
						if c, ok := conv(text, wordsFor(sp.words, text), sp.seg); ok {
							c.conf, c.format = 0.85*sp.factor, "hint_label:"+sp.how
							out = append(out, c)
							break
						}
					}
				}
			}
		}
	}
	if pat != nil {
		for _, ln := range x.l.lines {
			t := ln.text()
			for _, s := range ln.segs {
				if m := pat.FindString(s.text()); m != "" {
					t = ""
					if c, ok := conv(m, wordsFor(s.words, m), s); ok {
						c.conf, c.format = 0.6, "hint_pattern"
						out = append(out, c)
					}
				}
			}
			if t != "" {
				if m := pat.FindString(t); m != "" && len(ln.segs) > 0 {
					if c, ok := conv(m, wordsFor(ln.words, m), ln.segs[0]); ok {
						c.conf, c.format = 0.55, "hint_pattern"
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}
