// Package service holds Crescent's use cases: who may do what, and what a
// change of state means. It sits above the store and below the HTTP and
// CLI adapters, so that the rules are written once for both databases and
// for every entry point.
package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/auth"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// KeyPolicy bounds key lifetimes.
type KeyPolicy struct {
	DefaultTTL time.Duration // when the request names no exp (90 days)
	MaxTTL     time.Duration // the furthest exp may lie ahead (366 days)
}

// DefaultKeyPolicy is the policy of API.md: 90 days by default, 366 at most.
var DefaultKeyPolicy = KeyPolicy{DefaultTTL: 90 * 24 * time.Hour, MaxTTL: 366 * 24 * time.Hour}

// ProcessLookup tells whether a process exists in an organization; it
// returns CodeNotFound when it does not.
type ProcessLookup interface {
	ProcessExists(ctx context.Context, orgID, processID string) error
}

// Keys manages API keys.
type Keys struct {
	Store     workspace.APIKeyStore
	Processes ProcessLookup // nil: process keys cannot be made
	Policy    KeyPolicy
	Now       func() time.Time
}

// NewKeys returns the key use cases over store with the default policy.
func NewKeys(store workspace.APIKeyStore, processes ProcessLookup) *Keys {
	return &Keys{Store: store, Processes: processes, Policy: DefaultKeyPolicy, Now: time.Now}
}

// CreateKeyInput is what a caller asks for. ProcessID set makes a process key.
type CreateKeyInput struct {
	Name      string
	ExpiresAt *time.Time
	Scopes    []string
	ProcessID string
}

// CreatedKey is a new key and its full text, to be shown once.
type CreatedKey struct {
	workspace.APIKey
	Full string
}

// maxKeyName bounds key names.
const maxKeyName = 200

// Create mints a key for by's organization. A key never outlives the key
// that makes it: without exp, the default is cut to by's own expiry. It
// fails with CodeInvalid for an empty name, an unknown or repeated scope,
// an admin scope on a process key or an exp outside (now, now+MaxTTL] or
// later than by's own expiry; with CodeForbidden when by lacks a requested
// scope (no escalation); with CodeNotFound when the process is not visible
// to by.
func (k *Keys) Create(ctx context.Context, by workspace.Principal, in CreateKeyInput) (CreatedKey, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return CreatedKey{}, workspace.Invalid("body: name", "name must not be empty")
	}
	if len(name) > maxKeyName {
		return CreatedKey{}, workspace.Invalid("body: name", fmt.Sprintf("name must be at most %d characters", maxKeyName))
	}
	scopes, err := parseScopes(in.Scopes, in.ProcessID != "")
	if err != nil {
		return CreatedKey{}, err
	}
	if missing, ok := workspace.PermitsAll(by.Scopes, scopes); !ok {
		return CreatedKey{}, &workspace.Error{Code: workspace.CodeForbidden,
			Message: fmt.Sprintf("a key cannot grant the scope %s, which it does not hold itself", missing)}
	}
	if in.ProcessID != "" {
		if !by.CanSeeProcess(in.ProcessID) || !workspace.ValidID(in.ProcessID) || k.Processes == nil {
			return CreatedKey{}, workspace.NotFound("process")
		}
		if err := k.Processes.ProcessExists(ctx, by.OrgID, in.ProcessID); err != nil {
			return CreatedKey{}, err
		}
	}
	now := k.Now().UTC().Truncate(time.Second)
	exp := now.Add(k.Policy.DefaultTTL)
	if in.ExpiresAt != nil {
		exp = in.ExpiresAt.UTC().Truncate(time.Second)
		if !exp.After(now) {
			return CreatedKey{}, workspace.Invalid("body: exp", "exp must be in the future")
		}
		if exp.After(now.Add(k.Policy.MaxTTL)) {
			return CreatedKey{}, workspace.Invalid("body: exp",
				fmt.Sprintf("exp must be at most %d days ahead", int(k.Policy.MaxTTL.Hours()/24)))
		}
		if !by.ExpiresAt.IsZero() && exp.After(by.ExpiresAt) {
			return CreatedKey{}, workspace.Invalid("body: exp", fmt.Sprintf(
				"exp must not be later than %s, when the key making this one expires: a key cannot outlive its own",
				by.ExpiresAt.UTC().Format(time.RFC3339)))
		}
	} else if !by.ExpiresAt.IsZero() && exp.After(by.ExpiresAt) {
		exp = by.ExpiresAt.UTC().Truncate(time.Second)
	}
	g := auth.Generate()
	key := workspace.APIKey{
		ID: g.ID, Name: name, OrgID: by.OrgID, ProcessID: in.ProcessID, Scopes: scopes,
		SecretHash: g.Hash, CreatedBy: by.KeyID, CreatedAt: now, ExpiresAt: exp,
	}
	if err := k.Store.CreateKey(ctx, key); err != nil {
		return CreatedKey{}, err
	}
	return CreatedKey{APIKey: key, Full: g.Full}, nil
}

// parseScopes checks requested scopes against the catalogue.
func parseScopes(raw []string, processKey bool) ([]workspace.Scope, error) {
	if len(raw) == 0 {
		return nil, workspace.Invalid("body: scopes", "at least one scope is required")
	}
	seen := map[workspace.Scope]bool{}
	out := make([]workspace.Scope, 0, len(raw))
	for i, r := range raw {
		s := workspace.Scope(r)
		loc := fmt.Sprintf("body: scopes[%d]", i)
		switch {
		case !s.Known():
			return nil, workspace.Invalid(loc, fmt.Sprintf("unknown scope %q", r))
		case seen[s]:
			return nil, workspace.Invalid(loc, fmt.Sprintf("scope %q is listed twice", r))
		case processKey && s.Admin():
			return nil, workspace.Invalid(loc, fmt.Sprintf("a process key cannot hold the admin scope %q", r))
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

// scopeFilter is the set of keys by may manage: its organization's keys,
// either organization-wide (processID "") or of one process.
func scopeFilter(by workspace.Principal, processID string) (workspace.KeyFilter, error) {
	if !by.CanSeeProcess(processID) && processID != "" {
		return workspace.KeyFilter{}, workspace.NotFound("process")
	}
	if by.ProcessID != "" && processID == "" {
		return workspace.KeyFilter{}, workspace.NotFound("API key")
	}
	return workspace.KeyFilter{OrgID: by.OrgID, ProcessID: processID}, nil
}

// List returns a page of the organization's keys (processID "") or of one
// process's keys, and the total.
func (k *Keys) List(ctx context.Context, by workspace.Principal, processID string, p workspace.Page) ([]workspace.APIKey, int, error) {
	f, err := scopeFilter(by, processID)
	if err != nil {
		return nil, 0, err
	}
	if processID != "" && k.Processes != nil {
		if err := k.Processes.ProcessExists(ctx, by.OrgID, processID); err != nil {
			return nil, 0, err
		}
	}
	return k.Store.ListKeys(ctx, f, p)
}

// Get returns one key; CodeNotFound when it is not in by's organization (or
// of the process asked for).
func (k *Keys) Get(ctx context.Context, by workspace.Principal, processID, id string) (workspace.APIKey, error) {
	f, err := scopeFilter(by, processID)
	if err != nil {
		return workspace.APIKey{}, err
	}
	if !workspace.ValidID(id) {
		return workspace.APIKey{}, workspace.NotFound("API key")
	}
	key, err := k.Store.KeyByID(ctx, id)
	if err != nil {
		return workspace.APIKey{}, err
	}
	if key.OrgID != f.OrgID || key.ProcessID != f.ProcessID {
		return workspace.APIKey{}, workspace.NotFound("API key")
	}
	return key, nil
}

// Delete removes a key; it stops working on the next request. It fails
// with CodeNotFound when the key is not in by's organization (or of the
// process asked for), and with CodeForbidden when the key holds a scope by
// does not: a key cannot remove one that outranks it.
func (k *Keys) Delete(ctx context.Context, by workspace.Principal, processID, id string) error {
	key, err := k.Get(ctx, by, processID, id)
	if err != nil {
		return err
	}
	if missing, ok := workspace.PermitsAll(by.Scopes, key.Scopes); !ok {
		return &workspace.Error{Code: workspace.CodeForbidden,
			Message: fmt.Sprintf("a key cannot delete a key holding the scope %s, which it does not hold itself", missing)}
	}
	return k.Store.DeleteKey(ctx, workspace.KeyFilter{OrgID: key.OrgID, ProcessID: key.ProcessID}, id)
}

// Operator is the principal of the offline CLI: every scope, in org.
func Operator(orgID string) workspace.Principal {
	return workspace.Principal{Name: "operator", OrgID: orgID, Scopes: workspace.AllScopes}
}
