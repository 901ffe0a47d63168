package auth

import (
	"context"
	"sync"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// TouchInterval is how often, at most, a key's lastUsedAt is written.
const TouchInterval = time.Minute

// Authenticator resolves Authorization headers to principals.
type Authenticator struct {
	Keys workspace.APIKeyStore
	Now  func() time.Time

	touched sync.Map // key id -> time.Time of the last write this process made
}

// NewAuthenticator returns an Authenticator over keys using the wall clock.
func NewAuthenticator(keys workspace.APIKeyStore) *Authenticator {
	return &Authenticator{Keys: keys, Now: time.Now}
}

var errUnauthenticated = &workspace.Error{Code: workspace.CodeUnauthenticated, Message: "A valid API key is required."}

// Authenticate returns the principal behind header. Every failure is a
// CodeUnauthenticated error with the same message, so that the response
// does not tell a wrong id from a wrong secret; a malformed key or bad
// checksum fails before any database access. Store failures other than
// "not found" are returned as they are (500).
func (a *Authenticator) Authenticate(ctx context.Context, header string) (workspace.Principal, error) {
	full, ok := ParseAuthorization(header)
	if !ok {
		return workspace.Principal{}, errUnauthenticated
	}
	id, secret, ok := ParseKey(full)
	if !ok {
		return workspace.Principal{}, errUnauthenticated
	}
	k, err := a.Keys.KeyByID(ctx, id)
	if workspace.ErrorCode(err) == workspace.CodeNotFound {
		return workspace.Principal{}, errUnauthenticated
	}
	if err != nil {
		return workspace.Principal{}, err
	}
	now := a.Now()
	if !SecretMatches(secret, k.SecretHash) || !now.Before(k.ExpiresAt) {
		return workspace.Principal{}, errUnauthenticated
	}
	if err := a.touch(ctx, k, now); err != nil {
		return workspace.Principal{}, err
	}
	return workspace.Principal{
		KeyID: k.ID, Name: k.Name, OrgID: k.OrgID, ProcessID: k.ProcessID,
		Scopes: k.Scopes, ExpiresAt: k.ExpiresAt,
	}, nil
}

// touch records use of k at most once per TouchInterval: the in-process
// map keeps concurrent requests from racing to write, the conditional
// update keeps several processes from writing more than once.
func (a *Authenticator) touch(ctx context.Context, k workspace.APIKey, now time.Time) error {
	if now.Sub(k.LastUsedAt) < TouchInterval {
		return nil
	}
	if last, ok := a.touched.Load(k.ID); ok && now.Sub(last.(time.Time)) < TouchInterval {
		return nil
	}
	a.touched.Store(k.ID, now)
	_, err := a.Keys.TouchKey(ctx, k.ID, now, TouchInterval)
	return err
}
