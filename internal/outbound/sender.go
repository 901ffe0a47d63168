// Package outbound gets results out of Crescent: it sends events to
// destinations (webhook, S3, directory) and builds export files. It runs
// inside the job queue's workers.
package outbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/crescent-idp/crescent/internal/blob"
	"github.com/crescent-idp/crescent/internal/deliver"
	"github.com/crescent-idp/crescent/internal/results"
	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// Delivery statuses in the log.
const (
	DeliverySucceeded = "Succeeded"
	DeliveryFailed    = "Failed"    // will be retried
	DeliveryAbandoned = "Abandoned" // no attempt left
)

// Sender delivers events to destinations.
type Sender struct {
	Store     workspace.DestinationStore
	Results   *service.Results
	Originals service.Blobs
	// Webhook sends webhooks; its Guard also dials S3 destinations.
	Webhook        deliver.Webhook
	DirectoryRoots []string
	// AllowAmbientS3Credentials lets an S3 destination without credentials
	// use the server's own (environment, shared files, instance role).
	AllowAmbientS3Credentials bool
	Log                       *slog.Logger
	Now                       func() time.Time

	mu  sync.Mutex
	rnd *rand.Rand
}

// Event is the body sent for an event.
type Event struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

// MaxAttempts is how many times a delivery is tried.
func (s *Sender) MaxAttempts() int { return deliver.MaxAttempts }

// NextRetry is the wait before the next attempt: exponential with jitter,
// more than 24 hours in all.
func (s *Sender) NextRetry(attempt int) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rnd == nil {
		s.rnd = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x5eed))
	}
	d, ok := deliver.NextRetry(attempt, s.rnd)
	if !ok {
		return time.Hour
	}
	return d
}

// Deliver sends one event and records the attempt. An error asks for a
// retry; on the last attempt the failure is recorded as Abandoned and nil
// is returned. A destination deleted meanwhile ends the job quietly.
func (s *Sender) Deliver(ctx context.Context, destinationID, eventID, eventType, collectionID string, attempt int, last bool) error {
	d, err := s.Store.GetDestination(ctx, "", destinationID)
	if workspace.ErrorCode(err) == workspace.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	rec, refused, err := s.attempt(ctx, d, eventID, eventType, collectionID)
	if err != nil && workspace.ErrorCode(err) == workspace.CodeNotFound {
		return nil // the collection was deleted: nothing to say any more
	}
	if err != nil {
		return err
	}
	rec.Attempt = attempt
	switch {
	case rec.Status == DeliverySucceeded:
	case last, refused: // a refused address will not become acceptable by waiting
		rec.Status = DeliveryAbandoned
	default:
		rec.Status = DeliveryFailed
	}
	if err := s.Store.AddDelivery(context.WithoutCancel(ctx), rec); err != nil {
		return err
	}
	if rec.Status == DeliveryFailed {
		return fmt.Errorf("delivery %s to %s failed: %s", eventID, destinationID, rec.Error)
	}
	return nil
}

// Test sends a sample event to a destination now and returns the record.
func (s *Sender) Test(ctx context.Context, d workspace.Destination) (workspace.Delivery, error) {
	ev := Event{Type: workspace.EventTest, Timestamp: s.Now().UTC().Format(time.RFC3339), Data: map[string]any{
		"destinationId": d.ID, "message": "This is a test event from Crescent.",
	}}
	body, _ := json.Marshal(ev)
	rec, _ := s.send(ctx, d, "msg_"+workspace.NewID(), workspace.EventTest, "test", body, nil)
	rec.Attempt = 1
	if rec.Status != DeliverySucceeded {
		rec.Status = DeliveryAbandoned
	}
	return rec, s.Store.AddDelivery(ctx, rec)
}

// attempt renders the event for a collection and sends it once; refused
// says a retry cannot help.
func (s *Sender) attempt(ctx context.Context, d workspace.Destination, eventID, eventType, collectionID string) (workspace.Delivery, bool, error) {
	rs, err := s.Results.Get(ctx, service.Operator(d.OrgID), collectionID)
	if err != nil {
		return workspace.Delivery{}, false, err
	}
	body, err := json.Marshal(Event{Type: eventType, Timestamp: s.Now().UTC().Format(time.RFC3339), Data: results.New(rs)})
	if err != nil {
		return workspace.Delivery{}, false, err
	}
	rec, refused := s.send(ctx, d, eventID, eventType, collectionID, body, rs.Collection.Files)
	return rec, refused, nil
}

// send delivers body by the destination's type and describes the attempt;
// refused says the target was refused outright (a retry cannot help).
func (s *Sender) send(ctx context.Context, d workspace.Destination, eventID, eventType, collectionID string, body []byte, files []workspace.File) (workspace.Delivery, bool) {
	rec := workspace.Delivery{ID: workspace.NewID(), DestinationID: d.ID, EventID: eventID, EventType: eventType,
		CollectionID: collectionID, CreatedAt: s.Now().UTC()}
	start := time.Now()
	var err error
	refused := false
	switch d.Type {
	case workspace.DestinationWebhook:
		u, _ := d.Config["url"].(string)
		a := s.Webhook.Send(ctx, u, d.Secret, eventID, body)
		rec.StatusCode, rec.Error, refused = a.StatusCode, a.Err, a.Refused
		if a.Err == "" && (a.StatusCode < 200 || a.StatusCode > 299) {
			rec.Error = fmt.Sprintf("the receiver answered %d", a.StatusCode)
		}
		if a.Latency > 0 {
			rec.LatencyMS = a.Latency.Milliseconds()
		}
	case workspace.DestinationDirectory:
		path, _ := d.Config["path"].(string)
		_, err = deliver.WriteFile(s.DirectoryRoots, d.OrgID, path, deliver.SafeName(collectionID+"-"+eventType+".json"), body)
		refused = errors.Is(err, deliver.ErrBlocked)
	case workspace.DestinationS3:
		err = s.putS3(ctx, d, collectionID, eventType, body, files)
		refused = errors.Is(err, deliver.ErrBlocked)
	default:
		err = fmt.Errorf("unknown destination type %q", d.Type)
	}
	if err != nil {
		rec.Error = err.Error()
	}
	if rec.LatencyMS == 0 {
		rec.LatencyMS = time.Since(start).Milliseconds()
	}
	if rec.Error == "" {
		rec.Status = DeliverySucceeded
	}
	return rec, refused
}

// putS3 writes the event JSON, and the originals when asked, to a bucket.
// The bucket is reached only through the Guard's dialer, with the
// destination's own credentials unless the operator allows the server's.
// It fails with an error matching deliver.ErrBlocked if the bucket URL is
// not allowed, the destination has no credentials and may not borrow the
// server's, or the endpoint resolves to an address the Guard refuses.
func (s *Sender) putS3(ctx context.Context, d workspace.Destination, collectionID, eventType string, body []byte, files []workspace.File) error {
	raw, _ := d.Config["bucketUrl"].(string)
	u, err := deliver.BucketURL(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", deliver.ErrBlocked, err)
	}
	keyID, _ := d.Config["accessKeyId"].(string)
	secret, _ := d.Config["secretAccessKey"].(string)
	ambient := keyID == "" && secret == ""
	if (keyID == "") != (secret == "") || ambient && !s.AllowAmbientS3Credentials {
		return fmt.Errorf("%w: the destination has no accessKeyId and secretAccessKey, and this server does not lend its own credentials", deliver.ErrBlocked)
	}
	q := u.Query()
	if !ambient {
		q.Set("access_key_id", keyID)
		q.Set("secret_access_key", secret)
	}
	u.RawQuery = q.Encode()
	client := s.Webhook.Guard.HTTPClient(s.Webhook.ConnectTimeout)
	defer client.CloseIdleConnections()
	bucket, err := blob.OpenWith(ctx, u.String(), blob.Options{
		HTTPClient: client, NoAmbient: !ambient,
		Permanent: func(err error) bool { return errors.Is(err, deliver.ErrBlocked) },
	})
	if err != nil {
		return fmt.Errorf("open bucket: %w", err)
	}
	defer bucket.Close()
	prefix, _ := d.Config["prefix"].(string)
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	if _, _, err := bucket.Put(ctx, prefix+collectionID+"/"+eventType+".json", bytes.NewReader(body), "application/json"); err != nil {
		return err
	}
	if inc, _ := d.Config["includeOriginal"].(bool); !inc {
		return nil
	}
	for _, f := range files {
		if err := s.copyOriginal(ctx, bucket, prefix+collectionID+"/"+f.ID+"-"+deliver.SafeName(f.Name), f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sender) copyOriginal(ctx context.Context, bucket *blob.Store, key string, f workspace.File) error {
	rc, _, err := s.Originals.Open(ctx, f.BlobKey)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, _, err = bucket.Put(ctx, key, rc, f.ContentType)
	return err
}
