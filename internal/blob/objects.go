package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// Upload tuning for S3. The SDK's transfer manager reads the first 16 MiB
// of a body into memory to choose between one PUT and a multipart upload,
// then holds up to partConcurrency+1 parts of partSize bytes: about 33 MB
// of heap at peak per upload, freed when it ends. 5 MiB is the smallest
// part S3 accepts; gocloud does not expose the 16 MiB threshold.
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
// bucket rejects the write. On failure no object, partial object or
// unfinished S3 multipart upload is left at key, and any earlier object
// there is kept.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (size int64, sha256hex string, err error) {
	if err := ValidateKey(key); err != nil {
		return 0, "", err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	// Cancelling the writer's context before Close aborts the write: the
	// file backend removes its temporary file, and S3 neither sends the
	// PUT nor completes the multipart upload, which s.cleanUp then aborts.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var ids *uploadIDs
	if s.uploads != nil {
		wctx, ids = withUploadIDs(wctx)
	}
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
		return 0, "", s.cleanUp(ctx, ids, fmt.Errorf("blob: put %s: after %d bytes: %w", key, n, err))
	}
	if err := w.Close(); err != nil {
		return 0, "", s.cleanUp(ctx, ids, fmt.Errorf("blob: put %s: %w", key, err))
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// cleanUp aborts the S3 multipart uploads a failed Put started and returns
// err, with the abort's failure added if there was one.
func (s *Store) cleanUp(ctx context.Context, ids *uploadIDs, err error) error {
	if s.uploads == nil {
		return err
	}
	if aerr := s.uploads.abort(ctx, ids); aerr != nil {
		return fmt.Errorf("%w; cleaning up: %w", err, aerr)
	}
	return err
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
// must end in "/" (see ValidatePrefix). On a file:// store it then removes
// the directories left empty under prefix. It fails, wrapping
// ErrInvalidKey, if prefix is invalid, or on the first object that cannot
// be listed or deleted; objects deleted before then stay deleted, so it is
// safe to call again.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	if err := ValidatePrefix(prefix); err != nil {
		return err
	}
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			s.pruneDirs(prefix)
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

// pruneDirs removes, deepest first, the empty directories under prefix in
// a file:// store; fileblob leaves them behind. Directories that are not
// empty, such as one a concurrent Put has just written into, stay.
func (s *Store) pruneDirs(prefix string) {
	if s.dir == "" {
		return
	}
	var dirs []string
	root := filepath.Join(s.dir, filepath.FromSlash(prefix))
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for _, d := range slices.Backward(dirs) {
		_ = os.Remove(d) // fails, harmlessly, on a directory that is not empty
	}
}
