// Package op declares the shape of one API operation: what it is called, the
// IAM permission it needs, the resource it acts on and its handler. The
// server wraps the whole table once with authentication, validation,
// authorization, logging and error rendering; handlers only do their action.
package op

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/query"
)

// Caller is the verified identity behind a request.
type Caller struct {
	AccountID   string
	AccessKeyID string
	// UserID, UserName and UserPath are empty for the account's root.
	UserID   string
	UserName string
	UserPath string
}

// IsRoot reports whether the caller is the account's root identity.
func (c *Caller) IsRoot() bool { return c.UserName == "" }

// ARN is the caller's ARN as GetCallerIdentity shows it.
func (c *Caller) ARN() string {
	if c.IsRoot() {
		return arn.Root(c.AccountID)
	}
	return arn.User(c.AccountID, c.UserPath, c.UserName)
}

// Request is one validated, authenticated call.
type Request struct {
	Caller    *Caller
	Input     query.Values
	RequestID string
	// Region and Service come from the request's SigV4 credential scope.
	Region  string
	Service string
	Time    time.Time
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
	// Resource returns the ARN the action acts on, for authorization.
	Resource func(ctx context.Context, r *Request) (string, error)
	// Mutating marks actions that change state (for audit and logs).
	Mutating bool
	Handler  Handler
}
