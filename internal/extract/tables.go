package extract

import (
	"math"
	"regexp"
	"strings"
)

// columnWords recognise the headers of a line item table.
var columnWords = []struct {
	col string
	re  *regexp.Regexp
}{
	{"vat_rate", regexp.MustCompile(`^(?:(?:vat|tax|mwst|ust|tva|btw|iva|gst)\.?\s*(?:%|\(%\)|\[%\]|rate|satz)|(?:mwst|ust|steuer)[\s.\-]*(?:%|satz)|%\s*(?:vat|tva|btw|mwst|ust)|vat\s*\[%\]|taxes|stawka(?: vat)?|btw|tva|mwst|ust\.? %)$`)},
	{"quantity", regexp.MustCompile(`^(?:qty|quantity|menge|anzahl|ilosc(?: \[jm\])?|quantite|qte|nombre|aantal|hoeveelheid|quantita|cantidad|nb|stk|stuck)\.?$`)},
	{"unit", regexp.MustCompile(`^(?:unit|uom|einheit|meng\.?-?einheit|jm|j\.m\.|unite|eenheid)\.?$`)},
	{"unit_price", regexp.MustCompile(`^(?:unit price|price|rate|preis|einzelpreis|e-preis|ep|nettopreis|vk-preis|preis/einheit|cena(?: netto| jedn\.?)?|prix(?: unitaire)?(?: ht)?|p\.u\.(?: ht)?|pu ht|prijs(?: per stuk)?|prezzo|precio(?: unitario)?|price per unit|unit cost)$`)},
	{"gross_amount", regexp.MustCompile(`^(?:gross(?: amount)?|brutto|wartosc brutto|montant ttc|total ttc|prijs incl\.? btw|incl\.? (?:vat|btw)|bruttobetrag|gesamt brutto)$`)},
	{"net_amount", regexp.MustCompile(`^(?:amount|net amount|line total|total|betrag|gesamt|gesamtpreis|nettowert|nettobetrag|zeilenbetrag|wartosc(?: netto)?|montant(?: ht)?|bedrag|entgelt|importo|importe|net|netto|subtotal)$`)},
	{"description", regexp.MustCompile(`^(?:description|item|items|article|artikel|beschreibung|bezeichnung|artikelbezeichnung|leistung|produkt|product|service|designation|libelle|nazwa(?: towaru(?: lub uslugi)?)?|towar|omschrijving|title|descrizione|descripcion|concepto|artikelbeschreibung|positionen)$`)},
}

// columnFilter and columnLits spare running the columns' expressions on
// text that has none of their words (see prefilter).
var (
	columnFilter prefilter
	columnLits   [][]int32
)

func init() {
	for _, c := range columnWords {
		columnLits = append(columnLits, columnFilter.add(c.re.String()))
	}
}

func columnOf(text string) string {
	t := strings.Trim(collapse(fold(text)), " :")
	present := make([]uint64, columnFilter.words())
	columnFilter.present(t, present)
	for i, c := range columnWords {
		if !anyIn(columnLits[i], present) {
			continue
		}
		if c.re.MatchString(t) {
			return c.col
		}
	}
	return ""
}

var stopRowRe = regexp.MustCompile(`^(?:sub ?total|total|summe|zwischensumme|razem|totaal|subtotaal|gesamt|montant|net|rechnungssumme|invoice total|grand total|tax|vat|mwst|ust|tva|btw|warenwert|w tym|exclusief)`)

type tcol struct {
	name string
	box  [4]float64
}

// lineItems reads the line item table: a header line naming at least
// three known columns, then rows with numbers under them; lines without
// numbers continue the description of the row above.
func (x *extractor) lineItems() *Table {
	t := &Table{Columns: LineItemColumns}
	for i := 0; i < len(x.l.lines); i++ {
		ln := x.l.lines[i]
		cols := headerColumns(ln)
		if len(cols) < 3 || !hasCol(cols, "description") {
			continue
		}
		rows, next := x.readRows(i, cols)
		t.Rows = append(t.Rows, rows...)
		i = next - 1
	}
	return t
}

func hasCol(cols []tcol, name string) bool {
	for _, c := range cols {
		if c.name == name {
			return true
		}
	}
	return false
}

// headerColumns names the segments of a header line; a segment of several
// header words counts for each.
func headerColumns(ln *line) []tcol {
	var cols []tcol
	seen := map[string]bool{}
	for _, s := range ln.segs {
		if c := columnOf(s.text()); c != "" && !seen[c] {
			seen[c] = true
			cols = append(cols, tcol{c, s.box})
			continue
		}
		// Split "Description Quantity Unit Price" style segments by words.
		for k := 0; k < len(s.words); k++ {
			for n := 3; n >= 1; n-- {
				if k+n > len(s.words) {
					continue
				}
				var parts []string
				for _, w := range s.words[k : k+n] {
					parts = append(parts, w.text)
				}
				if c := columnOf(strings.Join(parts, " ")); c != "" && !seen[c] {
					seen[c] = true
					cols = append(cols, tcol{c, boxOf(s.words[k : k+n])})
					k += n - 1
					break
				}
			}
		}
	}
	return cols
}

// colFor picks the column a box falls under.
func colFor(cols []tcol, b [4]float64) string {
	best, bestScore := "", math.Inf(-1)
	cx := (b[0] + b[2]) / 2
	for _, c := range cols {
		ov := math.Min(b[2], c.box[2]) - math.Max(b[0], c.box[0])
		score := ov
		if ov <= 0 {
			score = -math.Min(math.Abs(cx-c.box[0]), math.Abs(cx-c.box[2]))
		}
		if score > bestScore {
			best, bestScore = c.name, score
		}
	}
	return best
}

func (x *extractor) readRows(hi int, cols []tcol) ([]map[string]Candidate, int) {
	head := x.l.lines[hi]
	var rows []map[string]Candidate
	var cur map[string]Candidate
	last := head.box[3]
	descX := 0.0
	for _, c := range cols {
		if c.name == "description" {
			descX = c.box[0]
		}
	}
	i := hi + 1
	for ; i < len(x.l.lines); i++ {
		ln := x.l.lines[i]
		if ln.page != head.page || ln.box[1]-last > 4*head.h {
			break
		}
		if len(headerColumns(ln)) >= 3 {
			break
		}
		first := strings.TrimLeft(fold(ln.segs[0].text()), "-*. ")
		if stopRowRe.MatchString(first) && len(findAmounts(ln.words, ln, ln.segs[0])) > 0 {
			break
		}
		last = ln.box[3]
		cells := map[string][]word{}
		for _, w := range ln.words {
			c := colFor(cols, w.box)
			if c != "description" && !hasDigit(w.text) && !isCurMark(w.text) && w.text != "%" && w.box[2] < descX+0.6 {
				// Words left of or inside the description area are description.
				if c == "unit" || c == "quantity" {
					cells[c] = append(cells[c], w)
					continue
				}
				c = "description"
			}
			cells[c] = append(cells[c], w)
		}
		numeric := false
		for _, c := range []string{"net_amount", "unit_price", "gross_amount"} {
			if len(findAmounts(cells[c], ln, ln.segs[0])) > 0 {
				numeric = true
			}
		}
		if !numeric {
			if cur != nil && len(cells["description"]) > 0 && len(cells) == 1 {
				if d, ok := cur["description"]; ok {
					// A continuation line of the current row's description.
					text, _ := d.Value.(string)
					d.Value = collapse(text + " " + joinWords(cells["description"]))
					d.Raw = d.Value.(string)
					cur["description"] = d
				} else if d, ok := cellValue("description", cells["description"]); ok {
					// The row's numbers came first; this line describes them.
					cur["description"] = d
					rows = append(rows, cur)
				}
			}
			continue
		}
		cur = map[string]Candidate{}
		for name, ws := range cells {
			if c, ok := cellValue(name, ws); ok {
				cur[name] = c
			}
		}
		if _, ok := cur["description"]; !ok {
			continue
		}
		rows = append(rows, cur)
	}
	return rows, i
}

func joinWords(ws []word) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, w.text)
	}
	return strings.Join(parts, " ")
}

var rateValRe = regexp.MustCompile(`^(-?\d{1,2}(?:[.,]\d{1,2})?)\s?%?$`)

func cellValue(name string, ws []word) (Candidate, bool) {
	raw := joinWords(ws)
	c := Candidate{Raw: raw, Page: pageOf(ws), BBox: boxOf(ws), Confidence: 0.7, Format: "table"}
	switch name {
	case "description", "unit":
		t := strings.Trim(collapse(raw), " ,;")
		if t == "" {
			return c, false
		}
		c.Value, c.Converter = t, "string"
	case "quantity":
		for _, w := range ws {
			if v, ok := ParseAmount(strings.TrimSpace(w.text)); ok {
				c.Value, c.Converter = v, "amount"
				return c, true
			}
		}
		return c, false
	case "vat_rate":
		t := strings.TrimSpace(strings.ReplaceAll(raw, " ", ""))
		m := rateValRe.FindStringSubmatch(t)
		if m == nil {
			return c, false
		}
		v, ok := ParseAmount(m[1])
		if !ok {
			return c, false
		}
		c.Value, c.Converter = v, "amount"
	default:
		as := findAmounts(ws, nil, nil)
		if len(as) == 0 {
			return c, false
		}
		a := as[len(as)-1]
		c.Value, c.Raw, c.BBox, c.Converter = round2(a.v), a.raw, boxOf(a.words), "amount"
		if name == "unit_price" {
			c.Value = math.Round(a.v*10000) / 10000
		}
	}
	return c, true
}
