package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/crescent-idp/crescent/internal/auth"
	"github.com/crescent-idp/crescent/internal/blob"
	"github.com/crescent-idp/crescent/internal/config"
	"github.com/crescent-idp/crescent/internal/deliver"
	"github.com/crescent-idp/crescent/internal/httpapi"
	"github.com/crescent-idp/crescent/internal/jobs"
	"github.com/crescent-idp/crescent/internal/ocr"
	"github.com/crescent-idp/crescent/internal/outbound"
	"github.com/crescent-idp/crescent/internal/pdf"
	"github.com/crescent-idp/crescent/internal/pipeline"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/store"
)

func serveCmd(cfg *config.Config, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use: "serve", Short: "Run the API server and its workers until SIGTERM", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return serve(cmd.Context(), cfg, stdout, stderr) },
	}
}

// app is everything a running server holds.
type app struct {
	store    *store.Store
	blobs    *blob.Store
	queue    *jobs.Queue
	pipeline *pipeline.Pipeline
	handler  *httpapi.Server
	registry *prometheus.Registry
}

// newApp opens the database, blob store and queue and builds the handler.
func newApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	st, org, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	bl, err := blob.Open(ctx, cfg.BlobURL)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("blob store: %w", err)
	}
	tmp := filepath.Join(cfg.DataDir, "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		st.Close()
		return nil, err
	}
	limits := service.DefaultUploadLimits
	limits.MaxFileBytes, limits.MaxFiles, limits.File.MaxPages = cfg.MaxFileBytes, cfg.MaxFiles, cfg.MaxPages
	collections := &service.Collections{Store: st, Processes: st, Blobs: bl, Limits: limits, TempDir: tmp, Log: log, Now: time.Now}
	ocrEngine := ocr.New(ocr.Config{PageTimeout: 2 * time.Minute})
	openPDF := func(ctx context.Context) (*pdf.Reader, error) {
		return pdf.Open(ctx, pdf.Config{Workers: max(1, cfg.Workers), CacheDir: filepath.Join(cfg.DataDir, "cache", "pdfium"), PageTimeout: time.Minute})
	}
	proc := pipeline.New(pipeline.Config{TempDir: tmp, ReconcileGrace: cfg.ReconcileInterval}, st, bl, openPDF, ocrEngine, log)
	learning := &service.Learning{Store: st, Results: st, Processes: st, Now: time.Now}
	proc.SetLearner(learning)
	results := &service.Results{Store: st, Collections: collections, Learning: learning, Log: log, Now: time.Now}
	guard := deliver.Guard{AllowPrivate: cfg.AllowPrivateDestinations}
	sender := &outbound.Sender{Store: st, Results: results, Originals: bl, Webhook: deliver.Webhook{Guard: guard},
		DirectoryRoots: cfg.DirectoryRoots, AllowAmbientS3Credentials: cfg.AllowAmbientS3Credentials, Log: log, Now: time.Now}
	builder := &outbound.Builder{Source: st, Blobs: bl, TempDir: tmp, Log: log, Now: time.Now}
	q, err := jobs.New(st.DB(), st.Dialect() == store.Postgres, proc, jobs.Config{
		Workers: cfg.Workers, JobTimeout: cfg.JobTimeout, MaxAttempts: 5, ReconcileEvery: cfg.ReconcileInterval,
		Deliverer: eventJobs{sender}, Exporter: builder,
	}, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	st.SetEnqueuer(q.Enqueue)
	st.SetEventEnqueuer(q.EnqueueEvent)
	st.SetExportEnqueuer(q.EnqueueExport)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := httpapi.New(httpapi.Config{
		Version: version,
		KeyRate: cfg.KeyRate, KeyBurst: cfg.KeyBurst,
		AuthFailRate: cfg.AuthFailRate, AuthFailBurst: cfg.AuthFailBurst,
		MaxBodyBytes:    cfg.MaxBodyBytes,
		BodyIdleTimeout: cfg.BodyIdleTimeout,
		TrustedProxies:  cfg.TrustedProxyPrefixes,
	}, httpapi.Deps{
		Auth:        auth.NewAuthenticator(st),
		Keys:        service.NewKeys(st, st),
		Processes:   &service.Processes{Store: st, Blobs: bl, Log: log, Now: time.Now},
		Collections: collections,
		Results:     results,
		Learning:    learning,
		Exports:     &service.Exports{Store: st, Collections: collections, Blobs: bl, Log: log, Now: time.Now},
		Destinations: &service.Destinations{Store: st, Processes: st, Guard: guard, DirectoryRoots: cfg.DirectoryRoots,
			AllowAmbientS3Credentials: cfg.AllowAmbientS3Credentials, Now: time.Now},
		Sender: sender,
		Checks: []httpapi.Check{
			{Name: "database", Probe: st.Ping},
			{Name: "blobStore", Probe: bl.Ping},
			{Name: "ocr", Optional: true, Probe: ocrEngine.Check},
		},
		Log:      log,
		Registry: reg,
	})
	log.Info("crescent ready", "database", string(st.Dialect()), "data_dir", cfg.DataDir, "default_org", org.ID,
		"workers", cfg.Workers, "version", version)
	return &app{store: st, blobs: bl, queue: q, pipeline: proc, handler: h, registry: reg}, nil
}

// serve runs the server until ctx ends, then shuts down in order: stop
// accepting and let in-flight requests finish, stop the workers (running
// jobs finish or are rescued on the next start), close the stores.
func serve(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) error {
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.store.Close()
	defer a.blobs.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	servers := []*http.Server{{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}}
	listeners := []net.Listener{ln}
	if cfg.MetricsAddr != "" {
		// Metrics are for operators: a second server on one host (an API
		// node beside a worker) still serves documents without them.
		if mln, err := net.Listen("tcp", cfg.MetricsAddr); err != nil {
			log.Error("metrics are not served: their address cannot be used", "metrics_addr", cfg.MetricsAddr, "err", err.Error())
		} else {
			servers = append(servers, &http.Server{
				Handler:           httpapi.MetricsHandler(a.registry),
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       10 * time.Second,
				IdleTimeout:       120 * time.Second,
				MaxHeaderBytes:    16 << 10,
			})
			listeners = append(listeners, mln)
			log.Info("metrics listening", "url", "http://"+mln.Addr().String()+"/metrics")
		}
	}
	if err := a.queue.Start(context.WithoutCancel(ctx)); err != nil {
		for _, l := range listeners {
			l.Close()
		}
		return fmt.Errorf("start workers: %w", err)
	}
	url := "http://" + ln.Addr().String()
	log.Info("crescent listening", "url", url)
	fmt.Fprintf(stdout, "Crescent %s is listening on %s\n", version, url)

	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var herr error
	for _, srv := range servers {
		herr = errors.Join(herr, srv.Shutdown(sctx))
	}
	pending := len(servers)
	if serveErr != nil {
		herr, pending = errors.Join(herr, serveErr), pending-1
	}
	for range pending {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			herr = errors.Join(herr, err)
		}
	}
	qerr := a.queue.Stop(sctx)
	_ = a.pipeline.Close()
	log.Info("stopped")
	return errors.Join(herr, qerr)
}

// eventJobs adapts the sender to the job queue's event jobs.
type eventJobs struct{ s *outbound.Sender }

func (e eventJobs) Deliver(ctx context.Context, ev jobs.DeliverEvent, attempt int, last bool) error {
	return e.s.Deliver(ctx, ev.DestinationID, ev.EventID, ev.EventType, ev.CollectionID, attempt, last)
}

func (e eventJobs) NextRetry(attempt int) time.Duration { return e.s.NextRetry(attempt) }

func (e eventJobs) MaxAttempts() int { return e.s.MaxAttempts() }
