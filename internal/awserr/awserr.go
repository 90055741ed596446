// Package awserr defines the AWS-shaped error every layer of Latchkey returns.
//
// An *Error carries what the client may see (code, message, HTTP status,
// Sender/Receiver fault) apart from the internal cause, which is only logged.
// Handlers build errors here; the HTTP layer only renders them.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error as AWS reports it on the wire.
type Error struct {
	Code    string // e.g. "NoSuchEntity"
	Message string // exactly the client-visible message
	Status  int    // HTTP status
	Sender  bool   // Type Sender (client fault) when true, Receiver otherwise
	Cause   error  // internal cause, logged, never rendered
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s (cause: %v)", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// Type is the ErrorResponse <Type> value.
func (e *Error) Type() string {
	if e.Sender {
		return "Sender"
	}
	return "Receiver"
}

// WithCause returns a copy of e that records cause for the logs.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

func sender(code string, status int, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg, Status: status, Sender: true}
}

// As returns the *Error in err's chain, or an InternalFailure wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalFailure(err)
}

// Constructors, one per code Latchkey answers. Messages follow AWS's wording.

func ValidationError(format string, args ...any) *Error {
	return sender("ValidationError", http.StatusBadRequest, format, args...)
}

func InvalidParameterValue(format string, args ...any) *Error {
	return sender("InvalidParameterValue", http.StatusBadRequest, format, args...)
}

func InvalidInput(format string, args ...any) *Error {
	return sender("InvalidInput", http.StatusBadRequest, format, args...)
}

func NoSuchEntity(format string, args ...any) *Error {
	return sender("NoSuchEntity", http.StatusNotFound, format, args...)
}

func EntityAlreadyExists(format string, args ...any) *Error {
	return sender("EntityAlreadyExists", http.StatusConflict, format, args...)
}

func LimitExceeded(format string, args ...any) *Error {
	return sender("LimitExceeded", http.StatusConflict, format, args...)
}

func DeleteConflict(format string, args ...any) *Error {
	return sender("DeleteConflict", http.StatusConflict, format, args...)
}

func MalformedPolicyDocument(format string, args ...any) *Error {
	return sender("MalformedPolicyDocument", http.StatusBadRequest, format, args...)
}

// InvalidAction is AWS's answer to an Action the service does not have.
func InvalidAction(action, version string) *Error {
	return sender("InvalidAction", http.StatusBadRequest, "Could not find operation %s for version %s", action, version)
}

func MalformedQueryString(format string, args ...any) *Error {
	return sender("MalformedQueryString", http.StatusNotFound, format, args...)
}

func AccessDenied(format string, args ...any) *Error {
	return sender("AccessDenied", http.StatusForbidden, format, args...)
}

func MissingAuthenticationToken() *Error {
	return sender("MissingAuthenticationToken", http.StatusForbidden, "Request is missing Authentication Token")
}

func IncompleteSignature(format string, args ...any) *Error {
	return sender("IncompleteSignature", http.StatusBadRequest, format, args...)
}

func InvalidClientTokenID() *Error {
	return sender("InvalidClientTokenId", http.StatusForbidden, "The security token included in the request is invalid.")
}

func SignatureDoesNotMatch(format string, args ...any) *Error {
	if format == "" {
		format = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	}
	return sender("SignatureDoesNotMatch", http.StatusForbidden, format, args...)
}

func RequestEntityTooLarge() *Error {
	return sender("RequestEntityTooLarge", http.StatusRequestEntityTooLarge, "Request body is too large.")
}

func InternalFailure(cause error) *Error {
	return &Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Status: http.StatusInternalServerError, Cause: cause}
}

// ServiceUnavailable is AWS's answer when the service cannot take the
// request now (Latchkey: its database cannot be reached).
func ServiceUnavailable(cause error) *Error {
	return &Error{Code: "ServiceUnavailable", Message: "Service is unable to handle request.", Status: http.StatusServiceUnavailable, Cause: cause}
}

func ServiceFailure(cause error) *Error {
	return &Error{Code: "ServiceFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Status: http.StatusInternalServerError, Cause: cause}
}

// InvalidQueryParameter is AWS's common error for a query string that "is
// malformed or does not adhere to AWS standards" (HTTP 400): Latchkey's
// answer to a parameter given twice or to too many parameters.
func InvalidQueryParameter(format string, args ...any) *Error {
	return sender("InvalidQueryParameter", http.StatusBadRequest, format, args...)
}
