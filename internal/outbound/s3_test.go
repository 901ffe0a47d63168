package outbound

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/crescent-idp/crescent/internal/deliver"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/store"
	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// fakeS3 is an in-process S3 server on 127.0.0.1 with one bucket, "dest",
// that notes the access key id of every request.
type fakeS3 struct {
	srv *httptest.Server
	mem *s3mem.Backend

	mu     sync.Mutex
	keyIDs []string
}

var credentialRE = regexp.MustCompile(`Credential=([^/,]+)/`)

func startFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{mem: s3mem.New()}
	if err := f.mem.CreateBucket("dest"); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(f.mem).Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := "(unsigned)"
		if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			id = m[1]
		}
		f.mu.Lock()
		f.keyIDs = append(f.keyIDs, id)
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// requests returns the access key ids of the requests received so far.
func (f *fakeS3) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string{}, f.keyIDs...)
}

// object returns the body stored at key, or "" if there is none.
func (f *fakeS3) object(t *testing.T, key string) string {
	t.Helper()
	obj, err := f.mem.GetObject("dest", key, nil)
	if err != nil {
		return ""
	}
	defer obj.Contents.Close()
	b, _ := io.ReadAll(obj.Contents)
	return string(b)
}

// port is the fake's port on 127.0.0.1.
func (f *fakeS3) port() string {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(f.srv.URL, "http://"))
	return port
}

// resolver answers every name with one address, as DNS would at one moment.
type resolver string

func (r resolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.ParseIP(string(r))}}, nil
}

// noAmbientAWS keeps the developer's AWS files and instance metadata out of
// the test and sets ambient credentials in the environment, which a
// destination must never borrow unless the operator allows it.
func noAmbientAWS(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDAMBIENT")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "ambient-secret")
	t.Setenv("AWS_REGION", "us-east-1")
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// openStore opens a migrated store and returns it with its default
// organization's id.
func openStore(t *testing.T, dbURL string) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := st.DefaultOrg(ctx, "Default")
	if err != nil {
		t.Fatal(err)
	}
	return st, org.ID
}

func testSender(st *store.Store, g deliver.Guard, ambient bool) *Sender {
	return &Sender{Store: st, Webhook: deliver.Webhook{Guard: g}, AllowAmbientS3Credentials: ambient,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
}

func s3Config(endpoint string, creds bool) map[string]any {
	cfg := map[string]any{"bucketUrl": "s3://dest?endpoint=" + url.QueryEscape(endpoint) + "&region=us-east-1&use_path_style=true"}
	if creds {
		cfg["accessKeyId"], cfg["secretAccessKey"] = "AKIDDEST", "dest-secret"
	}
	return cfg
}

// TestS3DestinationDialsThroughTheGuard: an S3 endpoint whose name
// resolved to a public address when the destination was created, and
// resolves to loopback at delivery, is refused by the dialer; the S3
// server gets no request. The same destination is delivered when private
// addresses are allowed, so the refusal is the guard's, not a failure to
// reach the fake. An endpoint stored as a loopback address is refused too.
func TestS3DestinationDialsThroughTheGuard(t *testing.T) {
	noAmbientAWS(t)
	storetest.Each(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		st, orgID := openStore(t, dbURL)
		f := startFakeS3(t)
		dests := &service.Destinations{Store: st, Processes: st, Now: time.Now,
			Guard: deliver.Guard{Resolver: resolver("203.0.113.10")}} // public when created
		d, err := dests.Create(ctx, service.Operator(orgID), service.CreateDestinationInput{
			Name: "bucket", Type: workspace.DestinationS3, Events: []string{workspace.EventProcessed},
			Config: s3Config("http://s3.rebinding.example:"+f.port(), true),
		})
		if err != nil {
			t.Fatalf("create: %v", err)
		}

		rebound := deliver.Guard{Resolver: resolver("127.0.0.1")} // loopback when delivered
		rec, err := testSender(st, rebound, false).Test(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != DeliveryAbandoned || !strings.Contains(rec.Error, "resolves to 127.0.0.1, a loopback address") {
			t.Fatalf("rebound endpoint: %s %q", rec.Status, rec.Error)
		}
		if got := f.requests(); len(got) != 0 {
			t.Fatalf("the S3 server was reached through a rebound name: %v", got)
		}

		allowed := deliver.Guard{AllowPrivate: true, Resolver: resolver("127.0.0.1")}
		rec, err = testSender(st, allowed, false).Test(ctx, d)
		if err != nil || rec.Status != DeliverySucceeded {
			t.Fatalf("with private addresses allowed: %s %q %v", rec.Status, rec.Error, err)
		}
		if !strings.Contains(f.object(t, "test/"+workspace.EventTest+".json"), d.ID) {
			t.Fatal("the test event is not in the bucket")
		}

		// Created while the operator allowed private addresses, delivered after.
		lit := workspace.Destination{ID: workspace.NewID(), OrgID: orgID, Name: "literal", Type: workspace.DestinationS3,
			Config: s3Config(f.srv.URL, true), Events: []string{workspace.EventProcessed}, Format: "json", CreatedAt: time.Now().UTC().Truncate(time.Second)}
		if err := st.CreateDestination(ctx, lit); err != nil {
			t.Fatal(err)
		}
		before := len(f.requests())
		rec, err = testSender(st, deliver.Guard{}, false).Test(ctx, lit)
		if err != nil || rec.Status != DeliveryAbandoned || !strings.Contains(rec.Error, "127.0.0.1 is a loopback address") {
			t.Fatalf("loopback endpoint: %s %q %v", rec.Status, rec.Error, err)
		}
		if got := f.requests(); len(got) != before {
			t.Fatalf("the S3 server was reached at a loopback address: %v", got[before:])
		}
	})
}

// TestS3DestinationNeedsItsOwnCredentials: without the operator's leave,
// an S3 destination without credentials is refused at creation, and at
// delivery (one created while it was allowed) the server's own
// credentials are never sent; with leave, they are.
func TestS3DestinationNeedsItsOwnCredentials(t *testing.T) {
	noAmbientAWS(t)
	storetest.Each(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		st, orgID := openStore(t, dbURL)
		f := startFakeS3(t)
		guard := deliver.Guard{AllowPrivate: true}
		in := service.CreateDestinationInput{Name: "bucket", Type: workspace.DestinationS3,
			Events: []string{workspace.EventProcessed}, Config: s3Config(f.srv.URL, false)}
		strict := &service.Destinations{Store: st, Processes: st, Guard: guard, Now: time.Now}
		_, err := strict.Create(ctx, service.Operator(orgID), in)
		if workspace.ErrorCode(err) != workspace.CodeInvalid || !strings.Contains(err.Error(), "accessKeyId and secretAccessKey") {
			t.Fatalf("created without credentials: %v", err)
		}
		for _, half := range []map[string]any{{"accessKeyId": "AKIDDEST"}, {"secretAccessKey": "x"}} {
			cfg := s3Config(f.srv.URL, false)
			for k, v := range half {
				cfg[k] = v
			}
			in := in
			in.Config = cfg
			if _, err := strict.Create(ctx, service.Operator(orgID), in); workspace.ErrorCode(err) != workspace.CodeInvalid {
				t.Errorf("created with %v only: %v", half, err)
			}
		}
		for _, bucketURL := range []string{
			"s3://dest?endpoint=" + url.QueryEscape(f.srv.URL) + "&profile=prod",
			"s3://dest?region=us-east-1&role=arn:aws:iam::1:role/x",
			"s3://dest?region=us-east-1&access_key_id=AKIDURL&secret_access_key=s",
		} {
			in := in
			in.Config = map[string]any{"bucketUrl": bucketURL, "accessKeyId": "AKIDDEST", "secretAccessKey": "s"}
			if _, err := strict.Create(ctx, service.Operator(orgID), in); workspace.ErrorCode(err) != workspace.CodeInvalid {
				t.Errorf("created with bucket URL %s: %v", bucketURL, err)
			}
		}

		lenient := &service.Destinations{Store: st, Processes: st, Guard: guard, AllowAmbientS3Credentials: true, Now: time.Now}
		d, err := lenient.Create(ctx, service.Operator(orgID), in)
		if err != nil {
			t.Fatalf("created without credentials when allowed: %v", err)
		}
		rec, err := testSender(st, guard, false).Test(ctx, d)
		if err != nil || rec.Status != DeliveryAbandoned || !strings.Contains(rec.Error, "does not lend its own credentials") {
			t.Fatalf("delivered without credentials: %s %q %v", rec.Status, rec.Error, err)
		}
		if got := f.requests(); len(got) != 0 {
			t.Fatalf("requests sent without the destination's credentials: %v", got)
		}

		in.Config = s3Config(f.srv.URL, true)
		own, err := strict.Create(ctx, service.Operator(orgID), in)
		if err != nil {
			t.Fatal(err)
		}
		if rec, err := testSender(st, guard, false).Test(ctx, own); err != nil || rec.Status != DeliverySucceeded {
			t.Fatalf("with its own credentials: %s %q %v", rec.Status, rec.Error, err)
		}
		for _, id := range f.requests() {
			if id != "AKIDDEST" {
				t.Fatalf("a request was signed with %q, not the destination's key", id)
			}
		}

		// The operator allows ambient credentials: they are used.
		if rec, err := testSender(st, guard, true).Test(ctx, d); err != nil || rec.Status != DeliverySucceeded {
			t.Fatalf("with ambient credentials allowed: %s %q %v", rec.Status, rec.Error, err)
		}
		if got := f.requests(); got[len(got)-1] != "AKIDAMBIENT" {
			t.Fatalf("ambient delivery signed with %v", got)
		}
	})
}
