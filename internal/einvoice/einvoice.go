// Package einvoice reads structured e-invoices: UN/CEFACT CII (ZUGFeRD 2,
// Factur-X, XRechnung CII), ZUGFeRD 1.0 and OASIS UBL 2.1 Invoice and
// CreditNote (XRechnung UBL, Peppol), given as XML or embedded in a PDF.
// It maps them to Crescent's invoice field names.
package einvoice

import "io"

// Limits on the XML read.
const (
	// MaxXMLBytes is the largest XML document read, in bytes.
	MaxXMLBytes = 20 << 20
	// MaxDepth is the deepest element nesting accepted; real invoices
	// nest about 10 deep.
	MaxDepth = 64
	// MaxElements is the most elements a document may have, which bounds
	// the memory of the parsed tree; an invoice of 20,000 lines has about
	// 600,000.
	MaxElements = 1 << 20
)

// Formats reported in Invoice.Format.
const (
	// FormatCII is UN/CEFACT CII D16B (rsm:CrossIndustryInvoice): ZUGFeRD
	// 2, Factur-X, XRechnung CII.
	FormatCII = "cii"
	// FormatZUGFeRD1 is ZUGFeRD 1.0 (rsm:CrossIndustryDocument) and its
	// 2014 release candidate.
	FormatZUGFeRD1 = "zugferd1"
	// FormatUBL is OASIS UBL 2.1 Invoice or CreditNote: XRechnung UBL,
	// Peppol BIS Billing.
	FormatUBL = "ubl"
)

// Document types reported in Invoice.DocumentType.
const (
	// TypeInvoice is any document type code but a credit note's: 380
	// invoice, 384 corrected invoice, 389 self-billed invoice, 326 partial
	// invoice, ...
	TypeInvoice = "invoice"
	// TypeCreditNote is a UBL CreditNote or a credit note type code (381,
	// 396, 261, 262, 296, 308, 420, 458, 532, 81, 83).
	TypeCreditNote = "credit_note"
)

// Invoice is an e-invoice mapped to Crescent's field names.
type Invoice struct {
	// Format is the XML syntax: FormatCII, FormatZUGFeRD1 or FormatUBL.
	Format string
	// Profile is the guideline or customization id the document declares,
	// such as urn:cen.eu:en16931:2017 or
	// urn:ferd:CrossIndustryDocument:invoice:1p0:comfort; empty if none.
	Profile string
	// DocumentType is TypeInvoice or TypeCreditNote.
	DocumentType string
	// TypeCode is the UNTDID 1001 document type code as written (380, 381, ...).
	TypeCode string
	// Fields holds the header fields the document states, keyed by
	// Crescent's field names: invoice_number, invoice_date, sale_date
	// (actual delivery), due_date, currency, seller_name, seller_address,
	// seller_id (VAT id, else tax number), seller_email, the same four for
	// buyer_, order_number, net_amount (tax basis: lines plus charges minus
	// allowances), tax_amount, total_amount (including tax, before
	// prepayments), account_number (IBAN, without spaces), swift_code and
	// bank_name. A field is absent when the document does not state it.
	// Dates are YYYY-MM-DD; amounts are decimal strings with '.' as in the
	// XML; addresses read "street, street 2, postcode city, CC".
	//
	// Amounts keep the XML's sign, except on a credit note written with
	// positive amounts (as EN 16931 has it): its totals, line quantities
	// and line amounts are reported negative, as correction invoices are.
	Fields map[string]string
	// LineItems holds one map per invoice line with the keys description,
	// quantity, unit (UN/ECE rec. 20 code), unit_price (net price as
	// written, per the price's basis quantity), net_amount, vat_rate
	// (percent) and gross_amount (net_amount plus VAT at vat_rate, rounded
	// to cents: computed, the formats do not state it), each present only
	// when known. Lines carrying only a note are left out.
	LineItems []map[string]string
}

// ParseXML reads an e-invoice XML document from r. It returns
// ErrNotEInvoice when r is not XML or its root is not a CII, ZUGFeRD 1 or
// UBL Invoice/CreditNote element, ErrMalformed when the XML is not
// well-formed, carries a DOCTYPE or nests deeper than MaxDepth, and
// ErrTooLarge when it is longer than MaxXMLBytes or has more than
// MaxElements elements.
func ParseXML(r io.Reader) (*Invoice, error) {
	root, format, err := parseTree(r)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatUBL:
		return mapUBL(root), nil
	default:
		return mapCII(root, format), nil
	}
}
