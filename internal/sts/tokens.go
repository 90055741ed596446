package sts

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
)

const (
	// defaultTokenDuration is GetSessionToken's and GetFederationToken's
	// default lifetime; the root's sessions last an hour at most.
	defaultTokenDuration = 12 * time.Hour
	rootTokenLimit       = time.Hour
)

type getSessionTokenResult struct {
	Credentials Credentials `xml:"Credentials"`
}

type xmlFederatedUser struct {
	FederatedUserID string `xml:"FederatedUserId"`
	Arn             string `xml:"Arn"`
}

type getFederationTokenResult struct {
	Credentials      Credentials      `xml:"Credentials"`
	FederatedUser    xmlFederatedUser `xml:"FederatedUser"`
	PackedPolicySize *int             `xml:"PackedPolicySize,omitempty"`
}

// tokenDuration is DurationSeconds or the default, the root's held to an
// hour as AWS does.
func tokenDuration(r *op.Request) time.Duration {
	d := defaultTokenDuration
	if n, ok := r.Input.Int("DurationSeconds"); ok {
		d = time.Duration(n) * time.Second
	}
	if r.Caller.IsRoot() && d > rootTokenLimit {
		d = rootTokenLimit
	}
	return d
}

// getSessionToken issues temporary credentials with the caller's own
// permissions; the request pipeline refuses it to callers that already
// use temporary credentials. Such credentials call no IAM action and,
// in STS, only AssumeRole and GetCallerIdentity (Latchkey has no MFA to
// lift the first limit).
func (s *Service) getSessionToken(_ context.Context, r *op.Request) (any, error) {
	for _, param := range []string{"SerialNumber", "TokenCode"} {
		if r.Input.Has(param) {
			return nil, awserr.ValidationError("%s is not supported by this server's GetSessionToken: it has no MFA devices.", param)
		}
	}
	c := r.Caller
	now := r.Time.UTC()
	session := &principal.Principal{Kind: c.Kind, AccountID: c.AccountID, ID: c.ID, Name: c.Name, Path: c.Path,
		Session: &principal.Session{Origin: principal.GetSessionToken, IssuedAt: now, Expiration: now.Add(tokenDuration(r))}}
	creds, err := s.sealSession(session)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	return getSessionTokenResult{Credentials: creds}, nil
}

// federatedUserTarget is GetFederationToken's resource: the federated
// user's ARN.
func federatedUserTarget(_ context.Context, r *op.Request) (op.Target, error) {
	return op.Target{ARN: "arn:aws:sts::" + r.Caller.AccountID + ":federated-user/" + r.Input.String("Name")}, nil
}

// getFederationToken issues credentials for a federated user: what the
// caller's policies allow (the root's: everything) and one of the session
// policies allows too; without session policies, nothing. Tagging the
// session needs sts:TagSession.
func (s *Service) getFederationToken(ctx context.Context, r *op.Request) (any, error) {
	limits, err := readSessionLimits(r, true)
	if err != nil {
		return nil, err
	}
	c := r.Caller
	target, _ := federatedUserTarget(ctx, r)
	if len(limits.tags) > 0 && !c.IsRoot() {
		set, err := s.Authz.Principal(ctx, c)
		if err != nil {
			return nil, awserr.InternalFailure(err)
		}
		req := policy.Request{Action: "sts:TagSession", Resource: target.ARN, Context: authz.Context(c, set, authz.InfoOf(r), nil)}
		if authz.Decide(set, req, false).Decision != authz.Allowed {
			return nil, awserr.AccessDenied("User: %s is not authorized to perform: sts:TagSession on resource: %s", c.ARN(), target.ARN)
		}
	}
	now := r.Time.UTC()
	fed := &principal.Principal{Kind: principal.FederatedUser, AccountID: c.AccountID, ID: c.ID, Name: c.Name, Path: c.Path, SessionName: r.Input.String("Name"),
		Session: &principal.Session{Origin: principal.GetFederationToken, IssuedAt: now, Expiration: now.Add(tokenDuration(r)), CreatedByRoot: c.IsRoot()}}
	limits.apply(fed.Session)
	creds, err := s.sealSession(fed)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	return getFederationTokenResult{Credentials: creds, FederatedUser: xmlFederatedUser{FederatedUserID: fed.UserID(), Arn: fed.ARN()},
		PackedPolicySize: limits.packed}, nil
}
