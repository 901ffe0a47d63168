package extract

import (
	"regexp"
	"strings"
)

// label is one entry of the label lexicon: a pattern over folded text that
// announces a value of one or more fields.
type label struct {
	fields []string
	re     *regexp.Regexp
	lits   []int32 // prefilter literals: one is in any text re matches
	weight float64
	start  bool // only at the start of a segment
	strict bool // the value follows a colon or sits in another segment
}

// strictPatterns are short labels that are also ordinary words.
var strictPatterns = map[string]bool{`bank`: true, `banque`: true, `banca`: true, `banco`: true, `net`: true, `netto`: true, `order`: true, `commande`: true, `bestellung`: true}

// Pseudo fields used as anchors: the seller's and buyer's party blocks,
// the account holder, and labels that only stop other labels (customer
// numbers, phone numbers).
const (
	anchorSeller = "@seller"
	anchorBuyer  = "@buyer"
	anchorHolder = "@holder"
	stopLabel    = "@stop"
)

// no is any way of writing "number" after a noun.
const no = `(?:number|nummer|numero|num|nro|no|nr|n°|nº|n|#)\.?`

// lex lists the labels; a space stands for optional spaces, dots and
// dashes, {no} for the number words.
var lexicon = []struct {
	fields string
	weight float64
	start  bool
	pats   []string
}{
	{"invoice_number", 1, false, []string{
		`invoice {no}`, `invoice number`, `invoice id`, `inv {no}`, `tax invoice {no}`, `bill {no}`,
		`rechnungs ?{no}`, `rechnungsnummer`, `rechnung {no}`, `rechnungs nr`,
		`faktura (?:vat )?{no}`, `numer faktury`, `nr faktury`, `facture {no}`, `{no} (?:de )?(?:la )?facture`,
		`factuurnummer`, `factuur ?{no}`, `factuurnr`, `fattura {no}`, `numero (?:di )?fattura`, `factura {no}`,
		`numero de factura`, `credit note {no}`, `gutschrift ?{no}`, `gutschriftsnummer`, `avoir {no}`,
		`creditnota ?{no}`, `korekta {no}`, `receipt {no}`, `receipt number`,
	}},
	{"invoice_number", 0.75, false, []string{`beleg ?{no}`, `belegnummer`, `document {no}`, `dokument ?{no}`}},
	{"invoice_number", 0.45, false, []string{`booking id`, `booking {no}`, `reservation {no}`, `confirmation {no}`}},
	{"invoice_number", 0.5, true, []string{
		`invoice`, `tax invoice`, `rechnung`, `facture`, `faktura(?: vat)?`, `factuur`, `fattura`, `factura`, `#`,
		`credit note`, `credit memo`, `gutschrift`, `avoir`, `facture d'avoir`, `creditnota`, `creditfactuur`, `korekta`,
		`faktura korygujaca`, `nota di credito`, `nota de credito`,
	}},
	{"invoice_date", 1, false, []string{
		`invoice date`, `date of invoice`, `invoice dated`, `date of issue`, `issue date`, `issued on`, `date issued`,
		`billing date`, `rechnungsdatum`, `rechnungs datum`, `ausstellungsdatum`, `ausgestellt am`, `data wystawienia`,
		`data faktury`, `date de (?:la )?facture`, `date d'emission`, `date de facturation`, `factuurdatum`,
		`factuur datum`, `data (?:della )?fattura`, `fecha de (?:la )?factura`, `fecha de emision`, `datum faktury`,
		`credit note date`, `gutschriftsdatum`,
	}},
	{"invoice_date", 0.8, false, []string{`beleg ?datum`, `document date`, `dokumentdatum`}},
	{"invoice_date", 0.55, true, []string{`date`, `datum`, `data`, `fecha`, `dated`}},
	{"due_date", 1, false, []string{
		`due date`, `payment due(?: date)?`, `due on`, `due by`, `pay by`, `payable by`, `fallig am`, `falligkeit(?:sdatum|stag)?`,
		`zahlbar bis`, `zahlungsziel`, `zahlbar(?: [\p{L}\p{N}%]+){1,6} bis`, `termin (?:platnosci|zaplaty)`,
		`date d'echeance`, `echeance`, `date limite de (?:paiement|reglement)`, `a payer avant le`,
		`vervaldatum`, `vervaldag`, `uiterste betaaldatum`, `(?:data di )?scadenza`, `fecha de vencimiento`, `vencimiento`,
	}},
	// Due dates inside sentences: "Bitte überweisen Sie bis zum",
	// "please pay by", "à régler avant le", "płatne do dnia".
	{"due_date", 0.9, false, []string{
		`(?:uberweisen|bezahlen|begleichen|zahlen)(?: \p{L}+){0,3} (?:bis|spatestens)(?: zum| am| spatestens)?`,
		`fallig(?: \p{L}+){0,2} (?:am|bis|zum)`, `zahlungsfrist(?: bis)?`,
		`(?:pay|remit|settle)(?: \p{L}+){0,3} (?:by|before|until|no later than)`, `due (?:on|before)`,
		`(?:payer|regler)(?: \p{L}+){0,3} (?:avant|au plus tard)(?: le)?`, `(?:payable|a regler) avant le`,
		`(?:platne|platnosc|zaplata|zaplacic)(?: \p{L}+){0,2} do(?: dnia)?`,
		`(?:betalen|voldoen|overmaken)(?: \p{L}+){0,3} (?:voor|uiterlijk)(?: op)?`,
	}},
	{"sale_date", 1, false, []string{
		`leistungsdatum`, `leistungs datum`, `lieferdatum`, `liefer datum`, `leistungszeitraum`, `data sprzedazy`,
		`data dostawy`, `data wykonania uslugi`, `date of supply`, `supply date`, `delivery date`, `date of delivery`,
		`tax point`, `date de (?:la )?livraison`, `date de (?:la )?prestation`, `leverdatum`, `leveringsdatum`,
		`data di consegna`, `fecha de entrega`,
	}},
	{"sale_date", 0.6, false, []string{
		`zeitraum`, `abrechnungszeitraum`, `rechnungszeitraum`, `billing period`, `service period`, `period`, `periode`,
		`okres(?: rozliczeniowy)?`, `periode de facturation`, `factuurperiode`,
	}},
	{"order_number", 1, false, []string{
		`order {no}`, `order id`, `order number`, `purchase order(?: {no})?`, `po {no}`, `p o {no}`, `your order(?: {no})?`,
		`bestell ?{no}`, `bestellnummer`, `bestellung {no}`, `ihre bestellung(?: {no})?`, `auftrags ?{no}`, `auftragsnummer`,
		`(?:numer|nr) zamowienia`, `zamowienie(?: {no})?`, `{no} de commande`, `numero de commande`, `commande {no}`,
		`bon de commande`, `ordernummer`, `bestelnummer`, `ordine {no}`, `pedido {no}`,
	}},
	{"order_number", 0.5, true, []string{`order`, `bestellung`, `commande`}},
	{"currency", 1, false, []string{
		`currency`, `wahrung`, `betrage in`, `waluta`, `devise`, `valuta`, `monnaie`, `amounts? in`, `all amounts in`, `moneda`,
	}},
	{"total_amount", 1, false, []string{
		`total amount(?: due)?`, `grand total`, `total due`, `total to pay`, `invoice total`, `total payable`, `amount payable`,
		`total incl(?:uding)? (?:vat|tax|gst)`, `total ttc`, `montant ttc`, `montant eur ttc`, `net a payer`, `somme a payer`,
		`total a payer`, `montant total`, `gesamtbetrag`, `rechnungsbetrag`, `rechnungssumme brutto`, `endbetrag`,
		`bruttobetrag`, `gesamtsumme`, `summe brutto`, `brutto ?summe`, `zahlbetrag`, `(?:razem )?do zaplaty`,
		`naleznosc(?: ogolem)?`, `wartosc brutto`, `suma brutto`, `razem brutto`, `te betalen`, `factuur ?totaal`,
		`totaal incl(?:usief)?(?: btw)?`, `totale (?:fattura|documento)`, `importe total`, `total factura`, `total facture`,
		`rechnungsbeitrag`, `total de la facture`, `amount due`, `total \(incl`,
	}},
	{"total_amount", 0.8, false, []string{
		`inkl(?:usive|\.)?(?: \d+ ?%)? [\p{L}\-]*(?:steuer|mwst|ust)`, `incl(?:uding|\.)? (?:vat|tax|btw)`, `balance due`,
		`rechnungssumme`, `zu zahlen(?:der betrag)?`,
	}},
	{"total_amount", 0.7, false, []string{`total`, `razem`, `totaal`, `totale`, `gesamt`, `summe`, `suma`}},
	{"net_amount", 1, false, []string{
		`subtotal`, `sub total`, `net amount`, `net total`, `total net`, `total excl(?:uding)? (?:vat|tax|gst)`,
		`amount excl(?:uding)?(?: vat| tax)?`, `total before tax`, `total ht`, `montant (?:eur )?ht`, `total hors taxes?`,
		`base ht`, `sous total`, `nettobetrag`, `netto ?betrag`, `summe netto`, `rechnungssumme netto`, `nettosumme`,
		`gesamt netto`, `netto ?summe`, `ohne (?:mwst|ust)`, `zonder btw`, `bez (?:vat|podatku)`, `sans tva`, `wartosc netto`, `razem netto`, `suma netto`, `exclusief btw`, `excl btw`,
		`totaal excl(?:usief)?(?: btw)?`, `imponibile`, `base imponible`, `gesamtbeitrag`, `nettobeitrag`,
	}},
	{"net_amount", 0.75, false, []string{`subtotaal`, `grondslag`, `netto`, `net`, `warenwert`}},
	{"tax_amount", 1, false, []string{
		`tax amount`, `vat amount`, `total tax`, `total vat`, `sales tax`, `montant tva`, `total tva`, `mwst ?betrag`,
		`summe (?:umsatzsteuer|mwst|ust)`, `umsatzsteuer ?betrag`, `steuerbetrag`, `kwota vat`, `podatek vat`,
		`suma vat`, `razem vat`, `btw bedrag`, `totaal btw`, `enthaltene [\p{L}\-]*(?:steuer|mwst|ust)`, `versicherung(?:s)?steuer`,
		`mehrwertsteuer`, `umsatzsteuer`, `steuer`,
	}},
	{"tax_amount", 0.8, false, []string{`tax`, `vat`, `gst`, `tva`, `mwst`, `ust`, `btw`, `iva`, `igst`, `cgst`, `sgst`}},
	{"seller_id", 1, false, []string{
		`vat {no}`, `vat id`, `vat reg(?:istration)?(?: {no})?`, `vat number`, `vat/tin`, `tax id`, `tax {no}`, `tin`, `gstin`,
		`ust ?id ?nr`, `ust ?id`, `ust ?ident ?nr`, `ust ?identnr`, `umsatzsteuer ?id(?:entifikationsnummer)?`, `ust ?idnr`,
		`nip`, `{no} (?:de )?tva(?: intra ?communautaire)?`, `tva intra ?communautaire`, `numero de tva`, `identifiant tva`,
		`btw ?{no}`, `btw ?nummer`, `btw id`, `p ?iva`, `partita iva`, `cif`, `nif`, `uid(?: {no})?`, `mwst ?{no}`,
	}},
	{"seller_id", 0.6, false, []string{`steuer ?{no}`, `steuernummer`, `st ?nr`, `siret`, `siren`, `regon`, `rcs`}},
	{"account_number", 1, false, []string{
		`iban(?: {no})?`, `account {no}`, `account number`, `bank account`, `acct {no}`, `konto ?{no}`, `kontonummer`,
		`kto ?{no}`, `numer konta`, `nr konta`, `nr rachunku`, `rachunek(?: bankowy)?`, `(?:n° de )?compte`, `rib`,
		`rekeningnummer`, `rekening`, `bankrekening`, `conto(?: corrente)?`, `cuenta`,
	}},
	{"swift_code", 1, false, []string{`bic`, `swift(?: ?code)?`, `bic ?code`, `swift/bic`, `bic/swift`, `bic swift`}},
	{"bank_name", 1, false, []string{
		`bank name`, `bankname`, `name der bank`, `kreditinstitut`, `bankverbindung`, `nazwa banku`, `bank`,
		`banque`, `nom de la banque`, `domiciliation`, `banca`, `banco`,
	}},
	{"buyer_id", 1, false, []string{
		`(?:your|ihre|uw|votre|twoj) [\p{L}.\-]*(?:vat|ust|btw|tva|nip)[\p{L}.\-]*(?: {no})?`,
	}},
	{stopLabel, 1, false, []string{
		`customer (?:id|{no}|number)`, `kunden ?{no}`, `kundennummer`, `klantnummer`, `klant ?{no}`, `{no} client`,
		`id ?client`, `numero client`, `nr klienta`, `client id`, `tel(?:efon|ephone|\.)?`, `phone`, `fax`, `mobile`,
		`page`, `seite`, `strona`, `gln`, `lief ?{no}`, `ean`, `referen(?:z|ce)`, `adres`, `address`, `adresse`,
		`anschrift`, `adresa`, `indirizzo`, `direccion`, `e ?mail`, `www`, `web`, `internet`,
	}},
	{anchorSeller, 1, true, []string{
		`seller`, `sold by`, `vendor`, `supplier`, `from`, `issued by`, `service provider`, `bill from`, `verkaufer`, `lieferant`,
		`rechnungsersteller`, `rechnungssteller`, `leistungserbringer`, `absender`, `sprzedawca`, `wystawca`, `dostawca`,
		`vendeur`, `fournisseur`, `emetteur`, `prestataire`, `leverancier`, `verkoper`, `fornitore`, `venditore`,
		`proveedor`, `vendedor`,
	}},
	{anchorHolder, 1, false, []string{
		`payee`, `beneficiary`, `account holder`, `account name`, `kontoinhaber`, `titulaire du compte`,
		`in favou?r of`, `zugunsten`, `odbiorca przelewu`, `ten name van`,
	}},
	{anchorBuyer, 1, true, []string{
		`buyer`, `bill to`, `billed to`, `invoice to`, `sold to`, `customer`, `client`, `billing address`, `purchaser`,
		`kaufer`, `rechnungsempfanger`, `rechnungsadresse`, `kunde`, `auftraggeber`, `nabywca`, `platnik`, `acheteur`,
		`facture a`, `facturer a`, `adresse de facturation`, `factuuradres`, `koper`, `klant`, `afnemer`, `cliente`,
		`committente`, `guest name`,
	}},
}

var (
	labels      []label
	labelFilter prefilter
)

func init() {
	for _, g := range lexicon {
		fs := strings.Split(g.fields, ",")
		for _, p := range g.pats {
			src := strings.ReplaceAll(p, "{no}", no)
			src = strings.ReplaceAll(src, " ", `[\s\-._]*`)
			src = `(?:^|[^\p{L}\p{N}])(` + src + `)`
			re := regexp.MustCompile(src)
			re.Longest()
			labels = append(labels, label{fields: fs, re: re, lits: labelFilter.add(src), weight: g.weight, start: g.start,
				strict: strictPatterns[p] || fs[0] == anchorHolder})
		}
	}
	// Labels that name several things at once.
	for i := range labels {
		l := &labels[i]
		if l.fields[0] == "tax_amount" && l.weight < 1 {
			switch l.re.String() {
			case `(?:^|[^\p{L}\p{N}])(vat)`, `(?:^|[^\p{L}\p{N}])(tva)`, `(?:^|[^\p{L}\p{N}])(btw)`, `(?:^|[^\p{L}\p{N}])(gst)`, `(?:^|[^\p{L}\p{N}])(mwst)`, `(?:^|[^\p{L}\p{N}])(ust)`, `(?:^|[^\p{L}\p{N}])(iva)`:
				l.fields = append(l.fields, "seller_id")
			}
		}
	}
}

// labelHit is one label found in a segment.
type labelHit struct {
	lab    *label
	seg    *segment
	a, b   int // rune offsets of the label in the segment
	next   int // where the next label starts, or len
	weight float64
}

// findLabels returns the labels of a segment, left to right, without
// overlaps: at each position the longest label wins.
func findLabels(s *segment) []labelHit {
	text := s.folded()
	present := make([]uint64, labelFilter.words())
	labelFilter.present(text, present)
	var hits []labelHit
	for i := range labels {
		l := &labels[i]
		if !anyIn(l.lits, present) {
			continue
		}
		for _, m := range l.re.FindAllStringSubmatchIndex(text, -1) {
			a, b := runeIndex(text, m[2]), runeIndex(text, m[3])
			if b < len(s.fold) && isWordRune(s.fold[b]) && isWordRune(s.fold[b-1]) {
				continue // the label ends inside a word
			}
			if b < len(s.fold) && b >= 2 && isDigitRune(s.fold[b]) && isWordRune(s.fold[b-1]) && !isWordRune(s.fold[b-2]) {
				continue // a one-letter last word that starts a number: "Facture A0972"
			}
			if l.start && !atStart(s, a) {
				continue
			}
			if l.strict && !atStart(s, a) && l.fields[0] != anchorHolder {
				continue
			}
			if l.strict {
				rest := strings.TrimSpace(string(s.fold[b:]))
				if rest != "" && !strings.HasPrefix(rest, ":") {
					continue
				}
			}
			hits = append(hits, labelHit{lab: l, seg: s, a: a, b: b, weight: l.weight})
		}
	}
	// Earliest first, then longest.
	sortHits(hits)
	var out []labelHit
	end := -1
	for _, h := range hits {
		if h.a < end {
			continue
		}
		out = append(out, h)
		end = h.b
	}
	for i := range out {
		out[i].next = len(s.orig)
		if i+1 < len(out) {
			out[i].next = out[i+1].a
		}
		// Labels deep inside running text count less.
		before := string(s.fold[:out[i].a])
		words := len(strings.Fields(before))
		if words > 3 && out[i].lab.fields[0] != anchorHolder {
			out[i].weight *= 0.6
		}
		if strings.Count(before, "(") > strings.Count(before, ")") {
			out[i].weight *= 0.3
		}
	}
	return out
}

func atStart(s *segment, a int) bool {
	for _, r := range s.fold[:a] {
		if r != ' ' && r != '-' && r != '*' && r != '(' && r != '.' {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 0x80 && r != '°' && r != 'º'
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

func runeIndex(s string, byteOff int) int {
	return len([]rune(s[:byteOff]))
}

func sortHits(h []labelHit) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && (h[j].a < h[j-1].a || h[j].a == h[j-1].a && h[j].b-h[j].a > h[j-1].b-h[j-1].a); j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
