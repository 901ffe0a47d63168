package extract

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

// This file generates invoices in layouts that the corpus lacks: letter-
// spaced words, form-like party blocks ("Seller" then "Name:", "Address:",
// "VAT ID:" rows), titles that carry the number and date inline, header
// and generator dates that are not the invoice date, credit notes that
// quote the invoice they correct, in English, German and French (and some
// Polish and Dutch). Its phrase vocabularies come in two disjoint parts:
// the dev part, read while working on the extractor, and the held-out
// part (other label spellings, title phrasings, header-date phrasings and
// column positions), used only to score: the held-out score says how well
// a change carries over to phrasings nobody tuned on.

// unseenTruth is what a generated invoice holds.
type unseenTruth struct {
	fields map[string]any // invoice_number, invoice_date, seller_name, buyer_name, seller_id, total_amount
	tags   []string       // which traits the layout has
}

// unseenFields are the fields the generated invoices are scored on.
var unseenFields = []string{"invoice_number", "invoice_date", "seller_name", "buyer_name", "seller_id", "total_amount"}

// phrases is one vocabulary part for one language. Templates use {num},
// {date}, {ref} (a quoted invoice number).
type phrases struct {
	title      []string // document title alone
	titleNum   []string // title with the number (and date) inline
	cnQuote    []string // credit note title quoting the corrected invoice
	numLabel   []string
	dateLabel  []string
	otherDates []string // labels of dates that are not the invoice date
	headerDate []string // generator and header lines with a date
	seller     []string // party headings
	buyer      []string
	nameRow    []string
	addrRow    []string
	vatRow     []string
	totalLabel []string
}

// vocab is one vocabulary part: phrases per language and the columns the
// label/value pairs sit in.
type vocab struct {
	name   string
	langs  map[string]*phrases
	labelX []float64 // x of the label of a label/value pair
	valueD []float64 // distance from label to value
	partyX [][2]float64
}

var devVocab = &vocab{
	name:   "dev",
	labelX: []float64{0.55, 0.6},
	valueD: []float64{0.17, 0.2},
	partyX: [][2]float64{{0.06, 0.52}, {0.08, 0.55}},
	langs: map[string]*phrases{
		"en": {
			title:      []string{"INVOICE", "Invoice", "Tax Invoice"},
			titleNum:   []string{"Invoice {num} of {date}", "INVOICE {num} dated {date}", "Invoice No. {num} of {date}"},
			cnQuote:    []string{"Credit note {num} for invoice {ref}", "CREDIT NOTE {num} regarding invoice {ref}"},
			numLabel:   []string{"Invoice No.:", "Invoice number:", "Invoice #"},
			dateLabel:  []string{"Invoice date:", "Date:", "Date of issue:"},
			otherDates: []string{"Delivery date:", "Due date:", "Order date:"},
			headerDate: []string{"Printed: {date}", "Page 1 of 2 - created {date}", "Generated on {date}"},
			seller:     []string{"Seller", "Supplier", "From"},
			buyer:      []string{"Buyer", "Bill to", "Customer"},
			nameRow:    []string{"Name:", "Company:"},
			addrRow:    []string{"Address:"},
			vatRow:     []string{"VAT ID:", "VAT No.:"},
			totalLabel: []string{"Total:", "Total due", "Amount due:"},
		},
		"de": {
			title:      []string{"RECHNUNG", "Rechnung"},
			titleNum:   []string{"Rechnung Nr. {num} vom {date}", "Rechnung {num} vom {date}", "RECHNUNG {num} vom {date}"},
			cnQuote:    []string{"Gutschrift {num} zu Rechnung {ref}", "Gutschrift Nr. {num} zur Rechnung {ref}"},
			numLabel:   []string{"Rechnungsnummer:", "Rechnungs-Nr.:", "Rechnung Nr."},
			dateLabel:  []string{"Rechnungsdatum:", "Datum:"},
			otherDates: []string{"Lieferdatum:", "Fällig am:", "Bestelldatum:"},
			headerDate: []string{"Stand: {date}", "Druckdatum: {date}", "Erstellt am {date}"},
			seller:     []string{"Verkäufer", "Lieferant", "Rechnungssteller"},
			buyer:      []string{"Käufer", "Kunde", "Rechnungsempfänger"},
			nameRow:    []string{"Name:", "Firma:"},
			addrRow:    []string{"Adresse:", "Anschrift:"},
			vatRow:     []string{"USt-IdNr.:", "USt-ID:"},
			totalLabel: []string{"Gesamtbetrag:", "Rechnungsbetrag:", "Summe brutto"},
		},
		"fr": {
			title:      []string{"FACTURE", "Facture"},
			titleNum:   []string{"Facture n° {num} du {date}", "FACTURE {num} du {date}"},
			cnQuote:    []string{"Avoir {num} sur facture {ref}", "AVOIR n° {num} relatif à la facture {ref}"},
			numLabel:   []string{"Facture n°", "N° de facture :"},
			dateLabel:  []string{"Date de facture :", "Date :"},
			otherDates: []string{"Date de livraison :", "Échéance :", "Date de commande :"},
			headerDate: []string{"Date d'impression : {date}", "Édité le {date}"},
			seller:     []string{"Vendeur", "Fournisseur"},
			buyer:      []string{"Acheteur", "Client"},
			nameRow:    []string{"Nom :", "Raison sociale :"},
			addrRow:    []string{"Adresse :"},
			vatRow:     []string{"N° TVA :", "TVA intracommunautaire :"},
			totalLabel: []string{"Total TTC", "Net à payer :"},
		},
		"pl": {
			title:      []string{"FAKTURA VAT"},
			titleNum:   []string{"Faktura VAT nr {num} z dnia {date}"},
			cnQuote:    []string{"Faktura korygująca {num} do faktury {ref}"},
			numLabel:   []string{"Numer faktury:"},
			dateLabel:  []string{"Data wystawienia:"},
			otherDates: []string{"Data sprzedaży:", "Termin płatności:"},
			headerDate: []string{"Wydrukowano: {date}"},
			seller:     []string{"Sprzedawca"},
			buyer:      []string{"Nabywca"},
			nameRow:    []string{"Nazwa:"},
			addrRow:    []string{"Adres:"},
			vatRow:     []string{"NIP:"},
			totalLabel: []string{"Do zapłaty:"},
		},
		"nl": {
			title:      []string{"FACTUUR"},
			titleNum:   []string{"Factuur {num} van {date}"},
			cnQuote:    []string{"Creditnota {num} bij factuur {ref}"},
			numLabel:   []string{"Factuurnummer:"},
			dateLabel:  []string{"Factuurdatum:"},
			otherDates: []string{"Leverdatum:", "Vervaldatum:"},
			headerDate: []string{"Afgedrukt op {date}"},
			seller:     []string{"Verkoper"},
			buyer:      []string{"Klant"},
			nameRow:    []string{"Naam:"},
			addrRow:    []string{"Adres:"},
			vatRow:     []string{"BTW-nummer:"},
			totalLabel: []string{"Totaal:", "Te betalen:"},
		},
	},
}

var heldOutVocab = &vocab{
	name:   "held-out",
	labelX: []float64{0.45, 0.5, 0.65},
	valueD: []float64{0.14, 0.24},
	partyX: [][2]float64{{0.05, 0.45}, {0.1, 0.6}},
	langs: map[string]*phrases{
		"en": {
			title:      []string{"COMMERCIAL INVOICE", "Sales Invoice"},
			titleNum:   []string{"Invoice {num} from {date}", "Invoice #{num} - {date}", "Sales invoice {num}, issued {date}"},
			cnQuote:    []string{"Credit memo {num} against invoice {ref}", "Credit Note No. {num} (ref. invoice {ref})"},
			numLabel:   []string{"Invoice Number", "Inv. No.", "Invoice ID:"},
			dateLabel:  []string{"Issue date:", "Invoice Date", "Dated:"},
			otherDates: []string{"Ship date:", "Payment due:", "Date of delivery:", "PO date:"},
			headerDate: []string{"Print date: {date}", "Page 1/2, produced {date}", "Exported {date}"},
			seller:     []string{"Vendor", "Sold by", "Issued by"},
			buyer:      []string{"Billed to", "Invoice to", "Client"},
			nameRow:    []string{"Name", "Company name:"},
			addrRow:    []string{"Street:", "Address"},
			vatRow:     []string{"VAT Reg. No.:", "VAT number:", "Tax ID:"},
			totalLabel: []string{"Grand total", "Invoice total:", "Total amount"},
		},
		"de": {
			title:      []string{"Rechnung (Original)", "RECHNUNG"},
			titleNum:   []string{"Rechnung {num} vom {date}", "Rechnungs-Nr. {num} vom {date}", "Rechnung Nummer {num} v. {date}"},
			cnQuote:    []string{"Gutschrift {num} zur Rechnung Nr. {ref}", "Gutschrift {num} (Korrektur zu Rechnung {ref})"},
			numLabel:   []string{"Rechnungsnr.", "Rechnungs-Nummer", "Beleg-Nr.:"},
			dateLabel:  []string{"Rechnungs-Datum", "Ausstellungsdatum:", "Belegdatum:"},
			otherDates: []string{"Liefertermin:", "Zahlbar bis:", "Auftragsdatum:", "Leistungsdatum:"},
			headerDate: []string{"Gedruckt am {date}", "Seite 1 von 2 - erzeugt {date}", "Ausdruck vom {date}"},
			seller:     []string{"Leistungserbringer", "Absender", "Verkäufer:"},
			buyer:      []string{"Auftraggeber", "Rechnungsadresse", "Käufer:"},
			nameRow:    []string{"Firmenname:", "Name"},
			addrRow:    []string{"Straße:", "Adresse"},
			vatRow:     []string{"USt-IdNr", "Umsatzsteuer-ID:", "UID:"},
			totalLabel: []string{"Endbetrag:", "Zu zahlen:", "Gesamtsumme"},
		},
		"fr": {
			title:      []string{"FACTURE ORIGINALE"},
			titleNum:   []string{"Facture {num} du {date}", "Facture N° {num} émise le {date}"},
			cnQuote:    []string{"Avoir {num} sur la facture {ref}", "Facture d'avoir {num} (annule la facture {ref})"},
			numLabel:   []string{"Numéro de facture :", "N° facture"},
			dateLabel:  []string{"Date d'émission :", "Date de facturation"},
			otherDates: []string{"Date d'échéance :", "Livraison le :", "Commande du :"},
			headerDate: []string{"Imprimé le {date}", "Page 1/2 - généré le {date}"},
			seller:     []string{"Émetteur", "Prestataire"},
			buyer:      []string{"Facturé à", "Adresse de facturation"},
			nameRow:    []string{"Dénomination :", "Nom"},
			addrRow:    []string{"Adresse postale :"},
			vatRow:     []string{"Numéro de TVA :", "TVA intra. :"},
			totalLabel: []string{"Montant total TTC", "Total à payer :"},
		},
		"pl": {
			title:      []string{"FAKTURA"},
			titleNum:   []string{"Faktura nr {num} z dnia {date}"},
			cnQuote:    []string{"Korekta {num} do faktury nr {ref}"},
			numLabel:   []string{"Nr faktury:"},
			dateLabel:  []string{"Data faktury:"},
			otherDates: []string{"Data dostawy:", "Termin zapłaty:"},
			headerDate: []string{"Data wydruku: {date}"},
			seller:     []string{"Wystawca"},
			buyer:      []string{"Płatnik"},
			nameRow:    []string{"Firma:"},
			addrRow:    []string{"Ulica:"},
			vatRow:     []string{"NIP"},
			totalLabel: []string{"Razem do zapłaty:"},
		},
		"nl": {
			title:      []string{"Factuur"},
			titleNum:   []string{"Factuur nr. {num} d.d. {date}"},
			cnQuote:    []string{"Creditfactuur {num} op factuur {ref}"},
			numLabel:   []string{"Factuur nr.:"},
			dateLabel:  []string{"Datum factuur:"},
			otherDates: []string{"Uiterste betaaldatum:"},
			headerDate: []string{"Gegenereerd op {date}"},
			seller:     []string{"Leverancier"},
			buyer:      []string{"Afnemer"},
			nameRow:    []string{"Bedrijfsnaam:"},
			addrRow:    []string{"Adres"},
			vatRow:     []string{"Btw-nr.:"},
			totalLabel: []string{"Totaal te betalen:"},
		},
	},
}

// unseenGen writes one generated invoice.
type unseenGen struct {
	r      *rand.Rand
	v      *vocab
	ph     *phrases
	lang   string
	page   doc.Page
	y      float64
	fs     float64 // font size in points
	tight  bool    // glyph-tight word boxes (PDFium) rather than font boxes
	spaced float64 // probability that a label or title is letter-spaced
	tags   map[string]bool
}

var (
	syll    = []string{"ka", "lo", "mer", "tan", "vi", "ros", "bel", "dun", "sa", "tor", "len", "gra", "fis", "mon", "har", "pel", "zu", "nor", "wick", "ber"}
	given   = []string{"Anna", "Jonas", "Marie", "Pierre", "Lucas", "Emma", "Tomasz", "Sophie", "Daan", "Clara", "Noah", "Julien"}
	forms   = map[string][]string{"en": {"Ltd", "Ltd.", "LLC", "Inc.", "Limited"}, "de": {"GmbH", "AG", "GmbH & Co. KG", "UG"}, "fr": {"SARL", "SAS", "S.A."}, "pl": {"sp. z o.o.", "S.A."}, "nl": {"B.V.", "N.V."}}
	trades  = map[string][]string{"en": {"Trading", "Consulting", "Supplies", "Systems"}, "de": {"Handel", "Technik", "Logistik", "Bau"}, "fr": {"Services", "Conseil", "Industries"}, "pl": {"Handel", "Serwis"}, "nl": {"Techniek", "Handel"}}
	streets = map[string][]string{"en": {"High Street", "Mill Road", "Station Avenue"}, "de": {"Hauptstraße", "Lindenweg", "Am Markt"}, "fr": {"rue de la Paix", "avenue Foch", "boulevard Victor Hugo"}, "pl": {"ul. Długa", "ul. Polna"}, "nl": {"Kerkstraat", "Dorpsplein"}}
	towns   = map[string][]string{"en": {"London", "Leeds", "Bristol"}, "de": {"Berlin", "Köln", "Hamburg", "Leipzig"}, "fr": {"Paris", "Lyon", "Nantes"}, "pl": {"Kraków", "Gdańsk"}, "nl": {"Utrecht", "Delft"}}
	monthsN = map[string][]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	}
)

func (g *unseenGen) pick(l []string) string { return l[g.r.IntN(len(l))] }

func pickOf[T any](r *rand.Rand, l []T) T { return l[r.IntN(len(l))] }

func (g *unseenGen) word() string {
	var b strings.Builder
	for range 2 + g.r.IntN(2) {
		b.WriteString(g.pick(syll))
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

func (g *unseenGen) company() string {
	switch g.r.IntN(3) {
	case 0:
		return g.word() + " " + g.pick(trades[g.lang]) + " " + g.pick(forms[g.lang])
	case 1:
		return g.word() + " & " + g.word() + " " + g.pick(forms[g.lang])
	}
	return g.word() + " " + g.pick(forms[g.lang])
}

func (g *unseenGen) person() string { return g.pick(given) + " " + g.word() }

// date returns a random date printed in the language's way, and its ISO form.
func (g *unseenGen) date() (string, string) {
	y, m, d := 2019+g.r.IntN(7), 1+g.r.IntN(12), 1+g.r.IntN(28)
	iso := fmt.Sprintf("%d-%02d-%02d", y, m, d)
	switch g.lang {
	case "de", "pl", "nl":
		if g.lang == "de" && g.r.IntN(3) == 0 {
			return fmt.Sprintf("%d. %s %d", d, monthsN["de"][m-1], y), iso
		}
		return fmt.Sprintf("%02d.%02d.%d", d, m, y), iso
	case "fr":
		if g.r.IntN(3) == 0 {
			return fmt.Sprintf("%d %s %d", d, monthsN["fr"][m-1], y), iso
		}
		return fmt.Sprintf("%02d/%02d/%d", d, m, y), iso
	}
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("%d %s %d", d, monthsN["en"][m-1], y), iso
	case 1:
		return fmt.Sprintf("%s %d, %d", monthsN["en"][m-1], d, y), iso
	}
	return iso, iso
}

func (g *unseenGen) number() string {
	n := g.r.IntN(100000)
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("%d-%03d", 2019+g.r.IntN(7), n%1000)
	case 1:
		return fmt.Sprintf("%s-%d", g.pick([]string{"RE", "INV", "F", "FA", "R"}), n)
	case 2:
		return fmt.Sprintf("%s/%d/%04d", g.pick([]string{"FV", "INV", "F"}), 2019+g.r.IntN(7), n%10000)
	case 3:
		return fmt.Sprintf("%d", 1000+n)
	}
	return fmt.Sprintf("%s%06d", g.pick([]string{"A", "B", "CN", "RG"}), n)
}

// vatID returns a VAT id with valid check digits as printed and compact.
func (g *unseenGen) vatID() (string, string) {
	for {
		var cc, rest, printed string
		switch g.pick([]string{"DE", "FR", "NL", "PL", "AT", "IT"}) {
		case "DE":
			cc, rest = "DE", fmt.Sprintf("%09d", g.r.IntN(1e9))
			printed = cc + rest
			if g.r.IntN(2) == 0 {
				printed = cc + " " + rest
			}
		case "FR":
			cc = "FR"
			siren := 100000000 + g.r.IntN(899999999)
			rest = fmt.Sprintf("%02d%09d", (12+3*(siren%97))%97, siren)
			printed = cc + " " + rest[:2] + " " + rest[2:]
		case "NL":
			cc, rest = "NL", fmt.Sprintf("%09dB%02d", g.r.IntN(1e9), 1+g.r.IntN(20))
			printed = cc + rest
		case "PL":
			cc, rest = "PL", fmt.Sprintf("%010d", g.r.IntN(1e10))
			printed = cc + rest
		case "AT":
			cc, rest = "AT", fmt.Sprintf("U%08d", g.r.IntN(1e8))
			printed = cc + rest
		case "IT":
			cc, rest = "IT", fmt.Sprintf("%011d", g.r.IntN(1e11))
			printed = cc + rest
		}
		if c, f, s := vatCheck(cc + rest); f && s {
			return printed, c
		}
	}
}

func (g *unseenGen) amount(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	intPart, dec := s[:len(s)-3], s[len(s)-2:]
	var groups []string
	for len(intPart) > 3 {
		groups = append([]string{intPart[len(intPart)-3:]}, groups...)
		intPart = intPart[:len(intPart)-3]
	}
	groups = append([]string{intPart}, groups...)
	switch g.lang {
	case "en":
		return g.pick([]string{"€", "£", "$"}) + strings.Join(groups, ",") + "." + dec
	case "fr", "pl":
		return strings.Join(groups, " ") + "," + dec + " " + g.pick([]string{"€", "EUR", "PLN"})
	}
	return strings.Join(groups, ".") + "," + dec + " " + g.pick([]string{"€", "EUR"})
}

// fill replaces the placeholders of a template.
func fill(t string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		t = strings.ReplaceAll(t, kv[i], kv[i+1])
	}
	return t
}

// glyphW is the advance of a glyph in font-size units.
func glyphW(r rune) float64 {
	switch {
	case strings.ContainsRune("iljtf.,:;'!|I", r):
		return 0.28
	case r >= 'A' && r <= 'Z' || strings.ContainsRune("mwMW", r):
		return 0.68
	case r >= '0' && r <= '9':
		return 0.55
	}
	return 0.5
}

// text places a phrase at x on the current line and returns where it ends;
// spaced writes it letter-spaced: one word per glyph, glyphs closer than
// a space, words further apart.
func (g *unseenGen) text(x float64, s string, spaced bool) float64 {
	pw, ph := g.page.Width, g.page.Height
	em := g.fs / pw // one em in page widths
	hgt := g.fs * 1.15 / ph
	top := g.y
	if g.tight {
		hgt = g.fs * 0.72 / ph
		top = g.y + g.fs*0.2/ph
	}
	track := (0.06 + g.r.Float64()*0.25) * em
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if spaced {
				x += 0.28*em + 2*track + g.r.Float64()*0.2*em
			} else {
				x += 0.28 * em
			}
		}
		if spaced {
			for j, r := range w {
				if j > 0 {
					x += track
				}
				gw := glyphW(r) * em
				g.page.Words = append(g.page.Words, doc.Word{Text: string(r), X0: x, Y0: top, X1: x + gw, Y1: top + hgt, Conf: 1})
				x += gw
			}
			continue
		}
		wd := 0.0
		for _, r := range w {
			wd += glyphW(r) * em
		}
		g.page.Words = append(g.page.Words, doc.Word{Text: w, X0: x, Y0: top, X1: x + wd, Y1: top + hgt, Conf: 1})
		x += wd
	}
	return x
}

// row writes phrases at the given x positions on one line.
// A phrase never starts before the previous one ends plus two ems.
func (g *unseenGen) row(xs []float64, ss []string, spaced []bool) {
	end := 0.0
	for i, s := range ss {
		if s != "" {
			end = g.text(math.Max(xs[i], end+2*g.fs/g.page.Width), s, i < len(spaced) && spaced[i])
		}
	}
	g.nl(1.45)
}

func (g *unseenGen) nl(f float64) { g.y += f * g.fs / g.page.Height }

func (g *unseenGen) sp() bool {
	if g.r.Float64() < g.spaced {
		g.tags["letter-spaced"] = true
		return true
	}
	return false
}

// generateUnseen writes one invoice with the phrases of v.
func generateUnseen(seed uint64, v *vocab) ([]doc.Page, unseenTruth) {
	r := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+7))
	langs := []string{"en", "en", "en", "de", "de", "de", "fr", "fr", "fr", "pl", "nl"}
	g := &unseenGen{r: r, v: v, lang: langs[r.IntN(len(langs))], tags: map[string]bool{}}
	g.ph = v.langs[g.lang]
	g.page = doc.Page{Num: 1, Width: 595, Height: 842, Source: doc.SourceText}
	g.fs = 8.5 + r.Float64()*2.5
	g.tight = r.IntN(2) == 0
	if r.IntN(3) == 0 {
		g.spaced = 0.6
	}
	g.y = 0.03 + r.Float64()*0.03
	ph := g.ph
	t := unseenTruth{fields: map[string]any{}}
	seller, buyer := g.company(), g.company()
	if r.IntN(4) == 0 {
		buyer = g.person()
	}
	num := g.number()
	dateS, dateISO := g.date()
	vatP, vatC := g.vatID()
	bvatP, _ := g.vatID()
	total := math.Round((20+r.Float64()*20000)*100) / 100
	t.fields["invoice_number"] = num
	t.fields["invoice_date"] = dateISO
	t.fields["seller_name"] = seller
	t.fields["buyer_name"] = buyer
	t.fields["seller_id"] = vatC
	t.fields["total_amount"] = total

	// (d) a generator or header line with another date, at the very top.
	if r.IntN(2) == 0 {
		hd, _ := g.date()
		g.row([]float64{0.05 + r.Float64()*0.5}, []string{fill(g.pick(ph.headerDate), "{date}", hd)}, nil)
		g.tags["header-date"] = true
	}
	form := r.IntN(2) == 0 // (b) form-like party blocks
	if !form {
		// A letterhead: the seller's name and address.
		g.nl(0.5)
		g.row([]float64{0.06}, []string{seller}, nil)
		g.row([]float64{0.06}, []string{g.pick(streets[g.lang]) + " " + fmt.Sprint(1+r.IntN(99))}, nil)
		g.row([]float64{0.06}, []string{fmt.Sprintf("%05d %s", 10000+r.IntN(89999), g.pick(towns[g.lang]))}, nil)
		g.row([]float64{0.06}, []string{g.pick(ph.vatRow) + " " + vatP}, nil)
		g.nl(1.5)
	}
	// The title.
	credit := r.IntN(5) == 0
	inline := credit || r.IntN(2) == 0
	switch {
	case credit: // (e)
		ref := g.number()
		for ref == num {
			ref = g.number()
		}
		g.row([]float64{0.06}, []string{fill(g.pick(ph.cnQuote), "{num}", num, "{ref}", ref)}, []bool{g.sp()})
		g.tags["credit-note"] = true
		g.row([]float64{0.06}, []string{g.pick(ph.dateLabel) + " " + dateS}, nil)
	case inline: // (c)
		g.row([]float64{0.06}, []string{fill(g.pick(ph.titleNum), "{num}", num, "{date}", dateS)}, []bool{g.sp()})
		g.tags["inline-title"] = true
	default:
		g.row([]float64{0.06 + r.Float64()*0.3}, []string{g.pick(ph.title)}, []bool{g.sp()})
	}
	g.nl(1)
	// Label/value pairs in a right-hand column.
	lx := pickOf(r, v.labelX)
	vx := lx + pickOf(r, v.valueD)
	type pair struct{ l, v string }
	var pairs []pair
	if !inline {
		pairs = append(pairs, pair{g.pick(ph.numLabel), num}, pair{g.pick(ph.dateLabel), dateS})
	}
	for range r.IntN(3) { // (d) other dates
		od, _ := g.date()
		pairs = append(pairs, pair{g.pick(ph.otherDates), od})
		g.tags["other-dates"] = true
	}
	r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	for _, p := range pairs {
		g.row([]float64{lx, vx}, []string{p.l, p.v}, []bool{g.sp()})
	}
	g.nl(1)
	street := func() string { return g.pick(streets[g.lang]) + " " + fmt.Sprint(1+r.IntN(99)) }
	city := func() string { return fmt.Sprintf("%05d %s", 10000+r.IntN(89999), g.pick(towns[g.lang])) }
	if form {
		g.tags["form"] = true
		px := pickOf(r, v.partyX)
		rowsOf := func(name, vat string) [][2]string {
			rows := [][2]string{{g.pick(ph.nameRow), name}, {g.pick(ph.addrRow), street()}, {"", city()}, {g.pick(ph.vatRow), vat}}
			if r.IntN(2) == 0 {
				rows[1], rows[2] = [2]string{g.pick(ph.addrRow), street() + ", " + city()}, [2]string{"", ""}
			}
			return rows
		}
		sr, br := rowsOf(seller, vatP), rowsOf(buyer, bvatP)
		if r.IntN(3) == 0 { // "Name: value" as one phrase
			for _, rows := range [][][2]string{sr, br} {
				for i := range rows {
					if rows[i][0] != "" {
						rows[i] = [2]string{"", rows[i][0] + " " + rows[i][1]}
					}
				}
			}
		}
		if r.IntN(2) == 0 { // side by side
			g.row([]float64{px[0], px[1]}, []string{g.pick(ph.seller), g.pick(ph.buyer)}, []bool{g.sp(), g.sp()})
			for i := range sr {
				if sr[i][1] == "" && br[i][1] == "" {
					continue
				}
				g.row([]float64{px[0], px[0] + 0.12, px[1], px[1] + 0.12}, []string{sr[i][0], sr[i][1], br[i][0], br[i][1]}, []bool{g.sp(), false, g.sp()})
			}
		} else { // one above the other
			for k, rows := range [][][2]string{sr, br} {
				head := g.pick(ph.seller)
				if k == 1 {
					head = g.pick(ph.buyer)
				}
				g.row([]float64{px[0]}, []string{head}, []bool{g.sp()})
				for _, rw := range rows {
					if rw[1] != "" {
						g.row([]float64{px[0], px[0] + 0.13}, []string{rw[0], rw[1]}, []bool{g.sp()})
					}
				}
				g.nl(1)
			}
		}
	} else {
		// The buyer's address block with a heading.
		g.row([]float64{0.06}, []string{g.pick(ph.buyer)}, []bool{g.sp()})
		g.row([]float64{0.06}, []string{buyer}, nil)
		g.row([]float64{0.06}, []string{street()}, nil)
		g.row([]float64{0.06}, []string{city()}, nil)
		if r.IntN(2) == 0 {
			g.row([]float64{0.06}, []string{g.pick(ph.vatRow) + " " + bvatP}, nil)
		}
	}
	g.nl(2)
	// Line items and totals.
	var sum float64
	n := 1 + r.IntN(4)
	for i := range n {
		a := math.Round(total/float64(n)*100) / 100
		if i == n-1 {
			a = math.Round((total-sum)*100) / 100
		}
		sum += a
		g.row([]float64{0.06, 0.75}, []string{g.word() + " " + g.word(), g.amount(a)}, nil)
	}
	g.nl(1)
	g.row([]float64{0.5, 0.75}, []string{g.pick(ph.totalLabel), g.amount(total)}, []bool{g.sp()})
	var tags []string
	for k := range g.tags {
		tags = append(tags, k)
	}
	sort.Strings(tags)
	t.tags = tags
	return []doc.Page{g.page}, t
}

// unseenScore runs Extract on n generated invoices of a vocabulary and
// returns the share of right answers per field; misses lists the wrong
// ones when asked.
func unseenScore(v *vocab, n int, misses *[]string) map[string]float64 {
	return unseenScoreWith(v, n, misses, Options{})
}

// unseenScoreWith is unseenScore with Extract run with opt.
func unseenScoreWith(v *vocab, n int, misses *[]string, opt Options) map[string]float64 {
	right := map[string]int{}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		pages, truth := generateUnseen(seed, v)
		res := Extract(pages, opt)
		for _, f := range unseenFields {
			var got any
			if fl := res.Fields[f]; fl != nil && len(fl.Candidates) > 0 {
				got = fl.Candidates[0].Value
			}
			if same(f, truth.fields[f], got) {
				right[f]++
			} else if misses != nil {
				*misses = append(*misses, fmt.Sprintf("seed %d %v %s: want %v got %v", seed, truth.tags, f, truth.fields[f], got))
			}
		}
	}
	out := map[string]float64{}
	for _, f := range unseenFields {
		out[f] = float64(right[f]) / float64(n)
	}
	return out
}

// unseenDocs is how many invoices per vocabulary the score reads.
const unseenDocs = 400

// TestUnseenLayouts scores Extract on generated invoices with the dev and
// the held-out vocabularies and prints the share of right answers per
// field. EXTRACT_UNSEEN_MISSES=1 prints the dev misses (never the
// held-out ones); CRESCENT_UNSEEN_SEED=n with EXTRACT_UNSEEN_DUMP=1 dumps
// one dev layout.
func TestUnseenLayouts(t *testing.T) {
	if s := os.Getenv("CRESCENT_UNSEEN_SEED"); s != "" {
		var seed uint64
		fmt.Sscan(s, &seed)
		pages, truth := generateUnseen(seed, devVocab)
		t.Logf("truth %v %v\n%s", truth.fields, truth.tags, dumpLines(pages))
		res := Extract(pages, Options{})
		for _, f := range unseenFields {
			t.Logf("%s: %+v", f, res.Fields[f].Candidates)
		}
		return
	}
	var misses []string
	var mp *[]string
	if os.Getenv("EXTRACT_UNSEEN_MISSES") != "" {
		mp = &misses
	}
	dev := unseenScore(devVocab, unseenDocs, mp)
	held := unseenScore(heldOutVocab, unseenDocs, nil)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-16s %8s %8s\n", "field", "dev", "held-out")
	var sd, sh float64
	for _, f := range unseenFields {
		fmt.Fprintf(&sb, "%-16s %8.3f %8.3f\n", f, dev[f], held[f])
		sd += dev[f]
		sh += held[f]
	}
	fmt.Fprintf(&sb, "%-16s %8.3f %8.3f\n", "mean", sd/float64(len(unseenFields)), sh/float64(len(unseenFields)))
	t.Logf("%d generated invoices per vocabulary\n%s", unseenDocs, sb.String())
	if mp != nil {
		t.Logf("dev misses:\n%s", strings.Join(misses, "\n"))
	}
	// Floors against regressions, well under today's figures (dev 1.00,
	// held-out 0.97 on average); not targets to tune on.
	if m := sh / float64(len(unseenFields)); m < 0.9 {
		t.Errorf("held-out mean %.3f below 0.90", m)
	}
	for _, f := range unseenFields {
		if dev[f] < 0.95 {
			t.Errorf("dev %s %.3f below 0.95", f, dev[f])
		}
	}
}

// dumpLines prints the lines of a layout with their segments.
func dumpLines(pages []doc.Page) string {
	var b strings.Builder
	for _, ln := range buildLayout(pages).lines {
		var parts []string
		for _, s := range ln.segs {
			parts = append(parts, fmt.Sprintf("[%.2f %s]", s.box[0], s.text()))
		}
		fmt.Fprintf(&b, "%.3f %s\n", ln.box[1], strings.Join(parts, " "))
	}
	return b.String()
}
