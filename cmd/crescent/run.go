package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/crescent-idp/crescent/internal/config"
	"github.com/crescent-idp/crescent/internal/jobs"
	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// defaultOrgName names the organization created on first start.
const defaultOrgName = "Default"

// run is the whole program: it parses args, and runs one subcommand until
// it returns or ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config.Config
	root := &cobra.Command{
		Use:           "crescent",
		Short:         "Crescent: a self-hosted document processing workspace",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cfg.Bind(root.PersistentFlags(), getenv)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		serveCmd(&cfg, stdout, stderr),
		migrateCmd(&cfg, stdout),
		keysCmd(&cfg, stdout),
		orgsCmd(&cfg, stdout),
		&cobra.Command{
			Use: "version", Short: "Print the version", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { _, err := fmt.Fprintln(stdout, "crescent", version); return err },
		},
	)
	return root.ExecuteContext(ctx)
}

// openStore resolves cfg, opens and migrates the database and makes sure
// the default organization exists.
func openStore(ctx context.Context, cfg *config.Config) (*store.Store, workspace.Org, error) {
	if err := cfg.Resolve(); err != nil {
		return nil, workspace.Org{}, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, workspace.Org{}, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, workspace.Org{}, err
	}
	if err := jobs.Migrate(ctx, st.DB(), st.Dialect() == store.Postgres); err != nil {
		st.Close()
		return nil, workspace.Org{}, err
	}
	org, err := st.DefaultOrg(ctx, defaultOrgName)
	if err != nil {
		st.Close()
		return nil, workspace.Org{}, fmt.Errorf("default organization: %w", err)
	}
	return st, org, nil
}

// newLogger returns the JSON logger at the configured level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}
