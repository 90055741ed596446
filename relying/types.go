package relying

import (
	"errors"
	"strconv"
	"time"
)

// The JSON shapes of the relying-service API (/latchkey/v1/...), as
// Latchkey writes them.

// Principal is who signed a verified request.
type Principal struct {
	// Type is "root", "user", "assumed-role" or "federated-user".
	Type string `json:"type"`
	// ARN is the principal's ARN as GetCallerIdentity reports it
	// (arn:aws:iam::ACCOUNT:user/PATH/NAME,
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, ...).
	ARN     string `json:"arn"`
	Account string `json:"account"`
	// ID is GetCallerIdentity's UserId.
	ID          string            `json:"id"`
	AccessKeyID string            `json:"access_key_id"`
	SessionTags map[string]string `json:"session_tags,omitempty"`
	// Expiration is when temporary credentials end; nil for long-term keys.
	Expiration *time.Time `json:"expiration,omitempty"`
}

// Question asks whether a principal may perform Action on Resource.
// Context holds condition keys of the request (s3:prefix, ...); Latchkey
// adds the global ones (aws:username, aws:CurrentTime, ...).
type Question struct {
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context,omitempty"`
}

// Decision answers a Question as IAM's SimulatePrincipalPolicy does.
type Decision struct {
	// Decision is "allowed", "explicitDeny" or "implicitDeny".
	Decision             string      `json:"decision"`
	MatchedStatements    []Statement `json:"matched_statements"`
	MissingContextValues []string    `json:"missing_context_values"`
}

// Allowed reports whether the decision allows.
func (d Decision) Allowed() bool { return d.Decision == "allowed" }

// Statement names a policy statement that decided.
type Statement struct {
	SourcePolicyID   string `json:"source_policy_id"`
	SourcePolicyType string `json:"source_policy_type"`
	Sid              string `json:"sid,omitempty"`
}

// SigningKey is the SigV4 signing key of one access key for one day,
// region and service: it verifies that key's requests in that scope and
// nothing else, without the secret.
type SigningKey struct {
	// Key is kSigning, HMAC-SHA256(...HMAC("AWS4"+secret, date)...,
	// "aws4_request").
	Key       []byte    `json:"-"`
	Principal Principal `json:"principal"`
	// NotAfter is the last moment a request of this scope can be
	// accepted: the day's end plus the allowed clock skew, or the
	// session's end.
	NotAfter time.Time `json:"not_after"`
	// RevocationSeq is Latchkey's change log position when the key was
	// derived: a revocation of the key is in the feed after it.
	RevocationSeq int64 `json:"revocation_seq"`
}

// Revocation is a change that may take back what was verified or decided
// before it.
type Revocation struct {
	Seq  int64  `json:"seq"`
	Kind string `json:"kind"`
	// Account is the account changed; "" for the whole store.
	Account string `json:"account"`
	// Subject is what changed, by kind: an access key id
	// (AccessKeyDeactivated, AccessKeyDeleted), a user name (UserDeleted,
	// UserUpdated, GroupMembershipChanged), a policy ARN or
	// user/NAME, group/NAME, role/NAME (PolicyChanged), a group or role
	// name (Group*, Role*).
	Subject string    `json:"subject"`
	At      time.Time `json:"at"`
}

// Revocation kinds, as Latchkey names them. A kind not listed here is
// taken as revoking everything.
const (
	AccessKeyDeactivated   = "AccessKeyDeactivated"
	AccessKeyDeleted       = "AccessKeyDeleted"
	AccessKeyExpired       = "AccessKeyExpired"
	KeyPolicyChanged       = "KeyPolicyChanged"
	UserDeleted            = "UserDeleted"
	UserUpdated            = "UserUpdated"
	PolicyChanged          = "PolicyChanged"
	GroupMembershipChanged = "GroupMembershipChanged"
	GroupDeleted           = "GroupDeleted"
	GroupUpdated           = "GroupUpdated"
	RoleDeleted            = "RoleDeleted"
	RoleUpdated            = "RoleUpdated"
	RelyingServiceChanged  = "RelyingServiceChanged"
	StoreChanged           = "StoreChanged"
)

// Revocations is one answer of the feed. Last is the position to follow
// from. No revocation after a wait is the heartbeat.
type Revocations struct {
	Revocations []Revocation `json:"revocations"`
	Last        int64        `json:"last"`
}

// Error is an AWS error refusing a client's request: what the relying
// service answers its client (Code, Message, HTTPStatus), e.g.
// SignatureDoesNotMatch, InvalidClientTokenId, AccessDenied.
type Error struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	HTTPStatus int    `json:"http_status"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// CallError is Latchkey refusing the relying service's own call: not
// registered, not allowed, malformed (4xx), or failing (5xx). It is never
// shown to the service's clients: a service that cannot verify answers
// them 503.
type CallError struct {
	StatusCode int
	Code       string
	Message    string
}

func (e *CallError) Error() string {
	return "latchkey: HTTP " + strconv.Itoa(e.StatusCode) + " " + e.Code + ": " + e.Message
}

// Is makes errors.Is(err, ErrRevocationsExpired) match the feed's 410.
func (e *CallError) Is(target error) bool {
	return target == ErrRevocationsExpired && e.Code == "RevocationsExpired"
}

// ErrRevocationsExpired: the change log no longer holds the position
// asked for. Forget everything derived before, and follow from a new
// position.
var ErrRevocationsExpired = errors.New("latchkey: revocations expired")

// ErrUnavailable: Latchkey could not be asked (unreachable, failing, or
// its revocation feed silent), so a request cannot be verified now.
// Clients are answered 503 ServiceUnavailable.
var ErrUnavailable = errors.New("latchkey: unavailable")
