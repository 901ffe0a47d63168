package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// Upload tuning for S3: the SDK buffers up to partConcurrency parts of
// partSize bytes in memory while it uploads a body of unknown length.
// 5 MiB is the smallest part size S3 accepts.
const (
	partSize        = 5 << 20
	partConcurrency = 2
)

// defaultContentType is stored when Put is given no content type.
const defaultContentType = "application/octet-stream"

// Put streams r into the object key, replacing any object there, and
// returns the number of bytes written and the hex SHA-256 of those bytes,
// computed while streaming. contentType ("" means
// application/octet-stream) is stored with the object.
//
// Put fails, wrapping ErrInvalidKey, if key is invalid; it fails if the
// content type cannot be parsed, if reading r fails, if ctx ends, or if the
// bucket rejects the write. On failure no object (and no partial object) is
// left at key and any earlier object there is kept, except that S3 cannot
// promise the latter once the upload has been sent.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (size int64, sha256hex string, err error) {
	if err := ValidateKey(key); err != nil {
		return 0, "", err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	// Cancelling the writer's context before Close aborts the write: the
	// file backend removes its temporary file and S3 drops the upload.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, key, &blob.WriterOptions{
		ContentType:    contentType,
		BufferSize:     partSize,
		MaxConcurrency: partConcurrency,
	})
	if err != nil {
		return 0, "", fmt.Errorf("blob: put %s: %w", key, err)
	}
	h := sha256.New()
	n, err := io.Copy(w, io.TeeReader(r, h))
	if err != nil {
		cancel()
		_ = w.Close() // reports the cancellation; err says why
		return 0, "", fmt.Errorf("blob: put %s: after %d bytes: %w", key, n, err)
	}
	if err := w.Close(); err != nil {
		return 0, "", fmt.Errorf("blob: put %s: %w", key, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// Open returns a reader of the object key and its size in bytes. The caller
// must close the reader. Open fails with an error wrapping ErrNotFound if
// there is no such object, wrapping ErrInvalidKey if key is invalid, and
// with another error if the bucket cannot be read.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := ValidateKey(key); err != nil {
		return nil, 0, err
	}
	rd, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return nil, 0, fmt.Errorf("blob: open %s: %w", key, ErrNotFound)
		}
		return nil, 0, fmt.Errorf("blob: open %s: %w", key, err)
	}
	return rd, rd.Size(), nil
}

// Exists reports whether an object has the key. It fails, wrapping
// ErrInvalidKey, if key is invalid, or if the bucket cannot be read.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	ok, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return false, fmt.Errorf("blob: exists %s: %w", key, err)
	}
	return ok, nil
}

// Delete removes the object key. Deleting a missing object succeeds. Delete
// fails, wrapping ErrInvalidKey, if key is invalid, or if the bucket
// refuses the delete.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	return s.delete(ctx, key)
}

// DeletePrefix removes every object whose key starts with prefix, which
// must end in "/" (see ValidatePrefix). It fails, wrapping ErrInvalidKey, if
// prefix is invalid, or on the first object that cannot be listed or
// deleted; objects deleted before then stay deleted, so it is safe to call
// again.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	if err := ValidatePrefix(prefix); err != nil {
		return err
	}
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("blob: delete prefix %s: list: %w", prefix, err)
		}
		if obj.IsDir {
			continue
		}
		if err := s.delete(ctx, obj.Key); err != nil {
			return fmt.Errorf("blob: delete prefix %s: %w", prefix, err)
		}
	}
}

// delete removes key, treating a missing object as deleted.
func (s *Store) delete(ctx context.Context, key string) error {
	err := s.bucket.Delete(ctx, key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}
