package workspace

import (
	"context"
	"encoding/json"
	"time"
)

// StatusInfo is a coded status of a file, a classification, an extraction
// or a validation.
type StatusInfo struct {
	Status string `json:"status"`
	Code   string `json:"code"`
	Msg    string `json:"msg"`
}

// The status codes of results.
var (
	FileCompleted   = StatusInfo{"Completed", "F100", "File processed"}
	FileUnsupported = StatusInfo{"Unsupported file", "F400", "The file could not be read as a document"}
	FileFailed      = StatusInfo{"Failed", "F500", "Processing failed"}
	ClassCompleted  = StatusInfo{"Completed", "C100", "Document classified"}
	ClassSkipped    = StatusInfo{"Skipped", "C900", "Classification skipped"}
	Extracted       = StatusInfo{"Extracted", "E100", "Value extracted"}
	NotFoundStatus  = StatusInfo{"Not found", "E200", "No value found"}
	ValidOK         = StatusInfo{"Validation succeeded", "V100", "All checks passed"}
	ValidFailed     = StatusInfo{"Validation failed", "V200", "A check failed"}
	ValidSkipped    = StatusInfo{"Validation skipped", "V900", "No check applies"}
)

// Sources of an extracted value.
const (
	SourceText     = "text"
	SourceOCR      = "ocr"
	SourceEInvoice = "einvoice"
	SourceUser     = "user"
	SourceLearned  = "learned" // read where an accepted document of the same supplier had it
)

// Extraction is one candidate value of a data point in a document. Rank 0
// is the best candidate.
type Extraction struct {
	ID              string
	DocumentID      string
	CollectionID    string
	Field           string
	Rank            int
	Value           any
	RawValue        string
	ConverterType   string
	ConverterFormat string
	Status          StatusInfo
	Validation      StatusInfo
	Confidence      float64
	PageNum         int
	BBox            []float64
	Source          string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Cell is one value of a table row.
type Cell struct {
	Value      any       `json:"value"`
	RawValue   string    `json:"rawValue"`
	PageNum    int       `json:"pageNum"`
	BBox       []float64 `json:"bbox"`
	Confidence float64   `json:"confidence"`
}

// Table is an extracted table, such as line_items.
type Table struct {
	Columns []string          `json:"columns"`
	Rows    []map[string]Cell `json:"rows"`
}

// Document is one logical document found in a file (a file may hold
// several when the collection is split).
type Document struct {
	ID           string
	CollectionID string
	FileID       string
	Position     int
	Name         string
	FirstPage    int
	LastPage     int
	Class        string
	ClassStatus  StatusInfo
	Validation   StatusInfo
	Tables       map[string]Table
	Extractions  []Extraction
}

// PageText is the text of one page of a file, for the OCR API.
type PageText struct {
	ID         string
	FileID     string
	DocumentID string
	PageNum    int
	Source     string          // text or ocr
	Text       string          // lines joined by newlines
	Words      json.RawMessage // [{text,x0,y0,x1,y1,conf}]
}

// FileOutcome is how reading one file ended.
type FileOutcome struct {
	FileID string
	Status StatusInfo
}

// Outcome is everything one processing run produced for a collection,
// committed at once with the final status.
type Outcome struct {
	CollectionID string
	Status       string // Needs Review, Accepted or Failed
	Message      string // why it failed
	Files        []FileOutcome
	Documents    []Document
	Pages        []PageText
	UsagePages   int
}

// ResultStore persists processing results.
type ResultStore interface {
	// ClaimCollection moves a Queued (or, after a crash, Processing)
	// collection to Processing and returns it with its process; ok is false
	// when there is nothing to do (deleted, stopped or already finished).
	ClaimCollection(ctx context.Context, id string) (c Collection, p Process, ok bool, err error)
	// SetProgress records progress (0..100) of a processing collection.
	SetProgress(ctx context.Context, id string, progress int) error
	// FinishCollection commits an outcome: previous results are replaced,
	// and nothing is written unless the collection is still Processing
	// (ok=false then: it was stopped or deleted meanwhile).
	FinishCollection(ctx context.Context, o Outcome, at time.Time) (ok bool, err error)
	// UnfinishedCollections lists, by id after the cursor after, up to
	// limit collections still Queued or Processing and unchanged since
	// before.
	UnfinishedCollections(ctx context.Context, before time.Time, after string, limit int) ([]string, error)
	// AbandonCollection ends a Queued or Processing collection as Failed
	// with message (every file F500); ok is false when it was in another
	// status or gone.
	AbandonCollection(ctx context.Context, id, message string, at time.Time) (ok bool, err error)
	// Documents returns the documents of a collection with their
	// extractions, in order.
	Documents(ctx context.Context, collectionID string) ([]Document, error)
	// FileOutcomes returns the reading status of each file.
	FileOutcomes(ctx context.Context, collectionID string) (map[string]StatusInfo, error)
	// Pages returns the page texts of a collection, with words if asked.
	Pages(ctx context.Context, collectionID string, words bool) ([]PageText, error)
	// AddExtraction, UpdateExtraction and DeleteExtraction edit a result
	// (review); they fail with CodeNotFound for an unknown id.
	AddExtraction(ctx context.Context, e Extraction) error
	UpdateExtraction(ctx context.Context, e Extraction) error
	DeleteExtraction(ctx context.Context, documentID, id string) error
	// SetValidation records the outcome of the validators on a document
	// and on its extractions (by extraction id), in one transaction.
	SetValidation(ctx context.Context, documentID string, doc StatusInfo, byExtraction map[string]StatusInfo) error
}
