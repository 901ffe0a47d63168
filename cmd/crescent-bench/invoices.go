package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/go-pdf/fpdf"
)

// docFile is one generated document of the workload.
type docFile struct {
	Path  string
	Pages int
}

// The parties and goods the invoices are made of: realistic enough for the
// extractor to find every field, varied enough that no two files are equal.
var (
	sellers = []party{
		{"Nordlicht Bürobedarf GmbH", "Hafenstraße 12", "20457 Hamburg", "Germany", "DE811234567", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX"},
		{"Atelier Moreau SARL", "14 rue des Tanneurs", "69002 Lyon", "France", "FR40303265045", "FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPPLYO"},
		{"Vistula Components Sp. z o.o.", "ul. Grodzka 7", "31-006 Kraków", "Poland", "PL5260250274", "PL61 1090 1014 0000 0712 1981 2874", "WBKPPLPP"},
	}
	buyers = []party{
		{"Brightwater Logistics Ltd", "221 Canal Street", "Manchester M1 3HE", "United Kingdom", "GB123456789", "", ""},
		{"Kestrel Engineering B.V.", "Stationsplein 45", "3511 ED Utrecht", "Netherlands", "NL123456789B01", "", ""},
		{"Alpenblick Hotels AG", "Bahnhofstrasse 3", "8001 Zürich", "Switzerland", "CHE-123.456.789", "", ""},
	}
	goods = []struct {
		name  string
		price float64
	}{
		{"Ergonomic office chair, black mesh", 289.00}, {"Standing desk frame, dual motor", 412.50},
		{"A4 copy paper 80 g/m², box of 5 reams", 23.90}, {"Laser toner cartridge, high yield", 74.20},
		{"Consulting services, senior engineer (hour)", 135.00}, {"On-site installation and setup", 480.00},
		{"USB-C docking station, 4K", 189.99}, {"Wireless keyboard and mouse set", 59.90},
		{"Annual software maintenance licence", 1250.00}, {"Shipping and handling", 18.50},
		{"Whiteboard markers, assorted colours (12)", 11.40}, {"Monitor arm, gas spring, single", 94.00},
	}
)

type party struct{ name, street, city, country, vat, iban, bic string }

// itemsOnFirstPage and itemsPerPage lay the line items out so that an
// invoice of n pages has exactly n pages.
const (
	itemsOnFirstPage = 12
	itemsPerPage     = 30
)

// writeInvoice writes a born-digital invoice of the given number of pages
// (line items continue over the pages; totals and bank details are on the
// last) to path. seq makes its number, dates and items unique.
func writeInvoice(path string, seq, pages int) error {
	rng := rand.New(rand.NewPCG(uint64(seq), 42))
	seller, buyer := sellers[seq%len(sellers)], buyers[(seq/len(sellers))%len(buyers)]
	issued := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, seq%300)
	number := fmt.Sprintf("INV-%d-%05d", issued.Year(), 1000+seq)
	items := itemsOnFirstPage - 4
	if pages > 1 {
		items = itemsOnFirstPage + itemsPerPage*(pages-2) + itemsPerPage/2
	}

	p := fpdf.New("P", "mm", "A4", "")
	p.SetAutoPageBreak(false, 0)
	p.SetCreator("crescent-bench", false)
	tr := p.UnicodeTranslatorFromDescriptor("cp1252")
	page := 0
	newPage := func() {
		p.AddPage()
		page++
		p.SetFont("Helvetica", "", 8)
		p.SetXY(15, 285)
		p.CellFormat(180, 4, tr(fmt.Sprintf("%s · %s · VAT ID %s · Page %d of %d", seller.name, seller.city, seller.vat, page, pages)), "", 0, "C", false, 0, "")
	}
	newPage()
	p.SetFont("Helvetica", "B", 16)
	p.SetXY(15, 15)
	p.CellFormat(100, 8, tr(seller.name), "", 2, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	for _, l := range []string{seller.street, seller.city + ", " + seller.country, "VAT ID: " + seller.vat, "Phone +49 40 1234 5678 · billing@example.com"} {
		p.CellFormat(100, 4.5, tr(l), "", 2, "L", false, 0, "")
	}
	p.SetFont("Helvetica", "B", 22)
	p.SetXY(130, 15)
	p.CellFormat(65, 10, "INVOICE", "", 2, "R", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	for _, kv := range [][2]string{
		{"Invoice number:", number},
		{"Invoice date:", issued.Format("02.01.2006")},
		{"Delivery date:", issued.AddDate(0, 0, -3).Format("02.01.2006")},
		{"Due date:", issued.AddDate(0, 0, 30).Format("02.01.2006")},
		{"Order number:", fmt.Sprintf("PO-%06d", 400000+seq*7)},
		{"Customer no.:", fmt.Sprintf("C-%04d", 100+seq%37)},
	} {
		p.SetX(130)
		p.CellFormat(30, 5, kv[0], "", 0, "L", false, 0, "")
		p.CellFormat(35, 5, kv[1], "", 1, "R", false, 0, "")
	}
	p.SetXY(15, 62)
	p.SetFont("Helvetica", "B", 9)
	p.CellFormat(90, 5, "Bill to:", "", 2, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	for _, l := range []string{buyer.name, "Accounts Payable", buyer.street, buyer.city, buyer.country, "VAT ID: " + buyer.vat} {
		p.CellFormat(90, 4.5, tr(l), "", 2, "L", false, 0, "")
	}

	header := func(y float64) {
		p.SetXY(15, y)
		p.SetFont("Helvetica", "B", 9)
		p.SetFillColor(230, 230, 230)
		for _, c := range []struct {
			w     float64
			s, al string
		}{{10, "Pos", "L"}, {95, "Description", "L"}, {15, "Qty", "R"}, {12, "Unit", "L"}, {24, "Unit price", "R"}, {24, "Amount", "R"}} {
			p.CellFormat(c.w, 6, c.s, "B", 0, c.al, true, 0, "")
		}
		p.Ln(-1)
		p.SetFont("Helvetica", "", 9)
	}
	header(100)
	net := 0.0
	onPage := 0
	for i := range items {
		limit := itemsOnFirstPage
		if page > 1 {
			limit = itemsPerPage
		}
		if onPage == limit {
			newPage()
			header(20)
			onPage = 0
		}
		g := goods[rng.IntN(len(goods))]
		qty := 1 + rng.IntN(12)
		amount := float64(qty) * g.price
		net += amount
		p.SetX(15)
		p.CellFormat(10, 7, fmt.Sprint(i+1), "", 0, "L", false, 0, "")
		p.CellFormat(95, 7, tr(g.name), "", 0, "L", false, 0, "")
		p.CellFormat(15, 7, fmt.Sprint(qty), "", 0, "R", false, 0, "")
		p.CellFormat(12, 7, "pcs", "", 0, "L", false, 0, "")
		p.CellFormat(24, 7, money(g.price), "", 0, "R", false, 0, "")
		p.CellFormat(24, 7, money(amount), "", 1, "R", false, 0, "")
		onPage++
	}
	if page != pages {
		return fmt.Errorf("invoice %d: laid out %d pages, want %d", seq, page, pages)
	}
	vat := round2(net * 0.19)
	net = round2(net)
	y := p.GetY() + 4
	for i, kv := range [][2]string{{"Net amount", money(net) + " EUR"}, {"VAT 19 %", money(vat) + " EUR"}, {"Total amount due", money(net+vat) + " EUR"}} {
		p.SetXY(115, y+float64(i)*6)
		if i == 2 {
			p.SetFont("Helvetica", "B", 10)
		}
		p.CellFormat(40, 6, kv[0], "", 0, "L", false, 0, "")
		p.CellFormat(40, 6, kv[1], "", 0, "R", false, 0, "")
	}
	p.SetFont("Helvetica", "", 9)
	p.SetXY(15, y+24)
	for _, l := range []string{
		fmt.Sprintf("Payment terms: 30 days net, due on %s. Please quote %s with your payment.", issued.AddDate(0, 0, 30).Format("02.01.2006"), number),
		"Bank: " + seller.name + "   IBAN: " + seller.iban + "   BIC: " + seller.bic,
		"Thank you for your business.",
	} {
		p.CellFormat(180, 5, tr(l), "", 2, "L", false, 0, "")
	}
	return p.OutputFileAndClose(path)
}

func money(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	whole, frac := s[:len(s)-3], s[len(s)-2:]
	out := ""
	for len(whole) > 3 {
		out = "," + whole[len(whole)-3:] + out
		whole = whole[:len(whole)-3]
	}
	return whole + out + "." + frac
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

// writeInvoices writes invoices with the given page counts into dir,
// numbering them from seq, and returns them.
func writeInvoices(dir, prefix string, seq int, pageCounts []int) ([]docFile, error) {
	var out []docFile
	for i, n := range pageCounts {
		path := filepath.Join(dir, fmt.Sprintf("%s-%03d-%dp.pdf", prefix, i, n))
		if err := writeInvoice(path, seq+i, n); err != nil {
			return nil, err
		}
		out = append(out, docFile{Path: path, Pages: n})
	}
	return out, nil
}

// workloadPages returns the page counts of a born-digital workload of
// about total pages: one page invoices for a quarter of it, two-page ones
// for another quarter, four-page ones for the rest.
func workloadPages(total int) []int {
	var pc []int
	sum := 0
	for _, n := range []int{1, 2, 4} {
		share := total / 4
		if n == 4 {
			share = total - sum
		}
		for got := 0; got+n <= share; got += n {
			pc = append(pc, n)
			sum += n
		}
	}
	for sum < total {
		pc = append(pc, 1)
		sum++
	}
	return pc
}

// writeLargePDF writes a valid PDF of about size bytes to path: pages each
// showing one uncompressed grayscale image of random (incompressible)
// pixels, streamed to disk so that the generator holds no more than a
// buffer. It returns the file's size and page count.
func writeLargePDF(path string, size int64) (int64, int, error) {
	const side = 4096 // pixels; at most 16 MiB per image
	perImage := int64(side * side)
	pages := int((size + perImage - 1) / perImage)
	rows := func(i int) int64 { return min(side, (size-int64(i)*perImage)/side) } // the last image is shorter
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var off int64
	offsets := map[int]int64{}
	put := func(s string) {
		n, _ := w.WriteString(s)
		off += int64(n)
	}
	obj := func(id int, body string) {
		offsets[id] = off
		put(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", id, body))
	}
	put("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	// Objects: 1 catalog, 2 pages, then per page i: 3+3i page, 4+3i
	// contents, 5+3i image.
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, pages))
	rng := rand.NewChaCha8([32]byte{7})
	buf := make([]byte, 1<<20)
	for i := range pages {
		pg, content, img := 3+3*i, 4+3*i, 5+3*i
		obj(pg, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>", img, content))
		draw := "q 595 0 0 842 0 0 cm /Im0 Do Q"
		obj(content, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(draw), draw))
		offsets[img] = off
		put(fmt.Sprintf("%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n", img, side, rows(i), rows(i)*side))
		for left := rows(i) * side; left > 0; {
			n := min(left, int64(len(buf)))
			_, _ = rng.Read(buf[:n])
			if _, err := w.Write(buf[:n]); err != nil {
				return 0, 0, err
			}
			off += n
			left -= n
		}
		put("\nendstream\nendobj\n")
	}
	xref := off
	last := 2 + 3*pages
	put(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", last+1))
	for id := 1; id <= last; id++ {
		put(fmt.Sprintf("%010d 00000 n \n", offsets[id]))
	}
	put(fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", last+1, xref))
	if err := w.Flush(); err != nil {
		return 0, 0, err
	}
	return off, pages, f.Close()
}
