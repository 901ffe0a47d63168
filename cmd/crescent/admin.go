package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crescent-idp/crescent/internal/config"
	"github.com/crescent-idp/crescent/internal/httpapi"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func migrateCmd(cfg *config.Config, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use: "migrate", Short: "Apply database migrations and exit", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			v, err := st.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "database at schema version %d\n", v)
			return err
		},
	}
}

func keysCmd(cfg *config.Config, stdout io.Writer) *cobra.Command {
	keys := &cobra.Command{Use: "keys", Short: "Manage API keys offline"}
	var (
		name, org, process string
		scopes             []string
		all                bool
		expires            time.Duration
	)
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API key and print it (the only time the full key is shown)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all == (len(scopes) > 0) {
				return fmt.Errorf("give either --all-scopes or one or more --scope")
			}
			if all {
				scopes = nil
				for _, s := range workspace.AllScopes {
					scopes = append(scopes, string(s))
				}
			}
			ctx := cmd.Context()
			st, def, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			orgID := def.ID
			if org != "" {
				o, err := st.GetOrg(ctx, org)
				if err != nil {
					return fmt.Errorf("--org %s: %s", org, workspace.ErrorMessage(err))
				}
				orgID = o.ID
			}
			in := service.CreateKeyInput{Name: name, Scopes: scopes, ProcessID: process}
			if expires != 0 {
				exp := time.Now().Add(expires)
				in.ExpiresAt = &exp
			}
			k, err := service.NewKeys(st, st).Create(ctx, service.Operator(orgID), in)
			if err != nil {
				return fmt.Errorf("%s", workspace.ErrorMessage(err))
			}
			return printJSON(stdout, httpapi.CreatedKeyBody(k))
		},
	}
	create.Flags().StringVar(&name, "name", "", "name of the key (required)")
	create.Flags().StringVar(&org, "org", "", "organization id (default: the default organization)")
	create.Flags().StringVar(&process, "process", "", "make a process key bound to this process id")
	create.Flags().StringArrayVar(&scopes, "scope", nil, "scope to grant (repeatable): "+strings.Join(scopeNames(), ", "))
	create.Flags().BoolVar(&all, "all-scopes", false, "grant every scope")
	create.Flags().DurationVar(&expires, "expires", 0, "lifetime, e.g. 720h (default 90 days, at most 366 days)")
	_ = create.MarkFlagRequired("name")
	keys.AddCommand(create)
	return keys
}

func scopeNames() []string {
	out := make([]string, len(workspace.AllScopes))
	for i, s := range workspace.AllScopes {
		out[i] = string(s)
	}
	return out
}

func orgsCmd(cfg *config.Config, stdout io.Writer) *cobra.Command {
	orgs := &cobra.Command{Use: "orgs", Short: "Manage organizations offline"}
	var name string
	create := &cobra.Command{
		Use: "create", Short: "Create an organization and print it as JSON", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name = strings.TrimSpace(name)
			if name == "" || len(name) > 200 {
				return fmt.Errorf("--name must be 1 to 200 characters")
			}
			st, _, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			o := workspace.Org{ID: workspace.NewID(), Name: name, CreatedAt: time.Now().UTC().Truncate(time.Second)}
			if err := st.CreateOrg(cmd.Context(), o); err != nil {
				return err
			}
			return printJSON(stdout, map[string]any{"id": o.ID, "name": o.Name, "createdAt": o.CreatedAt.Format(time.RFC3339)})
		},
	}
	create.Flags().StringVar(&name, "name", "", "name of the organization (required)")
	_ = create.MarkFlagRequired("name")
	orgs.AddCommand(create)
	return orgs
}
