package einvoice

// Paths of the CII layouts. ZUGFeRD 1 (CrossIndustryDocument, 2013) and
// CII D16B (CrossIndustryInvoice: ZUGFeRD 2, Factur-X, XRechnung CII) use
// the same building blocks under different names; each step lists both.
const (
	ciiContext    = "SpecifiedExchangedDocumentContext|ExchangedDocumentContext"
	ciiDocument   = "HeaderExchangedDocument|ExchangedDocument"
	ciiTx         = "SpecifiedSupplyChainTradeTransaction|SupplyChainTradeTransaction"
	ciiAgreement  = ciiTx + "/ApplicableSupplyChainTradeAgreement|ApplicableHeaderTradeAgreement"
	ciiDelivery   = ciiTx + "/ApplicableSupplyChainTradeDelivery|ApplicableHeaderTradeDelivery"
	ciiSettlement = ciiTx + "/ApplicableSupplyChainTradeSettlement|ApplicableHeaderTradeSettlement"
	ciiTotals     = ciiSettlement + "/SpecifiedTradeSettlementMonetarySummation|SpecifiedTradeSettlementHeaderMonetarySummation"

	// Relative to a line item.
	ciiLineAgreement  = "SpecifiedSupplyChainTradeAgreement|SpecifiedLineTradeAgreement"
	ciiLineDelivery   = "SpecifiedSupplyChainTradeDelivery|SpecifiedLineTradeDelivery"
	ciiLineSettlement = "SpecifiedSupplyChainTradeSettlement|SpecifiedLineTradeSettlement"
)

// ciiParty returns the description of a CII trade party element.
func ciiParty(prefix, path string) party {
	return party{
		prefix: prefix,
		path:   path,
		name:   []string{"Name"},
		address: address{
			path:     "PostalTradeAddress",
			lines:    []string{"LineOne", "LineTwo", "LineThree"},
			postcode: "PostcodeCode",
			city:     "CityName",
			country:  "CountryID",
		},
		// The VAT id (scheme VA) is preferred to the tax number (FC).
		taxID: []qualified{
			{container: "SpecifiedTaxRegistration/ID", qualifier: "@schemeID", want: "VA"},
			{container: "SpecifiedTaxRegistration/ID", qualifier: "@schemeID", want: "FC"},
			{container: "SpecifiedTaxRegistration/ID"},
		},
		// A contact's e-mail, else the party's electronic address of scheme EM.
		email: []qualified{
			{container: "DefinedTradeContact/EmailURIUniversalCommunication/URIID"},
			{container: "URIUniversalCommunication/URIID", qualifier: "@schemeID", want: "EM"},
		},
	}
}

// ciiSyntax maps CII and ZUGFeRD 1 documents. net_amount is the tax basis
// (line total plus charges minus allowances), total_amount the grand total
// including VAT (not the amount due after prepayments), sale_date the
// actual delivery date.
var ciiSyntax = syntax{
	profile:      []string{ciiContext + "/GuidelineSpecifiedDocumentContextParameter/ID"},
	typeCode:     []string{ciiDocument + "/TypeCode"},
	currency:     []string{ciiSettlement + "/InvoiceCurrencyCode"},
	currencyAttr: []string{ciiTotals + "/GrandTotalAmount/@currencyID", ciiTotals + "/TaxBasisTotalAmount/@currencyID"},
	header: []rule{
		{"invoice_number", kindText, []string{ciiDocument + "/ID"}},
		{"invoice_date", kindDate, []string{ciiDocument + "/IssueDateTime"}},
		{"sale_date", kindDate, []string{ciiDelivery + "/ActualDeliverySupplyChainEvent/OccurrenceDateTime"}},
		{"due_date", kindDate, []string{ciiSettlement + "/SpecifiedTradePaymentTerms/DueDateDateTime"}},
		{"order_number", kindText, []string{
			ciiAgreement + "/BuyerOrderReferencedDocument/IssuerAssignedID",
			ciiAgreement + "/BuyerOrderReferencedDocument/ID",
		}},
		{"net_amount", kindAmount, []string{ciiTotals + "/TaxBasisTotalAmount"}},
		{"tax_amount", kindAmount, []string{ciiTotals + "/TaxTotalAmount"}},
		{"total_amount", kindAmount, []string{ciiTotals + "/GrandTotalAmount"}},
	},
	parties: []party{
		ciiParty("seller", ciiAgreement+"/SellerTradeParty"),
		ciiParty("buyer", ciiAgreement+"/BuyerTradeParty"),
	},
	// Only the payee's (seller's) account: a payer account belongs to the
	// buyer being debited.
	payment: payment{
		means:   ciiSettlement + "/SpecifiedTradeSettlementPaymentMeans",
		account: []string{"PayeePartyCreditorFinancialAccount/IBANID", "PayeePartyCreditorFinancialAccount/ProprietaryID"},
		bic:     []string{"PayeeSpecifiedCreditorFinancialInstitution/BICID"},
		bank:    []string{"PayeeSpecifiedCreditorFinancialInstitution/Name"},
	},
	line: line{
		path:        ciiTx + "/IncludedSupplyChainTradeLineItem",
		description: []string{"SpecifiedTradeProduct/Name", "SpecifiedTradeProduct/Description"},
		quantity:    []string{ciiLineDelivery + "/BilledQuantity"},
		unit:        []string{ciiLineDelivery + "/BilledQuantity/@unitCode"},
		unitPrice: []string{
			ciiLineAgreement + "/NetPriceProductTradePrice/ChargeAmount",
			ciiLineAgreement + "/GrossPriceProductTradePrice/ChargeAmount",
		},
		net: []string{ciiLineSettlement + "/SpecifiedTradeSettlementMonetarySummation|SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount"},
		vat: []string{ciiLineSettlement + "/ApplicableTradeTax/ApplicablePercent|RateApplicablePercent"},
	},
}

// mapCII reads a CII or ZUGFeRD 1 document.
func mapCII(root *node, format string) *Invoice {
	syn := ciiSyntax
	syn.format = format
	return mapInvoice(root, &syn)
}
