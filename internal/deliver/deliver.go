// Package deliver sends one event to one destination, safely: it signs
// webhooks per the Standard Webhooks specification, refuses destinations
// on loopback, private and link-local addresses (also at connect time, for
// webhooks and S3 alike, so DNS rebinding cannot reach them), computes the
// retry schedule, and writes files atomically into each organization's own
// folder under the directories the operator allows.
//
// It keeps no state: the caller records attempts and schedules retries.
package deliver

import "errors"

// ErrBlocked is matched (with errors.Is) by every error that refuses a
// destination because of the address it resolves to or the directory it
// names. Retrying such a delivery does not help unless DNS or the server's
// configuration changes.
var ErrBlocked = errors.New("deliver: destination not allowed")

// refusal is an error whose message is safe to show to the caller who
// configured the destination, and says what is wrong.
type refusal struct {
	msg string
	err error // the cause, for errors.Is and errors.As
}

// refuse returns a refusal with message msg caused by err (may be nil).
func refuse(err error, msg string) error { return &refusal{msg: msg, err: err} }

func (e *refusal) Error() string { return e.msg }

func (e *refusal) Unwrap() error { return e.err }
