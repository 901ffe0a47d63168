package extract

import (
	"math"
	"regexp"
	"strings"
	"unicode"
)

// columnWords recognise the headers of a line item table.
var columnWords = []struct {
	col string
	re  *regexp.Regexp
}{
	{"vat_rate", regexp.MustCompile(`^(?:(?:vat|tax|mwst|ust|tva|btw|iva|gst)\.?\s*(?:%|\(%\)|\[%\]|rate|satz)|(?:mwst|ust|steuer)[\s.\-]*(?:%|satz)|%\s*(?:vat|tva|btw|mwst|ust)|vat\s*\[%\]|taxes|stawka(?: vat)?|btw|tva|mwst\.?|ust\.?|ust\.? %|vat|tax|iva|gst|%)$`)},
	{"quantity", regexp.MustCompile(`^(?:qty|quantity|menge|anzahl|ilosc(?: \[jm\])?|quantite|qte|nombre|aantal|hoeveelheid|quantita|cantidad|nb|stk|stuck|anz|menge/einheit|qty/unit|hours|stunden|heures|uren)\.?$`)},
	{"unit", regexp.MustCompile(`^(?:unit|uom|einheit|meng\.?-?einheit|jm|j\.m\.|unite|eenheid)\.?$`)},
	{"unit_price", regexp.MustCompile(`^(?:unit price|price|rate|preis|einzelpreis|e-preis|ep|nettopreis|vk-preis|preis/einheit|cena(?: netto| jedn\.?)?|prix(?: unitaire)?(?: ht)?|p\.u\.(?: ht)?|pu ht|prijs(?: per stuk)?|prezzo|precio(?: unitario)?|price per unit|unit cost|unit price \(?[a-z€$£]{0,3}\)?|einzelpreis \(?[a-z€$£]{0,3}\)?|stuckpreis|preis je einheit|prix unit\.?|cena jednostkowa|prezzo unitario|prijs per eenheid|stukprijs|harga|harga unit)$`)},
	{"gross_amount", regexp.MustCompile(`^(?:gross(?: amount)?|brutto|wartosc brutto|montant ttc|total ttc|prijs incl\.? btw|incl\.? (?:vat|btw)|bruttobetrag|gesamt brutto)$`)},
	{"net_amount", regexp.MustCompile(`^(?:amount|net amount|line total|total|betrag|gesamt|gesamtpreis|nettowert|nettobetrag|zeilenbetrag|wartosc(?: netto)?|montant(?: ht)?|bedrag|entgelt|importo|importe|net|netto|subtotal|summe|gesamtbetrag|gesamtpreis netto|nettosumme|positionsbetrag|total price|total \(?[a-z€$£]{0,3}\)?|amount \(?[a-z€$£]{0,3}\)?|betrag \(?[a-z€$£]{0,3}\)?|montant total|totaal|bedrag excl\.? btw|wartosc netto|jumlah)$`)},
	{"description", regexp.MustCompile(`^(?:description|item|items|article|artikel|beschreibung|bezeichnung|artikelbezeichnung|leistung|produkt|product|service|designation|libelle|nazwa(?: towaru(?: lub uslugi)?)?|towar|omschrijving|title|descrizione|descripcion|concepto|artikelbeschreibung|positionen|produkt(?:bezeichnung|beschreibung)?|leistungsbeschreibung|description of (?:goods|services)|omschrijving artikel|articolo|servizio|opis|keterangan|perkara)$`)},
	{"position", regexp.MustCompile(`^(?:pos\.?|position|#|no\.?|nr\.?|lp\.?|n°|item no\.?|ref\.?)$`)},
	{"article", regexp.MustCompile(`^(?:art\.?[\s-]?nr\.?|artikel[\s-]?nr\.?|artikelnummer|art-nr-[a-z]+|sku|code|item code|product code|ean|gtin|reference|referenz|indeks|kod)$`)},
	{"discount", regexp.MustCompile(`^(?:disc\.?\s*%?|discount|rabatt|remise|korting|rabat|sconto|descuento)$`)},
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

// stopRowRe recognises the summary lines after a line item table: sub
// totals, totals, tax lines, amounts due, in the languages of the labels.
var stopRowRe = regexp.MustCompile(`^(?:sub ?-?total|total|summe|zwischensumme|razem|totaal|subtotaal|gesamt|montant|net|rechnungssumme|rechnungsbetrag|endbetrag|invoice total|grand total|tax|vat|mwst|ust|umsatzsteuer|steuer|tva|btw|iva|gst|sst|warenwert|w tym|exclusief|inclusief|nettobetrag|bruttobetrag|nettosumme|bruttosumme|zuzugl|zzgl|zu zahlen|amount due|balance|sous-total|sous total|totale|imponibile|subtotale|suma|do zaplaty|jumlah|uebertrag|ubertrag|carried forward|report|a reporter)`)

// subTotalRe recognises the summary lines that may sit inside a table,
// between groups of rows.
var subTotalRe = regexp.MustCompile(`^(?:sub ?-?total|zwischensumme|sous-total|sous total|subtotaal|subtotale|uebertrag|ubertrag|carried forward|report|a reporter)`)

// tcol is a column of a line item table: its name and the box of its
// header.
type tcol struct {
	name string
	box  [4]float64
}

// numericCols are the columns that hold numbers.
var numericCols = map[string]bool{"quantity": true, "unit_price": true, "net_amount": true, "gross_amount": true, "vat_rate": true, "position": true, "discount": true}

// lineItems reads the line item tables: a header of one line, or two
// stacked lines, naming at least three known columns among them the
// description, then rows with numbers under them; lines without numbers
// continue the description of the row above, or describe the numbers
// above them. A table continued on the next page under a repeated header
// is read on.
func (x *extractor) lineItems() *Table {
	t := &Table{Columns: LineItemColumns}
	for i := 0; i < len(x.l.lines); i++ {
		cols, last := x.tableHeader(i)
		if cols == nil {
			continue
		}
		rows, next := x.readRows(i, last, cols)
		t.Rows = append(t.Rows, rows...)
		i = next - 1
	}
	return t
}

// tableHeader returns the columns of a table header starting at line i,
// and the index of its last line, or nil. A header may be printed on two
// stacked lines ("Preis/" over "Einheit", "Menge" over nothing).
func (x *extractor) tableHeader(i int) ([]tcol, int) {
	ln := x.l.lines[i]
	cols := headerColumns(ln.segs)
	if len(cols) == 0 {
		return nil, 0
	}
	last := i
	if i+1 < len(x.l.lines) {
		nx := x.l.lines[i+1]
		if nx.page == ln.page && nx.box[1]-ln.box[3] < 1.2*ln.h && !hasAmountOutsideHeader(nx) {
			if merged := headerColumns(stackSegs(ln.segs, nx.segs)); len(merged) > len(cols) && tableCols(merged) >= 3 {
				cols, last = merged, i+1
			}
		}
	}
	if tableCols(cols) < 3 || !hasCol(cols, "description") {
		return nil, 0
	}
	return cols, last
}

// hasAmountOutsideHeader reports whether a line carries money amounts:
// such a line is a table row, not the second line of a header.
func hasAmountOutsideHeader(ln *line) bool {
	for _, s := range ln.segs {
		for _, a := range findAmounts(s.words, ln, s) {
			if a.dec > 0 || a.cur {
				return true
			}
		}
	}
	return false
}

// tableCols counts the columns that are line item columns.
func tableCols(cols []tcol) int {
	n := 0
	for _, c := range cols {
		switch c.name {
		case "position", "article", "discount":
		default:
			n++
		}
	}
	return n
}

// stackSegs joins the segments of two stacked header lines: a segment of
// the lower line goes under the upper segment it overlaps, the others
// stand alone.
func stackSegs(upper, lower []*segment) []*segment {
	out := make([]*segment, 0, len(upper)+len(lower))
	used := make([]bool, len(lower))
	for _, u := range upper {
		ws := append([]word(nil), u.words...)
		for j, l := range lower {
			if !used[j] && math.Min(u.box[2], l.box[2])-math.Max(u.box[0], l.box[0]) > 0 {
				used[j] = true
				ws = append(ws, l.words...)
			}
		}
		out = append(out, &segment{words: ws, box: boxOf(ws)})
	}
	for j, l := range lower {
		if !used[j] {
			out = append(out, l)
		}
	}
	return out
}

func hasCol(cols []tcol, name string) bool {
	for _, c := range cols {
		if c.name == name {
			return true
		}
	}
	return false
}

// headerText joins header words, closing the gap after a word that ends
// in a hyphen or slash ("Preis/ Einheit", "Meng.- einheit").
func headerText(ws []word) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			p := ws[i-1].text
			if !strings.HasSuffix(p, "/") && !strings.HasSuffix(p, "-") {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w.text)
	}
	return b.String()
}

// headerColumns names the segments of a header line; a segment of several
// header words counts for each.
func headerColumns(segs []*segment) []tcol {
	var cols []tcol
	seen := map[string]bool{}
	for _, s := range segs {
		if c := columnOf(headerText(s.words)); c != "" && !seen[c] {
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
				if c := columnOf(headerText(s.words[k : k+n])); c != "" && !seen[c] {
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

// colFor picks the column a word falls under: the header it overlaps
// most, else the nearest. A number takes a number column whose header
// edge it aligns with (numbers are right-aligned under left-aligned
// headers), before a text column it merely overlaps.
func colFor(cols []tcol, b [4]float64, numeric bool, em float64) string {
	best, bestScore := "", math.Inf(-1)
	cx := (b[0] + b[2]) / 2
	for _, c := range cols {
		ov := math.Min(b[2], c.box[2]) - math.Max(b[0], c.box[0])
		score := ov
		if ov <= 0 {
			score = -math.Min(math.Abs(cx-c.box[0]), math.Abs(cx-c.box[2]))
		}
		if numeric && numericCols[c.name] {
			if math.Abs(b[2]-c.box[2]) < em || math.Abs(b[0]-c.box[0]) < em {
				score = math.Max(score, 0) + (b[2] - b[0])
			}
		}
		if score > bestScore {
			best, bestScore = c.name, score
		}
	}
	return best
}

// tableLine is one line of a table split into cells by column.
type tableLine struct {
	ln    *line
	cells map[string][]word
}

// splitLine assigns the words of a line to the columns; words left of
// the table (margin notes, vertical print) are dropped.
func splitLine(ln *line, cols []tcol, left, descX float64) tableLine {
	cells := map[string][]word{}
	for _, w := range ln.words {
		if w.box[2] < left {
			continue
		}
		num := hasDigit(w.text)
		c := colFor(cols, w.box, num, ln.h)
		if c != "description" && !num && !isCurMark(w.text) && w.text != "%" && w.box[2] < descX+0.6 {
			// Words left of or inside the description area are description.
			if c != "unit" && c != "quantity" && c != "article" && c != "position" {
				c = "description"
			}
		}
		cells[c] = append(cells[c], w)
	}
	return tableLine{ln, cells}
}

// lineText is the folded text of a table line's kept words.
func (tl tableLine) text() string {
	var ws []word
	for _, w := range tl.ln.words {
		for _, cw := range tl.cells {
			if len(cw) > 0 && containsWord(cw, w) {
				ws = append(ws, w)
				break
			}
		}
	}
	return strings.TrimLeft(fold(joinWords(ws)), "-*. ")
}

func containsWord(ws []word, w word) bool {
	for _, x := range ws {
		if x.box == w.box && x.text == w.text {
			return true
		}
	}
	return false
}

// hasAmount reports whether a cell holds a number.
func (tl tableLine) hasAmount(col string) bool {
	return len(findAmounts(tl.cells[col], tl.ln, nil)) > 0
}

// isRow reports whether the line carries a row's numbers: an amount
// under the amount column, or under the price when there is none.
func (tl tableLine) isRow(cols []tcol) bool {
	if tl.hasAmount("net_amount") || tl.hasAmount("gross_amount") {
		return true
	}
	return !hasCol(cols, "net_amount") && !hasCol(cols, "gross_amount") && tl.hasAmount("unit_price")
}

// isStop reports whether the line is a summary line that ends the table.
func (tl tableLine) isStop() bool {
	t := tl.text()
	return stopRowRe.MatchString(t) && len(findAmounts(tl.ln.words, tl.ln, nil)) > 0
}

func (x *extractor) readRows(hi, last int, cols []tcol) ([]map[string]Candidate, int) {
	head := x.l.lines[hi]
	var rows []map[string]Candidate
	var cur map[string]Candidate
	var pending []word // description lines before a row's numbers
	above := false     // descriptions begin above the numbers
	bottom := x.l.lines[last].box[3]
	prevBottom := bottom // of the last row or description line
	descX, left := 0.0, math.Inf(1)
	for _, c := range cols {
		if c.name == "description" {
			descX = c.box[0]
		}
		left = math.Min(left, c.box[0])
	}
	left -= 0.002
	i := last + 1
	for ; i < len(x.l.lines); i++ {
		ln := x.l.lines[i]
		if ln.page != head.page || ln.box[1]-bottom > 4*head.h {
			break
		}
		if _, l := x.tableHeader(i); l > 0 {
			break
		}
		tl := splitLine(ln, cols, left, descX)
		if len(tl.cells) == 0 {
			continue
		}
		if tl.isStop() {
			if subTotalRe.MatchString(tl.text()) && x.rowFollows(i, cols, left, descX) {
				bottom, cur, pending = ln.box[3], nil, nil
				continue
			}
			break
		}
		bottom = ln.box[3]
		if !tl.isRow(cols) {
			if len(tl.cells["description"]) == 0 || len(tl.cells) != 1 || ln.box[1]-prevBottom > 1.5*ln.h {
				prevBottom = ln.box[3]
				continue
			}
			prevBottom = ln.box[3]
			switch d, ok := cur["description"]; {
			case cur == nil || above:
				pending = append(pending, tl.cells["description"]...)
			case ok:
				// A continuation line of the current row's description.
				text, _ := d.Value.(string)
				d.Value = collapse(text + " " + joinWords(tl.cells["description"]))
				d.Raw = d.Value.(string)
				d.BBox = union(d.BBox, boxOf(tl.cells["description"]))
				cur["description"] = d
			default:
				// The row's numbers came first; this line describes them.
				if d, ok := cellValue("description", tl.cells["description"]); ok {
					cur["description"] = d
					rows = append(rows, cur)
				}
			}
			continue
		}
		prevBottom = ln.box[3]
		var desc []word
		cur, desc = rowOf(tl, cols)
		if len(rows) == 0 && len(pending) > 0 && len(desc) > 0 && ln.box[1]-pending[len(pending)-1].box[3] < 0.8*ln.h &&
			math.Abs(pending[0].box[0]-desc[0].box[0]) < ln.h {
			// The first row's description began right above its
			// numbers, at the same place: so do the others.
			above = true
		}
		if _, ok := cur["description"]; !ok && len(rows) == 0 && len(pending) > 0 {
			// The first row's numbers have no text: the line above is
			// their description.
			if d, ok := cellValue("description", pending); ok {
				cur["description"] = d
			}
		} else if above && len(pending) > 0 {
			ws := append(pending, desc...)
			if d, ok := cellValue("description", ws); ok {
				cur["description"] = d
			}
		}
		pending = nil
		if d, ok := cur["description"]; ok && !hasLetters(d.Value.(string)) {
			delete(cur, "description")
		}
		if _, ok := cur["description"]; !ok {
			continue
		}
		rows = append(rows, cur)
	}
	return rows, i
}

// rowFollows reports whether a row comes within the next lines, below a
// sub total.
func (x *extractor) rowFollows(i int, cols []tcol, left, descX float64) bool {
	ln := x.l.lines[i]
	for j := i + 1; j < len(x.l.lines) && j <= i+3; j++ {
		nx := x.l.lines[j]
		if nx.page != ln.page {
			return false
		}
		tl := splitLine(nx, cols, left, descX)
		if tl.isStop() {
			return false
		}
		if tl.isRow(cols) && len(tl.cells["description"]) > 0 {
			return true
		}
	}
	return false
}

// rowOf reads the cells of a row line, then sorts out the numbers: a
// quantity followed by a unit word ("20 Stk.") is quantity and unit; a
// quantity, unit and price printed in one cell are split; a price that
// does not fit quantity × price = amount is tried in the other places.
func rowOf(tl tableLine, cols []tcol) (map[string]Candidate, []word) {
	cells := map[string][]word{}
	for k, v := range tl.cells {
		cells[k] = v
	}
	// "20 Stk." under quantity: the words after the number are the unit.
	if q := cells["quantity"]; len(q) > 1 && len(cells["unit"]) == 0 {
		if k := firstNumber(q); k >= 0 && k+1 < len(q) && !hasDigit(q[k+1].text) && !isCurMark(q[k+1].text) {
			cells["unit"] = q[k+1:]
			cells["quantity"] = q[:k+1]
		}
	}
	// "20 Stk. 9,90" under unit: quantity, unit word, price.
	if u := cells["unit"]; len(u) > 1 && hasDigit(joinWords(u)) {
		var nums, text []word
		for _, w := range u {
			if hasDigit(w.text) {
				nums = append(nums, w)
			} else {
				text = append(text, w)
			}
		}
		if len(nums) > 0 && len(cells["quantity"]) == 0 && nums[0].box[0] < firstX(text) {
			cells["quantity"] = nums[:1]
			nums = nums[1:]
		}
		if len(nums) > 0 && len(cells["unit_price"]) == 0 {
			cells["unit_price"] = nums[len(nums)-1:]
		}
		cells["unit"] = text
	}
	// A quantity printed in the description's column: "… 27,5 Std.".
	if d := cells["description"]; len(cells["quantity"]) == 0 && hasCol(cols, "quantity") && len(d) > 2 {
		n := len(d)
		if isUnitWord(d[n-1].text) && isPlainNumber(d[n-2].text) {
			cells["quantity"], cells["unit"] = d[n-2:n-1], d[n-1:]
			cells["description"] = d[:n-2]
		}
	}
	row := map[string]Candidate{}
	for name, ws := range cells {
		if name == "position" || name == "article" || name == "discount" {
			continue
		}
		if c, ok := cellValue(name, ws); ok {
			row[name] = c
		}
	}
	if _, ok := row["quantity"]; !ok {
		if p := cells["position"]; len(p) == 1 && hasDecimals(p[0].text) {
			// A "#" column holding 1,00 and 400,00 counts, not numbers rows.
			if c, ok := cellValue("quantity", p); ok {
				row["quantity"] = c
			}
		}
	}
	checkProduct(row, append(append([]word(nil), cells["quantity"]...), tl.cells["description"]...))
	return row, cells["description"]
}

// hasLetters reports whether a text has a word of two letters or more:
// a description, not a run of numbers.
func hasLetters(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
			if n >= 2 {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}

// checkProduct swaps a quantity and a price read the wrong way round
// when only the swap makes quantity × price equal the amount.
func checkProduct(row map[string]Candidate, others []word) {
	q, okq := row["quantity"].Value.(float64)
	p, okp := row["unit_price"].Value.(float64)
	n, okn := row["net_amount"].Value.(float64)
	if !okq || !okp || !okn {
		return
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 0.011+0.001*math.Abs(b) }
	if near(q*p, n) {
		return
	}
	// "5,000 kg" is five: a quantity read with a thousands separator.
	qc := row["quantity"]
	if raw := strings.TrimSpace(qc.Raw); thousandsRe.MatchString(raw) && near(q/1000*p, n) {
		qc.Value = q / 1000
		row["quantity"] = qc
		return
	}
	// Another number of the row is the quantity that makes the product.
	for _, w := range others {
		if !isPlainNumber(w.text) {
			continue
		}
		if v, ok := ParseAmount(w.text); ok && v != 0 && near(v*p, n) {
			qc.Value, qc.Raw, qc.BBox = v, w.text, w.box
			row["quantity"] = qc
			return
		}
	}
	// The amount under the price, the price under the amount.
	if near(q*n, p) && math.Abs(n) < math.Abs(p) {
		pc, nc := row["unit_price"], row["net_amount"]
		pc.Value, nc.Value = n, p
		row["unit_price"], row["net_amount"] = pc, nc
	}
}

func firstNumber(ws []word) int {
	for i, w := range ws {
		if _, ok := ParseAmount(w.text); ok {
			return i
		}
	}
	return -1
}

func firstX(ws []word) float64 {
	if len(ws) == 0 {
		return math.Inf(1)
	}
	return ws[0].box[0]
}

var (
	unitWordRe    = regexp.MustCompile(`^(?:stk|st|stck|stuck|pcs?|pc|pieces?|units?|ea|each|h|hrs?|hours?|std|stunden?|min|tage?|days?|kg|g|l|ml|m|m2|m3|km|kwh|pal|pkt|pack|box|set|szt|st\.|jours?|heures?|uur|pz|pezzi|ud|uds)\.?$`)
	plainNumberRe = regexp.MustCompile(`^-?\d+(?:[.,]\d+)?$`)
	thousandsRe   = regexp.MustCompile(`^-?\d{1,3}[.,]\d{3}$`)
)

func isUnitWord(s string) bool    { return unitWordRe.MatchString(fold(s)) }
func isPlainNumber(s string) bool { return plainNumberRe.MatchString(s) }
func hasDecimals(s string) bool   { return strings.ContainsAny(s, ".,") && isPlainNumber(s) }

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
		// The rate is the number with a percent sign, else the last one
		// ("0.00 15.00%" under "Disc.% Taxes").
		pick := -1
		for i, w := range ws {
			t := strings.TrimSpace(w.text)
			if rateValRe.MatchString(t) || t == "%" && i > 0 {
				if strings.HasSuffix(t, "%") && t != "%" || t == "%" || pick < 0 || !strings.HasSuffix(ws[pick].text, "%") {
					pick = i
					if t == "%" {
						pick = i - 1
					}
				}
			}
		}
		if pick < 0 {
			return c, false
		}
		m := rateValRe.FindStringSubmatch(strings.TrimSpace(ws[pick].text))
		if m == nil {
			return c, false
		}
		v, ok := ParseAmount(m[1])
		if !ok {
			return c, false
		}
		c.Value, c.Converter, c.Raw, c.BBox = v, "amount", ws[pick].text, ws[pick].box
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
