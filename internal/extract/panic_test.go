package extract

import "testing"

// TestDescriptionAfterRowWithoutOne is a line-item row whose numbers come
// before its description line: the row gets that description (this
// panicked on a nil description before).
func TestDescriptionAfterRowWithoutOne(t *testing.T) {
	text := "Invoice 1\n\nDescription                 Qty      Unit Price      Amount\n" +
		"                            2        10.00           20.00\n" +
		"Widget blue\n" +
		"Widget green                1        5.00            5.00\n" +
		"  in a box\n" +
		"Total 25.00\n"
	res := Extract(TextPages(text), Options{})
	tb := res.Tables["line_items"]
	if tb == nil || len(tb.Rows) != 2 {
		t.Fatalf("line items = %+v, want 2 rows", tb)
	}
	if d := tb.Rows[0]["description"].Value; d != "Widget blue" {
		t.Errorf("row 1 description = %v, want Widget blue", d)
	}
	if d := tb.Rows[1]["description"].Value; d != "Widget green in a box" {
		t.Errorf("row 2 description = %v, want Widget green in a box", d)
	}
	if v := tb.Rows[0]["net_amount"].Value; v != 20.0 {
		t.Errorf("row 1 amount = %v, want 20", v)
	}
}
