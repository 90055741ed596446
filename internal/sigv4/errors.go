package sigv4

import (
	"net/http"
	"strconv"
	"strings"
)

// Kind classifies a verification failure. The server maps each kind to an
// AWS error code in one place (Kind.Code and Kind.HTTPStatus give AWS's);
// the Error's Message is already in AWS's words.
type Kind int

const (
	// MissingAuth: no Authorization header and no presigned query.
	// AWS: MissingAuthenticationToken, 403.
	MissingAuth Kind = iota + 1
	// Incomplete: the authentication lacks a part or a part cannot be
	// parsed (algorithm, credential shape, date format, X-Amz-Expires).
	// AWS: IncompleteSignature, 400.
	Incomplete
	// Expired: the request date is more than MaxSkew from the server's
	// clock, or a presigned URL has expired. AWS: SignatureDoesNotMatch, 403,
	// with a "Signature expired: …" / "Signature not yet current: …" message.
	Expired
	// SignatureMismatch: the signature does not match, or the credential
	// scope is wrong (terminator, date, region) or does not sign the host.
	// AWS: SignatureDoesNotMatch, 403.
	SignatureMismatch
)

// String returns the kind's Go name.
func (k Kind) String() string {
	switch k {
	case MissingAuth:
		return "MissingAuth"
	case Incomplete:
		return "Incomplete"
	case Expired:
		return "Expired"
	case SignatureMismatch:
		return "SignatureMismatch"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Code is the AWS error code the kind is reported with.
func (k Kind) Code() string {
	switch k {
	case MissingAuth:
		return "MissingAuthenticationToken"
	case Expired, SignatureMismatch:
		return "SignatureDoesNotMatch"
	}
	return "IncompleteSignature"
}

// HTTPStatus is the HTTP status AWS answers the kind with.
func (k Kind) HTTPStatus() int {
	if k == Incomplete {
		return http.StatusBadRequest
	}
	return http.StatusForbidden
}

// Error is a verification failure. Message is what AWS says on the wire and
// may be shown to the client verbatim; it never contains the canonical
// request or the string to sign (AWS reveals them for S3, never for IAM or
// STS). Those are available to operators through Debug.
type Error struct {
	Kind    Kind
	Message string

	creq, sts string // set on a signature mismatch, for debug logs only
	sentinel  bool
}

func (e *Error) Error() string { return e.Kind.Code() + ": " + e.Message }

// Is reports whether target is the sentinel of e's kind (ErrMissingAuth,
// ErrIncomplete, ErrExpired, ErrSignatureMismatch), so callers can write
// errors.Is(err, sigv4.ErrSignatureMismatch).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.sentinel && t.Kind == e.Kind
}

// Debug returns the canonical request and string to sign the verifier
// computed, when the failure was a signature mismatch found by Verify (empty
// otherwise). They belong in debug logs, never in a response: comparing
// them with the client's own is how a SignatureDoesNotMatch is debugged.
func (e *Error) Debug() (canonicalRequest, stringToSign string) { return e.creq, e.sts }

// Sentinels, one per Kind, for errors.Is. Parse and Verify return fresh
// *Error values whose Message is specific; these only carry the kind (and
// AWS's fixed message where there is one).
var (
	ErrMissingAuth       = &Error{Kind: MissingAuth, Message: MissingAuthMessage, sentinel: true}
	ErrIncomplete        = &Error{Kind: Incomplete, Message: "incomplete signature", sentinel: true}
	ErrExpired           = &Error{Kind: Expired, Message: "signature expired", sentinel: true}
	ErrSignatureMismatch = &Error{Kind: SignatureMismatch, Message: MismatchMessage, sentinel: true}
)

// AWS's fixed messages.
const (
	// MissingAuthMessage is AWS's message for a request with no authentication.
	MissingAuthMessage = "Request is missing Authentication Token"
	// MismatchMessage is AWS's message for a signature that does not match
	// (IAM and STS: no canonical request appended).
	MismatchMessage = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func newError(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

// maxEcho bounds the client-supplied text echoed in a message (AWS echoes
// the Authorization header whole; Latchkey keeps the answer bounded).
const maxEcho = 512

// echo makes client-supplied text safe to put in a message: bounded and
// valid UTF-8 (the message ends up in an XML document).
func echo(s string) string {
	if len(s) > maxEcho {
		s = s[:maxEcho] + "..."
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
