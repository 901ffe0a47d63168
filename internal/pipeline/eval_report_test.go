package pipeline

import "testing"

// reportGeneralization prints the cross-folder tables of the text-only
// invoices: leave-one-family-out core F1 (the hand rules, then the hand
// rules against the learned scorer), addresses, line items and
// calibration. Only a document without a family fails the test; the
// figures are reported, not yet held to a bar.
func reportGeneralization(t *testing.T, docs []evalDoc) {
	t.Helper()
	if len(docs) == 0 {
		return
	}
	checkFamilies(t, docs)
	t.Logf("\n%s", familyTable(docs, handWritten{}))
	scorerReport(t, docs)
	t.Logf("\n%s", addressTable(docs))
	t.Logf("\n%s", lineTable(docs))
	t.Logf("\n%s", calibrationTable(docs))
}
