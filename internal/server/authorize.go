package server

import (
	"context"
	"sync"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/store"
)

// PolicyAuthorizer authorizes by IAM identity policies, as AWS does within
// one account: the root may do everything in its account; a user may do
// what its policies allow and none deny.
type PolicyAuthorizer struct {
	Policies store.UserPolicies

	mu     sync.Mutex
	parsed map[string]*policy.Policy // document -> parsed; documents were validated when stored
}

const maxParsedPolicies = 10000

// Authorize implements Authorizer.
func (a *PolicyAuthorizer) Authorize(ctx context.Context, r *op.Request, o *op.Operation, resourceOf func() (string, error)) error {
	c := r.Caller
	if c.IsRoot() {
		return nil
	}
	resource, err := resourceOf()
	if err != nil {
		return err
	}
	docs, err := a.Policies.ListUserPolicies(ctx, c.AccountID, c.UserName)
	if err != nil {
		return awserr.InternalFailure(err)
	}
	policies := make([]*policy.Policy, 0, len(docs))
	for _, p := range docs {
		if parsed := a.parse(p.Document); parsed != nil {
			policies = append(policies, parsed)
		}
	}
	req := policy.Request{Action: o.Permission, Resource: resource, Context: map[string][]string{
		"aws:username":         {c.UserName},
		"aws:userid":           {c.UserID},
		"aws:PrincipalArn":     {c.ARN()},
		"aws:PrincipalAccount": {c.AccountID},
		"aws:CurrentTime":      {r.Time.UTC().Format("2006-01-02T15:04:05Z")},
		"aws:RequestedRegion":  {r.Region},
	}}
	switch policy.Evaluate(policies, req) {
	case policy.Allow:
		return nil
	case policy.Deny:
		return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s with an explicit deny in an identity-based policy", c.ARN(), o.Permission, resource)
	default:
		return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action", c.ARN(), o.Permission, resource, o.Permission)
	}
}

func (a *PolicyAuthorizer) parse(doc string) *policy.Policy {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, ok := a.parsed[doc]; ok {
		return p
	}
	p, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	if a.parsed == nil || len(a.parsed) >= maxParsedPolicies {
		a.parsed = make(map[string]*policy.Policy)
	}
	a.parsed[doc] = p
	return p
}
