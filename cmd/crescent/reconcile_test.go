package main

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/store/storetest"
)

// TestCancelledJobEndsCollectionFailed: a collection whose processing job
// was cancelled behind the server's back (or discarded, or deleted) does
// not wait forever: the reconciler of a worker ends it Failed, with a
// message, within a few reconcile intervals. On SQLite and PostgreSQL.
func TestCancelledJobEndsCollectionFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		dir := t.TempDir()
		db := []string{"--data-dir", dir, "--database-url", dbURL}
		// An API-only server takes the upload; nothing processes it.
		api := server(t, append([]string{"--workers", "0"}, db...)...)
		key, pid := setup(t, api, db)
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", "invoice.txt")
		_, _ = fw.Write([]byte("Invoice No: 7\nTotal 10,00 EUR\n"))
		_ = w.Close()
		st, b := call(t, "POST", api+"/api/v0.3/processes/"+pid+"/collections", key, w.FormDataContentType(), &buf)
		if st != 201 {
			t.Fatalf("upload: %d %s", st, b)
		}
		var col struct{ ID string }
		_ = json.Unmarshal(b, &col)

		s, err := store.Open(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		res, err := s.DB().Exec(`UPDATE river_job SET state = 'cancelled', finalized_at = CURRENT_TIMESTAMP WHERE kind = 'process_collection'`)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("cancelled %d jobs, want 1", n)
		}

		const every = time.Second
		worker := server(t, append([]string{"--workers", "1", "--reconcile-interval", every.String()}, db...)...)
		// The collection must be unchanged for one interval, then the next
		// run ends it: wait for that event, far past the expected 2-3 runs.
		var got struct {
			Status, StatusMessage string
			Files                 []struct{ Status string }
		}
		waitFor(t, "the collection to end Failed", 60*every, func() bool {
			_, b := call(t, "GET", worker+"/api/v0.3/collections/"+col.ID, key, "", nil)
			_ = json.Unmarshal(b, &got)
			return got.Status == "Failed"
		})
		if !strings.Contains(got.StatusMessage, "no longer exists") {
			t.Errorf("status message %q", got.StatusMessage)
		}
	})
}
