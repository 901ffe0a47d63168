// Package blob stores uploaded originals and exports in a bucket: a
// directory on local disk ("file:///abs/path") or an S3-compatible bucket
// ("s3://bucket?..."). It wraps gocloud.dev/blob.
//
// Keys are chosen by the caller, such as "collections/<id>/<fileid>", and
// are validated here (see ValidateKey). Bodies are streamed, never read
// whole into memory, and hashed with SHA-256 while they stream.
//
// On a file:// store a key is a path, so one key cannot also be a
// "directory" of others: with "a/b" stored, a Put of "a" fails, and the
// other way round. S3 has no such limit; callers should not rely on it.
package blob

import (
	"context"
	"errors"
	"fmt"
	"os"

	"gocloud.dev/blob"
)

// ErrNotFound is returned, wrapped, by Store.Open when no object has the key.
var ErrNotFound = errors.New("blob: object not found")

// ErrInvalidKey is returned, wrapped, by every method given a key or prefix
// that ValidateKey or ValidatePrefix rejects.
var ErrInvalidKey = errors.New("blob: invalid key")

// Store is an open bucket. It is safe for concurrent use. Close it when done.
type Store struct {
	bucket *blob.Bucket
	// dir is the bucket's directory for a file:// store, "" for S3.
	dir string
	// uploads cleans up after failed S3 uploads; nil for a file:// store.
	uploads *multipartUploads
}

// Ping reports whether the bucket can be reached, for readiness checks. It
// lists at most one object. It returns an error if the directory of a
// file:// store is gone, or if the bucket does not exist or cannot be
// listed.
func (s *Store) Ping(ctx context.Context) error {
	if s.dir != "" {
		info, err := os.Stat(s.dir)
		if err != nil {
			return fmt.Errorf("blob: ping: %w", err)
		}
		if !info.IsDir() {
			return fmt.Errorf("blob: ping: %s is not a directory", s.dir)
		}
	}
	ok, err := s.bucket.IsAccessible(ctx)
	if err != nil {
		return fmt.Errorf("blob: ping: %w", err)
	}
	if !ok {
		return errors.New("blob: ping: bucket does not exist")
	}
	return nil
}

// Close releases the bucket. Calls on a closed Store fail. Close returns an
// error if the bucket was already closed.
func (s *Store) Close() error {
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("blob: close: %w", err)
	}
	return nil
}
