package jobs

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// panicky is a processor whose collections panic or fail permanently.
type panicky struct {
	calls     atomic.Int32
	permanent bool
	abandoned chan string
}

func (p *panicky) ProcessCollection(ctx context.Context, id string, last bool) error {
	p.calls.Add(1)
	if p.permanent {
		return Permanent(errors.New("the stored original is missing"))
	}
	var m map[string]any
	_ = m["x"].(string) // panics: interface conversion
	return nil
}

func (p *panicky) AbandonCollection(ctx context.Context, id, msg string) error {
	p.abandoned <- msg
	return nil
}

func (p *panicky) ReconcileCollections(context.Context, func(context.Context) (map[string]bool, error)) (int, error) {
	return 0, nil
}

// TestPanicOrPermanentErrorCancelsAtOnce: a panic escaping the processor,
// or a Permanent error, ends the collection through AbandonCollection and
// cancels the job after one attempt instead of retrying a deterministic
// failure five times.
func TestPanicOrPermanentErrorCancelsAtOnce(t *testing.T) {
	for _, permanent := range []bool{false, true} {
		ctx := context.Background()
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "q.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := Migrate(ctx, db, false); err != nil {
			t.Fatal(err)
		}
		p := &panicky{permanent: permanent, abandoned: make(chan string, 10)}
		cfg := Config{Workers: 1, MaxAttempts: 5, PollInterval: 50 * time.Millisecond, JobTimeout: 30 * time.Second}
		q, err := New(db, false, p, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		tx, _ := db.BeginTx(ctx, nil)
		if err := q.Enqueue(ctx, tx, "c1", false); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		events, cancel := q.client.Subscribe(river.EventKindJobCancelled, river.EventKindJobFailed)
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		var msg string
		select {
		case msg = <-p.abandoned:
		case <-time.After(2 * cfg.JobTimeout): // one attempt ends within its timeout; only a failure waits this long
			t.Fatal("the collection was not abandoned")
		}
		var ev *river.Event
		for ev == nil {
			select {
			case e := <-events:
				if e != nil && e.Job.Kind == (ProcessCollection{}).Kind() {
					ev = e
				}
			case <-time.After(2 * cfg.JobTimeout):
				t.Fatal("no event for the job")
			}
		}
		cancel()
		if err := q.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if ev.Job.State != rivertype.JobStateCancelled || ev.Job.Attempt != 1 || p.calls.Load() != 1 {
			t.Errorf("permanent=%v: job %s after %d attempts, %d calls; want cancelled after 1", permanent, ev.Job.State, ev.Job.Attempt, p.calls.Load())
		}
		if msg == "" {
			t.Error("no message for the user")
		}
	}
}

// TestLiveCollections: a collection's job counts as live in every state
// in which it may still run, and not once finished.
func TestLiveCollections(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "q.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Migrate(ctx, db, false); err != nil {
		t.Fatal(err)
	}
	q, err := New(db, false, nil, Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	states := []string{"available", "running", "retryable", "scheduled", "pending", "completed", "discarded", "cancelled"}
	for _, st := range states {
		tx, _ := db.BeginTx(ctx, nil)
		if err := q.Enqueue(ctx, tx, "c-"+st, false); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		fin := "NULL"
		if st == "completed" || st == "discarded" || st == "cancelled" {
			fin = "CURRENT_TIMESTAMP"
		}
		if _, err := db.Exec(`UPDATE river_job SET state = ?, finalized_at = `+fin+` WHERE json_extract(args, '$.collection_id') = ?`, st, "c-"+st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	live, err := q.LiveCollections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		want := st != "completed" && st != "discarded" && st != "cancelled"
		if live["c-"+st] != want {
			t.Errorf("a job %s: live %v, want %v", st, live["c-"+st], want)
		}
	}
}
