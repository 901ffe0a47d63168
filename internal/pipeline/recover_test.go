package pipeline

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/blob"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// fixture is a real store and blob folder with one process.
type fixture struct {
	st   *store.Store
	p    *Pipeline
	cols *service.Collections
	by   workspace.Principal
	pid  string
	bl   *blob.Store
}

func newFixture(t *testing.T, dbURL string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", storetest.Describe(dbURL), err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	bl, err := blob.Open(ctx, "file://"+filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.DefaultOrg(ctx, "Test")
	if err != nil {
		t.Fatal(err)
	}
	by := workspace.Principal{KeyID: "k", OrgID: org.ID, Scopes: workspace.AllScopes}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	proc, err := (&service.Processes{Store: st, Blobs: bl, Log: log, Now: time.Now}).Create(ctx, by, "Invoices", workspace.ProcessTypeInvoices)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	cols := &service.Collections{Store: st, Processes: st, Blobs: bl, Limits: service.DefaultUploadLimits, TempDir: tmp, Log: log, Now: time.Now}
	p := New(Config{TempDir: tmp, ReconcileGrace: time.Minute}, st, bl, nil, nil, log)
	return &fixture{st: st, p: p, cols: cols, by: by, pid: proc.ID, bl: bl}
}

// upload creates a Queued collection of plain-text files.
func (fx *fixture) upload(t *testing.T, texts ...string) workspace.Collection {
	t.Helper()
	var files []*service.Spooled
	for i, text := range texts {
		s, err := service.Spool(fx.cols.TempDir, "files", "invoice"+string(rune('a'+i))+".txt", strings.NewReader(text), 1<<20, fx.cols.Limits.File)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Remove()
		files = append(files, s)
	}
	col, _, err := fx.cols.Upload(context.Background(), fx.by, service.UploadInput{ProcessID: fx.pid, Name: "c"}, files)
	if err != nil {
		t.Fatal(err)
	}
	return col
}

func (fx *fixture) get(t *testing.T, id string) (workspace.Collection, map[string]workspace.StatusInfo) {
	t.Helper()
	c, err := fx.st.GetCollection(context.Background(), fx.by.OrgID, id)
	if err != nil {
		t.Fatal(err)
	}
	files, err := fx.st.FileOutcomes(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c, files
}

const invoiceText = "Invoice No: 2024-17\nDate: 2024-03-01\nTotal 119,00 EUR\n"

// TestPanicEndsTheFileNotTheQueue: a panic in a stage of one file is
// recovered at the document boundary. The file ends Failed (F500) with a
// message naming the stage, the other files are processed, and the job
// finishes at once (no retry) with the collection in a final status.
func TestPanicEndsTheFileNotTheQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		fx := newFixture(t, dbURL)
		ctx := context.Background()
		for _, stage := range []string{"reading", "extraction"} {
			t.Run(stage, func(t *testing.T) {
				fx.p.stageHook = func(s string, f workspace.File) {
					if s == stage {
						panic("interface conversion: interface {} is nil, not string")
					}
				}
				one := fx.upload(t, invoiceText)
				if err := fx.p.ProcessCollection(ctx, one.ID, false); err != nil {
					t.Fatalf("a panic was returned for retry: %v", err)
				}
				c, files := fx.get(t, one.ID)
				if c.Status != workspace.StatusFailed {
					t.Fatalf("one file: status %s, want Failed", c.Status)
				}
				for _, st := range files {
					if st.Code != workspace.FileFailed.Code || !strings.Contains(st.Msg, "the "+stage+" stage") || !strings.Contains(st.Msg, one.ID) {
						t.Errorf("file status %+v", st)
					}
				}
				if !strings.Contains(c.StatusMessage, "internal error") {
					t.Errorf("collection message %q", c.StatusMessage)
				}

				// Two files, the first panics: the second is still read.
				var first string
				fx.p.stageHook = func(s string, f workspace.File) {
					if first == "" {
						first = f.ID
					}
					if s == stage && f.ID == first {
						panic("boom")
					}
				}
				two := fx.upload(t, invoiceText, invoiceText)
				if err := fx.p.ProcessCollection(ctx, two.ID, false); err != nil {
					t.Fatal(err)
				}
				c, files = fx.get(t, two.ID)
				if c.Status != workspace.StatusNeedsReview {
					t.Fatalf("two files: status %s, want Needs Review", c.Status)
				}
				codes := map[string]int{}
				for _, st := range files {
					codes[st.Code]++
				}
				if codes[workspace.FileFailed.Code] != 1 || codes[workspace.FileCompleted.Code] != 1 {
					t.Errorf("file codes %v, want one F500 and one F100", codes)
				}
				docs, err := fx.st.Documents(ctx, two.ID)
				if err != nil || len(docs) != 1 {
					t.Errorf("documents %d (%v), want the second file's one", len(docs), err)
				}
			})
		}
	})
}

// TestReconcilerEndsCollectionsWithoutAJob: a collection left Queued or
// Processing whose job is gone ends Failed with a message, once; one whose
// job may still run is left alone.
func TestReconcilerEndsCollectionsWithoutAJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		fx := newFixture(t, dbURL)
		ctx := context.Background()
		orphan, alive := fx.upload(t, invoiceText), fx.upload(t, invoiceText)
		claimed := fx.upload(t, invoiceText)
		if _, _, ok, err := fx.st.ClaimCollection(ctx, claimed.ID); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		// A collection changed within the grace is left alone; then the
		// clock moves past it.
		none := func(context.Context) (map[string]bool, error) { return nil, nil }
		if n, err := fx.p.ReconcileCollections(ctx, none); err != nil || n != 0 {
			t.Fatalf("within the grace: ended %d (%v)", n, err)
		}
		fx.p.now = func() time.Time { return time.Now().Add(fx.p.cfg.ReconcileGrace + 2*time.Second) }
		live := func(context.Context) (map[string]bool, error) { return map[string]bool{alive.ID: true}, nil }
		n, err := fx.p.ReconcileCollections(ctx, live)
		if err != nil || n != 2 {
			t.Fatalf("reconcile: %d, %v; want 2 ended", n, err)
		}
		for _, id := range []string{orphan.ID, claimed.ID} {
			c, files := fx.get(t, id)
			if c.Status != workspace.StatusFailed || !strings.Contains(c.StatusMessage, "no longer exists") {
				t.Errorf("%s: %s %q", id, c.Status, c.StatusMessage)
			}
			for _, st := range files {
				if st.Code != workspace.FileFailed.Code {
					t.Errorf("%s: file %+v", id, st)
				}
			}
		}
		if c, _ := fx.get(t, alive.ID); c.Status != workspace.StatusQueued {
			t.Errorf("the collection with a live job is %s", c.Status)
		}
		if n, err := fx.p.ReconcileCollections(ctx, live); err != nil || n != 0 {
			t.Errorf("second pass ended %d (%v), want 0", n, err)
		}
	})
}

// TestMissingOriginalFailsAtOnce: a file whose stored original is gone
// ends Failed on the first attempt; retrying could not bring it back.
func TestMissingOriginalFailsAtOnce(t *testing.T) {
	fx := newFixture(t, storetest.SQLiteURL(t))
	ctx := context.Background()
	col := fx.upload(t, invoiceText)
	if err := fx.bl.Delete(ctx, col.Files[0].BlobKey); err != nil {
		t.Fatal(err)
	}
	if err := fx.p.ProcessCollection(ctx, col.ID, false); err != nil {
		t.Fatalf("returned for a retry: %v", err)
	}
	c, files := fx.get(t, col.ID)
	if c.Status != workspace.StatusFailed || !strings.Contains(files[col.Files[0].ID].Msg, "missing") {
		t.Errorf("status %s, files %+v", c.Status, files)
	}
}
