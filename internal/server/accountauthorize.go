package server

import (
	"context"
	"fmt"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
)

// OwnAccountAuthorizer is the authorizer of a development server with
// authorization off (latchkey serve --dev --authorization=off), where
// Latchkey stands in for an emulator whose callers hold no policies:
// every authenticated principal may do everything in its own account,
// whatever its policies, boundary, session policies or a role's trust
// policy say. Authentication is untouched (signatures verified, keys
// Active, sessions' own restrictions applied before any authorizer), and
// an action on another account's resource is refused as AWS refuses one
// that no policy allows. Never use it outside development.
type OwnAccountAuthorizer struct{}

// Authorize implements Authorizer.
func (OwnAccountAuthorizer) Authorize(_ context.Context, r *op.Request, o *op.Operation, targetOf func() (op.Target, error)) (string, error) {
	c := r.Caller
	switch c.Kind {
	case principal.Root, principal.User, principal.AssumedRole, principal.FederatedUser:
	default:
		return "", awserr.InternalFailure(fmt.Errorf("principal %q of kind %s cannot be authorized", c.ARN(), c.Kind))
	}
	// Resolved even though no policy is read: handlers use what the
	// target read (the role, for AssumeRole).
	target, err := targetOf()
	if err != nil {
		return "", awserr.InternalFailure(fmt.Errorf("resolve the resource of %s: %w", o.Action, err))
	}
	account := target.Account
	if account == "" {
		account, _ = arn.Account(target.ARN) // "" for "*" and AWS managed policies
	}
	if account != "" && account != c.AccountID {
		return "cross-account (authorization off)", accessDenied(c.ARN(), o.Permission, target.ARN, authz.NoIdentityAllow)
	}
	return "allowed (authorization off)", nil
}
