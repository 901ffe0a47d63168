package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/filetype"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// UploadLimits bound what one upload may hold.
type UploadLimits struct {
	MaxFileBytes    int64 // one file
	MaxFiles        int   // files per collection
	MaxRequestBytes int64 // the whole multipart body
	MaxBase64Bytes  int64 // the whole JSON body of a base64 upload
	File            filetype.Limits
}

// DefaultUploadLimits suit a single server: 256 MiB a file, 50 files, 500
// pages, 100 megapixels.
var DefaultUploadLimits = UploadLimits{
	MaxFileBytes: 256 << 20, MaxFiles: 50, MaxRequestBytes: 1 << 30, MaxBase64Bytes: 64 << 20,
	File: filetype.Limits{MaxPages: 500, MaxPixels: 100_000_000, MaxDimension: 30000},
}

// Collections manages the queue: uploads, listing, state changes and
// downloads.
type Collections struct {
	Store     workspace.CollectionStore
	Processes workspace.ProcessStore
	Blobs     Blobs
	Limits    UploadLimits
	TempDir   string
	Log       *slog.Logger
	Now       func() time.Time
}

// UploadInput describes a collection to create from spooled files.
type UploadInput struct {
	ProcessID      string
	Name           string
	Priority       bool
	Split          bool
	Metadata       map[string]any
	IdempotencyKey string
	// Route is the method and path (with its parameters, without the API
	// version) the request was sent to; an Idempotency-Key is remembered
	// per API key and route.
	Route string
}

// Upload stores the spooled files and commits the collection with its
// processing job. With an idempotency key this API key sent to this route
// before, it returns the collection of the first request (replayed=true)
// if the request asks for the same (fields, file names and contents) and
// CodeConflict if not. Blobs written for a request that then
// fails are removed. The caller still owns (and removes) the spooled files.
func (c *Collections) Upload(ctx context.Context, by workspace.Principal, in UploadInput, files []*Spooled) (col workspace.Collection, replayed bool, err error) {
	if err := c.visibleProcess(ctx, by, in.ProcessID); err != nil {
		return col, false, err
	}
	if len(files) == 0 {
		return col, false, workspace.Invalid("body: file", "field required")
	}
	if len(files) > c.Limits.MaxFiles {
		return col, false, workspace.Errorf(workspace.CodeTooLarge, "at most %d files per collection", c.Limits.MaxFiles)
	}
	if err := CheckMetadata("body: metadata", in.Metadata); err != nil {
		return col, false, err
	}
	hash := requestHash(in, files)
	if in.IdempotencyKey != "" {
		if col, done, err := c.replay(ctx, by, in, hash); done || err != nil {
			return col, done, err
		}
	}
	name := strings.TrimSpace(cleanText(in.Name))
	if name == "" {
		name = files[0].Name
	}
	if len(name) > maxNameLen {
		return col, false, workspace.Invalid("body: name", fmt.Sprintf("name must be at most %d characters", maxNameLen))
	}
	now := c.Now().UTC().Truncate(time.Second)
	col = workspace.Collection{
		ID: workspace.NewID(), OrgID: by.OrgID, ProcessID: in.ProcessID, Name: name, Priority: in.Priority, Split: in.Split,
		Status: workspace.StatusQueued, Metadata: in.Metadata, CreatedAt: now, UpdatedAt: now,
	}
	var stored []string
	defer func() {
		if err != nil {
			deleteBlobs(ctx, c.Blobs, c.Log, stored)
		}
	}()
	for _, s := range files {
		f := workspace.File{
			ID: workspace.NewID(), CollectionID: col.ID, Name: s.Name, Status: workspace.StatusQueued,
			NumberOfPages: s.Info.Pages, ContentType: s.Info.ContentType, Kind: string(s.Info.Kind),
			Size: s.Size, SHA256: s.SHA256, CreatedAt: now, UpdatedAt: now,
		}
		f.BlobKey = fmt.Sprintf("processes/%s/collections/%s/%s", col.ProcessID, col.ID, f.ID)
		if err := c.put(ctx, f.BlobKey, s); err != nil {
			return col, false, err
		}
		stored = append(stored, f.BlobKey)
		col.Files = append(col.Files, f)
		col.NumberOfPages += f.NumberOfPages
	}
	n := workspace.NewCollection{Collection: col}
	if in.IdempotencyKey != "" {
		n.Idempotency = &workspace.Idempotency{IdempotencyKey: idempotencyKey(by, in), RequestHash: hash,
			Status: 201, CollectionID: col.ID, CreatedAt: now}
	}
	if err := c.Store.CreateCollection(ctx, n); err != nil {
		if in.IdempotencyKey != "" && workspace.ErrorCode(err) == workspace.CodeConflict {
			// A concurrent twin won the race: answer as it did.
			if twin, done, rerr := c.replay(ctx, by, in, hash); done || rerr != nil {
				deleteBlobs(ctx, c.Blobs, c.Log, stored)
				stored = nil
				return twin, done, rerr
			}
		}
		return col, false, err
	}
	created, err := c.Store.GetCollection(ctx, by.OrgID, col.ID)
	return created, false, err
}

// idempotencyKey names the record of in's Idempotency-Key: the caller's
// organization and API key, and the route.
func idempotencyKey(by workspace.Principal, in UploadInput) workspace.IdempotencyKey {
	return workspace.IdempotencyKey{OrgID: by.OrgID, APIKeyID: by.KeyID, Route: in.Route, Key: in.IdempotencyKey}
}

// requestHash is the hex SHA-256 of what an upload asks for: its fields
// and, per file in order, the name, size and SHA-256 of the content. Two
// encodings of the same upload (multipart bodies with other boundaries,
// base64 wrapped differently) hash the same.
func requestHash(in UploadInput, files []*Spooled) string {
	type file struct {
		Name   string `json:"name"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	req := struct {
		Name     string         `json:"name"`
		Priority bool           `json:"priority"`
		Split    bool           `json:"split"`
		Metadata map[string]any `json:"metadata"`
		Files    []file         `json:"files"`
	}{Name: in.Name, Priority: in.Priority, Split: in.Split, Files: make([]file, len(files))}
	if len(in.Metadata) > 0 {
		req.Metadata = in.Metadata
	}
	for i, f := range files {
		req.Files[i] = file{Name: f.Name, Size: f.Size, SHA256: f.SHA256}
	}
	raw, _ := json.Marshal(req) // map keys sorted: the same meaning, the same bytes
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// replay answers a request whose idempotency key this API key sent to this
// route before: done=true with the first collection when the request is
// the same. The collection is read as by would read it, so a replay never
// shows what by could not see directly.
func (c *Collections) replay(ctx context.Context, by workspace.Principal, in UploadInput, hash string) (workspace.Collection, bool, error) {
	prev, err := c.Store.GetIdempotency(ctx, idempotencyKey(by, in))
	if workspace.ErrorCode(err) == workspace.CodeNotFound {
		return workspace.Collection{}, false, nil
	}
	if err != nil {
		return workspace.Collection{}, false, err
	}
	if prev.RequestHash != hash {
		return workspace.Collection{}, false, workspace.Errorf(workspace.CodeConflict,
			"this Idempotency-Key was used for a different request; use a new key")
	}
	col, err := c.Get(ctx, by, prev.CollectionID)
	if workspace.ErrorCode(err) == workspace.CodeNotFound {
		return col, false, workspace.Errorf(workspace.CodeConflict, "the collection created with this Idempotency-Key was deleted")
	}
	return col, err == nil, err
}

func (c *Collections) put(ctx context.Context, key string, s *Spooled) error {
	f, err := s.Open()
	if err != nil {
		return fmt.Errorf("reopen spooled upload: %w", err)
	}
	defer f.Close()
	n, sum, err := c.Blobs.Put(ctx, key, f, s.Info.ContentType)
	if err != nil {
		return fmt.Errorf("store upload: %w", err)
	}
	if n != s.Size || sum != s.SHA256 {
		return fmt.Errorf("store upload: wrote %d bytes with sha256 %s, spooled %d with %s", n, sum, s.Size, s.SHA256)
	}
	return nil
}

func (c *Collections) visibleProcess(ctx context.Context, by workspace.Principal, pid string) error {
	if !workspace.ValidID(pid) || !by.CanSeeProcess(pid) {
		return workspace.NotFound("process")
	}
	return c.Processes.ProcessExists(ctx, by.OrgID, pid)
}

// Visible returns nil when the collection exists and by may see it, and
// CodeNotFound otherwise; it loads nothing else.
func (c *Collections) Visible(ctx context.Context, by workspace.Principal, id string) error {
	if !workspace.ValidID(id) {
		return workspace.NotFound("collection")
	}
	pid, err := c.Store.CollectionProcess(ctx, by.OrgID, id)
	if err != nil {
		return err
	}
	if !by.CanSeeProcess(pid) {
		return workspace.NotFound("collection")
	}
	return nil
}

// Get returns a collection visible to by, or CodeNotFound.
func (c *Collections) Get(ctx context.Context, by workspace.Principal, id string) (workspace.Collection, error) {
	if !workspace.ValidID(id) {
		return workspace.Collection{}, workspace.NotFound("collection")
	}
	col, err := c.Store.GetCollection(ctx, by.OrgID, id)
	if err != nil {
		return col, err
	}
	if !by.CanSeeProcess(col.ProcessID) {
		return workspace.Collection{}, workspace.NotFound("collection")
	}
	return col, nil
}

// List returns a page of a process's queue.
func (c *Collections) List(ctx context.Context, by workspace.Principal, f workspace.CollectionFilter, p workspace.Page) ([]workspace.Collection, int, error) {
	if err := c.visibleProcess(ctx, by, f.ProcessID); err != nil {
		return nil, 0, err
	}
	f.OrgID = by.OrgID
	return c.Store.ListCollections(ctx, f, p)
}

// SetMetadata replaces a collection's metadata.
func (c *Collections) SetMetadata(ctx context.Context, by workspace.Principal, id string, md map[string]any) (workspace.Collection, error) {
	if err := CheckMetadata("body: metadata", md); err != nil {
		return workspace.Collection{}, err
	}
	if _, err := c.Get(ctx, by, id); err != nil {
		return workspace.Collection{}, err
	}
	if err := c.Store.SetMetadata(ctx, by.OrgID, id, md, c.Now().UTC()); err != nil {
		return workspace.Collection{}, err
	}
	return c.Store.GetCollection(ctx, by.OrgID, id)
}

// Delete removes a collection, its files and results.
func (c *Collections) Delete(ctx context.Context, by workspace.Principal, id string) error {
	if _, err := c.Get(ctx, by, id); err != nil {
		return err
	}
	keys, err := c.Store.DeleteCollection(ctx, by.OrgID, id)
	if err != nil {
		return err
	}
	deleteBlobs(ctx, c.Blobs, c.Log, keys)
	return nil
}

// transition applies one state change and returns the collection after it.
func (c *Collections) transition(ctx context.Context, by workspace.Principal, id string, from []string, to string, enqueue bool) (workspace.Collection, error) {
	if _, err := c.Get(ctx, by, id); err != nil {
		return workspace.Collection{}, err
	}
	if err := c.Store.TransitionCollection(ctx, by.OrgID, id, from, to, "", enqueue, c.Now().UTC()); err != nil {
		return workspace.Collection{}, err
	}
	return c.Store.GetCollection(ctx, by.OrgID, id)
}

// Stop stops a queued or processing collection (CodeConflict otherwise).
func (c *Collections) Stop(ctx context.Context, by workspace.Principal, id string) (workspace.Collection, error) {
	return c.transition(ctx, by, id, []string{workspace.StatusQueued, workspace.StatusProcessing}, workspace.StatusStopped, false)
}

// Reprocess queues a finished, failed or stopped collection again, with a
// new processing job committed with the change.
func (c *Collections) Reprocess(ctx context.Context, by workspace.Principal, id string) (workspace.Collection, error) {
	return c.transition(ctx, by, id, []string{workspace.StatusNeedsReview, workspace.StatusAccepted, workspace.StatusFailed, workspace.StatusStopped},
		workspace.StatusQueued, true)
}

// Accept accepts a collection that needs review (CodeConflict otherwise).
func (c *Collections) Accept(ctx context.Context, by workspace.Principal, id string) (workspace.Collection, error) {
	return c.transition(ctx, by, id, []string{workspace.StatusNeedsReview}, workspace.StatusAccepted, false)
}

// OpenFile returns a file of a collection and its bytes.
func (c *Collections) OpenFile(ctx context.Context, by workspace.Principal, id, fileID string) (workspace.File, io.ReadCloser, error) {
	col, err := c.Get(ctx, by, id)
	if err != nil {
		return workspace.File{}, nil, err
	}
	for _, f := range col.Files {
		if f.ID == fileID {
			rc, _, err := c.Blobs.Open(ctx, f.BlobKey)
			return f, rc, err
		}
	}
	return workspace.File{}, nil, workspace.NotFound("file")
}

// Open opens one stored file by its blob key, for streaming several files.
func (c *Collections) Open(ctx context.Context, f workspace.File) (io.ReadCloser, error) {
	rc, _, err := c.Blobs.Open(ctx, f.BlobKey)
	return rc, err
}

// Metadata limits.
const (
	maxMetadataKeys  = 64
	maxMetadataBytes = 16 << 10
	maxMetadataDepth = 5
	maxMetadataKey   = 100
)

// CheckMetadata bounds user metadata: at most 64 keys of up to 100
// characters, 16 KiB of JSON, nesting 5 deep.
func CheckMetadata(location string, md map[string]any) error {
	if len(md) > maxMetadataKeys {
		return workspace.Invalid(location, fmt.Sprintf("at most %d metadata keys", maxMetadataKeys))
	}
	for k := range md {
		if k == "" || len(k) > maxMetadataKey {
			return workspace.Invalid(location, fmt.Sprintf("metadata keys are 1 to %d characters", maxMetadataKey))
		}
	}
	raw, err := json.Marshal(md)
	if err != nil {
		return workspace.Invalid(location, "metadata must be a JSON object")
	}
	if len(raw) > maxMetadataBytes {
		return workspace.Invalid(location, fmt.Sprintf("metadata is at most %d bytes of JSON", maxMetadataBytes))
	}
	if depth(md) > maxMetadataDepth {
		return workspace.Invalid(location, fmt.Sprintf("metadata nests at most %d levels", maxMetadataDepth))
	}
	return nil
}

func depth(v any) int {
	switch x := v.(type) {
	case map[string]any:
		d := 0
		for _, e := range x {
			d = max(d, depth(e))
		}
		return d + 1
	case []any:
		d := 0
		for _, e := range x {
			d = max(d, depth(e))
		}
		return d + 1
	default:
		return 0
	}
}
