package blob_test

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob/fileblob"

	"github.com/crescent-idp/crescent/internal/blob"
)

// backend is one place the same behaviours are checked against.
type backend struct {
	name string
	// dir is the directory of a file:// store, "" for S3.
	dir string
	// s is the open store, closed when the test ends.
	s *blob.Store
	// contentType returns the content type stored with key.
	contentType func(t *testing.T, key string) string
	// leftovers lists what a failed write could leave behind: files in a
	// file:// store (empty directories may stay), unfinished multipart
	// uploads in S3.
	leftovers func(t *testing.T) []string
	// memoryBounded says whether a streamed Put is expected to keep the
	// heap small; false for S3, whose in-process server keeps every object
	// (and every multipart part) in this process's heap.
	memoryBounded bool
}

// eachBackend runs f once on a file:// store in a temporary directory and
// once on an S3 store served by an in-process gofakes3.
func eachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	t.Run("file", func(t *testing.T) { f(t, fileBackend(t)) })
	t.Run("s3", func(t *testing.T) { f(t, s3Backend(t).backend) })
}

// fileBackend opens a store on a not-yet-existing directory under
// t.TempDir, which Open must create.
func fileBackend(t *testing.T) backend {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs", "nested")
	s, err := blob.Open(context.Background(), fileURL(dir))
	if err != nil {
		t.Fatalf("open file store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return backend{
		name: "file",
		dir:  dir,
		s:    s,
		contentType: func(t *testing.T, key string) string {
			t.Helper()
			// Read the sidecar through fileblob itself, as the store does.
			b, err := fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			attrs, err := b.Attributes(context.Background(), key)
			if err != nil {
				t.Fatalf("attributes of %s: %v", key, err)
			}
			return attrs.ContentType
		},
		leftovers: func(t *testing.T) []string {
			t.Helper()
			var files []string
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() {
					rel, _ := filepath.Rel(dir, path)
					files = append(files, filepath.ToSlash(rel))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return files
		},
		memoryBounded: true,
	}
}

// fileURL returns the file:// URL of dir, escaped: t.TempDir names can
// hold "#", which would otherwise start a fragment.
func fileURL(dir string) string {
	return (&url.URL{Scheme: "file", Path: dir}).String()
}

// fakeS3 is an in-process S3 server with one bucket, "crescent".
type fakeS3 struct {
	backend
	srv *httptest.Server
	mem *s3mem.Backend

	mu      sync.Mutex
	keyIDs  map[string]bool // access key ids seen in Authorization headers
	baseURL string          // s3:// URL without credentials
}

const fakeBucket = "crescent"

var credentialRE = regexp.MustCompile(`Credential=([^/,]+)/`)

// startFakeS3 starts the server and creates the bucket.
func startFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	// Keep the developer's AWS files and instance metadata out of the test.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	f := &fakeS3{mem: s3mem.New(), keyIDs: map[string]bool{}}
	if err := f.mem.CreateBucket(fakeBucket); err != nil {
		t.Fatal(err)
	}
	faker := gofakes3.New(f.mem)
	h := faker.Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			f.mu.Lock()
			f.keyIDs[m[1]] = true
			f.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	f.baseURL = "s3://" + fakeBucket + "?endpoint=" + url.QueryEscape(f.srv.URL) + "&region=us-east-1&use_path_style=true"
	return f
}

// sawKeyID reports whether a request was signed with the access key id.
func (f *fakeS3) sawKeyID(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keyIDs[id]
}

// s3Backend starts a fake S3 and opens a store on it with credentials in
// the URL.
func s3Backend(t *testing.T) *fakeS3 {
	t.Helper()
	f := startFakeS3(t)
	s, err := blob.Open(context.Background(), f.baseURL+"&access_key_id=AKIDTEST&secret_access_key=s3cr3t")
	if err != nil {
		t.Fatalf("open s3 store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	f.backend = backend{
		name: "s3",
		s:    s,
		contentType: func(t *testing.T, key string) string {
			t.Helper()
			resp, err := http.Head(f.srv.URL + "/" + fakeBucket + "/" + key)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("HEAD %s: %s", key, resp.Status)
			}
			return resp.Header.Get("Content-Type")
		},
		leftovers: func(t *testing.T) []string {
			t.Helper()
			resp, err := http.Get(f.srv.URL + "/" + fakeBucket + "?uploads")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode == http.StatusNotFound && strings.Contains(string(body), "NoSuchUpload") {
				return nil // gofakes3's answer for a bucket that never had an upload
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("list multipart uploads: %s: %s", resp.Status, body)
			}
			var keys []string
			for _, m := range regexp.MustCompile(`<Key>([^<]*)</Key>`).FindAllStringSubmatch(string(body), -1) {
				keys = append(keys, "multipart upload of "+m[1])
			}
			return keys
		},
	}
	return f
}

// mustPut puts body at key and fails the test on error.
func mustPut(t *testing.T, s *blob.Store, key, body string) {
	t.Helper()
	if _, _, err := s.Put(context.Background(), key, strings.NewReader(body), "text/plain"); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// read returns the whole object at key and its reported size.
func read(t *testing.T, s *blob.Store, key string) (string, int64) {
	t.Helper()
	rc, size, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(b), size
}
