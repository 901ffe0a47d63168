package workspace

import (
	"context"
	"time"
)

// Event types sent to destinations.
const (
	EventProcessed = "collection.processed"
	EventAccepted  = "collection.accepted"
	EventFailed    = "collection.failed"
	EventTest      = "destination.test"
)

// EventTypes lists the events a destination may subscribe to.
var EventTypes = []string{EventProcessed, EventAccepted, EventFailed}

// Destination types.
const (
	DestinationWebhook   = "webhook"
	DestinationS3        = "s3"
	DestinationDirectory = "directory"
)

// Destination is where results are sent when events happen.
type Destination struct {
	ID         string
	OrgID      string
	Name       string
	Type       string
	Config     map[string]any // webhook {url}; s3 {bucketUrl, prefix, includeOriginal, accessKeyId, secretAccessKey}; directory {path}
	Secret     string         // webhook signing secret, whsec_…
	Events     []string
	ProcessIDs []string // empty: every process
	Format     string
	CreatedBy  string
	CreatedAt  time.Time
}

// Delivery is one attempt to send one event to one destination.
type Delivery struct {
	ID            string
	DestinationID string
	EventID       string
	EventType     string
	CollectionID  string
	Attempt       int
	Status        string // Succeeded, Failed (will retry), Abandoned (no retry left)
	StatusCode    int
	LatencyMS     int64
	Error         string
	CreatedAt     time.Time
}

// DestinationStore persists destinations and their delivery log, bounded
// to an organization.
type DestinationStore interface {
	CreateDestination(ctx context.Context, d Destination) error
	GetDestination(ctx context.Context, orgID, id string) (Destination, error)
	ListDestinations(ctx context.Context, orgID string, p Page) ([]Destination, int, error)
	DeleteDestination(ctx context.Context, orgID, id string) error
	AddDelivery(ctx context.Context, d Delivery) error
	ListDeliveries(ctx context.Context, destinationID string, p Page) ([]Delivery, int, error)
}

// Export is an export of a process's results to a file.
type Export struct {
	ID            string
	OrgID         string
	ProcessID     string
	Format        string // csv, json, xlsx
	Status        string // Pending, Running, Completed, Failed
	RowCount      int
	CollectionIDs []string
	Statuses      []string
	From, To      time.Time
	BlobKey       string
	Error         string
	CreatedAt     time.Time
	CompletedAt   time.Time
}

// ExportStore persists exports.
type ExportStore interface {
	CreateExport(ctx context.Context, e Export) error // enqueues its build job in the same transaction
	GetExport(ctx context.Context, orgID, id string) (Export, error)
	UpdateExport(ctx context.Context, e Export) error
	DeleteExport(ctx context.Context, orgID, id string) error
}
