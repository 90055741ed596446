package sigv4

// Kind classifies a verification failure; the server maps each kind to an
// AWS error code in one place.
type Kind int

const (
	// MissingAuth: no Authorization header and no presigned query.
	MissingAuth Kind = iota + 1
	// Incomplete: the authentication is malformed or lacks a part
	// (AWS: IncompleteSignature).
	Incomplete
	// Expired: the request date is outside the allowed window, or a
	// presigned URL has expired (AWS: SignatureDoesNotMatch, "Signature
	// expired: …").
	Expired
	// SignatureMismatch: the signature, or its credential scope, does not
	// match (AWS: SignatureDoesNotMatch).
	SignatureMismatch
)

// Error is a verification failure. Message is what AWS says on the wire
// and may be shown to the client; it never contains the canonical request.
type Error struct {
	Kind    Kind
	Message string
	// debug holds the canonical request and string to sign of a
	// signature mismatch, for operators' debug logs only.
	creq, sts string
}

func (e *Error) Error() string { return e.Message }

// Debug returns the canonical request and string to sign the verifier
// computed, when the failure was a signature mismatch.
func (e *Error) Debug() (canonicalRequest, stringToSign string) { return e.creq, e.sts }

// MismatchMessage is AWS's message for a signature that does not match.
const MismatchMessage = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func incomplete(msg string) *Error { return &Error{Kind: Incomplete, Message: msg} }
