package workspace

import (
	"context"
	"time"
)

// Collection statuses.
const (
	StatusQueued      = "Queued"
	StatusProcessing  = "Processing"
	StatusNeedsReview = "Needs Review"
	StatusAccepted    = "Accepted"
	StatusFailed      = "Failed"
	StatusStopped     = "Stopped"
)

// CollectionStatuses lists every status, for validating filters.
var CollectionStatuses = []string{StatusQueued, StatusProcessing, StatusNeedsReview, StatusAccepted, StatusFailed, StatusStopped}

// Collection is one upload: one or more files processed together.
type Collection struct {
	ID            string
	OrgID         string
	ProcessID     string
	Name          string
	Priority      bool
	Split         bool
	Status        string
	StatusMessage string
	Progress      int
	NumberOfPages int
	Metadata      map[string]any
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Files         []File
	Duplicates    []string // earlier collections of the org holding a file with the same SHA-256
}

// File is one uploaded original.
type File struct {
	ID            string
	CollectionID  string
	Name          string
	Status        string
	Progress      int
	NumberOfPages int
	ContentType   string
	Kind          string // detected format: pdf, png, …, xml-cii, xml-ubl
	Size          int64
	SHA256        string
	BlobKey       string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CollectionOrder is a sort order of the queue.
type CollectionOrder string

// The orders of the queue listing.
const (
	OrderCreatedDesc CollectionOrder = "created_date:desc"
	OrderCreatedAsc  CollectionOrder = "created_date:asc"
	OrderNameAsc     CollectionOrder = "name:asc"
	OrderNameDesc    CollectionOrder = "name:desc"
)

// CollectionFilter narrows the queue of one process.
type CollectionFilter struct {
	OrgID     string
	ProcessID string
	Order     CollectionOrder
	Query     string // substring of the name, case-insensitive
	From, To  time.Time
	Priority  *bool
	Statuses  []string
	Metadata  map[string]any // every pair must match
}

// IdempotencyKey names a remembered request: the Idempotency-Key header
// one API key sent to one route. The same header value sent by another key
// or to another route (another process) is another request.
type IdempotencyKey struct {
	OrgID    string
	APIKeyID string
	Route    string // method and path with its parameters: "POST /processes/<pid>/collections"
	Key      string // the header value
}

// Idempotency is the remembered outcome of a request sent with an
// Idempotency-Key: the collection it created.
type Idempotency struct {
	IdempotencyKey
	RequestHash  string
	Status       int
	CollectionID string
	CreatedAt    time.Time
}

// NewCollection is what an upload commits in one transaction: the
// collection with its files, the job that will process it and, when the
// request carried an Idempotency-Key, the remembered response.
type NewCollection struct {
	Collection  Collection
	Idempotency *Idempotency
}

// CollectionStore persists the queue. Every method is bounded to an
// organization; what belongs to another is CodeNotFound.
type CollectionStore interface {
	// CreateCollection commits the collection, its files, its processing
	// job and the idempotency record together. A concurrent request with
	// the same idempotency key makes it fail with CodeConflict.
	CreateCollection(ctx context.Context, n NewCollection) error
	// GetCollection returns the collection with files and duplicates.
	GetCollection(ctx context.Context, orgID, id string) (Collection, error)
	// CollectionProcess returns the process of the organization's
	// collection, or CodeNotFound, without loading the collection.
	CollectionProcess(ctx context.Context, orgID, id string) (string, error)
	// ListCollections returns a page of f's collections and their total.
	ListCollections(ctx context.Context, f CollectionFilter, p Page) ([]Collection, int, error)
	// SetMetadata replaces the metadata of a collection.
	SetMetadata(ctx context.Context, orgID, id string, md map[string]any, at time.Time) error
	// DeleteCollection removes a collection and its files, returning the
	// blob keys of the files.
	DeleteCollection(ctx context.Context, orgID, id string) ([]string, error)
	// TransitionCollection moves a collection from one of the statuses in
	// from to status to (with message), and enqueues a processing job in
	// the same transaction when enqueue is set. It fails with CodeConflict
	// when the collection is in none of from.
	TransitionCollection(ctx context.Context, orgID, id string, from []string, to, message string, enqueue bool, at time.Time) error
	// GetIdempotency returns the response remembered under k, or
	// CodeNotFound.
	GetIdempotency(ctx context.Context, k IdempotencyKey) (Idempotency, error)
}
