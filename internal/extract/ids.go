package extract

import (
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// ibanLengths are the IBAN lengths of the countries that use one.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
	"FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
	"HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21,
	"LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
	"NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
	"SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}

var ibanShapeRe = regexp.MustCompile(`^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$`)

// NormalizeIBAN removes spaces and dashes from s, upper-cases it and checks
// the country length and the ISO 13616 mod-97 check digits. It returns the
// compact IBAN, or "" and false when s is not a valid IBAN.
func NormalizeIBAN(s string) (string, bool) {
	if len(s) > 80 {
		return "", false
	}
	c := strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' || r == '.' {
			return -1
		}
		return r
	}, s))
	c = strings.TrimPrefix(c, "IBAN:")
	c = strings.TrimPrefix(c, "IBAN")
	if !ibanShapeRe.MatchString(c) {
		return "", false
	}
	if n, ok := ibanLengths[c[:2]]; !ok || n != len(c) {
		return "", false
	}
	if !mod97(c[4:] + c[:4]) {
		return "", false
	}
	return c, true
}

// mod97 reports whether the alphanumeric string, letters as 10..35, is 1
// modulo 97.
func mod97(s string) bool {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			sb.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			sb.WriteString(strconv.Itoa(int(r-'A') + 10))
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(sb.String(), 10)
	if !ok {
		return false
	}
	return new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// vatFormats are the shapes of EU (and a few neighbouring) VAT numbers after
// the country prefix.
var vatFormats = map[string]*regexp.Regexp{
	"AT":  regexp.MustCompile(`^U\d{8}$`),
	"BE":  regexp.MustCompile(`^[01]?\d{9}$`),
	"BG":  regexp.MustCompile(`^\d{9,10}$`),
	"CY":  regexp.MustCompile(`^\d{8}[A-Z]$`),
	"CZ":  regexp.MustCompile(`^\d{8,10}$`),
	"DE":  regexp.MustCompile(`^\d{9}$`),
	"DK":  regexp.MustCompile(`^\d{8}$`),
	"EE":  regexp.MustCompile(`^\d{9}$`),
	"EL":  regexp.MustCompile(`^\d{9}$`),
	"ES":  regexp.MustCompile(`^[A-Z0-9]\d{7}[A-Z0-9]$`),
	"FI":  regexp.MustCompile(`^\d{8}$`),
	"FR":  regexp.MustCompile(`^[A-HJ-NP-Z0-9]{2}\d{9}$`),
	"GB":  regexp.MustCompile(`^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$`),
	"XI":  regexp.MustCompile(`^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$`),
	"HR":  regexp.MustCompile(`^\d{11}$`),
	"HU":  regexp.MustCompile(`^\d{8}$`),
	"IE":  regexp.MustCompile(`^(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$`),
	"IT":  regexp.MustCompile(`^\d{11}$`),
	"LT":  regexp.MustCompile(`^(\d{9}|\d{12})$`),
	"LU":  regexp.MustCompile(`^\d{8}$`),
	"LV":  regexp.MustCompile(`^\d{11}$`),
	"MT":  regexp.MustCompile(`^\d{8}$`),
	"NL":  regexp.MustCompile(`^\d{9}B\d{2}$`),
	"PL":  regexp.MustCompile(`^\d{10}$`),
	"PT":  regexp.MustCompile(`^\d{9}$`),
	"RO":  regexp.MustCompile(`^\d{2,10}$`),
	"SE":  regexp.MustCompile(`^\d{10}01$`),
	"SI":  regexp.MustCompile(`^\d{8}$`),
	"SK":  regexp.MustCompile(`^\d{10}$`),
	"CHE": regexp.MustCompile(`^\d{9}(MWST|TVA|IVA)?$`),
	"NO":  regexp.MustCompile(`^\d{9}(MVA)?$`),
}

// NormalizeVATID removes spaces, dots and dashes from s, upper-cases it and
// checks it against the VAT number format of its country prefix (AT, BE,
// DE, ES, FR, GB, IT, NL, PL and the other EU states, CHE, NO), with the
// national check digits where they are known (AT, BE, DE, FR, GB, IT, NL,
// PL). A bare ten-digit Polish NIP with a valid check digit is accepted
// as is. It returns the compact id, or "" and false when s is not one.
func NormalizeVATID(s string) (string, bool) {
	c, formatOK, sumOK := vatCheck(s)
	if !formatOK || !sumOK {
		return "", false
	}
	return c, true
}

// vatCheck normalizes s and reports whether it has a VAT id shape and
// whether its check digits (where known) are right.
func vatCheck(s string) (string, bool, bool) {
	if len(s) > 40 {
		return "", false, false
	}
	c := strings.ToUpper(strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '/', '\u00a0':
			return -1
		}
		return r
	}, s))
	if len(c) < 4 {
		return "", false, false
	}
	if isDigits(c) && len(c) == 10 {
		return c, true, nipOK(c)
	}
	cc, rest := c[:2], c[2:]
	if strings.HasPrefix(c, "CHE") {
		cc, rest = "CHE", c[3:]
	}
	if cc == "GR" {
		cc = "EL"
	}
	re, ok := vatFormats[cc]
	if !ok || !re.MatchString(rest) {
		return "", false, false
	}
	return c, true, vatSumOK(cc, rest)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func digitsOf(s string) []int {
	d := make([]int, 0, len(s))
	for _, r := range s {
		if r >= '0' && r <= '9' {
			d = append(d, int(r-'0'))
		}
	}
	return d
}

func nipOK(s string) bool {
	d := digitsOf(s)
	if len(d) != 10 {
		return false
	}
	w := []int{6, 5, 7, 2, 3, 4, 5, 6, 7}
	sum := 0
	for i, x := range w {
		sum += x * d[i]
	}
	return sum%11 == d[9] && sum%11 != 10
}

func vatSumOK(cc, rest string) bool {
	switch cc {
	case "DE":
		d := digitsOf(rest)
		p := 10
		for _, x := range d[:8] {
			s := (x + p) % 10
			if s == 0 {
				s = 10
			}
			p = (2 * s) % 11
		}
		chk := 11 - p
		if chk == 10 {
			chk = 0
		}
		return chk == d[8]
	case "PL":
		return nipOK(rest)
	case "FR":
		if !isDigits(rest[:2]) {
			return true
		}
		key, _ := strconv.Atoi(rest[:2])
		siren, _ := strconv.Atoi(rest[2:])
		return key == (12+3*(siren%97))%97
	case "IT":
		d := digitsOf(rest)
		sum := 0
		for i, x := range d[:10] {
			if i%2 == 1 {
				x *= 2
				if x > 9 {
					x -= 9
				}
			}
			sum += x
		}
		return (10-sum%10)%10 == d[10]
	case "BE":
		if len(rest) == 9 {
			rest = "0" + rest
		}
		n, _ := strconv.Atoi(rest[:8])
		chk, _ := strconv.Atoi(rest[8:])
		return 97-n%97 == chk
	case "AT":
		d := digitsOf(rest)
		r := 0
		for i, x := range d[:7] {
			if i%2 == 1 {
				x *= 2
				x = x/10 + x%10
			}
			r += x
		}
		return (10-(r+4)%10)%10 == d[7]
	case "NL":
		d := digitsOf(rest[:9])
		sum := 0
		for i, x := range d[:8] {
			sum += x * (9 - i)
		}
		if sum%11 == d[8] {
			return true
		}
		return mod97("NL" + rest)
	case "GB", "XI":
		if len(rest) != 9 || !isDigits(rest) {
			return true
		}
		d := digitsOf(rest)
		sum := 0
		for i, x := range d[:7] {
			sum += x * (8 - i)
		}
		sum += d[7]*10 + d[8]
		return sum%97 == 0 || (sum+55)%97 == 0
	}
	return true
}

var (
	bicRe   = regexp.MustCompile(`^[A-Z]{4}([A-Z]{2})[A-Z0-9]{2}([A-Z0-9]{3})?$`)
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	gstinRe = regexp.MustCompile(`^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$`)
)

// isoCountries are ISO 3166 codes accepted in a BIC.
var isoCountries = func() map[string]bool {
	m := map[string]bool{"US": true, "CA": true, "IN": true, "JP": true, "CN": true, "AU": true, "SG": true, "HK": true}
	for k := range ibanLengths {
		m[k] = true
	}
	return m
}()

// normalizeBIC returns s as a BIC (SWIFT code) when it has the shape of one.
func normalizeBIC(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(strings.Trim(s, ".,;:()")))
	m := bicRe.FindStringSubmatch(c)
	if m == nil || !isoCountries[m[1]] {
		return "", false
	}
	return c, true
}
