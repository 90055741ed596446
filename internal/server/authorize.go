package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
)

// PolicyAuthorizer authorizes with the one evaluator in package authz, as
// AWS does within one account: the root may do everything in its account;
// a user may do what its identity policies allow and its permissions
// boundary permits, unless any of them denies. It fails closed: a store
// error, a document that no longer parses, or a principal of an unknown
// kind is InternalFailure, never an Allow.
type PolicyAuthorizer struct {
	Source *authz.Source
}

// Authorize implements Authorizer.
func (a *PolicyAuthorizer) Authorize(ctx context.Context, r *op.Request, o *op.Operation, targetOf func() (op.Target, error)) (string, error) {
	c := r.Caller
	var set *authz.Set
	var err error
	switch c.Kind {
	case principal.Root:
		return "root", nil
	case principal.User, principal.AssumedRole, principal.FederatedUser:
		if set, err = a.Source.Principal(ctx, c); err != nil {
			return "", awserr.InternalFailure(err)
		}
	default:
		return "", awserr.InternalFailure(fmt.Errorf("principal %q of kind %s cannot be authorized", c.ARN(), c.Kind))
	}
	target, err := targetOf()
	if err != nil {
		return "", awserr.InternalFailure(fmt.Errorf("resolve the resource of %s: %w", o.Action, err))
	}
	return a.decide(c, set, o.Permission, target, authz.InfoOf(r))
}

// Decide decides whether c may perform permission on target (no target
// resolution: the caller names it), as Authorize does: for the calls
// other services make to Latchkey itself.
func (a *PolicyAuthorizer) Decide(ctx context.Context, c *principal.Principal, permission string, target op.Target, info authz.RequestInfo) (string, error) {
	switch c.Kind {
	case principal.Root:
		if target.Account == "" || target.Account == c.AccountID {
			return "root", nil
		}
		return "", accessDenied(c.ARN(), permission, target.ARN, authz.NoIdentityAllow)
	case principal.User, principal.AssumedRole, principal.FederatedUser:
	default:
		return "", awserr.InternalFailure(fmt.Errorf("principal %q of kind %s cannot be authorized", c.ARN(), c.Kind))
	}
	set, err := a.Source.Principal(ctx, c)
	if err != nil {
		return "", awserr.InternalFailure(err)
	}
	return a.decide(c, set, permission, target, info)
}

func (a *PolicyAuthorizer) decide(c *principal.Principal, set *authz.Set, permission string, target op.Target, info authz.RequestInfo) (string, error) {
	if target.ResourcePolicy != nil || target.ResourceMustAllow {
		withResource := *set
		if target.ResourcePolicy != nil {
			withResource.Resource = &authz.Policy{ID: "resource policy of " + target.ARN, Type: authz.TypeResource, Parsed: target.ResourcePolicy}
		}
		withResource.CrossAccount = target.Account != "" && target.Account != c.AccountID
		withResource.ResourceRequired = target.ResourceMustAllow
		set = &withResource
	}
	req := policy.Request{Action: permission, Resource: target.ARN, Context: authz.Context(c, set, info, target.Context),
		Principal: &policy.PrincipalRef{ARN: c.ARN(), Account: c.AccountID}}
	res := authz.Decide(set, req, false)
	if res.Decision == authz.Allowed {
		return "allowed", nil
	}
	// Explain the denial for the audit trail; the client gets AWS's words.
	res = authz.Decide(set, req, true)
	return Explain(res), accessDenied(c.ARN(), permission, target.ARN, res.Reason)
}

// accessDenied words AccessDenied as AWS does today. AWS names a managed
// policy acted on as "policy ARN".
func accessDenied(caller, action, resource string, reason authz.Reason) *awserr.Error {
	if strings.Contains(resource, ":policy/") {
		resource = "policy " + resource
	}
	prefix := "User: " + caller + " is not authorized to perform: " + action + " on resource: " + resource
	switch reason {
	case authz.IdentityDeny:
		return awserr.AccessDenied("%s with an explicit deny in an identity-based policy", prefix)
	case authz.BoundaryDeny:
		return awserr.AccessDenied("%s with an explicit deny in a permissions boundary", prefix)
	case authz.NoBoundaryAllow:
		return awserr.AccessDenied("%s because no permissions boundary allows the %s action", prefix, action)
	case authz.ResourceDeny:
		return awserr.AccessDenied("%s with an explicit deny in a resource-based policy", prefix)
	case authz.NoResourceAllow:
		return awserr.AccessDenied("%s because no resource-based policy allows the %s action", prefix, action)
	case authz.SessionDeny:
		return awserr.AccessDenied("%s with an explicit deny in a session policy", prefix)
	case authz.NoSessionAllow:
		return awserr.AccessDenied("%s because no session policy allows the %s action", prefix, action)
	case authz.NoTrustAllow:
		return awserr.AccessDenied("%s", prefix)
	}
	return awserr.AccessDenied("%s because no identity-based policy allows the %s action", prefix, action)
}

// Explain names the statements that decided a result, for the audit
// trail: "explicit deny by user-managed policy Name statement Sid at
// 3:5-9:6", or that none matched.
func Explain(res authz.Result) string {
	if len(res.Matched) == 0 {
		switch res.Reason {
		case authz.NoBoundaryAllow:
			return "implicit deny: no statement of the permissions boundary allows it"
		case authz.NoIdentityAllow:
			return "implicit deny: no statement allows it"
		case authz.NoTrustAllow:
			return "implicit deny: the resource's policy does not allow it"
		}
		return string(res.Decision)
	}
	m := res.Matched[0]
	where := string(m.Policy.Type) + " policy " + m.Policy.ID
	if m.Policy.ARN != "" {
		where = string(m.Policy.Type) + " policy " + m.Policy.ARN
	} else if m.Policy.Owner != "" {
		where += " of " + m.Policy.Owner
	}
	if m.Boundary {
		where = "permissions boundary " + where
	}
	sid := m.Sid
	if sid == "" {
		sid = "#" + strconv.Itoa(m.Statement+1)
	}
	return fmt.Sprintf("%s by %s statement %s at %d:%d-%d:%d", res.Decision, where, sid, m.Start.Line, m.Start.Column, m.End.Line, m.End.Column)
}
