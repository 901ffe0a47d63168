package einvoice

import (
	"errors"
	"fmt"
)

// The kinds of failure. Every error ParseXML and FromPDF return wraps
// exactly one of them; match with errors.Is.
var (
	// ErrNotEInvoice means the input is not a structured e-invoice: XML
	// whose root is not a CII, ZUGFeRD 1 or UBL Invoice/CreditNote element,
	// bytes that are not XML, or a PDF without such an attachment. The
	// caller should fall back to reading the document visually.
	ErrNotEInvoice = errors.New("not an e-invoice")
	// ErrMalformed means the input is an e-invoice, or a PDF, that cannot
	// be read: XML that is not well-formed, nested too deeply or carries a
	// DOCTYPE (refused against entity expansion), a PDF that pdfcpu cannot
	// parse or that is encrypted.
	ErrMalformed = errors.New("malformed e-invoice")
	// ErrTooLarge means the XML is larger than MaxXMLBytes.
	ErrTooLarge = errors.New("e-invoice over a limit")
)

// notEInvoicef returns an error wrapping ErrNotEInvoice with a message.
func notEInvoicef(format string, args ...any) error {
	return wrapf(ErrNotEInvoice, format, args...)
}

// malformedf returns an error wrapping ErrMalformed with a message.
func malformedf(format string, args ...any) error {
	return wrapf(ErrMalformed, format, args...)
}

// tooLargef returns an error wrapping ErrTooLarge with a message.
func tooLargef(format string, args ...any) error {
	return wrapf(ErrTooLarge, format, args...)
}

// wrapf returns "<kind>: <message>" wrapping kind and any %w in format.
func wrapf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}
