package extract

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

// layoutCount is how many generated layouts TestGeneratedLayouts reads:
// CRESCENT_LAYOUTS overrides it (make fuzz runs many more).
func layoutCount(t *testing.T) int {
	if v := os.Getenv("CRESCENT_LAYOUTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("CRESCENT_LAYOUTS=%q: want a positive number", v)
		}
		return n
	}
	return 5000
}

// TestGeneratedLayouts is a property test: Extract never panics, and what
// it returns keeps its invariants, on thousands of generated invoice
// layouts (party blocks in several languages, line-item tables with
// random column orders, missing cells, multi-line descriptions before or
// after the numbers, empty tables, tables split over pages, totals among
// noise, overlapping and degenerate word boxes). The seed of a failing
// layout is printed; CRESCENT_LAYOUT_SEED replays one.
func TestGeneratedLayouts(t *testing.T) {
	first, n := uint64(1), layoutCount(t)
	if v := os.Getenv("CRESCENT_LAYOUT_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CRESCENT_LAYOUT_SEED=%q: %v", v, err)
		}
		first, n = s, 1
	}
	words := 0
	for seed := first; seed < first+uint64(n); seed++ {
		pages := generateLayout(seed)
		for _, pg := range pages {
			words += len(pg.Words)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("layout seed %d: panic: %v\n%s", seed, r, dumpLayout(pages))
				}
			}()
			res := Extract(pages, Options{})
			if err := checkResult(res, len(pages)); err != nil {
				t.Fatalf("layout seed %d: %v\n%s", seed, err, dumpLayout(pages))
			}
		}()
	}
	t.Logf("%d layouts, %d words", n, words)
}

// checkResult tests the invariants of an extraction result.
func checkResult(res Result, pages int) error {
	check := func(where string, c Candidate) error {
		switch v := c.Value.(type) {
		case string:
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: value %v", where, v)
			}
		default:
			return fmt.Errorf("%s: value %#v of type %T", where, c.Value, c.Value)
		}
		if c.Confidence < 0 || c.Confidence > 1 || math.IsNaN(c.Confidence) {
			return fmt.Errorf("%s: confidence %v", where, c.Confidence)
		}
		if c.Page < 0 || c.Page > pages {
			return fmt.Errorf("%s: page %d of %d", where, c.Page, pages)
		}
		return nil
	}
	for name, f := range res.Fields {
		if len(f.Candidates) > 3 {
			return fmt.Errorf("%s: %d candidates", name, len(f.Candidates))
		}
		for _, c := range f.Candidates {
			if err := check(name, c); err != nil {
				return err
			}
		}
	}
	for name, tb := range res.Tables {
		for i, row := range tb.Rows {
			for col, c := range row {
				if err := check(fmt.Sprintf("%s row %d %s", name, i, col), c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// layoutGen places words on pages of a generated invoice.
type layoutGen struct {
	r     *rand.Rand
	pages []doc.Page
	y     float64 // next line's top on the current page
}

var (
	genTitles   = []string{"Invoice", "INVOICE", "Tax Invoice", "Rechnung", "Facture", "Faktura VAT", "Credit Note", "Gutschrift", "Avoir", "Receipt", "Factuur", "Fattura"}
	genNoLabels = []string{"Invoice No:", "Invoice number", "Rechnungsnummer:", "Rechnung Nr.", "N° de facture", "Facture n°", "Nr faktury:", "No.", "#", "Number:", "Beleg-Nr."}
	genDates    = []string{"Date:", "Invoice date", "Rechnungsdatum:", "Datum", "Date de facture :", "Data wystawienia:", "Issued on", "Printed:", "Lieferdatum:", "Due date:", "Fällig am"}
	genParties  = []string{"Seller", "Verkäufer", "Vendeur", "Sprzedawca:", "Bill to:", "Buyer", "Käufer", "Acheteur", "Rechnungsempfänger", "Ship to", "From:", "Customer"}
	genRows     = []string{"Name:", "Address:", "Number:", "VAT ID:", "USt-IdNr.:", "Tel.", "IBAN", "BIC:", "Email:", "SIRET"}
	genHeads    = map[string][]string{
		"description":  {"Description", "Beschreibung", "Bezeichnung", "Désignation", "Item", "Artikel", "Nazwa towaru"},
		"quantity":     {"Qty", "Quantity", "Menge", "Anzahl", "Quantité", "Ilość"},
		"unit":         {"Unit", "Einheit", "Unité", "J.m."},
		"unit_price":   {"Unit Price", "Einzelpreis", "Prix unitaire", "Cena jedn.", "Rate"},
		"vat_rate":     {"VAT %", "MwSt.", "USt %", "TVA", "Tax rate"},
		"net_amount":   {"Amount", "Net", "Betrag", "Netto", "Montant HT", "Wartość netto"},
		"gross_amount": {"Total", "Gross", "Brutto", "Gesamt", "Montant TTC"},
	}
	genTotals = []string{"Total", "Subtotal", "Summe", "Gesamtbetrag", "Total TTC", "Net", "VAT 19%", "MwSt. 7%", "TVA 20 %", "Razem", "Rounding", "Cash", "Change", "Amount due", "Zu zahlen"}
	genWords  = []string{"GmbH", "Ltd.", "S.A.R.L.", "sp. z o.o.", "Main Street 1", "10115 Berlin", "75001 Paris", "Germany", "France", "Page 1/2", "Thank you!", "-", "•", "|", ":", "%", "€", "EUR", "USD", "PLN", "(", ")", "...", "x", "2x", "kg", "Stk", "h", "", " ", "\u00a0", "\t", "ü", "Ö", "ß", "é", "ł"}
)

func generateLayout(seed uint64) []doc.Page {
	g := &layoutGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.newPage()
	if g.r.IntN(10) == 0 {
		return g.pages // an empty page
	}
	g.header()
	for range g.r.IntN(3) {
		g.partyBlock()
	}
	g.table()
	g.totals()
	if g.r.IntN(4) == 0 {
		g.noise(10 + g.r.IntN(40))
	}
	return g.pages
}

func (g *layoutGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *layoutGen) newPage() {
	g.pages = append(g.pages, doc.Page{Num: len(g.pages) + 1, Width: 595, Height: 842, Source: doc.SourceText})
	g.y = 0.03 + g.r.Float64()*0.05
}

// line places texts left to right starting at x, one segment each; a text
// of several words becomes several words close together.
func (g *layoutGen) line(x float64, texts ...string) {
	if g.y > 0.95 {
		g.newPage()
	}
	h := 0.008 + g.r.Float64()*0.01
	pg := &g.pages[len(g.pages)-1]
	for _, t := range texts {
		for _, w := range strings.Fields(t) {
			width := float64(len(w)) * (0.005 + g.r.Float64()*0.004)
			if g.r.IntN(40) == 0 { // letter-spaced: one word per glyph
				for _, ch := range w {
					pg.Words = append(pg.Words, doc.Word{Text: string(ch), X0: x, Y0: g.y, X1: x + 0.006, Y1: g.y + h, Conf: 1})
					x += 0.009
				}
			} else {
				pg.Words = append(pg.Words, doc.Word{Text: w, X0: x, Y0: g.y, X1: x + width, Y1: g.y + h, Conf: 1})
				x += width + 0.004
			}
		}
		x += 0.02 + g.r.Float64()*0.1
	}
	g.y += h * (1.2 + g.r.Float64())
}

func (g *layoutGen) amount() string {
	v := g.r.Float64() * math.Pow(10, float64(g.r.IntN(8)))
	if g.r.IntN(15) == 0 {
		v = -v
	}
	switch g.r.IntN(5) {
	case 0:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case 1:
		return strings.Replace(strconv.FormatFloat(v, 'f', 2, 64), ".", ",", 1)
	case 2:
		return fmt.Sprintf("%.2f €", v)
	case 3:
		return fmt.Sprintf("%d", int(v))
	default:
		return fmt.Sprintf("%.0f,%02d", math.Floor(v), g.r.IntN(100))
	}
}

func (g *layoutGen) date() string {
	d, m, y := 1+g.r.IntN(31), 1+g.r.IntN(13), 1990+g.r.IntN(50)
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%02d.%02d.%d", d, m, y)
	case 1:
		return fmt.Sprintf("%d-%02d-%02d", y, m, d)
	case 2:
		return fmt.Sprintf("%d/%d/%d", m, d, y%100)
	default:
		return fmt.Sprintf("%d %s %d", d, g.pick([]string{"März", "mars", "March", "Mai", "grudnia"}), y)
	}
}

func (g *layoutGen) header() {
	switch g.r.IntN(3) {
	case 0: // the title carries the number and the date inline
		g.line(0.05, g.pick(genTitles)+" "+strconv.Itoa(g.r.IntN(1e6))+" "+g.pick([]string{"of", "vom", "du", "z dnia"})+" "+g.date())
	case 1:
		g.line(0.05+g.r.Float64()*0.5, g.pick(genTitles))
		g.line(0.55, g.pick(genNoLabels), fmt.Sprintf("%s-%d", g.pick([]string{"RE", "INV", "F", ""}), g.r.IntN(1e7)))
		g.line(0.55, g.pick(genDates), g.date())
	default:
		g.line(0.05, "Printed", g.date(), "by", "Generator")
	}
}

func (g *layoutGen) partyBlock() {
	x := []float64{0.05, 0.5, 0.6}[g.r.IntN(3)]
	g.line(x, g.pick(genParties))
	for range g.r.IntN(6) {
		if g.r.IntN(2) == 0 {
			g.line(x, g.pick(genRows), g.pick(genWords)+" "+g.pick(genWords))
		} else {
			g.line(x, g.pick(genWords), g.pick(genWords))
		}
	}
}

func (g *layoutGen) table() {
	names := []string{"description", "quantity", "unit", "unit_price", "vat_rate", "net_amount", "gross_amount"}
	g.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	cols := names[:2+g.r.IntN(len(names)-1)]
	xs := make([]float64, len(cols))
	heads := make([]string, len(cols))
	for i, c := range cols {
		xs[i] = 0.05 + float64(i)*0.9/float64(len(cols)) + (g.r.Float64()-0.5)*0.03
		heads[i] = g.pick(genHeads[c])
	}
	g.tableHeader(xs, heads)
	for range g.r.IntN(25) { // zero rows: an empty table
		if g.y > 0.95 && g.r.IntN(2) == 0 {
			g.newPage()
			if g.r.IntN(2) == 0 {
				g.tableHeader(xs, heads)
			}
		}
		descFirst := g.r.IntN(3) != 0
		if descFirst && g.r.IntN(3) == 0 {
			g.line(xs[0], g.pick(genWords)+" "+g.pick(genWords))
		}
		g.tableRow(cols, xs)
		for range g.r.IntN(3) { // continuation lines
			g.line(xs[g.r.IntN(len(xs))], g.pick(genWords))
		}
	}
}

func (g *layoutGen) tableHeader(xs []float64, heads []string) {
	pg := &g.pages[len(g.pages)-1]
	h := 0.012
	for i, t := range heads {
		pg.Words = append(pg.Words, doc.Word{Text: t, X0: xs[i], Y0: g.y, X1: xs[i] + 0.01*float64(len(t)), Y1: g.y + h, Conf: 1})
	}
	g.y += 2 * h
}

// tableRow writes one row with random cells missing.
func (g *layoutGen) tableRow(cols []string, xs []float64) {
	pg := &g.pages[len(g.pages)-1]
	h := 0.01
	for i, c := range cols {
		if g.r.IntN(5) == 0 {
			continue // a missing cell
		}
		var t string
		switch c {
		case "description", "unit":
			t = g.pick(genWords)
		case "quantity":
			t = strconv.Itoa(g.r.IntN(1000))
		case "vat_rate":
			t = g.pick([]string{"19%", "7 %", "20", "0%", "23", "5,5%"})
		default:
			t = g.amount()
		}
		x := xs[i] + (g.r.Float64()-0.5)*0.05
		for _, w := range strings.Fields(t) {
			pg.Words = append(pg.Words, doc.Word{Text: w, X0: x, Y0: g.y, X1: x + 0.008*float64(len(w)), Y1: g.y + h, Conf: 1})
			x += 0.008*float64(len(w)) + 0.004
		}
	}
	g.y += 1.5 * h
}

func (g *layoutGen) totals() {
	for range g.r.IntN(7) {
		g.line(0.5+g.r.Float64()*0.2, g.pick(genTotals), g.amount())
	}
}

// noise adds words at random places, including degenerate boxes.
func (g *layoutGen) noise(n int) {
	pg := &g.pages[g.r.IntN(len(g.pages))]
	for range n {
		x, y := g.r.Float64(), g.r.Float64()
		w, h := g.r.Float64()*0.2, g.r.Float64()*0.05
		if g.r.IntN(5) == 0 {
			w, h = 0, 0
		}
		t := g.pick(genWords)
		if g.r.IntN(3) == 0 {
			t = g.amount()
		}
		pg.Words = append(pg.Words, doc.Word{Text: t, X0: x, Y0: y, X1: math.Min(1, x+w), Y1: math.Min(1, y+h), Conf: g.r.Float64()})
	}
}

func dumpLayout(pages []doc.Page) string {
	var b strings.Builder
	for _, pg := range pages {
		fmt.Fprintf(&b, "page %d:\n", pg.Num)
		for _, w := range pg.Words {
			fmt.Fprintf(&b, "  %q %.3f %.3f %.3f %.3f\n", w.Text, w.X0, w.Y0, w.X1, w.Y1)
		}
	}
	return b.String()
}
