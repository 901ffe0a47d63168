package blob_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/blob"
)

func TestOpenRejectsBadURLs(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []string{
		"",
		"/var/lib/crescent",
		"ftp://example/x",
		"gs://bucket",
		"mem://",
		"file:relative/dir",
		"file://host/abs/dir",
		fileURL(dir) + "?metadata=skip",
		"s3://",
		"s3://b?region=us-east-1&access_key_id=AKID",
		"s3://b?region=us-east-1&secret_access_key=x",
		"s3://b?region=us-east-1&use_path_style=maybe",
		"s3://b?region=us-east-1&no_such_param=1",
	} {
		s, err := blob.Open(context.Background(), u)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", u)
		}
	}
}

func TestOpenErrorsHideTheSecretKey(t *testing.T) {
	for _, u := range []string{
		"s3://bad host?secret_access_key=SEKRIT&access_key_id=AKID",
		"s3://b?secret_access_key=SEKRIT&access_key_id=AKID&bogus=1",
		"s3://b?secret_access_key=SEKRIT&access_key_id=AKID&use_path_style=x",
		"s3://b?secret_access_key=SEKRIT&access_key_id=AKID&role=arn:aws:iam::1:role/r",
	} {
		_, err := blob.Open(context.Background(), u)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", u)
		}
		if strings.Contains(err.Error(), "SEKRIT") {
			t.Errorf("error reveals the secret: %v", err)
		}
	}
}

func TestOpenFileCreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := blob.Open(context.Background(), fileURL(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Fatalf("directory not created: %v", err)
	}
}

func TestS3CredentialsFromURL(t *testing.T) {
	f := s3Backend(t)
	mustPut(t, f.s, "k", "v")
	if !f.sawKeyID("AKIDTEST") {
		t.Fatal("requests were not signed with the access key id from the URL")
	}
}

func TestS3CredentialsFromEnvironment(t *testing.T) {
	f := startFakeS3(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	s, err := blob.Open(context.Background(), f.baseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustPut(t, s, "k", "v")
	if got, _ := read(t, s, "k"); got != "v" {
		t.Fatalf("got %q", got)
	}
	if !f.sawKeyID("AKIDFROMENV") {
		t.Fatal("requests were not signed with the access key id from the environment")
	}
}

func TestPingFailsWhenStorageIsGone(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "blobs")
		s, err := blob.Open(context.Background(), fileURL(dir))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(context.Background()); err == nil {
			t.Fatal("ping succeeded on a removed directory")
		}
	})
	t.Run("s3", func(t *testing.T) {
		f := startFakeS3(t)
		u := strings.Replace(f.baseURL, "s3://"+fakeBucket, "s3://no-such-bucket", 1)
		s, err := blob.Open(context.Background(), u+"&access_key_id=a&secret_access_key=b")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Ping(context.Background()); err == nil {
			t.Fatal("ping succeeded on a missing bucket")
		}
	})
}

func TestClosedStoreFails(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		if err := b.s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.s.Put(context.Background(), "k", strings.NewReader("x"), ""); err == nil {
			t.Fatal("put on a closed store succeeded")
		}
		if err := b.s.Ping(context.Background()); err == nil || errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("ping on a closed store = %v", err)
		}
	})
}
