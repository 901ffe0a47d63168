package blob_test

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
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/blob"
)

func TestPutOpenRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		const key = "collections/c1/f1.pdf"
		body := "%PDF-1.7 not really a pdf\n" + strings.Repeat("x", 1000)
		size, sum, err := b.s.Put(ctx, key, strings.NewReader(body), "application/pdf")
		if err != nil {
			t.Fatal(err)
		}
		want := sha256.Sum256([]byte(body))
		if size != int64(len(body)) || sum != hex.EncodeToString(want[:]) {
			t.Fatalf("put = (%d, %s), want (%d, %x)", size, sum, len(body), want)
		}
		got, gotSize := read(t, b.s, key)
		if got != body || gotSize != size {
			t.Fatalf("open: %d bytes (size %d), want the %d bytes put", len(got), gotSize, len(body))
		}
		if ct := b.contentType(t, key); ct != "application/pdf" {
			t.Fatalf("content type %q, want application/pdf", ct)
		}
		ok, err := b.s.Exists(ctx, key)
		if err != nil || !ok {
			t.Fatalf("exists = %v, %v; want true", ok, err)
		}
	})
}

func TestPutEmptyBodyAndDefaultContentType(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		size, sum, err := b.s.Put(context.Background(), "exports/empty", strings.NewReader(""), "")
		if err != nil {
			t.Fatal(err)
		}
		if size != 0 || sum != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
			t.Fatalf("put = (%d, %s), want (0, sha256 of nothing)", size, sum)
		}
		if got, n := read(t, b.s, "exports/empty"); got != "" || n != 0 {
			t.Fatalf("open: %q (size %d), want empty", got, n)
		}
		if ct := b.contentType(t, "exports/empty"); ct != "application/octet-stream" {
			t.Fatalf("content type %q, want application/octet-stream", ct)
		}
	})
}

func TestPutReplaces(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		mustPut(t, b.s, "a/b", "first")
		mustPut(t, b.s, "a/b", "second")
		if got, _ := read(t, b.s, "a/b"); got != "second" {
			t.Fatalf("got %q, want second", got)
		}
	})
}

func TestPutRejectsBadContentType(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		if _, _, err := b.s.Put(context.Background(), "a/b", strings.NewReader("x"), "text/plain; ;;="); err == nil {
			t.Fatal("malformed content type accepted")
		}
		if ok, _ := b.s.Exists(context.Background(), "a/b"); ok {
			t.Fatal("object written despite the error")
		}
	})
}

// failingReader yields n bytes of 'z', then fails.
type failingReader struct{ n int }

var errBroken = errors.New("client went away")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errBroken
	}
	p = p[:min(len(p), r.n)]
	for i := range p {
		p[i] = 'z'
	}
	r.n -= len(p)
	return len(p), nil
}

func TestFailedPutLeavesNoObject(t *testing.T) {
	// The S3 SDK reads up to 16 MiB before it chooses between one PUT and
	// a multipart upload: 1 KiB and 12 MiB fail before any request, 24 MiB
	// fails after the multipart upload was created and parts were sent.
	for _, n := range []int{0, 1 << 10, 12 << 20, 24 << 20} {
		t.Run(fmt.Sprintf("after_%d_bytes", n), func(t *testing.T) {
			eachBackend(t, func(t *testing.T, b backend) {
				ctx := context.Background()
				_, _, err := b.s.Put(ctx, "collections/c1/broken", &failingReader{n: n}, "application/pdf")
				if !errors.Is(err, errBroken) {
					t.Fatalf("after %d bytes: err = %v, want the reader's error", n, err)
				}
				if ok, err := b.s.Exists(ctx, "collections/c1/broken"); ok || err != nil {
					t.Fatalf("after %d bytes: exists = %v, %v; want false", n, ok, err)
				}
				if _, _, err := b.s.Open(ctx, "collections/c1/broken"); !errors.Is(err, blob.ErrNotFound) {
					t.Fatalf("after %d bytes: open err = %v, want ErrNotFound", n, err)
				}
				if left := b.leftovers(t); len(left) > 0 {
					t.Fatalf("after %d bytes: left behind %v", n, left)
				}
			})
		})
	}
}

func TestFailedPutKeepsEarlierObject(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		mustPut(t, b.s, "k", "original")
		if _, _, err := b.s.Put(context.Background(), "k", &failingReader{n: 24 << 20}, ""); err == nil {
			t.Fatal("put from a failing reader succeeded")
		}
		if got, _ := read(t, b.s, "k"); got != "original" {
			t.Fatalf("got %d bytes, want the original object", len(got))
		}
	})
}

func TestPutStopsWhenContextEnds(t *testing.T) {
	// 24 MiB is past the S3 SDK's multipart threshold: the abort of the
	// multipart upload must outlive the cancelled context.
	for _, n := range []int64{10, 24 << 20} {
		t.Run(fmt.Sprintf("after_%d_bytes", n), func(t *testing.T) {
			eachBackend(t, func(t *testing.T, b backend) {
				ctx, cancel := context.WithCancel(context.Background())
				r := io.MultiReader(newGenReader(n), readerFunc(func([]byte) (int, error) {
					cancel()
					return 0, ctx.Err()
				}))
				if _, _, err := b.s.Put(ctx, "k", r, ""); !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled", err)
				}
				if ok, _ := b.s.Exists(context.Background(), "k"); ok {
					t.Fatal("object left behind")
				}
				if left := b.leftovers(t); len(left) > 0 {
					t.Fatalf("left behind %v", left)
				}
			})
		})
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestOpenMissingIsErrNotFound(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		rc, _, err := b.s.Open(context.Background(), "collections/nope/nothing")
		if !errors.Is(err, blob.ErrNotFound) {
			if rc != nil {
				rc.Close()
			}
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		ok, err := b.s.Exists(context.Background(), "collections/nope/nothing")
		if ok || err != nil {
			t.Fatalf("exists = %v, %v; want false, nil", ok, err)
		}
	})
}

func TestDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		mustPut(t, b.s, "collections/c1/f1", "x")
		if err := b.s.Delete(ctx, "collections/c1/f1"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := b.s.Exists(ctx, "collections/c1/f1"); ok {
			t.Fatal("object still there after delete")
		}
		if err := b.s.Delete(ctx, "collections/c1/f1"); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
		if err := b.s.Delete(ctx, "never/was"); err != nil {
			t.Fatalf("deleting a never-written key: %v", err)
		}
	})
}

func TestDeletePrefix(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		gone := []string{"collections/1/a", "collections/1/b/c", "collections/1/b/d.pdf"}
		kept := []string{"collections/10/a", "collections/1x", "other/1/a"}
		for _, k := range slices.Concat(gone, kept) {
			mustPut(t, b.s, k, k)
		}
		if err := b.s.DeletePrefix(ctx, "collections/1/"); err != nil {
			t.Fatal(err)
		}
		for _, k := range gone {
			if ok, err := b.s.Exists(ctx, k); ok || err != nil {
				t.Errorf("%s: exists = %v, %v after DeletePrefix; want false", k, ok, err)
			}
		}
		for _, k := range kept {
			if got, _ := read(t, b.s, k); got != k {
				t.Errorf("%s: got %q, want it kept", k, got)
			}
		}
		if b.dir != "" {
			if _, err := os.Stat(filepath.Join(b.dir, "collections", "1")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("directory of the deleted prefix still there (stat: %v)", err)
			}
			if _, err := os.Stat(filepath.Join(b.dir, "collections", "10")); err != nil {
				t.Errorf("sibling directory removed: %v", err)
			}
		}
		if err := b.s.DeletePrefix(ctx, "collections/1/"); err != nil {
			t.Fatalf("second DeletePrefix: %v", err)
		}
		if err := b.s.DeletePrefix(ctx, "nothing/here/"); err != nil {
			t.Fatalf("DeletePrefix matching nothing: %v", err)
		}
		for _, bad := range []string{"", "/", "collections/1", "../", "collections//"} {
			if err := b.s.DeletePrefix(ctx, bad); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("DeletePrefix(%q) = %v, want ErrInvalidKey", bad, err)
			}
		}
		if got, _ := read(t, b.s, "other/1/a"); got != "other/1/a" {
			t.Fatal("a rejected prefix deleted something")
		}
	})
}

func TestBadKeysRejected(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		for _, key := range []string{"", "/abs", "a/../b", "..", "a b", "a\\b", "ä", "a/", "a//b", strings.Repeat("k", 513), "x.attrs"} {
			_, _, err := b.s.Put(ctx, key, strings.NewReader("x"), "")
			if !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Put(%.20q) = %v, want ErrInvalidKey", key, err)
			}
			if _, _, err := b.s.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Open(%.20q) = %v, want ErrInvalidKey", key, err)
			}
			if _, err := b.s.Exists(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Exists(%.20q) = %v, want ErrInvalidKey", key, err)
			}
			if err := b.s.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Delete(%.20q) = %v, want ErrInvalidKey", key, err)
			}
		}
		if left := b.leftovers(t); len(left) > 0 {
			t.Fatalf("rejected keys left %v", left)
		}
	})
}

func TestPing(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		if err := b.s.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
