package learn

import (
	"math"
	"strings"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/extract"
)

// Sure is the confidence of a value whose label and place both agree with
// the memory: it may replace what the extractor chose. A less sure value
// only fills a field the extractor left empty, or comes second.
const Sure = 0.95

// Found is a value read where a memory said it would be.
type Found struct {
	Field      string
	Value      any
	Raw        string
	Converter  string
	Page       int
	BBox       [4]float64
	Confidence float64 // Sure when label and place agree, 0.9 for one of them
}

// maxValueWords bounds the words read as one value.
const maxValueWords = 12

// Apply reads, on new pages of the same supplier, the value of every
// remembered field: after the remembered label (on its line, or below it),
// else inside the remembered box. A field whose value cannot be read or
// converted is left out. Memories are tried in order; the first that reads
// a value wins for its field.
func Apply(pages []doc.Page, mems []Memory) []Found {
	var out []Found
	done := map[string]bool{}
	cache := make([][][]doc.Word, len(pages))
	linesOf := func(i int) [][]doc.Word {
		if cache[i] == nil {
			cache[i] = lines(pages[i])
		}
		return cache[i]
	}
	for _, m := range mems {
		if done[m.Field] || m.Page < 1 || m.Page > len(pages) {
			continue
		}
		pg := pages[m.Page-1]
		if s, ok := m.Value.(string); ok && s != "" {
			// A name that repeats from document to document.
			if box, ok := placeOn(linesOf(m.Page-1), Accepted{Field: m.Field, Value: s, Converter: m.Converter}); ok {
				done[m.Field] = true
				out = append(out, Found{Field: m.Field, Value: s, Raw: s, Converter: m.Converter, Page: m.Page, BBox: box, Confidence: Sure})
				continue
			}
		}
		if f, ok := byLabel(linesOf(m.Page-1), m); ok {
			done[m.Field] = true
			out = append(out, f)
			continue
		}
		if f, ok := byBox(pg, m); ok {
			done[m.Field] = true
			out = append(out, f)
		}
	}
	return out
}

// byLabel finds the remembered label nearest its old place and reads the
// words after it (or below it).
func byLabel(lns [][]doc.Word, m Memory) (Found, bool) {
	if m.Label == "" {
		return Found{}, false
	}
	want := strings.Fields(m.Label)
	best, bestDist := Found{}, math.Inf(1)
	for li, ln := range lns {
		for s := 0; s+len(want) <= len(ln); s++ {
			if !sameWords(ln[s:s+len(want)], want) {
				continue
			}
			label := boxOf(ln[s : s+len(want)])
			var ws []doc.Word
			if m.Above {
				ws = below(lns, li, label)
			} else {
				ws = ln[s+len(want):]
			}
			f, ok := read(m, ws)
			if !ok {
				continue
			}
			d := math.Hypot(f.BBox[0]-m.BBox[0], f.BBox[1]-m.BBox[1])
			if d < bestDist {
				f.Confidence = 0.9
				if d < 0.05 {
					f.Confidence = Sure
				}
				best, bestDist = f, d
			}
		}
	}
	return best, !math.IsInf(bestDist, 1)
}

func sameWords(ws []doc.Word, want []string) bool {
	for i, w := range ws {
		if fold(w.Text) != want[i] {
			return false
		}
	}
	return true
}

// below returns the words of the first line under label that overlap it
// horizontally, from the first overlapping word to the line's end.
func below(lns [][]doc.Word, li int, label [4]float64) []doc.Word {
	for _, ln := range lns[li+1:] {
		b := boxOf(ln)
		if b[1] < label[3] || b[1]-label[3] > 0.05 {
			continue
		}
		for i, w := range ln {
			if overlapX(w, label) || w.X0 >= label[0] {
				return ln[i:]
			}
		}
	}
	return nil
}

// byBox reads the words whose centres fall in the remembered box, widened
// a little.
func byBox(pg doc.Page, m Memory) (Found, bool) {
	const margin = 0.01
	var ws []doc.Word
	for _, w := range pg.Words {
		cx, cy := (w.X0+w.X1)/2, (w.Y0+w.Y1)/2
		if cx >= m.BBox[0]-margin && cx <= m.BBox[2]+margin && cy >= m.BBox[1]-margin && cy <= m.BBox[3]+margin {
			ws = append(ws, w)
		}
	}
	f, ok := read(m, ws)
	f.Confidence = 0.9
	return f, ok
}

// read converts the first words of ws to a value of the memory's kind:
// the longest run that converts, for amounts and dates; for strings, the
// words up to a wide gap.
func read(m Memory, ws []doc.Word) (Found, bool) {
	if len(ws) > maxValueWords {
		ws = ws[:maxValueWords]
	}
	for len(ws) > 0 && strings.Trim(ws[0].Text, ":#.-") == "" {
		ws = ws[1:]
	}
	if len(ws) == 0 {
		return Found{}, false
	}
	f := Found{Field: m.Field, Converter: m.Converter, Page: m.Page}
	switch m.Converter {
	case "amount", "number":
		for e := len(ws); e > 0; e-- {
			if v, ok := extract.ParseAmount(join(ws[:e])); ok {
				f.Value, f.Raw, f.BBox = v, join(ws[:e]), boxOf(ws[:e])
				return f, true
			}
		}
	case "date":
		for e := min(len(ws), 4); e > 0; e-- {
			if v, ok := extract.ParseDate(join(ws[:e])); ok {
				f.Value, f.Raw, f.BBox = v, join(ws[:e]), boxOf(ws[:e])
				return f, true
			}
		}
	default:
		end := 1
		for end < len(ws) && (m.Words == 0 || end < m.Words) {
			h := ws[end-1].Y1 - ws[end-1].Y0
			if ws[end].X0-ws[end-1].X1 > 2*h {
				break
			}
			end++
		}
		raw := strings.Trim(join(ws[:end]), " :;,")
		if raw == "" {
			return Found{}, false
		}
		f.Value, f.Raw, f.BBox = raw, raw, boxOf(ws[:end])
		return f, true
	}
	return Found{}, false
}
