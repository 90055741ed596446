package sts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/store"
)

const (
	defaultSessionDuration = time.Hour
	// chainedSessionLimit bounds a session made by a role session, as AWS
	// limits role chaining.
	chainedSessionLimit = time.Hour
)

type xmlCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type xmlAssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials      xmlCredentials     `xml:"Credentials"`
	AssumedRoleUser  xmlAssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int               `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string             `xml:"SourceIdentity,omitempty"`
}

// roleTarget is AssumeRole's resource: the role ARN as given.
func roleTarget(_ context.Context, r *op.Request) (op.Target, error) {
	return op.Target{ARN: r.Input.String("RoleArn")}, nil
}

func assumeDenied(caller, roleARN string) *awserr.Error {
	return awserr.AccessDenied("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller, roleARN)
}

// assumeRole issues temporary credentials for a role. The request pipeline
// has already checked the caller's own policies allow sts:AssumeRole on
// the role; here the role's trust policy must allow the caller too (in
// any account on this server, as across AWS accounts), and both must allow
// sts:TagSession when the request tags the session and
// sts:SetSourceIdentity when it sets a source identity. The credentials
// are self-contained (secret.Session): nothing is stored.
func (s *Service) assumeRole(ctx context.Context, r *op.Request) (any, error) {
	roleARN := r.Input.String("RoleArn")
	caller := r.Caller
	if caller.IsRoot() {
		return nil, awserr.AccessDenied("Roles may not be assumed by root accounts.")
	}
	// Refused rather than ignored: MFA and provided contexts would be
	// claims Latchkey cannot check.
	for _, param := range []string{"SerialNumber", "TokenCode", "ProvidedContexts"} {
		if hasParam(r, param) {
			return nil, awserr.ValidationError("%s is not supported by this server's AssumeRole.", param)
		}
	}
	account, path, name, ok := arn.ParseRole(roleARN)
	if !ok {
		return nil, awserr.ValidationError("%s is not a valid role ARN.", roleARN)
	}
	role, err := s.Store.GetRole(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) || err == nil && (role.Path != path || role.Name != name) {
		return nil, assumeDenied(caller.ARN(), roleARN)
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	limits, err := readSessionLimits(r, true)
	if err != nil {
		return nil, err
	}
	sourceIdentity := r.Input.String("SourceIdentity")
	if inherited := callerSourceIdentity(caller); inherited != "" {
		if sourceIdentity != "" && sourceIdentity != inherited {
			return nil, awserr.AccessDenied("The source identity of a role session cannot be changed by the sessions it makes.")
		}
		sourceIdentity = inherited
	}
	sessionName := r.Input.String("RoleSessionName")
	stsKeys := map[string][]string{"sts:RoleSessionName": {sessionName}}
	if id := r.Input.String("ExternalId"); id != "" {
		stsKeys["sts:ExternalId"] = []string{id}
	}
	if sourceIdentity != "" {
		stsKeys["sts:SourceIdentity"] = []string{sourceIdentity}
	}
	if len(limits.transitive) > 0 {
		stsKeys["sts:TransitiveTagKeys"] = limits.transitive
	}
	// The trust policy sees the same context keys the caller's own
	// policies see (principal tags, transport, region, time …), and STS's.
	callerSet, err := s.Authz.Principal(ctx, caller)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	ctxKeys := authz.Context(caller, callerSet, authz.InfoOf(r), stsKeys)
	actions := []string{"sts:AssumeRole"}
	if r.Input.Has("Tags.member.1.Key") {
		actions = append(actions, "sts:TagSession")
	}
	if r.Input.Has("SourceIdentity") {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if err := s.trusted(role, roleARN, caller, callerSet, actions, ctxKeys); err != nil {
		return nil, err
	}

	duration := defaultSessionDuration
	if n, ok := r.Input.Int("DurationSeconds"); ok {
		duration = time.Duration(n) * time.Second
	}
	if caller.Kind == principal.AssumedRole && duration > chainedSessionLimit {
		return nil, awserr.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if duration > time.Duration(role.MaxSessionDuration)*time.Second {
		return nil, awserr.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	now := r.Time.UTC()
	session := &principal.Principal{Kind: principal.AssumedRole, AccountID: account, ID: role.ID, Name: role.Name, Path: role.Path, SessionName: sessionName,
		Session: &principal.Session{Origin: principal.AssumeRole, IssuedAt: now, Expiration: now.Add(duration), SourceIdentity: sourceIdentity}}
	limits.apply(session.Session)
	creds, err := s.sealSession(session)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	s.assumed(role.ID, r)
	return assumeRoleResult{
		Credentials:      creds,
		AssumedRoleUser:  xmlAssumedRoleUser{AssumedRoleID: session.UserID(), Arn: session.ARN()},
		PackedPolicySize: limits.packed,
		SourceIdentity:   sourceIdentity,
	}, nil
}

// trusted checks that the role's trust policy allows the caller every one
// of actions, and that the caller's own policies allow those beyond
// sts:AssumeRole (which the request pipeline checked).
func (s *Service) trusted(role store.Role, roleARN string, caller *principal.Principal, callerSet *authz.Set, actions []string, ctxKeys map[string][]string) error {
	trust, err := policy.ParseResourcePolicy(role.AssumeRolePolicy)
	if err != nil {
		return awserr.InternalFailure(fmt.Errorf("stored trust policy of %s no longer parses: %w", roleARN, err))
	}
	for _, action := range actions {
		req := policy.Request{Action: action, Resource: roleARN, Context: ctxKeys,
			Principal: &policy.PrincipalRef{ARN: caller.ARN(), Account: caller.AccountID}}
		if policy.Evaluate([]*policy.Policy{trust}, req) != policy.Allow {
			return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s", caller.ARN(), action, roleARN)
		}
		if action != "sts:AssumeRole" && callerSet != nil {
			req.Principal = nil
			if authz.Decide(callerSet, req, false).Decision != authz.Allowed {
				return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s", caller.ARN(), action, roleARN)
			}
		}
	}
	return nil
}

// callerSourceIdentity is the source identity of the caller's role
// session, which sessions it makes carry on.
func callerSourceIdentity(c *principal.Principal) string {
	if c.Kind == principal.AssumedRole && c.Session != nil {
		return c.Session.SourceIdentity
	}
	return ""
}

// hasParam reports whether the request gives param, as a value or as a
// list or structure (param.member.N…).
func hasParam(r *op.Request, param string) bool {
	if r.Input.Has(param) {
		return true
	}
	for k := range r.Input {
		if strings.HasPrefix(k, param+".") {
			return true
		}
	}
	return false
}
