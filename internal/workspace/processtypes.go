package workspace

// Built-in process type ids.
const (
	ProcessTypeInvoices = "bbe7f45aea884e74bbd011a5f57e87f0"
	ProcessTypeReceipts = "4d1a5b0c3e2f4a6b8c9d0e1f2a3b4c5d"
	ProcessTypeCustom   = "29b0618e37a94dc9950e7fcfaff338b9"
)

// LineItemColumns are the columns of the line_items table.
var LineItemColumns = []string{"description", "quantity", "unit", "unit_price", "net_amount", "vat_rate", "gross_amount"}

func scalars(typ string, names ...string) []DataPoint {
	out := make([]DataPoint, len(names))
	for i, n := range names {
		out[i] = DataPoint{Name: n, Type: typ}
	}
	return out
}

func concat(parts ...[]DataPoint) []DataPoint {
	var out []DataPoint
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ProcessTypes are the built-in types, in listing order.
var ProcessTypes = []ProcessType{
	{
		ID: ProcessTypeInvoices, Name: "Invoices",
		Description: "Invoices and credit notes: parties, dates, amounts, bank details and line items.",
		DataPoints: concat(
			scalars("string", "account_number", "bank_name", "buyer_address", "buyer_email", "buyer_id", "buyer_name", "currency"),
			scalars("date", "due_date", "invoice_date"),
			scalars("string", "invoice_number"),
			scalars("amount", "net_amount"),
			scalars("string", "order_number"),
			scalars("date", "sale_date"),
			scalars("string", "seller_address", "seller_email", "seller_id", "seller_name", "swift_code"),
			scalars("amount", "tax_amount", "total_amount"),
			[]DataPoint{{Name: "line_items", Type: "table", Columns: LineItemColumns}},
		),
	},
	{
		ID: ProcessTypeReceipts, Name: "Receipts",
		Description: "Till receipts: seller, date, totals and purchased items.",
		DataPoints: concat(
			scalars("string", "seller_name", "seller_address", "seller_id"),
			scalars("date", "date"),
			scalars("amount", "total_amount", "tax_amount"),
			scalars("string", "currency"),
			[]DataPoint{{Name: "line_items", Type: "table", Columns: LineItemColumns}},
		),
	},
	{
		ID: ProcessTypeCustom, Name: "Custom",
		Description: "Documents of any kind: the data points are defined per process, with hints (labels, pattern) for extraction.",
		Custom:      true,
	},
}

// ProcessTypeByID returns the built-in type with that id.
func ProcessTypeByID(id string) (ProcessType, bool) {
	for _, t := range ProcessTypes {
		if t.ID == id {
			return t, true
		}
	}
	return ProcessType{}, false
}

// OwnerPermissions are the permissions of a process's owner.
var OwnerPermissions = []Scope{
	ScopeCollectionRead, ScopeResultRead, ScopeProcessRead, ScopeCollectionCreate, ScopeCollectionUpdate,
	ScopeCollectionDelete, ScopeFileUpload, ScopeFileDownload, ScopeResultCreate, ScopeResultUpdate,
	ScopeResultDelete, ScopeProcessUpdate, ScopeProcessDelete, ScopeAdminUserRead, ScopeAdminUserInvite,
	ScopeAdminUserManage, ScopeAdminCollectionManage,
}
