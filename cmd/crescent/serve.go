package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/crescent-idp/crescent/internal/auth"
	"github.com/crescent-idp/crescent/internal/config"
	"github.com/crescent-idp/crescent/internal/httpapi"
	"github.com/crescent-idp/crescent/internal/service"
)

func serveCmd(cfg *config.Config, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use: "serve", Short: "Run the API server (and its workers) until SIGTERM", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return serve(cmd.Context(), cfg, stdout, stderr) },
	}
}

// serve runs the server until ctx ends, then shuts down in order: stop
// accepting and let in-flight requests finish, then close the database.
func serve(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) error {
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	st, org, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := httpapi.New(httpapi.Config{
		Version: version,
		KeyRate: cfg.KeyRate, KeyBurst: cfg.KeyBurst,
		AuthFailRate: cfg.AuthFailRate, AuthFailBurst: cfg.AuthFailBurst,
		MaxBodyBytes: cfg.MaxBodyBytes,
	}, httpapi.Deps{
		Auth:     auth.NewAuthenticator(st),
		Keys:     service.NewKeys(st, nil),
		Checks:   []httpapi.Check{{Name: "database", Probe: st.Ping}},
		Log:      log,
		Registry: reg,
	})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
	url := "http://" + ln.Addr().String()
	log.Info("crescent listening", "url", url, "database", string(st.Dialect()), "data_dir", cfg.DataDir,
		"default_org", org.ID, "version", version)
	fmt.Fprintf(stdout, "Crescent %s is listening on %s\n", version, url)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
