package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fixturePDF is a one-page born-digital invoice written by crescent-bench's
// invoice generator.
const fixturePDF = "testdata/invoice.pdf"

func call(t *testing.T, method, url, key, ctype string, body io.Reader) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key)))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// setup creates an admin key and an Invoices process on a served data dir.
func setup(t *testing.T, base string, db []string) (key, pid string) {
	t.Helper()
	var k map[string]any
	if err := json.Unmarshal(cli(t, append([]string{"keys", "create", "--name", "admin", "--all-scopes"}, db...)...), &k); err != nil {
		t.Fatal(err)
	}
	key = k["key"].(string)
	st, b := call(t, "POST", base+"/api/v0.3/processes", key, "application/json",
		bytes.NewReader([]byte(`{"name":"Invoices","processTypeId":"bbe7f45aea884e74bbd011a5f57e87f0"}`)))
	if st != 201 {
		t.Fatalf("create process: %d %s", st, b)
	}
	var p map[string]any
	_ = json.Unmarshal(b, &p)
	return key, p["id"].(string)
}

// multipartText is an upload of one plain-text file.
func multipartText(t *testing.T, name, text string) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(text))
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

func multipartPDF(t *testing.T, pdf []byte) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "invoice.pdf")
	_, _ = fw.Write(pdf)
	_ = w.WriteField("priority", "false")
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

// TestUploadToS3 runs the binary with an S3 blob store (an in-process fake)
// and round-trips a PDF through it.
func TestUploadToS3(t *testing.T) {
	pdf, err := os.ReadFile(fixturePDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	mem := s3mem.New()
	if err := mem.CreateBucket("crescent"); err != nil {
		t.Fatal(err)
	}
	s3 := httptest.NewServer(gofakes3.New(mem).Server())
	defer s3.Close()
	blobURL := "s3://crescent?endpoint=" + url.QueryEscape(s3.URL) + "&region=us-east-1&use_path_style=true&access_key_id=AKID&secret_access_key=secret"
	db := []string{"--data-dir", t.TempDir(), "--blob-url", blobURL}
	base := server(t, db...)
	key, pid := setup(t, base, db)

	body, ct := multipartPDF(t, pdf)
	st, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, ct, body)
	if st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	var col struct {
		ID    string `json:"id"`
		Files []struct {
			ID string `json:"id"`
		} `json:"files"`
	}
	_ = json.Unmarshal(b, &col)
	st, got := call(t, "GET", base+"/api/v0.3/collections/"+col.ID+"/files/"+col.Files[0].ID+"/download", key, "", nil)
	if st != 200 || !bytes.Equal(got, pdf) {
		t.Fatalf("download from S3: %d, %d bytes", st, len(got))
	}
	objs, err := mem.ListBucket("crescent", nil, gofakes3.ListBucketPage{})
	if err != nil || len(objs.Contents) != 1 {
		t.Fatalf("objects in the bucket: %v %v", objs, err)
	}
}

// slowReader releases its bytes only after release is closed.
type slowReader struct {
	r       io.Reader
	release chan struct{}
	started chan struct{}
	once    bool
}

func (s *slowReader) Read(p []byte) (int, error) {
	if !s.once {
		s.once = true
		close(s.started)
		<-s.release
	}
	return s.r.Read(p)
}

// TestShutdownFinishesInFlightUploads cancels the server while an upload is
// on the wire: the upload still completes with 201.
func TestShutdownFinishesInFlightUploads(t *testing.T) {
	pdf, err := os.ReadFile(fixturePDF)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := []string{"--data-dir", dir}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", addr, "--metrics-addr="}, db...), os.Getenv, io.Discard, io.Discard)
	}()
	base := "http://" + addr
	for i := 0; i < 200; i++ {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	key, pid := setup(t, base, db)
	body, ct := multipartPDF(t, pdf)
	slow := &slowReader{r: body, release: make(chan struct{}), started: make(chan struct{})}
	res := make(chan int, 1)
	go func() {
		st, _ := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, ct, slow)
		res <- st
	}()
	<-slow.started
	time.Sleep(100 * time.Millisecond) // the request is in the server's hands
	cancel()
	time.Sleep(200 * time.Millisecond) // shutdown has begun
	close(slow.release)
	if st := <-res; st != 201 {
		t.Fatalf("in-flight upload answered %d during shutdown", st)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
