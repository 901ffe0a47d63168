package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/deliver"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// maxConfigValue bounds each text value of a destination's config (URLs,
// paths, credentials).
const maxConfigValue = 2048

// Destinations manages where results are sent.
type Destinations struct {
	Store     workspace.DestinationStore
	Processes workspace.ProcessStore
	Guard     deliver.Guard
	// DirectoryRoots are the folders directory destinations may write
	// under, each organization in its own folder <root>/<org id>; none
	// means directory destinations are refused.
	DirectoryRoots []string
	// AllowAmbientS3Credentials lets S3 destinations be created without
	// credentials, to use the server's own (environment, instance role).
	AllowAmbientS3Credentials bool
	Now                       func() time.Time
}

// CreateDestinationInput is what a caller asks for.
type CreateDestinationInput struct {
	Name       string
	Type       string
	Config     map[string]any
	Events     []string
	ProcessIDs []string
	Format     string
}

// Create validates and stores a destination. A webhook gets a new signing
// secret, returned once in the result. It fails with CodeInvalid for an
// unknown type or event, a malformed config, a webhook URL that resolves
// to a loopback, private, link-local or multicast address (unless the
// operator allows them), an S3 destination without accessKeyId and
// secretAccessKey (unless the operator allows the server's own
// credentials) or whose bucket URL holds credentials or parameters other
// than region, endpoint, use_path_style and disable_https, or a directory
// path that is absolute, climbs
// with "..", or leads out of the organization's own folder under the
// allowed roots (which is created, with the path, if missing); with
// CodeNotFound for a process that is not visible.
func (s *Destinations) Create(ctx context.Context, by workspace.Principal, in CreateDestinationInput) (workspace.Destination, error) {
	name, err := checkName("body: name", in.Name)
	if err != nil {
		return workspace.Destination{}, err
	}
	if len(in.Events) == 0 {
		return workspace.Destination{}, workspace.Invalid("body: events", "name at least one event: "+strings.Join(workspace.EventTypes, ", "))
	}
	for i, ev := range in.Events {
		known := false
		for _, k := range workspace.EventTypes {
			known = known || k == ev
		}
		if !known {
			return workspace.Destination{}, workspace.Invalid(fmt.Sprintf("body: events[%d]", i), "events are "+strings.Join(workspace.EventTypes, ", "))
		}
	}
	for i, pid := range in.ProcessIDs {
		if !workspace.ValidID(pid) || !by.CanSeeProcess(pid) {
			return workspace.Destination{}, workspace.Invalid(fmt.Sprintf("body: processIds[%d]", i), "no such process")
		}
		if _, err := s.Processes.GetProcess(ctx, by.OrgID, pid); err != nil {
			return workspace.Destination{}, workspace.Invalid(fmt.Sprintf("body: processIds[%d]", i), "no such process")
		}
	}
	if in.Format != "" && in.Format != "json" {
		return workspace.Destination{}, workspace.Invalid("body: format", "destinations send the results document as json")
	}
	d := workspace.Destination{
		ID: workspace.NewID(), OrgID: by.OrgID, Name: name, Type: in.Type, Config: map[string]any{}, Events: in.Events,
		ProcessIDs: in.ProcessIDs, Format: "json", CreatedBy: by.KeyID, CreatedAt: s.Now().UTC().Truncate(time.Second),
	}
	str := func(key string) string { v, _ := in.Config[key].(string); return strings.TrimSpace(v) }
	for k, v := range in.Config {
		if sv, ok := v.(string); ok && len(sv) > maxConfigValue {
			return workspace.Destination{}, workspace.Invalid("body: config."+k, fmt.Sprintf("at most %d characters", maxConfigValue))
		}
	}
	allowed := map[string]bool{}
	switch in.Type {
	case workspace.DestinationWebhook:
		allowed["url"] = true
		u := str("url")
		if err := s.Guard.CheckURL(ctx, u); err != nil {
			return workspace.Destination{}, workspace.Invalid("body: config.url", err.Error())
		}
		d.Config["url"], d.Secret = u, deliver.NewSecret()
	case workspace.DestinationS3:
		for _, k := range []string{"bucketUrl", "prefix", "includeOriginal", "accessKeyId", "secretAccessKey"} {
			allowed[k] = true
		}
		if err := s.Guard.CheckBucketURL(ctx, str("bucketUrl")); err != nil {
			return workspace.Destination{}, workspace.Invalid("body: config.bucketUrl", err.Error())
		}
		switch keyID, secret := str("accessKeyId"), str("secretAccessKey"); {
		case keyID == "" && secret == "" && !s.AllowAmbientS3Credentials:
			return workspace.Destination{}, workspace.Invalid("body: config.accessKeyId",
				"S3 destinations need accessKeyId and secretAccessKey: this server does not lend its own credentials")
		case (keyID == "") != (secret == ""):
			return workspace.Destination{}, workspace.Invalid("body: config.secretAccessKey", "give accessKeyId and secretAccessKey together")
		}
		for _, k := range []string{"bucketUrl", "prefix", "accessKeyId", "secretAccessKey"} {
			if v := str(k); v != "" {
				d.Config[k] = v
			}
		}
		if inc, ok := in.Config["includeOriginal"].(bool); ok {
			d.Config["includeOriginal"] = inc
		}
	case workspace.DestinationDirectory:
		allowed["path"] = true
	default:
		return workspace.Destination{}, workspace.Invalid("body: type", "type is webhook, s3 or directory")
	}
	for k := range in.Config {
		if !allowed[k] {
			return workspace.Destination{}, workspace.Invalid("body: config."+k, "extra fields not permitted")
		}
	}
	if in.Type == workspace.DestinationDirectory { // last: it creates the folder
		p, err := deliver.PrepareDirectory(s.DirectoryRoots, by.OrgID, str("path"))
		if err != nil {
			return workspace.Destination{}, workspace.Invalid("body: config.path", err.Error())
		}
		d.Config["path"] = p
	}
	return d, s.Store.CreateDestination(ctx, d)
}

// Get returns a destination of by's organization.
func (s *Destinations) Get(ctx context.Context, by workspace.Principal, id string) (workspace.Destination, error) {
	if !workspace.ValidID(id) || by.ProcessID != "" {
		return workspace.Destination{}, workspace.NotFound("destination")
	}
	return s.Store.GetDestination(ctx, by.OrgID, id)
}

// List returns a page of the organization's destinations.
func (s *Destinations) List(ctx context.Context, by workspace.Principal, p workspace.Page) ([]workspace.Destination, int, error) {
	if by.ProcessID != "" {
		return []workspace.Destination{}, 0, nil
	}
	return s.Store.ListDestinations(ctx, by.OrgID, p)
}

// Delete removes a destination; queued deliveries to it are dropped.
func (s *Destinations) Delete(ctx context.Context, by workspace.Principal, id string) error {
	if _, err := s.Get(ctx, by, id); err != nil {
		return err
	}
	return s.Store.DeleteDestination(ctx, by.OrgID, id)
}

// Deliveries returns a page of a destination's delivery log.
func (s *Destinations) Deliveries(ctx context.Context, by workspace.Principal, id string, p workspace.Page) ([]workspace.Delivery, int, error) {
	if _, err := s.Get(ctx, by, id); err != nil {
		return nil, 0, err
	}
	return s.Store.ListDeliveries(ctx, id, p)
}
