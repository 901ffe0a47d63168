package workspace

import (
	"context"
	"time"
)

// Org is an organization: the tenant that owns processes, keys and data.
type Org struct {
	ID        string
	Name      string
	Default   bool
	CreatedAt time.Time
}

// OrgStore persists organizations.
type OrgStore interface {
	// CreateOrg inserts o.
	CreateOrg(ctx context.Context, o Org) error
	// GetOrg returns the organization, or a CodeNotFound error.
	GetOrg(ctx context.Context, id string) (Org, error)
	// DefaultOrg returns the default organization, creating it with the given
	// name if the database has none yet.
	DefaultOrg(ctx context.Context, name string) (Org, error)
}
