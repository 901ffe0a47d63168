package extract

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

// This file generates line item tables as word boxes, with their true
// rows: quantities printed with their unit ("20 Stk", "3 h"), currency
// marks in cells, numbers right-aligned under left-aligned headers,
// descriptions of two lines above or below the numbers, position
// numbers, sub total, tax and total lines after the table, and tables
// continued on a second page under a repeated header. The header and
// summary wordings and the units come in two disjoint parts: the dev
// part, read while working on the table reader, and the held-out part,
// used only to score.

// tableVocab is one part of the table wordings, per language.
type tableVocab struct {
	name  string
	langs map[string]tableWords
}

// tableWords are the header words of one language, the summary labels
// and the unit words.
type tableWords struct {
	pos, desc, qty, unit, price, amount, vat string
	summary                                  []string
	units                                    []string
	goods                                    []string
}

var devTables = tableVocab{name: "dev", langs: map[string]tableWords{
	"en": {pos: "Pos.", desc: "Description", qty: "Qty", unit: "Unit", price: "Unit Price", amount: "Amount", vat: "VAT %",
		summary: []string{"Subtotal", "VAT 20%", "Total"}, units: []string{"pcs", "h"},
		goods: []string{"Consulting services", "Office chair", "Printer paper A4", "Cable set", "Support hours", "Monitor stand"}},
	"de": {pos: "Pos", desc: "Bezeichnung", qty: "Menge", unit: "Einheit", price: "Einzelpreis", amount: "Betrag", vat: "MwSt. %",
		summary: []string{"Zwischensumme", "MwSt. 19%", "Gesamtbetrag"}, units: []string{"Stk", "Std."},
		goods: []string{"Beratung vor Ort", "Schreibtisch Eiche", "Kopierpapier A4", "Montagematerial", "Wartungsvertrag", "Druckerpatrone schwarz"}},
}}

var heldOutTables = tableVocab{name: "held-out", langs: map[string]tableWords{
	"en": {pos: "#", desc: "Item", qty: "Quantity", unit: "UoM", price: "Price", amount: "Line Total", vat: "Tax %",
		summary: []string{"Sub total", "Tax", "Amount due"}, units: []string{"ea", "hrs"},
		goods: []string{"Web hosting plan", "Design work", "Travel expenses", "Software licence", "Training day", "Spare parts"}},
	"de": {pos: "Nr.", desc: "Leistung", qty: "Anzahl", unit: "ME", price: "Preis", amount: "Gesamtpreis", vat: "USt.",
		summary: []string{"Nettobetrag", "zzgl. USt. 19%", "Rechnungsbetrag"}, units: []string{"St.", "kg"},
		goods: []string{"Reinigung Büro", "Fliesen verlegen", "Entsorgung Altgeräte", "Lieferung frei Haus", "Ersatzteil Pumpe", "Anfahrt Techniker"}},
	"fr": {pos: "N°", desc: "Désignation", qty: "Qté", unit: "Unité", price: "Prix unitaire HT", amount: "Montant HT", vat: "TVA",
		summary: []string{"Total HT", "TVA 20%", "Total TTC"}, units: []string{"h", "pièce"},
		goods: []string{"Prestation de conseil", "Chaise de bureau", "Papier imprimante", "Frais de port", "Maintenance annuelle", "Câble réseau"}},
}}

// genRow is a true row.
type genRow struct {
	desc            string
	qty, price, net float64
	vat             float64
}

// tableGen writes one generated table document.
type tableGen struct {
	r        *rand.Rand
	w        tableWords
	lang     string
	pages    []doc.Page
	y        float64
	fs       float64
	cur      bool // currency marks in money cells
	merged   bool // quantity and unit in one cell, no unit column
	rightAl  bool // numbers right-aligned under left-aligned headers
	descMode int  // 0 one line, 1 second line below the numbers, 2 first line above the numbers
	pos      bool // position numbers
	withVAT  bool
	xs       map[string][2]float64 // column start and end
}

func (g *tableGen) newPage() {
	g.pages = append(g.pages, doc.Page{Num: len(g.pages) + 1, Width: 595, Height: 842, Source: doc.SourceText})
	g.y = 0.08
}

// put writes a phrase with its left edge at x, or its right edge at x
// when right is set, on the current line.
func (g *tableGen) put(x float64, s string, right bool) {
	pg := &g.pages[len(g.pages)-1]
	em := g.fs / pg.Width
	width := 0.0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			width += 0.28 * em
		}
		for _, r := range w {
			width += glyphW(r) * em
		}
	}
	if right {
		x -= width
	}
	h := g.fs * 1.15 / pg.Height
	for _, w := range strings.Fields(s) {
		ww := 0.0
		for _, r := range w {
			ww += glyphW(r) * em
		}
		pg.Words = append(pg.Words, doc.Word{Text: w, X0: x, Y0: g.y, X1: x + ww, Y1: g.y + h, Conf: 1})
		x += ww + 0.28*em
	}
}

func (g *tableGen) nl(f float64) { g.y += f * g.fs * 1.15 / 842 }

func (g *tableGen) money(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	if g.lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	if !g.cur {
		return s
	}
	if g.lang == "en" {
		return "$" + s
	}
	return s + " €"
}

func (g *tableGen) number(v float64) string {
	s := fmt.Sprintf("%g", v)
	if g.lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (g *tableGen) header() {
	g.nl(1)
	for _, c := range []struct{ key, text string }{{"pos", g.w.pos}, {"desc", g.w.desc}, {"qty", g.w.qty}, {"unit", g.w.unit}, {"price", g.w.price}, {"vat", g.w.vat}, {"amount", g.w.amount}} {
		if b, ok := g.xs[c.key]; ok {
			g.put(b[0], c.text, false)
		}
	}
	g.nl(1.6)
}

// cell writes a value in a column: right-aligned at the column end, or
// left-aligned at its start.
func (g *tableGen) cell(key, s string) {
	b := g.xs[key]
	if g.rightAl {
		g.put(b[1], s, true)
		return
	}
	g.put(b[0], s, false)
}

func generateTable(seed uint64, v tableVocab) ([]doc.Page, []genRow) {
	r := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+7))
	langs := make([]string, 0, len(v.langs))
	for l := range v.langs {
		langs = append(langs, l)
	}
	// map order is random: sort for a reproducible pick
	for i := range langs {
		for j := i + 1; j < len(langs); j++ {
			if langs[j] < langs[i] {
				langs[i], langs[j] = langs[j], langs[i]
			}
		}
	}
	lang := langs[r.IntN(len(langs))]
	g := &tableGen{r: r, w: v.langs[lang], lang: lang, fs: 8 + r.Float64()*2,
		cur: r.IntN(2) == 0, merged: r.IntN(2) == 0, rightAl: r.IntN(2) == 0, descMode: r.IntN(3), pos: r.IntN(2) == 0, withVAT: r.IntN(2) == 0}
	g.xs = map[string][2]float64{"desc": {0.14, 0.44}, "qty": {0.46, 0.53}, "price": {0.62, 0.74}, "amount": {0.84, 0.94}}
	if g.pos {
		g.xs["pos"] = [2]float64{0.08, 0.11}
	}
	if !g.merged {
		g.xs["unit"] = [2]float64{0.545, 0.6}
	}
	if g.withVAT {
		g.xs["vat"] = [2]float64{0.76, 0.81}
	}
	g.newPage()
	g.put(0.08, "Invoice 2024-"+fmt.Sprint(100+r.IntN(900)), false)
	g.nl(3)
	g.header()
	n := 2 + r.IntN(5)
	twoPages := r.IntN(4) == 0
	var rows []genRow
	for i := range n {
		if twoPages && i == n/2 {
			g.newPage()
			g.header()
		}
		q := float64(1 + r.IntN(40))
		if r.IntN(4) == 0 {
			q += 0.5
		}
		p := float64(r.IntN(50000)+100) / 100
		row := genRow{desc: g.w.goods[r.IntN(len(g.w.goods))], qty: q, price: p, net: math.Round(q*p*100) / 100, vat: []float64{7, 19, 20}[r.IntN(3)]}
		extra := ""
		if g.descMode != 0 {
			extra = fmt.Sprintf("ref %d-%c", 10+r.IntN(90), 'A'+rune(r.IntN(26)))
		}
		if g.descMode == 2 {
			g.put(g.xs["desc"][0], row.desc, false)
			g.nl(1.1)
		}
		if g.pos {
			g.cell("pos", fmt.Sprint(i+1))
		}
		switch g.descMode {
		case 2:
			g.put(g.xs["desc"][0], extra, false)
			row.desc += " " + extra
		default:
			g.put(g.xs["desc"][0], row.desc, false)
		}
		unit := g.w.units[r.IntN(len(g.w.units))]
		if g.merged {
			g.cell("qty", g.number(q)+" "+unit)
		} else {
			g.cell("qty", g.number(q))
			g.put(g.xs["unit"][0], unit, false)
		}
		g.cell("price", g.money(p))
		if g.withVAT {
			g.cell("vat", g.number(row.vat)+" %")
		}
		g.cell("amount", g.money(row.net))
		if g.descMode == 1 {
			g.nl(1.1)
			g.put(g.xs["desc"][0], extra, false)
			row.desc += " " + extra
		}
		g.nl(1.5)
		if !g.withVAT {
			row.vat = -1
		}
		rows = append(rows, row)
	}
	g.nl(1)
	sum := 0.0
	for _, row := range rows {
		sum += row.net
	}
	for k, label := range g.w.summary {
		g.put(g.xs["price"][0]-0.1, label, false)
		g.put(g.xs["amount"][1], g.money(sum*(1+0.1*float64(k))), true)
		g.nl(1.3)
	}
	g.nl(2)
	g.put(0.08, "IBAN DE89 3704 0044 0532 0130 00", false)
	return g.pages, rows
}

// scoreTable counts the right rows of a table: the description equal
// (case and space folded) and every number equal.
func scoreTable(want []genRow, got *Table) (right int) {
	used := map[int]bool{}
	for _, w := range want {
		for j, g := range got.Rows {
			if used[j] {
				continue
			}
			d, _ := g["description"].Value.(string)
			if !strings.EqualFold(collapse(d), w.desc) {
				continue
			}
			eq := func(col string, v float64) bool {
				f, ok := g[col].Value.(float64)
				return ok && math.Abs(f-v) < 0.005
			}
			if eq("quantity", w.qty) && eq("unit_price", w.price) && eq("net_amount", w.net) && (w.vat < 0 || eq("vat_rate", w.vat)) {
				used[j] = true
				right++
				break
			}
		}
	}
	return right
}

// TestGeneratedLineItems scores the table reader on generated tables,
// dev and held-out wordings apart, and holds both to a floor.
// CRESCENT_TABLE_SEED prints one dev layout and its rows.
func TestGeneratedLineItems(t *testing.T) {
	const n = 400
	for _, v := range []struct {
		voc   tableVocab
		floor float64
	}{{devTables, 0.9}, {heldOutTables, 0.7}} {
		right, predicted, truth := 0, 0, 0
		for seed := uint64(1); seed <= n; seed++ {
			pages, want := generateTable(seed, v.voc)
			res := Extract(pages, Options{})
			got := res.Tables["line_items"]
			if got == nil {
				got = &Table{}
			}
			right += scoreTable(want, got)
			predicted += len(got.Rows)
			truth += len(want)
			if s := os.Getenv("CRESCENT_TABLE_SEED"); v.voc.name == "dev" && s == fmt.Sprint(seed) {
				t.Logf("\n%s", dumpLayout(pages))
				for _, w := range want {
					t.Logf("want %+v", w)
				}
				for _, g := range got.Rows {
					var cells []string
					for k, c := range g {
						cells = append(cells, fmt.Sprintf("%s=%v", k, c.Value))
					}
					t.Logf("got  %s", strings.Join(cells, " | "))
				}
			}
		}
		p, r := float64(right)/math.Max(1, float64(predicted)), float64(right)/float64(truth)
		f := 0.0
		if p+r > 0 {
			f = 2 * p * r / (p + r)
		}
		t.Logf("%-8s line item rows: P %.3f R %.3f F1 %.3f (%d right, %d predicted, %d true)", v.voc.name, p, r, f, right, predicted, truth)
		if f < v.floor {
			t.Errorf("%s: row F1 %.3f < %.2f", v.voc.name, f, v.floor)
		}
	}
}
