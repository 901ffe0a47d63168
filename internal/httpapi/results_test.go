package httpapi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// reviewReady uploads a file and finishes its collection as a worker
// would, in Needs Review with one document; it returns the collection and
// document ids.
func (h *harness) reviewReady(pid string, pdf []byte) (cid, did string) {
	h.t.Helper()
	ctx := context.Background()
	col := h.upload(pid, h.admin, nil, nil, part{"file", "a.pdf", pdf}).json(h.t)
	cid = col["id"].(string)
	fid := col["files"].([]any)[0].(map[string]any)["id"].(string)
	if _, _, ok, err := h.st.ClaimCollection(ctx, cid); !ok || err != nil {
		h.t.Fatalf("claim: %v %v", ok, err)
	}
	did = workspace.NewID()
	o := workspace.Outcome{CollectionID: cid, Status: workspace.StatusNeedsReview,
		Documents: []workspace.Document{{ID: did, CollectionID: cid, FileID: fid, Name: "a.pdf", FirstPage: 1, LastPage: 1}}}
	if ok, err := h.st.FinishCollection(ctx, o, time.Now()); !ok || err != nil {
		h.t.Fatalf("finish: %v %v", ok, err)
	}
	return cid, did
}

// A reviewer's value is at most 10,000 characters, counted as characters.
func TestReviewEditValuesAreBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)
		cid, did := h.reviewReady(pid, fixture(t, "invoice-a.pdf"))
		ex := "/api/v0.3/results/" + cid + "/documents/" + did + "/extractions"

		huge := strings.Repeat("x", 900_000)
		r := h.do("POST", ex, h.admin, map[string]any{"field": "order_number", "value": huge})
		m := assertEnvelope(t, r, 400, "RequestValidationError")
		if e := m["errors"].([]any)[0].(map[string]any); e["location"] != "body: value" || !strings.Contains(e["message"].(string), "10000 characters") {
			t.Fatalf("900 KB value: %s", r.body)
		}
		atLimit := strings.Repeat("é", 10_000) // 20,000 bytes, 10,000 characters
		r = h.do("POST", ex, h.admin, map[string]any{"field": "order_number", "value": atLimit})
		if r.status != 201 {
			t.Fatalf("a value of 10,000 characters: %d %.300s", r.status, r.body)
		}
		eid := r.json(t)["id"].(string)
		assertEnvelope(t, h.do("PATCH", ex+"/"+eid, h.admin, map[string]any{"value": atLimit + "x"}), 400, "RequestValidationError")
		assertEnvelope(t, h.do("PATCH", ex+"/"+eid, h.admin, map[string]any{"value": "ok", "rawValue": strings.Repeat("r", 10_001)}), 400, "RequestValidationError")
		if r := h.do("PATCH", ex+"/"+eid, h.admin, map[string]any{"value": "PO-8"}); r.status != 200 {
			t.Fatalf("a short edit: %d %s", r.status, r.body)
		}
	})
}
