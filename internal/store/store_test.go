package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// open returns a migrated store on dbURL, closed when the test ends.
func open(t *testing.T, dbURL string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", storetest.Describe(dbURL), err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	if _, err := store.Open(context.Background(), "mysql://root@localhost/x"); err == nil {
		t.Fatal("mysql URL accepted")
	}
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		st := open(t, dbURL)
		v1, err := st.Migrate(context.Background())
		if err != nil || v1 < 1 {
			t.Fatalf("second migrate: v=%d err=%v", v1, err)
		}
	})
}

func TestDefaultOrgIsCreatedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		st := open(t, dbURL)
		ctx := context.Background()
		a, err := st.DefaultOrg(ctx, "Default")
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.DefaultOrg(ctx, "Another name")
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != b.ID || b.Name != "Default" || !b.Default {
			t.Fatalf("default org changed: %+v then %+v", a, b)
		}
		got, err := st.GetOrg(ctx, a.ID)
		if err != nil || got.ID != a.ID {
			t.Fatalf("GetOrg: %+v %v", got, err)
		}
		if _, err := st.GetOrg(ctx, workspace.NewID()); workspace.ErrorCode(err) != workspace.CodeNotFound {
			t.Fatalf("missing org: %v", err)
		}
	})
}

func newKey(org, process string, created time.Time) workspace.APIKey {
	return workspace.APIKey{
		ID: workspace.NewID(), Name: "k", OrgID: org, ProcessID: process,
		Scopes:     []workspace.Scope{workspace.ScopeProcessRead, workspace.ScopeResultRead},
		SecretHash: "ab", CreatedAt: created, ExpiresAt: created.Add(time.Hour),
	}
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		st := open(t, dbURL)
		ctx := context.Background()
		org, _ := st.DefaultOrg(ctx, "Default")
		other := workspace.Org{ID: workspace.NewID(), Name: "other", CreatedAt: time.Now()}
		if err := st.CreateOrg(ctx, other); err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var ids []string
		for i := range 5 {
			k := newKey(org.ID, "", base.Add(time.Duration(i)*time.Second))
			ids = append(ids, k.ID)
			if err := st.CreateKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		pk := newKey(org.ID, workspace.NewID(), base)
		ok := newKey(other.ID, "", base)
		for _, k := range []workspace.APIKey{pk, ok} {
			if err := st.CreateKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		}

		got, err := st.KeyByID(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Scopes) != 2 || got.Scopes[1] != workspace.ScopeResultRead || !got.CreatedAt.Equal(base) || !got.LastUsedAt.IsZero() {
			t.Fatalf("round trip: %+v", got)
		}

		page, total, err := st.ListKeys(ctx, workspace.KeyFilter{OrgID: org.ID}, workspace.Page{Offset: 1, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if total != 5 || len(page) != 2 || page[0].ID != ids[3] || page[1].ID != ids[2] {
			t.Fatalf("page: total=%d ids=%v", total, page)
		}
		pkeys, total, _ := st.ListKeys(ctx, workspace.KeyFilter{OrgID: org.ID, ProcessID: pk.ProcessID}, workspace.Page{Limit: 10})
		if total != 1 || pkeys[0].ID != pk.ID {
			t.Fatalf("process keys: %v", pkeys)
		}

		// Deleting through the wrong organization or process finds nothing.
		if err := st.DeleteKey(ctx, workspace.KeyFilter{OrgID: other.ID}, ids[0]); workspace.ErrorCode(err) != workspace.CodeNotFound {
			t.Fatalf("cross-org delete: %v", err)
		}
		if err := st.DeleteKey(ctx, workspace.KeyFilter{OrgID: org.ID}, pk.ID); workspace.ErrorCode(err) != workspace.CodeNotFound {
			t.Fatalf("process key deleted as org key: %v", err)
		}
		if err := st.DeleteKey(ctx, workspace.KeyFilter{OrgID: org.ID}, ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := st.KeyByID(ctx, ids[0]); workspace.ErrorCode(err) != workspace.CodeNotFound {
			t.Fatalf("deleted key still found: %v", err)
		}
	})
}

func TestTouchKeyWritesAtMostOncePerInterval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		st := open(t, dbURL)
		ctx := context.Background()
		org, _ := st.DefaultOrg(ctx, "Default")
		now := time.Now().UTC().Truncate(time.Second)
		k := newKey(org.ID, "", now)
		if err := st.CreateKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			at    time.Duration
			wrote bool
		}{{0, true}, {10 * time.Second, false}, {59 * time.Second, false}, {60 * time.Second, true}, {61 * time.Second, false}}
		for _, s := range steps {
			wrote, err := st.TouchKey(ctx, k.ID, now.Add(s.at), time.Minute)
			if err != nil || wrote != s.wrote {
				t.Fatalf("touch at +%s: wrote=%v err=%v, want %v", s.at, wrote, err, s.wrote)
			}
		}
		got, _ := st.KeyByID(ctx, k.ID)
		if !got.LastUsedAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("lastUsedAt = %s", got.LastUsedAt)
		}
	})
}
