package einvoice

// ublParty returns the description of a UBL party element.
func ublParty(prefix, path string) party {
	return party{
		prefix: prefix,
		path:   path,
		// The legal name (EN 16931 BT-27, the CII party name), else the
		// trading name.
		name: []string{"PartyLegalEntity/RegistrationName", "PartyName/Name"},
		address: address{
			path:     "PostalAddress",
			lines:    []string{"StreetName", "AdditionalStreetName", "AddressLine/Line"},
			postcode: "PostalZone",
			city:     "CityName",
			country:  "Country/IdentificationCode",
		},
		// The VAT id, else another tax registration (a tax number).
		taxID: []qualified{
			{container: "PartyTaxScheme", value: "CompanyID", qualifier: "TaxScheme/ID", want: "VAT"},
			{container: "PartyTaxScheme", value: "CompanyID"},
		},
		email: []qualified{
			{container: "Contact/ElectronicMail"},
			{container: "EndpointID", qualifier: "@schemeID", want: "EM"},
		},
	}
}

// ublSyntax maps UBL 2.1 Invoice and CreditNote documents, with the same
// meaning as ciiSyntax: net_amount is the tax-exclusive total,
// total_amount the tax-inclusive total (not the payable amount).
var ublSyntax = syntax{
	format:       FormatUBL,
	profile:      []string{"CustomizationID"},
	typeCode:     []string{"InvoiceTypeCode", "CreditNoteTypeCode"},
	currency:     []string{"DocumentCurrencyCode"},
	currencyAttr: []string{"LegalMonetaryTotal/TaxInclusiveAmount/@currencyID", "LegalMonetaryTotal/PayableAmount/@currencyID"},
	header: []rule{
		{"invoice_number", kindText, []string{"ID"}},
		{"invoice_date", kindDate, []string{"IssueDate"}},
		{"sale_date", kindDate, []string{"Delivery/ActualDeliveryDate"}},
		{"due_date", kindDate, []string{"DueDate", "PaymentMeans/PaymentDueDate", "PaymentTerms/PaymentDueDate"}},
		{"order_number", kindText, []string{"OrderReference/ID"}},
		{"net_amount", kindAmount, []string{"LegalMonetaryTotal/TaxExclusiveAmount"}},
		{"tax_amount", kindAmount, []string{"TaxTotal/TaxAmount"}},
		{"total_amount", kindAmount, []string{"LegalMonetaryTotal/TaxInclusiveAmount"}},
	},
	parties: []party{
		ublParty("seller", "AccountingSupplierParty/Party"),
		ublParty("buyer", "AccountingCustomerParty/Party"),
	},
	payment: payment{
		means:   "PaymentMeans",
		account: []string{"PayeeFinancialAccount/ID"},
		bic: []string{
			"PayeeFinancialAccount/FinancialInstitutionBranch/ID",
			"PayeeFinancialAccount/FinancialInstitutionBranch/FinancialInstitution/ID",
		},
		bank: []string{
			"PayeeFinancialAccount/FinancialInstitutionBranch/Name",
			"PayeeFinancialAccount/FinancialInstitutionBranch/FinancialInstitution/Name",
		},
	},
	line: line{
		path:        "InvoiceLine|CreditNoteLine",
		description: []string{"Item/Name", "Item/Description"},
		quantity:    []string{"InvoicedQuantity|CreditedQuantity"},
		unit:        []string{"InvoicedQuantity|CreditedQuantity/@unitCode"},
		unitPrice:   []string{"Price/PriceAmount"},
		net:         []string{"LineExtensionAmount"},
		vat:         []string{"Item/ClassifiedTaxCategory/Percent"},
	},
}

// mapUBL reads a UBL Invoice or CreditNote.
func mapUBL(root *node) *Invoice {
	return mapInvoice(root, &ublSyntax)
}
