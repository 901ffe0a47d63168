package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// seedCollections fills a process with n one-file collections quickly, in
// batches, straight through SQL.
func seedCollections(b testing.TB, dbURL string, n int) (*store.Store, workspace.CollectionFilter) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	org, _ := st.DefaultOrg(ctx, "Default")
	p := workspace.Process{ID: workspace.NewID(), OrgID: org.ID, Name: "bench", TypeID: workspace.ProcessTypeInvoices,
		Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now(), Accesses: map[string]workspace.Access{}}
	if err := st.CreateProcess(ctx, p); err != nil {
		b.Fatal(err)
	}
	db := st.DB()
	base := time.Now().Add(-time.Duration(n) * time.Second).Unix()
	for start := 0; start < n; start += 5000 {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		cs, _ := tx.PrepareContext(ctx, `INSERT INTO collections (id, org_id, process_id, name, name_lower, priority, split, status,
			metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $5, FALSE, $6, '{}', $7, $7)`)
		fs, _ := tx.PrepareContext(ctx, `INSERT INTO files (id, collection_id, org_id, position, name, status, content_type, kind, size,
			sha256, blob_key, created_at, updated_at) VALUES ($1, $2, $3, 0, $4, 'Queued', 'application/pdf', 'pdf', 1000, $5, $6, $7, $7)`)
		for i := start; i < min(n, start+5000); i++ {
			cid := workspace.NewID()
			status := workspace.CollectionStatuses[i%len(workspace.CollectionStatuses)]
			if _, err := cs.ExecContext(ctx, cid, org.ID, p.ID, fmt.Sprintf("invoice-%06d.pdf", i), i%10 == 0, status, base+int64(i)); err != nil {
				b.Fatal(err)
			}
			if _, err := fs.ExecContext(ctx, workspace.NewID(), cid, org.ID, fmt.Sprintf("invoice-%06d.pdf", i), fmt.Sprintf("%064x", i), "k/"+cid, base+int64(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil { // fresh statistics, as autovacuum would have
		b.Fatal(err)
	}
	return st, workspace.CollectionFilter{OrgID: org.ID, ProcessID: p.ID}
}

// BenchmarkListCollections lists a page of 100 from a process holding
// 100,000 collections, in the orders and filters the API offers.
func BenchmarkListCollections(b *testing.B) {
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteURL}, {"postgres", storetest.PostgresURL}} {
		b.Run(db.name, func(b *testing.B) {
			st, f := seedCollections(b, db.url(b), 100_000)
			ctx := context.Background()
			yes := true
			cases := map[string]workspace.CollectionFilter{
				"newest":      f,
				"by-name":     withOrder(f, workspace.OrderNameAsc),
				"status":      withStatus(f, workspace.StatusFailed),
				"priority":    withPriority(f, &yes),
				"name-search": withQuery(f, "0999"),
			}
			for name, filter := range cases {
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						cs, total, err := st.ListCollections(ctx, filter, workspace.Page{Limit: 100})
						if err != nil || total == 0 || len(cs) == 0 {
							b.Fatalf("list: %d/%d %v", len(cs), total, err)
						}
					}
				})
			}
		})
	}
}

func withOrder(f workspace.CollectionFilter, o workspace.CollectionOrder) workspace.CollectionFilter {
	f.Order = o
	return f
}

func withStatus(f workspace.CollectionFilter, s string) workspace.CollectionFilter {
	f.Statuses = []string{s}
	return f
}

func withPriority(f workspace.CollectionFilter, p *bool) workspace.CollectionFilter {
	f.Priority = p
	return f
}

func withQuery(f workspace.CollectionFilter, q string) workspace.CollectionFilter {
	f.Query = q
	return f
}
