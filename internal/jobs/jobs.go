// Package jobs is Crescent's durable work queue, on River: the same client
// type over SQLite (riversqlite) and PostgreSQL (riverdatabasesql), jobs
// inserted inside the transaction that creates the data they work on.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// ProcessCollection is the job that takes one collection through the
// processing pipeline.
type ProcessCollection struct {
	CollectionID string `json:"collection_id"`
}

// Kind implements river.JobArgs.
func (ProcessCollection) Kind() string { return "process_collection" }

// Processor does the work of a ProcessCollection job. An error makes River
// retry the job with backoff; on the last attempt (lastAttempt true) the
// processor must leave the collection in a final state itself.
type Processor interface {
	ProcessCollection(ctx context.Context, collectionID string, lastAttempt bool) error
}

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
	queueEvents  = "events"
	queueExports = "exports"
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
	if cfg.Workers > 0 {
		if p == nil {
			return nil, errors.New("jobs: workers need a processor")
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, &collectionWorker{p: p})
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
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
	return &Queue{client: c, workers: cfg.Workers, deliverer: cfg.Deliverer}, nil
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
	p Processor
}

func (w *collectionWorker) Work(ctx context.Context, job *river.Job[ProcessCollection]) error {
	return w.p.ProcessCollection(ctx, job.Args.CollectionID, job.Attempt >= job.MaxAttempts)
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
