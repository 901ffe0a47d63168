package extract

import (
	"regexp/syntax"
	"slices"
	"strings"
)

// A prefilter spares running every label's regular expression on every
// segment: each label has a few literal strings, one of which is in any
// text it matches, and only the labels with one of their literals in the
// segment's text are run. The literals are derived from the expressions,
// so a label that would match is never skipped.
type prefilter struct {
	lits    []string  // every distinct literal
	byFirst [][]int32 // literal ids by first byte
}

// requiredLiterals returns strings one of which every match of the
// expression contains, or nil when there are none to require.
func requiredLiterals(src string) []string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	return required(re.Simplify())
}

// maxExact bounds the sets of exact strings.
const maxExact = 16

// exact returns every string the expression matches when they are few,
// or nil.
func exact(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] >= maxExact {
				return nil
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, string(r))
			}
		}
		if len(out) > maxExact {
			return nil
		}
		return out
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpQuest:
		s := exact(re.Sub[0])
		if s == nil {
			return nil
		}
		return dedup(append(s, ""))
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s := exact(sub)
			if s == nil {
				return nil
			}
			out = append(out, s...)
		}
		if out = dedup(out); len(out) > maxExact {
			return nil
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			if out = cross(out, exact(sub)); out == nil {
				return nil
			}
		}
		return out
	}
	return nil
}

// cross returns every a followed by every b, nil when there are too many
// or b is nil.
func cross(a, b []string) []string {
	if b == nil || len(a)*len(b) > maxExact {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return dedup(out)
}

func required(re *syntax.Regexp) []string {
	if s := exact(re); s != nil && !slices.Contains(s, "") {
		return prune(s)
	}
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		// A small class is a choice of single runes.
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] >= 4 {
				return nil
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, string(r))
			}
		}
		if len(out) == 0 || len(out) > 4 {
			return nil
		}
		return out
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s := required(sub)
			if s == nil {
				return nil
			}
			out = append(out, s...)
		}
		return dedup(out)
	case syntax.OpConcat:
		// Any part's literals will do; a run of parts with few exact
		// strings joins into one part.
		var best []string
		consider := func(s []string) {
			if s != nil && !slices.Contains(s, "") {
				if s = prune(s); best == nil || betterLiterals(s, best) {
					best = s
				}
			}
		}
		run := []string{""}
		for _, sub := range re.Sub {
			if e := exact(sub); e != nil {
				if joined := cross(run, e); joined != nil {
					run = joined
					continue
				}
				consider(run)
				run = e
				continue
			}
			consider(run)
			run = []string{""}
			consider(required(sub))
		}
		consider(run)
		return best
	}
	return nil
}

// betterLiterals reports whether the set a filters better than b: longer
// shortest literal, then fewer literals.
func betterLiterals(a, b []string) bool {
	ma, mb := minLen(a), minLen(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func minLen(s []string) int {
	m := -1
	for _, x := range s {
		if m < 0 || len(x) < m {
			m = len(x)
		}
	}
	return m
}

// prune drops the strings that contain another of the set: a text with
// them has the other too.
func prune(s []string) []string {
	var out []string
	for i, x := range s {
		redundant := false
		for j, y := range s {
			if i != j && strings.Contains(x, y) && (len(y) < len(x) || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, x)
		}
	}
	return out
}

func dedup(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// add registers the literals of one expression and returns their ids,
// nil when the expression has none.
func (p *prefilter) add(src string) []int32 {
	lits := requiredLiterals(src)
	if lits == nil {
		return nil
	}
	if p.byFirst == nil {
		p.byFirst = make([][]int32, 256)
	}
	ids := make([]int32, 0, len(lits))
	for _, l := range lits {
		id := int32(slices.Index(p.lits, l))
		if id < 0 {
			id = int32(len(p.lits))
			p.lits = append(p.lits, l)
			p.byFirst[l[0]] = append(p.byFirst[l[0]], id)
		}
		ids = append(ids, id)
	}
	return ids
}

// present marks in set the literals that text contains; set has a bit
// for every literal.
func (p *prefilter) present(text string, set []uint64) {
	for i := 0; i < len(text); i++ {
		for _, id := range p.byFirst[text[i]] {
			if strings.HasPrefix(text[i:], p.lits[id]) {
				set[id/64] |= 1 << (id % 64)
			}
		}
	}
}

// words returns the size of a set for present.
func (p *prefilter) words() int { return (len(p.lits) + 63) / 64 }

// anyIn reports whether one of the literals ids is in set; no ids means
// the expression must always be run.
func anyIn(ids []int32, set []uint64) bool {
	if ids == nil {
		return true
	}
	for _, id := range ids {
		if set[id/64]&(1<<(id%64)) != 0 {
			return true
		}
	}
	return false
}
