package httpapi

import (
	"context"
	"time"

	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// APIKeyBody is an API key as the API shows it. Key is present only in the
// create response.
type APIKeyBody struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	OrgID      string   `json:"orgId"`
	Scopes     []string `json:"scopes"`
	Status     string   `json:"status" enum:"Active,Expired"`
	CreatedAt  string   `json:"createdAt"`
	Exp        string   `json:"exp"`
	LastUsedAt string   `json:"lastUsedAt,omitempty"`
	ProcessID  string   `json:"processId,omitempty"`
	Key        string   `json:"key,omitempty" doc:"The full key ID:SECRET; shown once, in the create response only."`
}

// Pagination is the block beside every list.
type Pagination struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	Total  int `json:"total"`
}

// PageQuery is the offset/limit pair of every list.
type PageQuery struct {
	Offset int `query:"offset" default:"0" minimum:"0" maximum:"100000000" doc:"The number of elements to skip."`
	Limit  int `query:"limit" default:"100" minimum:"1" maximum:"1000" doc:"The maximum number of elements to return at once."`
}

func (q PageQuery) page() workspace.Page { return workspace.Page{Offset: q.Offset, Limit: q.Limit} }

func (q PageQuery) pagination(total int) Pagination {
	return Pagination{Offset: q.Offset, Limit: q.Limit, Total: total}
}

// timestamp formats t as RFC 3339 UTC with second precision, "" for zero.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

func apiKeyBody(k workspace.APIKey, now time.Time) APIKeyBody {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	return APIKeyBody{
		ID: k.ID, Name: k.Name, OrgID: k.OrgID, Scopes: scopes, Status: k.Status(now),
		CreatedAt: timestamp(k.CreatedAt), Exp: timestamp(k.ExpiresAt), LastUsedAt: timestamp(k.LastUsedAt),
		ProcessID: k.ProcessID,
	}
}

type createAPIKeyInput struct {
	Body struct {
		Name   string     `json:"name" maxLength:"200" doc:"A name to recognise the key by."`
		Exp    *time.Time `json:"exp,omitempty" doc:"When the key stops working (RFC 3339); default 90 days ahead, at most 366, never after the calling key's own exp."`
		Scopes []string   `json:"scopes" maxItems:"28" doc:"Scopes of the catalogue; each must be held by the calling key."`
	}
}

type apiKeyOutput struct{ Body APIKeyBody }

func (s *Server) createAPIKey(ctx context.Context, in *createAPIKeyInput) (*apiKeyOutput, error) {
	k, err := s.deps.Keys.Create(ctx, principal(ctx), service.CreateKeyInput{Name: in.Body.Name, ExpiresAt: in.Body.Exp, Scopes: in.Body.Scopes})
	return createdKeyOutput(k, err)
}

func createdKeyOutput(k service.CreatedKey, err error) (*apiKeyOutput, error) {
	if err != nil {
		return nil, err
	}
	return &apiKeyOutput{Body: CreatedKeyBody(k)}, nil
}

// CreatedKeyBody is the create response of a new key, the one place its
// full text appears; the CLI prints the same.
func CreatedKeyBody(k service.CreatedKey) APIKeyBody {
	b := apiKeyBody(k.APIKey, time.Now())
	b.Key = k.Full
	return b
}

type listAPIKeysInput struct{ PageQuery }

type apiKeyListOutput struct {
	Body struct {
		APIKeys    []APIKeyBody `json:"apiKeys"`
		Pagination Pagination   `json:"pagination"`
	}
}

func (s *Server) listAPIKeys(ctx context.Context, in *listAPIKeysInput) (*apiKeyListOutput, error) {
	return s.keyList(ctx, "", in.PageQuery)
}

func (s *Server) keyList(ctx context.Context, processID string, q PageQuery) (*apiKeyListOutput, error) {
	keys, total, err := s.deps.Keys.List(ctx, principal(ctx), processID, q.page())
	if err != nil {
		return nil, err
	}
	out := &apiKeyListOutput{}
	now := time.Now()
	out.Body.APIKeys = make([]APIKeyBody, len(keys))
	for i, k := range keys {
		out.Body.APIKeys[i] = apiKeyBody(k, now)
	}
	out.Body.Pagination = q.pagination(total)
	return out, nil
}

type apiKeyIDInput struct {
	ID string `path:"id" maxLength:"64" doc:"The API key id."`
}

func (s *Server) getAPIKey(ctx context.Context, in *apiKeyIDInput) (*apiKeyOutput, error) {
	k, err := s.deps.Keys.Get(ctx, principal(ctx), "", in.ID)
	if err != nil {
		return nil, err
	}
	return &apiKeyOutput{Body: apiKeyBody(k, time.Now())}, nil
}

func (s *Server) deleteAPIKey(ctx context.Context, in *apiKeyIDInput) (*struct{}, error) {
	return nil, s.deps.Keys.Delete(ctx, principal(ctx), "", in.ID)
}

type meOutput struct {
	Body struct {
		KeyID     string   `json:"keyId"`
		Name      string   `json:"name"`
		OrgID     string   `json:"orgId"`
		ProcessID string   `json:"processId,omitempty"`
		Scopes    []string `json:"scopes"`
		Exp       string   `json:"exp"`
	}
}

func (s *Server) getMe(ctx context.Context, _ *struct{}) (*meOutput, error) {
	p := principal(ctx)
	out := &meOutput{}
	out.Body.KeyID, out.Body.Name, out.Body.OrgID, out.Body.ProcessID = p.KeyID, p.Name, p.OrgID, p.ProcessID
	out.Body.Scopes = make([]string, len(p.Scopes))
	for i, sc := range p.Scopes {
		out.Body.Scopes[i] = string(sc)
	}
	out.Body.Exp = timestamp(p.ExpiresAt)
	return out, nil
}
