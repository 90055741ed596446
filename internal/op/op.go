// Package op declares the shape of one API operation: what it is called, the
// IAM permission it needs, the resource it acts on and its handler. The
// server wraps the whole table once with authentication, validation,
// authorization, logging and error rendering; handlers only do their action.
package op

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/query"
)

// Request is one validated, authenticated call.
type Request struct {
	Caller    *principal.Principal
	Input     query.Values
	RequestID string
	// Region and Service come from the request's SigV4 credential scope.
	Region  string
	Service string
	Time    time.Time
	// SourceIP, SecureTransport and UserAgent describe the connection, for
	// the aws:SourceIp, aws:SecureTransport and aws:UserAgent context keys.
	SourceIP        string
	SecureTransport bool
	UserAgent       string
	// Target is the resource the request pipeline resolved to authorize
	// the request; nil when it resolved none (no permission needed, or
	// the root, whom no policy limits).
	Target *Target
}

// Target is what an action acts on: its ARN and the condition keys that
// describe it (aws:ResourceTag/…, iam:ResourceTag/…, iam:PermissionsBoundary,
// iam:PolicyARN), merged into the request context for authorization.
type Target struct {
	ARN     string
	Context map[string][]string
	// ResourcePolicy is the resource-based policy of what is acted on
	// (a role's trust policy, for AssumeRole), decided with the caller's
	// identity policies by AWS's same-account and cross-account rules;
	// Account is the account owning the resource. ResourceMustAllow says
	// the resource policy must allow whatever the identity policies do, as
	// a trust policy must: a missing ResourcePolicy then allows nothing.
	ResourcePolicy    *policy.Policy
	Account           string
	ResourceMustAllow bool
	// Read is what the target function read to name the resource (the
	// role, for AssumeRole), so the handler need not read it again.
	Read any
}

// Handler performs an action. It returns the result to render inside the
// <ActionResult> element (nil for actions without a result) or an error;
// *awserr.Error values are rendered as they are, anything else becomes
// InternalFailure.
type Handler func(ctx context.Context, r *Request) (any, error)

// Operation is one row of the operation table.
type Operation struct {
	Service string // "iam" or "sts"
	Action  string // e.g. "CreateAccessKey"
	// Permission is the IAM action a policy must allow, e.g.
	// "iam:CreateAccessKey". Empty means any authenticated caller may call
	// it (sts:GetCallerIdentity, as in AWS).
	Permission string
	// Resource returns what the action acts on, for authorization. It
	// must fail (with the store's error) rather than guess when it cannot
	// read what it needs; only a target that does not exist may be named
	// from the request alone, since the handler then answers NoSuchEntity.
	Resource func(ctx context.Context, r *Request) (Target, error)
	// Mutating marks actions that change state (for audit and logs).
	Mutating bool
	// Unsigned marks actions called without credentials, whose proof is in
	// their input (AssumeRoleWithWebIdentity). Their caller is
	// principal.Anonymous; they have no Permission.
	Unsigned bool
	// JSON marks actions that also answer in AWS's JSON shape when the
	// client asks for it (Accept: application/json), as STS does for
	// GetCallerIdentity; the result then needs json tags matching its XML.
	JSON    bool
	Handler Handler
}
