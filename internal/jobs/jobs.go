// Package jobs is Crescent's durable work queue, on River: the same client
// type over SQLite (riversqlite) and PostgreSQL (riverdatabasesql), jobs
// inserted inside the transaction that creates the data they work on.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// ProcessCollection is the job that takes one collection through the
// processing pipeline.
type ProcessCollection struct {
	CollectionID string `json:"collection_id"`
}

// Kind implements river.JobArgs.
func (ProcessCollection) Kind() string { return "process_collection" }

// Processor does the work of a ProcessCollection job. An error makes River
// retry the job with backoff, unless it is Permanent; on the last attempt
// (lastAttempt true) the processor must leave the collection in a final
// state itself.
type Processor interface {
	ProcessCollection(ctx context.Context, collectionID string, lastAttempt bool) error
	// AbandonCollection ends a collection whose job will not run again (a
	// panic, a permanent error) as Failed with message.
	AbandonCollection(ctx context.Context, collectionID, message string) error
	// ReconcileCollections ends as Failed every collection still Queued or
	// Processing whose job no longer exists or has finished; live lists
	// the collections whose job may still run. It returns how many it
	// ended.
	ReconcileCollections(ctx context.Context, live func(context.Context) (map[string]bool, error)) (int, error)
}

// Permanent marks err as a failure that retrying cannot mend: the job is
// cancelled at once instead of retried.
func Permanent(err error) error { return permanentError{err} }

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// ReconcileCollections is the periodic job that repairs collections whose
// processing job is gone (see Processor.ReconcileCollections).
type ReconcileCollections struct{}

// Kind implements river.JobArgs.
func (ReconcileCollections) Kind() string { return "reconcile_collections" }

// DeliverEvent is the job that sends one event to one destination; it is
// retried on its own schedule for more than a day.
type DeliverEvent struct {
	DestinationID string `json:"destination_id"`
	EventID       string `json:"event_id"`
	EventType     string `json:"event_type"`
	CollectionID  string `json:"collection_id"`
}

// Kind implements river.JobArgs.
func (DeliverEvent) Kind() string { return "deliver_event" }

// BuildExport is the job that writes one export file.
type BuildExport struct {
	ExportID string `json:"export_id"`
}

// Kind implements river.JobArgs.
func (BuildExport) Kind() string { return "build_export" }

// Deliverer sends events. Deliver returns an error to be retried after
// NextRetry(attempt); on the last attempt it records the give-up itself.
type Deliverer interface {
	Deliver(ctx context.Context, ev DeliverEvent, attempt int, lastAttempt bool) error
	NextRetry(attempt int) time.Duration
	MaxAttempts() int
}

// Exporter builds exports; on the last attempt it marks the export Failed.
type Exporter interface {
	BuildExport(ctx context.Context, exportID string, lastAttempt bool) error
}

// Config tunes the queue.
type Config struct {
	// Workers is how many jobs run at once in this process; 0 makes an
	// insert-only client (an API node of a scale-out deployment).
	Workers int
	// PollInterval is how often workers look for new jobs (SQLite has no
	// LISTEN/NOTIFY, so this is the idle latency of the queue).
	PollInterval time.Duration
	// JobTimeout bounds one attempt of a job.
	JobTimeout time.Duration
	// MaxAttempts bounds retries of a failing job.
	MaxAttempts int
	// ReconcileEvery is how often one worker process (the leader) looks
	// for collections whose job is gone (default one minute).
	ReconcileEvery time.Duration
	// Deliverer and Exporter do the event and export jobs (nil: none run
	// in this process).
	Deliverer Deliverer
	Exporter  Exporter
}

// Queue is the River client.
type Queue struct {
	client    *river.Client[*sql.Tx]
	workers   int
	deliverer Deliverer
}

// The queues: collections, events and exports do not wait for each other.
const (
	queueEvents      = "events"
	queueExports     = "exports"
	queueMaintenance = "maintenance"
)

func driver(db *sql.DB, postgres bool) riverdriver.Driver[*sql.Tx] {
	if postgres {
		return riverdatabasesql.New(db)
	}
	return riversqlite.New(db)
}

// Migrate creates or upgrades River's own tables.
func Migrate(ctx context.Context, db *sql.DB, postgres bool) error {
	m, err := rivermigrate.New(driver(db, postgres), nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job queue migrate: %w", err)
	}
	return nil
}

// New builds the queue over db. With cfg.Workers > 0, p does the work.
func New(db *sql.DB, postgres bool, p Processor, cfg Config, log *slog.Logger) (*Queue, error) {
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 10 * time.Minute
	}
	rc := &river.Config{
		Logger:            log.With("component", "jobs"),
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     cfg.PollInterval / 4,
		JobTimeout:        cfg.JobTimeout,
		// A job still "running" this long after it started belonged to a
		// process that died: run it again. Finishing is idempotent.
		RescueStuckJobsAfter: cfg.JobTimeout + 10*time.Second,
		MaxAttempts:          cfg.MaxAttempts,
	}
	if rc.FetchPollInterval <= 0 {
		rc.FetchPollInterval = 100 * time.Millisecond
		rc.FetchCooldown = 25 * time.Millisecond
	}
	var rw *reconcileWorker
	if cfg.Workers > 0 {
		if p == nil {
			return nil, errors.New("jobs: workers need a processor")
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, &collectionWorker{p: p, log: log})
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}, queueMaintenance: {MaxWorkers: 1}}
		every := cfg.ReconcileEvery
		if every <= 0 {
			every = time.Minute
		}
		rw = &reconcileWorker{p: p}
		river.AddWorker(workers, rw)
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return ReconcileCollections{}, &river.InsertOpts{Queue: queueMaintenance, MaxAttempts: 1}
			}, &river.PeriodicJobOpts{RunOnStart: true})}
		if cfg.Deliverer != nil {
			river.AddWorker(workers, &eventWorker{d: cfg.Deliverer})
			rc.Queues[queueEvents] = river.QueueConfig{MaxWorkers: 4}
		}
		if cfg.Exporter != nil {
			river.AddWorker(workers, &exportWorker{e: cfg.Exporter})
			rc.Queues[queueExports] = river.QueueConfig{MaxWorkers: 1}
		}
		rc.Workers = workers
	}
	c, err := river.NewClient(driver(db, postgres), rc)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q := &Queue{client: c, workers: cfg.Workers, deliverer: cfg.Deliverer}
	if rw != nil {
		rw.live = q.LiveCollections
	}
	return q, nil
}

// Enqueue inserts the processing job of a collection inside tx. Priority
// collections jump the queue.
func (q *Queue) Enqueue(ctx context.Context, tx *sql.Tx, collectionID string, priority bool) error {
	opts := &river.InsertOpts{Priority: 2}
	if priority {
		opts.Priority = 1
	}
	_, err := q.client.InsertTx(ctx, tx, ProcessCollection{CollectionID: collectionID}, opts)
	return err
}

// EnqueueEvent inserts the delivery of one event inside tx.
func (q *Queue) EnqueueEvent(ctx context.Context, tx *sql.Tx, destinationID, eventID, eventType, collectionID string) error {
	maxAttempts := 20
	if q.deliverer != nil {
		maxAttempts = q.deliverer.MaxAttempts()
	}
	_, err := q.client.InsertTx(ctx, tx, DeliverEvent{DestinationID: destinationID, EventID: eventID, EventType: eventType, CollectionID: collectionID},
		&river.InsertOpts{Queue: queueEvents, MaxAttempts: maxAttempts})
	return err
}

// EnqueueExport inserts the build of an export inside tx.
func (q *Queue) EnqueueExport(ctx context.Context, tx *sql.Tx, exportID string) error {
	_, err := q.client.InsertTx(ctx, tx, BuildExport{ExportID: exportID}, &river.InsertOpts{Queue: queueExports, MaxAttempts: 3})
	return err
}

// Start starts the workers, if any. Jobs left running by a process that
// died are rescued by River and run again.
func (q *Queue) Start(ctx context.Context) error {
	if q.workers == 0 {
		return nil
	}
	return q.client.Start(ctx)
}

// Stop lets running jobs finish until ctx ends, then cancels them. It is
// safe to call more than once and on a queue never started.
func (q *Queue) Stop(ctx context.Context) error {
	if q.workers == 0 {
		return nil
	}
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return q.client.StopAndCancel(context.Background())
	}
	return err
}

type collectionWorker struct {
	river.WorkerDefaults[ProcessCollection]
	p   Processor
	log *slog.Logger
}

// Work runs the processor. A panic that escapes it, or a Permanent error,
// ends the collection as Failed at once and cancels the job: a
// deterministic failure is not retried.
func (w *collectionWorker) Work(ctx context.Context, job *river.Job[ProcessCollection]) (err error) {
	id := job.Args.CollectionID
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		w.log.ErrorContext(ctx, "collection job panicked", "collection_id", id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		err = w.abandon(ctx, id, fmt.Errorf("panic: %v", r))
	}()
	err = w.p.ProcessCollection(ctx, id, job.Attempt >= job.MaxAttempts)
	var perm permanentError
	if errors.As(err, &perm) {
		return w.abandon(ctx, id, err)
	}
	return err
}

// abandon ends the collection as Failed and cancels the job; if the
// collection cannot be written, the job is retried instead.
func (w *collectionWorker) abandon(ctx context.Context, id string, cause error) error {
	msg := "Crescent could not process this collection because of an internal error (" + cause.Error() +
		"); it has been logged with collection id " + id + ". Upload the files again, or report this id to your administrator."
	if err := w.p.AbandonCollection(context.WithoutCancel(ctx), id, msg); err != nil {
		return fmt.Errorf("%w; and ending the collection failed: %w", cause, err)
	}
	return river.JobCancel(cause)
}

type reconcileWorker struct {
	river.WorkerDefaults[ReconcileCollections]
	p    Processor
	live func(context.Context) (map[string]bool, error)
}

func (w *reconcileWorker) Work(ctx context.Context, _ *river.Job[ReconcileCollections]) error {
	if w.live == nil {
		return errors.New("reconciler: no job list")
	}
	_, err := w.p.ReconcileCollections(ctx, w.live)
	return err
}

// liveStates are the states of a job that may still run.
var liveStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled}

// LiveCollections returns the ids of the collections that have a
// processing job which may still run. It fails when River's job table
// cannot be read.
func (q *Queue) LiveCollections(ctx context.Context) (map[string]bool, error) {
	live := map[string]bool{}
	params := river.NewJobListParams().Kinds(ProcessCollection{}.Kind()).States(liveStates...).First(1000)
	for {
		res, err := q.client.JobList(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("list processing jobs: %w", err)
		}
		for _, j := range res.Jobs {
			var a ProcessCollection
			if err := json.Unmarshal(j.EncodedArgs, &a); err == nil {
				live[a.CollectionID] = true
			}
		}
		if len(res.Jobs) < 1000 || res.LastCursor == nil {
			return live, nil
		}
		params = params.After(res.LastCursor)
	}
}

type eventWorker struct {
	river.WorkerDefaults[DeliverEvent]
	d Deliverer
}

func (w *eventWorker) Work(ctx context.Context, job *river.Job[DeliverEvent]) error {
	return w.d.Deliver(ctx, job.Args, job.Attempt, job.Attempt >= job.MaxAttempts)
}

// NextRetry spaces delivery attempts by the deliverer's schedule.
func (w *eventWorker) NextRetry(job *river.Job[DeliverEvent]) time.Time {
	return time.Now().Add(w.d.NextRetry(job.Attempt))
}

// Timeout bounds one delivery attempt.
func (w *eventWorker) Timeout(*river.Job[DeliverEvent]) time.Duration { return time.Minute }

type exportWorker struct {
	river.WorkerDefaults[BuildExport]
	e Exporter
}

func (w *exportWorker) Work(ctx context.Context, job *river.Job[BuildExport]) error {
	return w.e.BuildExport(ctx, job.Args.ExportID, job.Attempt >= job.MaxAttempts)
}
