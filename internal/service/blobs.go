package service

import (
	"context"
	"io"
	"log/slog"
)

// Blobs is the file store as the use cases need it.
type Blobs interface {
	// Put streams r into key and returns its size and hex SHA-256; on error
	// nothing is left under key.
	Put(ctx context.Context, key string, r io.Reader, contentType string) (int64, string, error)
	// Open returns the object's bytes and size.
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// deleteBlobs removes keys after their rows are gone. Failures are logged:
// the rows no longer point at the objects, so a leftover wastes space but
// is never served.
func deleteBlobs(ctx context.Context, b Blobs, log *slog.Logger, keys []string) {
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		if err := b.Delete(ctx, k); err != nil && log != nil {
			log.WarnContext(ctx, "could not delete a blob", "key", k, "err", err.Error())
		}
	}
}
