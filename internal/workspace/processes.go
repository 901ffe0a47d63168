package workspace

import (
	"context"
	"time"
)

// DataPoint is one value a process extracts: a scalar field or a table.
type DataPoint struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"` // string, date, amount, number or table
	Required bool     `json:"required" required:"false"`
	Columns  []string `json:"columns,omitempty"`
	Hints    *Hints   `json:"hints,omitempty"`
}

// Hints tell the extractor of a Custom process where to look: labels that
// precede the value and a regular expression the value matches.
type Hints struct {
	Labels  []string `json:"labels,omitempty"`
	Pattern string   `json:"pattern,omitempty"`
}

// DataPointTypes are the allowed DataPoint.Type values.
var DataPointTypes = map[string]bool{"string": true, "date": true, "amount": true, "number": true, "table": true}

// ProcessType is a kind of process with its default data points.
type ProcessType struct {
	ID          string
	Name        string
	Description string
	DataPoints  []DataPoint
	Custom      bool // data points are the user's to define
}

// ProcessConfig is the per-process configuration.
type ProcessConfig struct {
	ConfigID               string      `json:"configId"`
	DataPoints             []DataPoint `json:"dataPoints"`
	AutoAccept             bool        `json:"autoAccept"`
	OCRLanguages           []string    `json:"ocrLanguages"`
	UseEmbeddedInvoiceData bool        `json:"useEmbeddedInvoiceData"`
	// ContinuousLearning is LearningAuto (also when empty) or LearningOff.
	ContinuousLearning string `json:"continuousLearning" enum:"auto,off"`
}

// Access is one subject's role on a process.
type Access struct {
	SubjectID   string   `json:"subjectId"`
	Role        string   `json:"role"`
	Permissions []string `json:"permissions"`
	GrantedAt   string   `json:"grantedAt"`
	GrantedBy   string   `json:"grantedBy"`
}

// Process is a document pipeline of an organization.
type Process struct {
	ID        string
	OrgID     string
	Name      string
	TypeID    string
	Version   int
	Config    ProcessConfig
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	Usage     *int64 // processed pages, nil before the first
	Accesses  map[string]Access
}

// ProcessStore persists processes. Every method is bounded to orgID; a
// process of another organization is CodeNotFound.
type ProcessStore interface {
	// CreateProcess inserts p.
	CreateProcess(ctx context.Context, p Process) error
	// GetProcess returns the process or CodeNotFound.
	GetProcess(ctx context.Context, orgID, id string) (Process, error)
	// ProcessExists returns nil when the organization has the process and
	// CodeNotFound when not, without loading it.
	ProcessExists(ctx context.Context, orgID, id string) error
	// ListProcesses returns a page of the organization's processes (only
	// onlyID when it is not empty), oldest first, and their total.
	ListProcesses(ctx context.Context, orgID, onlyID string, p Page) ([]Process, int, error)
	// UpdateProcess stores the name, version, config and updatedAt of p.
	UpdateProcess(ctx context.Context, p Process) error
	// DeleteProcess removes the process with its collections, files and
	// keys; it returns the blob keys of the removed files.
	DeleteProcess(ctx context.Context, orgID, id string) ([]string, error)
}
