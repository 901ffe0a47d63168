package extract

import (
	"testing"
)

// TestReceiptLayout reads seller, address, date and total from synthetic
// till receipts in several countries' styles.
func TestReceiptLayout(t *testing.T) {
	cases := []struct {
		name, text string
		want       map[string]any
	}{
		{"malaysian", `
        KEDAI RUNCIT MAJU JAYA SDN BHD
              (654321-W)
     LOT 12, JALAN BUNGA RAYA 3/2,
     TAMAN MELATI, 53100 KUALA LUMPUR
        TEL: 03-4021 1234
        GST ID: 000123456789
          TAX INVOICE
Date: 14/03/2018            Time: 10:21
MILO 1KG          1 X 21.90     21.90 SR
ROTI GARDENIA     2 X 3.50       7.00 SR
TOTAL QTY: 3
SUB TOTAL                       28.90
ROUNDING ADJ                     0.05
TOTAL (RM)                      28.95
CASH                            50.00
CHANGE                          21.05
GST SUMMARY     AMOUNT(RM)    TAX(RM)
SR @ 6%            27.31        1.64
`, map[string]any{"seller_name": "KEDAI RUNCIT MAJU JAYA SDN BHD", "seller_address": "LOT 12, JALAN BUNGA RAYA 3/2, TAMAN MELATI, 53100 KUALA LUMPUR",
			"date": "2018-03-14", "total_amount": 28.95}},
		{"german", `
          Feinkost Adler GmbH
          Hauptstraße 17
          80331 München
          Tel. 089 1234567
          St.-Nr. 143/123/45678
Bon 4711                 03.11.2023 18:02
Oliven                      4,49 A
Käse                        6,20 A
Summe EUR                  10,69
Gegeben Bar                20,00
Rückgeld                    9,31
`, map[string]any{"seller_name": "Feinkost Adler GmbH", "seller_address": "Hauptstraße 17 80331 München",
			"date": "2023-11-03", "total_amount": 10.69}},
		{"french", `
          BOULANGERIE DU MARCHE
          12 rue de la Paix
          75002 Paris
          SIRET 123 456 789 00012
Ticket 0042              le 05/06/2024
BAGUETTE                    1,20
CROISSANT X2                2,40
TOTAL TTC                   3,60
ESPECES                     5,00
RENDU                       1,40
`, map[string]any{"seller_name": "BOULANGERIE DU MARCHE", "seller_address": "12 rue de la Paix 75002 Paris",
			"date": "2024-06-05", "total_amount": 3.60}},
		{"us", `
        CORNER HARDWARE INC
        450 Main Street
        Springfield, IL 62701
        (217) 555-0142
Dec 22, 2023   2:14 PM   Reg 2
WOOD SCREWS 1LB             7.99
DUCT TAPE                   5.49
SUBTOTAL                   13.48
SALES TAX 6.25%             0.84
TOTAL                      14.32
VISA                       14.32
TOTAL ITEMS 2
`, map[string]any{"seller_name": "CORNER HARDWARE INC", "seller_address": "450 Main Street Springfield, IL 62701",
			"date": "2023-12-22", "total_amount": 14.32}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := Extract(TextPages(c.text), Options{DataPoints: receiptDataPoints()})
			for f, w := range c.want {
				fl := res.Fields[f]
				if fl == nil || len(fl.Candidates) == 0 || !same(f, w, fl.Candidates[0].Value) {
					var got any
					if fl != nil && len(fl.Candidates) > 0 {
						got = fl.Candidates[0].Value
					}
					t.Errorf("%s = %v, want %v", f, got, w)
				}
			}
		})
	}
}

// TestReceiptNotOwner keeps the shop's name when the receipt also names
// the company that owns it, and reads a name printed below its address.
func TestReceiptNotOwner(t *testing.T) {
	res := Extract(TextPages(`
      SRI MURNI STATIONERY
   NO. 5, JALAN PINANG 2, 10200 PULAU PINANG
   Tel: 04-261 7788
   Owned By :
   MURNI HOLDINGS SDN BHD (998877-A)
TOTAL                 12.60
CASH                  20.00
CHANGE                 7.40
`), Options{DataPoints: receiptDataPoints()})
	if v := res.Fields["seller_name"].Candidates[0].Value; v != "SRI MURNI STATIONERY" {
		t.Errorf("seller_name = %v", v)
	}
	res = Extract(TextPages(`
  WELCOME TO OUR STATION
  LOT 88, JALAN INDUSTRI 4
  81700 PASIR GUDANG, JOHOR
  Pasir Fuel Trading
  CO. REG. NO: 001234567-X
TOTAL AMOUNT PAYABLE
RM 40.00
CASH RM 40.00
`), Options{DataPoints: receiptDataPoints()})
	want := map[string]any{"seller_name": "Pasir Fuel Trading", "seller_address": "LOT 88, JALAN INDUSTRI 4 81700 PASIR GUDANG, JOHOR", "total_amount": 40.0}
	for f, w := range want {
		if fl := res.Fields[f]; fl == nil || len(fl.Candidates) == 0 || !same(f, w, fl.Candidates[0].Value) {
			t.Errorf("%s = %+v, want %v", f, fl, w)
		}
	}
}

// TestMisreadAmount reads amounts whose digits OCR read as look-alike
// letters, and refuses words that are not amounts.
func TestMisreadAmount(t *testing.T) {
	for in, want := range map[string]float64{"3O.5O": 30.50, "1S,80": 15.80, "4l.18": 41.18, "12.500.": 12.50, "9.00.": 9.00, "RM18.9O": 18.90, "38.OO": 38.00, "£27.5O": 27.50} {
		if v, ok := misreadAmount(in); !ok || v != want {
			t.Errorf("misreadAmount(%q) = %v, %v; want %v", in, v, ok, want)
		}
	}
	for _, in := range []string{"SOLD", "OO.OO", "S000", "12345", "TOTAL", "1.5", "Sl.OO"} {
		if v, ok := misreadAmount(in); ok {
			t.Errorf("misreadAmount(%q) = %v, want none", in, v)
		}
	}
}

// TestReceiptAddressBlock reads an address of several lines, with digits
// and commas inside, up to a blank gap, past the registration and owner
// lines under the name.
func TestReceiptAddressBlock(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`
      TOKO BESI ANEKA TRADING
      CO REG : 001234567-K
      8, JALAN KENARI 3/2,
      KAWASAN PERINDUSTRIAN MERBAU
      30450 IPOH

      Cashier: 02
TOTAL                 12.60
`, "8, JALAN KENARI 3/2, KAWASAN PERINDUSTRIAN MERBAU 30450 IPOH"},
		{`
      Metzgerei Brandt
      Inh. K. Brandt
      Kirchgasse 2
      Hinterhof
      35037 Marburg

      Wurst                  4,20
Summe                  4,20
`, "Kirchgasse 2 Hinterhof 35037 Marburg"},
	} {
		res := Extract(TextPages(c.text), Options{DataPoints: receiptDataPoints()})
		if fl := res.Fields["seller_address"]; fl == nil || len(fl.Candidates) == 0 || fl.Candidates[0].Value != c.want {
			t.Errorf("seller_address = %+v, want %q", fl, c.want)
		}
	}
}
