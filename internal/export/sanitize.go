package export

// Sanitize neutralises formula injection in a text cell of a CSV or XLSX
// export: a value starting with =, +, -, @, a tab or a carriage return is
// prefixed with a single quote, so that spreadsheet programs show it as
// text instead of evaluating it. Other values are returned unchanged.
// Numeric cells are never passed through Sanitize: a negative amount stays
// a number.
func Sanitize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
