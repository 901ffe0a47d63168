package extract

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var months = map[string]int{}

func init() {
	add := func(m int, names ...string) {
		for _, n := range names {
			months[n] = m
		}
	}
	// English, German, French, Polish (nominative and genitive), Dutch,
	// Spanish, Italian; folded (no diacritics), with common abbreviations.
	add(1, "january", "jan", "januar", "janner", "janvier", "janv", "styczen", "stycznia", "sty", "januari", "enero", "ene", "gennaio", "gen")
	add(2, "february", "feb", "februar", "fevrier", "fevr", "fev", "luty", "lutego", "lut", "februari", "febrero", "febbraio")
	add(3, "march", "mar", "marz", "maerz", "mrz", "mars", "marzec", "marca", "maart", "mrt", "marzo")
	add(4, "april", "apr", "avril", "avr", "kwiecien", "kwietnia", "kwi", "abril", "abr", "aprile")
	add(5, "may", "mai", "maj", "maja", "mei", "mayo", "maggio", "mag")
	add(6, "june", "jun", "juni", "juin", "czerwiec", "czerwca", "cze", "junio", "giugno", "giu")
	add(7, "july", "jul", "juli", "juillet", "juil", "lipiec", "lipca", "lip", "julio", "luglio", "lug")
	add(8, "august", "aug", "aout", "sierpien", "sierpnia", "sie", "augustus", "agosto", "ago")
	add(9, "september", "sep", "sept", "septembre", "wrzesien", "wrzesnia", "wrz", "septiembre", "settembre", "set")
	add(10, "october", "oct", "oktober", "okt", "octobre", "pazdziernik", "pazdziernika", "paz", "octubre", "ottobre", "ott")
	add(11, "november", "nov", "novembre", "listopad", "listopada", "lis", "noviembre")
	add(12, "december", "dec", "dezember", "dez", "decembre", "grudzien", "grudnia", "gru", "diciembre", "dic", "dicembre")
}

// dateSepReplacer turns the separators of a date with a month name into
// spaces; built once, as building a Replacer costs more than using it.
var dateSepReplacer = strings.NewReplacer(",", " ", "-", " ", "/", " ", "'", " '")

var weekdays = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true,
	"montag": true, "dienstag": true, "mittwoch": true, "donnerstag": true, "freitag": true, "samstag": true, "sonntag": true,
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
}

var (
	numDateRe = regexp.MustCompile(`^(\d{1,4})\s*([./\-])\s*(\d{1,2})\s*([./\-])\s*(\d{2,4})$`)
	dayTokRe  = regexp.MustCompile(`^(\d{1,2})(?:\.|er|st|nd|rd|th)?$`)
	yearTokRe = regexp.MustCompile(`^'?(\d{4}|\d{2})$`)
)

// ParseDate converts a printed date into "YYYY-MM-DD". It reads numeric
// dates (2024-11-05, 05.11.2024, 05/11/2024, 11/05/2024, 5-11-24) and
// dates with month names in English, German, French, Polish, Dutch,
// Spanish and Italian (20 March 2023, 20. März 2023, 1er mars 2023,
// 20 marca 2023, Mar 20, 2023). A slash date that could be read either way
// is read day first. It returns "" and false when s is not a date.
func ParseDate(s string) (string, bool) {
	d, ok, _ := parseDate(s, false)
	return d, ok
}

// parseDate is ParseDate with a choice for ambiguous slash dates; amb
// reports that the other reading was possible too.
func parseDate(s string, monthFirst bool) (iso string, ok, amb bool) {
	if len(s) > 64 {
		return "", false, false
	}
	t := strings.TrimSpace(fold(s))
	t = strings.Trim(t, ",;:()")
	if t == "" {
		return "", false, false
	}
	if m := numDateRe.FindStringSubmatch(t); m != nil {
		if m[2] != m[4] {
			return "", false, false
		}
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[3])
		c, _ := strconv.Atoi(m[5])
		if len(m[1]) == 4 { // y-m-d
			if len(m[5]) != 2 && len(m[5]) != 1 && len(m[5]) != 0 {
				return "", false, false
			}
			return mkDate(a, b, c)
		}
		if len(m[1]) == 3 || len(m[5]) == 3 {
			return "", false, false
		}
		y := year(c, len(m[5]))
		if m[2] == "/" || m[2] == "-" {
			dm, ok1, _ := mkDate(y, b, a)
			md, ok2, _ := mkDate(y, a, b)
			switch {
			case ok1 && ok2 && dm != md:
				if monthFirst {
					return md, true, true
				}
				return dm, true, true
			case ok1:
				return dm, true, false
			case ok2:
				return md, true, false
			}
			return "", false, false
		}
		return mkDate(y, b, a)
	}
	// Dates with a month name.
	t = dateSepReplacer.Replace(t)
	toks := strings.Fields(t)
	var rest []string
	for _, k := range toks {
		if weekdays[strings.TrimSuffix(k, ".")] {
			continue
		}
		rest = append(rest, k)
	}
	if len(rest) != 3 {
		return "", false, false
	}
	mi := -1
	mon := 0
	for i, k := range rest {
		if m, ok := months[strings.TrimSuffix(k, ".")]; ok {
			mi, mon = i, m
			break
		}
	}
	if mi < 0 {
		return "", false, false
	}
	var dayTok, yearTok string
	switch mi {
	case 0: // Mar 20 2023
		dayTok, yearTok = rest[1], rest[2]
	case 1: // 20 March 2023, or 2023 Mar 20
		if len(rest[0]) == 4 {
			dayTok, yearTok = rest[2], rest[0]
		} else {
			dayTok, yearTok = rest[0], rest[2]
		}
	default:
		return "", false, false
	}
	dm := dayTokRe.FindStringSubmatch(dayTok)
	ym := yearTokRe.FindStringSubmatch(yearTok)
	if dm == nil || ym == nil {
		return "", false, false
	}
	d, _ := strconv.Atoi(dm[1])
	y, _ := strconv.Atoi(ym[1])
	return mkDate(year(y, len(ym[1])), mon, d)
}

func year(y, digits int) int {
	if digits <= 2 {
		if y < 70 {
			return 2000 + y
		}
		return 1900 + y
	}
	return y
}

func mkDate(y, m, d int) (string, bool, bool) {
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 {
		return "", false, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", false, false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), true, false
}

// currencyWords maps printed currency marks (folded) to ISO 4217 codes.
var currencyWords = map[string]string{
	"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
	"$": "USD", "usd": "USD", "us$": "USD",
	"£": "GBP", "gbp": "GBP",
	"zl": "PLN", "pln": "PLN",
	"₹": "INR", "rs": "INR", "rs.": "INR", "inr": "INR",
	"chf": "CHF", "fr.": "CHF", "sfr": "CHF",
	"czk": "CZK", "kc": "CZK",
	"sek": "SEK", "nok": "NOK", "dkk": "DKK", "kr": "",
	"jpy": "JPY", "¥": "JPY", "cad": "CAD", "aud": "AUD", "huf": "HUF", "ft": "HUF",
	"ron": "RON", "bgn": "BGN", "cny": "CNY", "rmb": "CNY", "hkd": "HKD", "sgd": "SGD",
}

var (
	amountCoreRe = regexp.MustCompile(`^\d[\d.,' ]*$`)
	curStripRe   = regexp.MustCompile(`^(?:[€$£¥₹]|us\$|eur|usd|gbp|pln|zl|chf|inr|rs\.?|czk|kc|sek|nok|dkk|kr|jpy|cad|aud|huf|ft|ron|bgn|cny|hkd|sgd|euro?s?)`)
	curTailRe    = regexp.MustCompile(`(?:[€$£¥₹]|us\$|eur|usd|gbp|pln|zl|chf|inr|rs\.?|czk|kc|sek|nok|dkk|kr|jpy|cad|aud|huf|ft|ron|bgn|cny|hkd|sgd|euro?s?)$`)
)

// ParseAmount converts a printed money amount into a number. It reads
// 1,234.56, 1.234,56, 1 234,56 and 1'234.56, signs as -12,00, 12,00- or
// (12.00), and a currency symbol or code before or after the number. It
// returns 0 and false when s is not an amount.
func ParseAmount(s string) (float64, bool) {
	v, _, ok := parseAmount(s)
	return v, ok
}

// parseAmount is ParseAmount that also reports the number of decimals.
func parseAmount(s string) (float64, int, bool) {
	if len(s) > 64 || !strings.ContainsAny(s, "0123456789") {
		return 0, 0, false // an amount starts with a digit once signs and currency are stripped
	}
	t := strings.TrimSpace(fold(s))
	neg := false
	for i := 0; i < 6 && t != ""; i++ {
		before := t
		if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
			neg = !neg
			t = strings.TrimSpace(t[1 : len(t)-1])
		}
		if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
			if t[0] == '-' {
				neg = !neg
			}
			t = strings.TrimSpace(t[1:])
		}
		if strings.HasSuffix(t, "-") && len(t) > 1 && t[len(t)-2] >= '0' && t[len(t)-2] <= '9' {
			neg = !neg
			t = strings.TrimSpace(t[:len(t)-1])
		}
		if m := curStripRe.FindString(t); m != "" && len(m) < len(t) {
			rest := t[len(m):]
			if !isLetter(rest[0]) {
				t = strings.TrimSpace(rest)
			}
		}
		if m := curTailRe.FindString(t); m != "" && len(m) < len(t) {
			head := t[:len(t)-len(m)]
			if !isLetter(head[len(head)-1]) {
				t = strings.TrimSpace(head)
			}
		}
		if t == before {
			break
		}
	}
	if t == "" || !amountCoreRe.MatchString(t) {
		return 0, 0, false
	}
	last := t[len(t)-1]
	if last < '0' || last > '9' {
		return 0, 0, false
	}
	// Find the decimal separator.
	lastSep := strings.LastIndexAny(t, ".,' ")
	dec := -1
	if lastSep >= 0 {
		c := t[lastSep]
		n := len(t) - lastSep - 1
		head := t[:lastSep]
		switch {
		case c == '\'' || c == ' ':
			dec = -1
		case strings.ContainsAny(head, ".,") && head[strings.LastIndexAny(head, ".,")] != c:
			dec = lastSep // both . and , : the last one is decimal
		case strings.Count(t, string(c)) > 1:
			dec = -1
		case n == 3 && strings.Trim(digitsOnly(head), "0") != "" && len(digitsOnly(head)) <= 3:
			dec = -1 // 1,234 or 1.000: a thousands separator
		default:
			dec = lastSep
		}
	}
	intPart, frac := t, ""
	if dec >= 0 {
		intPart, frac = t[:dec], t[dec+1:]
		if strings.ContainsAny(frac, ".,' ") || len(frac) > 4 {
			return 0, 0, false
		}
	}
	// The integer part: groups of three after the first.
	groups := strings.FieldsFunc(intPart, func(r rune) bool { return r == '.' || r == ',' || r == '\'' || r == ' ' })
	if len(groups) == 0 {
		return 0, 0, false
	}
	if len(groups) > 1 {
		if len(groups[0]) > 3 {
			return 0, 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, 0, false
			}
		}
		// One kind of grouping separator only.
		seps := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return -1
			}
			return r
		}, intPart)
		for i := 1; i < len(seps); i++ {
			if seps[i] != seps[0] {
				return 0, 0, false
			}
		}
	}
	num := strings.Join(groups, "")
	if len(num) > 15 {
		return 0, 0, false
	}
	if frac != "" {
		num += "." + frac
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, len(frac), true
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || b >= 0x80 }

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// round2 rounds to cents.
func round2(v float64) float64 { return math.Round(v*100) / 100 }
