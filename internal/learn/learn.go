// Package learn is Crescent's memory of accepted documents ("continuous
// learning"): when a document is accepted, where each of its values stood
// on the page (its label, its box, its kind) is remembered under the
// supplier's identity; the next document of that supplier is searched at
// those places first. It is pure: no storage, no I/O.
package learn

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/extract"
)

// Memory is where one field's value stood on an accepted document.
type Memory struct {
	Field     string     `json:"field"`
	Page      int        `json:"page"`           // 1-based
	BBox      [4]float64 `json:"bbox"`           // the value's box, relative to the page
	Label     string     `json:"label"`          // folded words before the value; "" when none
	Above     bool       `json:"above"`          // the label is on the line above, not to the left
	Converter string     `json:"converter"`      // date, amount or string
	Words     int        `json:"words,omitzero"` // how many words the value had
	Value     any        `json:"value,omitzero"` // the accepted value, for names that repeat
}

// Accepted is one field's accepted value with where it was found.
type Accepted struct {
	Field     string
	Value     any
	Raw       string
	Converter string
	Page      int
	BBox      []float64 // empty when the reviewer typed the value without a box
}

// supplierFields are the fields whose value belongs to the supplier and
// repeats from one of its documents to the next.
var supplierFields = map[string]bool{
	"seller_name": true, "seller_address": true, "seller_id": true, "seller_email": true,
	"account_number": true, "swift_code": true, "bank_name": true,
}

// maxLabelWords bounds the label remembered before a value.
const maxLabelWords = 4

// SupplierKeys are the identities of the document's supplier, strongest
// first: its VAT id, its IBAN, its normalized name. Values of an unexpected
// type are ignored; a document without any has no keys.
func SupplierKeys(values map[string]any) []string {
	var keys []string
	if s, ok := values["seller_id"].(string); ok {
		if id, ok := extract.NormalizeVATID(s); ok {
			keys = append(keys, "vat:"+id)
		}
	}
	if s, ok := values["account_number"].(string); ok {
		if iban, ok := extract.NormalizeIBAN(strings.ReplaceAll(s, " ", "")); ok {
			keys = append(keys, "iban:"+iban)
		}
	}
	if s, ok := values["seller_name"].(string); ok {
		if n := normalizeName(s); len(n) >= 3 {
			keys = append(keys, "name:"+n)
		}
	}
	return keys
}

// normalizeName folds a name to lower-case letters and digits separated by
// single spaces.
func normalizeName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// Remember returns a memory for every accepted value that can be placed on
// the pages: by its box, or else by finding its text. Values that cannot
// be placed are not remembered.
func Remember(pages []doc.Page, values []Accepted) []Memory {
	var out []Memory
	for _, a := range values {
		page, box, ok := place(pages, a)
		if !ok {
			continue
		}
		label, above := labelOf(pages[page-1], box)
		m := Memory{Field: a.Field, Page: page, BBox: box, Label: label, Above: above, Converter: a.Converter,
			Words: wordsIn(pages[page-1], box)}
		if supplierFields[a.Field] {
			m.Value = a.Value
		}
		out = append(out, m)
	}
	return out
}

// wordsIn counts the words whose centres lie in box.
func wordsIn(pg doc.Page, box [4]float64) int {
	n := 0
	for _, w := range pg.Words {
		cx, cy := (w.X0+w.X1)/2, (w.Y0+w.Y1)/2
		if cx >= box[0] && cx <= box[2] && cy >= box[1] && cy <= box[3] {
			n++
		}
	}
	return n
}

// place finds the page and box of an accepted value.
func place(pages []doc.Page, a Accepted) (int, [4]float64, bool) {
	if len(a.BBox) == 4 && a.Page >= 1 && a.Page <= len(pages) && a.BBox[2] > a.BBox[0] {
		return a.Page, [4]float64{a.BBox[0], a.BBox[1], a.BBox[2], a.BBox[3]}, true
	}
	for i, pg := range pages {
		if box, ok := placeOn(lines(pg), a); ok {
			return i + 1, box, true
		}
	}
	return 0, [4]float64{}, false
}

// placeOn finds an accepted value among the runs of up to 8 words of the
// lines of one page; the text value of a supplier field (an address, say)
// may also run on over up to maxSpanLines lines: such a value is found
// again by itself, not read back from a line.
func placeOn(lns [][]doc.Word, a Accepted) ([4]float64, bool) {
	for _, ln := range lns {
		for s := range ln {
			for e := s + 1; e <= len(ln) && e-s <= 8; e++ {
				if matches(a.Converter, a.Value, a.Raw, join(ln[s:e])) {
					return boxOf(ln[s:e]), true
				}
			}
		}
	}
	if kindOf(a.Converter) != "string" || !supplierFields[a.Field] {
		return [4]float64{}, false
	}
	want := alnum(fmt.Sprint(a.Value))
	if len(want) < 8 {
		return [4]float64{}, false
	}
	for i, ln := range lns {
		for s := range ln {
			// The value starts at word s of line i and ends at the end of a
			// later line.
			var run []doc.Word
			text := alnum(join(ln[s:]))
			if !strings.HasPrefix(want, text) || text == "" {
				continue
			}
			run = append(run, ln[s:]...)
			for j := i + 1; j < len(lns) && j <= i+maxSpanLines; j++ {
				text += alnum(join(lns[j]))
				run = append(run, lns[j]...)
				if text == want {
					return boxOf(run), true
				}
				if !strings.HasPrefix(want, text) {
					break
				}
			}
		}
	}
	return [4]float64{}, false
}

// maxSpanLines bounds the lines a remembered text value may run over.
const maxSpanLines = 5

// kindOf is how a value of a converter type is read from words.
func kindOf(conv string) string {
	switch conv {
	case "amount", "number", "date":
		return conv
	}
	return "string"
}

// alnum folds s to its lower-case letters and digits.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// matches reports whether text is the accepted value, by its kind.
func matches(conv string, value any, raw, text string) bool {
	switch conv {
	case "amount", "number":
		want, ok := value.(float64)
		got, ok2 := extract.ParseAmount(text)
		return ok && ok2 && math.Abs(got-want) < 0.005
	case "date":
		want, _ := value.(string)
		got, ok := extract.ParseDate(text)
		return ok && got == want
	default:
		s, _ := value.(string)
		if s == "" {
			s = raw
		}
		return compact(text) == compact(s) && compact(s) != ""
	}
}

func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// labelOf returns the words just left of box on its line, or, when there
// are none, the words on the line above that overlap it horizontally.
func labelOf(pg doc.Page, box [4]float64) (string, bool) {
	var left, above []doc.Word
	aboveY := -1.0
	for _, w := range pg.Words {
		if sameLine(w, box) && w.X1 <= box[0]+0.002 {
			left = append(left, w)
		}
	}
	if len(left) > 0 {
		if len(left) > maxLabelWords {
			left = left[len(left)-maxLabelWords:]
		}
		return fold(join(left)), false
	}
	for _, w := range pg.Words {
		if w.Y1 <= box[1]+0.002 && overlapX(w, box) && w.Y0 >= aboveY-0.002 && box[1]-w.Y1 < 0.05 {
			if w.Y0 > aboveY+0.004 {
				above, aboveY = nil, w.Y0
			}
			above = append(above, w)
		}
	}
	if len(above) > maxLabelWords {
		above = above[:maxLabelWords]
	}
	return fold(join(above)), len(above) > 0
}

func sameLine(w doc.Word, box [4]float64) bool {
	ov := math.Min(w.Y1, box[3]) - math.Max(w.Y0, box[1])
	return ov > 0.5*math.Min(w.Y1-w.Y0, box[3]-box[1])
}

func overlapX(w doc.Word, box [4]float64) bool {
	return math.Min(w.X1, box[2])-math.Max(w.X0, box[0]) > 0
}

func fold(s string) string { return strings.Trim(normalizeName(s), " ") }

func join(ws []doc.Word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

func boxOf(ws []doc.Word) [4]float64 {
	b := [4]float64{1, 1, 0, 0}
	for _, w := range ws {
		b[0], b[1] = math.Min(b[0], w.X0), math.Min(b[1], w.Y0)
		b[2], b[3] = math.Max(b[2], w.X1), math.Max(b[3], w.Y1)
	}
	return b
}

// maxPageWords bounds the words of one page that are looked at.
const maxPageWords = 10000

// lines groups a page's words into lines, top to bottom and each left to
// right: words sorted by their vertical centre, a new line where a word
// does not overlap the current one. O(n log n).
func lines(pg doc.Page) [][]doc.Word {
	ws := pg.Words
	if len(ws) > maxPageWords {
		ws = ws[:maxPageWords]
	}
	ws = append([]doc.Word(nil), ws...)
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Y0+ws[i].Y1 < ws[j].Y0+ws[j].Y1 })
	var out [][]doc.Word
	var box [4]float64
	for _, w := range ws {
		if n := len(out); n > 0 && sameLine(w, box) {
			out[n-1] = append(out[n-1], w)
			box = [4]float64{math.Min(box[0], w.X0), math.Min(box[1], w.Y0), math.Max(box[2], w.X1), math.Max(box[3], w.Y1)}
			continue
		}
		out = append(out, []doc.Word{w})
		box = w.Box()
	}
	for _, ln := range out {
		sort.SliceStable(ln, func(i, j int) bool { return ln[i].X0 < ln[j].X0 })
	}
	return out
}

// headLines is how many lines at the top of the first page may name the
// supplier; maxKeys bounds the identities looked up for one document.
const (
	headLines = 5
	maxKeys   = 32
)

// DocumentKeys are the supplier identities a new document may have: those
// of its extracted values (SupplierKeys), every VAT id and IBAN printed on
// its first page, and the names in the first lines of that page, where
// suppliers print theirs. A memory is only ever saved under the identities
// of an accepted document's seller, so the extra keys only widen the
// search among this organization's suppliers.
func DocumentKeys(values map[string]any, pages []doc.Page) []string {
	keys := SupplierKeys(values)
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	add := func(k string) {
		if !seen[k] && len(keys) < maxKeys {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if len(pages) == 0 {
		return keys
	}
	lns := lines(pages[0])
	for i, ln := range lns {
		if i < headLines {
			if n := normalizeName(join(ln)); len(n) >= 3 {
				add("name:" + n)
			}
		}
		for s := range ln {
			if id, ok := extract.NormalizeVATID(strings.Trim(ln[s].Text, ",;:()")); ok && len(id) >= 8 {
				add("vat:" + id)
			}
			for e := s + 1; e <= len(ln) && e-s <= 9; e++ {
				if iban, ok := extract.NormalizeIBAN(strings.ToUpper(strings.ReplaceAll(join(ln[s:e]), " ", ""))); ok {
					add("iban:" + iban)
					break
				}
			}
		}
	}
	return keys
}
