package workspace

import (
	"errors"
	"fmt"
)

// Code is the closed set of error kinds Crescent distinguishes. The HTTP
// adapter maps each to one status and one envelope type.
type Code string

// The error codes. Anything that is not a *Error, or carries no code, is
// CodeInternal.
const (
	CodeInvalid         Code = "invalid"         // 400: the request is malformed
	CodeUnauthenticated Code = "unauthenticated" // 401: no usable credentials
	CodeQuota           Code = "quota"           // 402: subscription quota exceeded
	CodeForbidden       Code = "forbidden"       // 403: credentials lack a scope
	CodeNotFound        Code = "not_found"       // 404: no such resource visible to the caller
	CodeConflict        Code = "conflict"        // 409: the resource is in the wrong state
	CodeTooLarge        Code = "too_large"       // 413: body or file over a limit
	CodeUnsupported     Code = "unsupported"     // 415: content not of an accepted type
	CodeRateLimited     Code = "rate_limited"    // 429: slow down
	CodeInternal        Code = "internal"        // 500: a bug or an unexpected failure
	CodeUnavailable     Code = "unavailable"     // 503: try again later
)

// FieldError names one offending input: Location is "<source>: <path>" as
// in "body: name", Message says what is wrong with it.
type FieldError struct {
	Location string
	Message  string
}

// Error is the one error type of Crescent's use cases. Message is safe to
// show to the caller; Err, if any, is for logs only.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return string(e.Code) + ": " + e.Message
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a CodeInvalid error about one field.
func Invalid(location, message string) *Error {
	return &Error{Code: CodeInvalid, Message: message, Fields: []FieldError{{Location: location, Message: message}}}
}

// NotFound returns a CodeNotFound error naming the kind of resource.
func NotFound(what string) *Error {
	return Errorf(CodeNotFound, "%s not found", what)
}

// ErrorCode returns the code of err, CodeInternal if err is not an *Error,
// and "" if err is nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the caller-safe message of err, or a generic sentence
// for errors that are not an *Error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Message
	}
	return "An internal error occurred."
}
