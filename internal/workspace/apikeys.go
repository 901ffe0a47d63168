package workspace

import (
	"context"
	"time"
)

// APIKey is a stored API key. The secret itself is never stored: only
// SecretHash, the hex SHA-256 of it.
type APIKey struct {
	ID         string
	Name       string
	OrgID      string
	ProcessID  string // empty for organization keys
	Scopes     []Scope
	SecretHash string
	CreatedBy  string // the key that created this one, empty when made offline
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time // zero until first use
}

// Status is "Active" before ExpiresAt and "Expired" from then on.
func (k APIKey) Status(now time.Time) string {
	if !now.Before(k.ExpiresAt) {
		return "Expired"
	}
	return "Active"
}

// Page selects a window of a list.
type Page struct {
	Offset int
	Limit  int
}

// KeyFilter narrows a key listing: keys of one organization, and either
// organization keys only (ProcessID empty) or the keys of one process.
type KeyFilter struct {
	OrgID     string
	ProcessID string
}

// APIKeyStore persists API keys.
type APIKeyStore interface {
	// CreateKey inserts k.
	CreateKey(ctx context.Context, k APIKey) error
	// KeyByID returns the key with that id in any organization, for
	// authentication; CodeNotFound if there is none.
	KeyByID(ctx context.Context, id string) (APIKey, error)
	// ListKeys returns a page of keys matching f, newest first, and the
	// total number that match.
	ListKeys(ctx context.Context, f KeyFilter, p Page) ([]APIKey, int, error)
	// DeleteKey removes the key if it matches f; CodeNotFound otherwise.
	DeleteKey(ctx context.Context, f KeyFilter, id string) error
	// TouchKey sets LastUsedAt to at unless it is already later than
	// at minus interval; it reports whether it wrote.
	TouchKey(ctx context.Context, id string, at time.Time, interval time.Duration) (bool, error)
}

// Principal is who is calling: the API key behind a request.
type Principal struct {
	KeyID     string
	Name      string
	OrgID     string
	ProcessID string // set for process keys: everything outside is 404
	Scopes    []Scope
	ExpiresAt time.Time
}

// CanSeeProcess reports whether the principal may see anything of process
// pid at all (organization checks are the store's filter).
func (p Principal) CanSeeProcess(pid string) bool {
	return p.ProcessID == "" || p.ProcessID == pid
}
