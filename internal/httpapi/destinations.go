package httpapi

import (
	"context"

	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// DestinationBody is a destination as the API shows it; Secret appears in
// the create response only. Credentials in the config are never shown.
type DestinationBody struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Config     map[string]any `json:"config"`
	Events     []string       `json:"events"`
	ProcessIDs []string       `json:"processIds"`
	Format     string         `json:"format"`
	CreatedAt  string         `json:"createdAt"`
	Secret     string         `json:"secret,omitempty" doc:"The webhook signing secret (whsec_…); shown once, in the create response."`
}

func destinationBody(d workspace.Destination) DestinationBody {
	cfg := map[string]any{}
	for k, v := range d.Config {
		if k != "secretAccessKey" {
			cfg[k] = v
		}
	}
	pids := d.ProcessIDs
	if pids == nil {
		pids = []string{}
	}
	return DestinationBody{ID: d.ID, Name: d.Name, Type: d.Type, Config: cfg, Events: d.Events, ProcessIDs: pids,
		Format: d.Format, CreatedAt: timestamp(d.CreatedAt)}
}

type destinationOutput struct{ Body DestinationBody }

type createDestinationInput struct {
	Body struct {
		Name       string         `json:"name" maxLength:"200"`
		Type       string         `json:"type" enum:"webhook,s3,directory"`
		Config     map[string]any `json:"config" doc:"webhook {url}; s3 {bucketUrl, accessKeyId, secretAccessKey, prefix?, includeOriginal?}; directory {path}, relative to the organization's own folder under the server's directory roots."`
		Events     []string       `json:"events" maxItems:"3"`
		ProcessIDs []string       `json:"processIds,omitempty" maxItems:"100"`
		Format     string         `json:"format,omitempty" enum:"json"`
	}
}

func (s *Server) createDestination(ctx context.Context, in *createDestinationInput) (*destinationOutput, error) {
	b := in.Body
	d, err := s.deps.Destinations.Create(ctx, principal(ctx), service.CreateDestinationInput{
		Name: b.Name, Type: b.Type, Config: b.Config, Events: b.Events, ProcessIDs: b.ProcessIDs, Format: b.Format})
	if err != nil {
		return nil, err
	}
	out := &destinationOutput{Body: destinationBody(d)}
	out.Body.Secret = d.Secret
	return out, nil
}

type destinationListOutput struct {
	Body struct {
		Destinations []DestinationBody `json:"destinations"`
		Pagination   Pagination        `json:"pagination"`
	}
}

func (s *Server) listDestinations(ctx context.Context, in *struct{ PageQuery }) (*destinationListOutput, error) {
	ds, total, err := s.deps.Destinations.List(ctx, principal(ctx), in.page())
	if err != nil {
		return nil, err
	}
	out := &destinationListOutput{}
	out.Body.Destinations = make([]DestinationBody, len(ds))
	for i, d := range ds {
		out.Body.Destinations[i] = destinationBody(d)
	}
	out.Body.Pagination = in.pagination(total)
	return out, nil
}

type destinationIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

func (s *Server) getDestination(ctx context.Context, in *destinationIDInput) (*destinationOutput, error) {
	d, err := s.deps.Destinations.Get(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &destinationOutput{Body: destinationBody(d)}, nil
}

func (s *Server) deleteDestination(ctx context.Context, in *destinationIDInput) (*struct{}, error) {
	return nil, s.deps.Destinations.Delete(ctx, principal(ctx), in.ID)
}

// DeliveryBody is one delivery attempt.
type DeliveryBody struct {
	ID           string `json:"id"`
	EventID      string `json:"eventId" doc:"The webhook-id header: the same for every attempt of one event."`
	EventType    string `json:"eventType"`
	CollectionID string `json:"collectionId"`
	Attempt      int    `json:"attempt"`
	Status       string `json:"status" enum:"Succeeded,Failed,Abandoned"`
	StatusCode   int    `json:"statusCode"`
	LatencyMS    int64  `json:"latencyMs"`
	Error        string `json:"error,omitempty"`
	CreatedAt    string `json:"createdAt"`
}

func deliveryBody(d workspace.Delivery) DeliveryBody {
	return DeliveryBody{ID: d.ID, EventID: d.EventID, EventType: d.EventType, CollectionID: d.CollectionID, Attempt: d.Attempt,
		Status: d.Status, StatusCode: d.StatusCode, LatencyMS: d.LatencyMS, Error: d.Error, CreatedAt: timestamp(d.CreatedAt)}
}

type deliveriesInput struct {
	ID string `path:"id" maxLength:"64"`
	PageQuery
}

type deliveriesOutput struct {
	Body struct {
		Deliveries []DeliveryBody `json:"deliveries"`
		Pagination Pagination     `json:"pagination"`
	}
}

func (s *Server) listDeliveries(ctx context.Context, in *deliveriesInput) (*deliveriesOutput, error) {
	ds, total, err := s.deps.Destinations.Deliveries(ctx, principal(ctx), in.ID, in.page())
	if err != nil {
		return nil, err
	}
	out := &deliveriesOutput{}
	out.Body.Deliveries = make([]DeliveryBody, len(ds))
	for i, d := range ds {
		out.Body.Deliveries[i] = deliveryBody(d)
	}
	out.Body.Pagination = in.pagination(total)
	return out, nil
}

type deliveryOutput struct{ Body DeliveryBody }

func (s *Server) testDestination(ctx context.Context, in *destinationIDInput) (*deliveryOutput, error) {
	d, err := s.deps.Destinations.Get(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	rec, err := s.deps.Sender.Test(ctx, d)
	if err != nil {
		return nil, err
	}
	return &deliveryOutput{Body: deliveryBody(rec)}, nil
}
