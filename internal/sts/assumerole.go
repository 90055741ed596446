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

// Credentials are temporary credentials as STS's results show them (and
// the console's sign-in, in JSON).
type Credentials struct {
	AccessKeyID     string `xml:"AccessKeyId" json:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey" json:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken" json:"SessionToken"`
	Expiration      string `xml:"Expiration" json:"Expiration"`
}

type xmlAssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials      Credentials        `xml:"Credentials"`
	AssumedRoleUser  xmlAssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int               `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string             `xml:"SourceIdentity,omitempty"`
}

// roleTarget is AssumeRole's resource: the role, with its trust policy,
// which must allow the caller as the caller's own policies must (the
// request pipeline decides both with the one evaluator, by AWS's
// same-account and cross-account rules), and STS's condition keys. A
// role that does not exist (or not at that path) has no trust policy, so
// nothing is allowed.
func (s *Service) roleTarget(ctx context.Context, r *op.Request) (op.Target, error) {
	roleARN := r.Input.String("RoleArn")
	t := op.Target{ARN: roleARN, ResourceMustAllow: true, Context: stsContext(r)}
	account, path, name, ok := arn.ParseRole(roleARN)
	if !ok {
		return t, nil
	}
	t.Account = account
	role, trust, found, err := s.roleAndTrust(ctx, account, path, name)
	if err != nil || !found {
		return t, err
	}
	t.ResourcePolicy, t.Read = trust, role
	return t, nil
}

// roleAndTrust reads the role named by account, path and name, and parses
// its trust policy; found is false when no role has that name at that
// path. A stored trust policy that no longer parses is an error.
func (s *Service) roleAndTrust(ctx context.Context, account, path, name string) (store.Role, *policy.Policy, bool, error) {
	role, err := s.Store.GetRole(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) || err == nil && (role.Path != path || role.Name != name) {
		return role, nil, false, nil
	}
	if err != nil {
		return role, nil, false, err
	}
	trust, err := policy.ParseResourcePolicy(role.AssumeRolePolicy)
	if err != nil {
		return role, nil, false, fmt.Errorf("stored trust policy of %s no longer parses: %w", arn.Role(account, path, name), err)
	}
	return role, trust, true, nil
}

// stsContext is the condition keys STS adds to AssumeRole's request:
// sts:RoleSessionName, sts:ExternalId, sts:SourceIdentity (given, or
// carried from the caller's session) and sts:TransitiveTagKeys.
func stsContext(r *op.Request) map[string][]string {
	keys := map[string][]string{"sts:RoleSessionName": {r.Input.String("RoleSessionName")}}
	if id := r.Input.String("ExternalId"); id != "" {
		keys["sts:ExternalId"] = []string{id}
	}
	if si := r.Input.String("SourceIdentity"); si != "" {
		keys["sts:SourceIdentity"] = []string{si}
	} else if si := callerSourceIdentity(r.Caller); si != "" {
		keys["sts:SourceIdentity"] = []string{si}
	}
	if tt := r.Input.List("TransitiveTagKeys"); len(tt) > 0 {
		keys["sts:TransitiveTagKeys"] = tt
	}
	return keys
}

func assumeDenied(caller, roleARN string) *awserr.Error {
	return awserr.AccessDenied("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller, roleARN)
}

// assumeRole issues temporary credentials for a role. The request pipeline
// has already decided sts:AssumeRole with the caller's policies and the
// role's trust policy (roleTarget); here both must also allow
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
	// The role and the trust policy the pipeline authorized with: the
	// session is issued for that role, never for one re-created since.
	var role store.Role
	var trust *policy.Policy
	found := false
	if r.Target != nil {
		role, found = r.Target.Read.(store.Role)
		trust = r.Target.ResourcePolicy
	}
	if !found || trust == nil {
		return nil, assumeDenied(caller.ARN(), roleARN)
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
	var actions []string
	if r.Input.Has("Tags.member.1.Key") {
		actions = append(actions, "sts:TagSession")
	}
	if r.Input.Has("SourceIdentity") {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if len(actions) > 0 {
		// The trust policy sees the same context keys the caller's own
		// policies see (principal tags, transport, region, time …), and
		// STS's.
		callerSet, err := s.Authz.Principal(ctx, caller)
		if err != nil {
			return nil, awserr.InternalFailure(err)
		}
		ctxKeys := authz.Context(caller, callerSet, authz.InfoOf(r), stsContext(r))
		if err := s.trusted(role, trust, roleARN, caller, callerSet, actions, ctxKeys); err != nil {
			return nil, err
		}
	}

	session, creds, err := s.issueRoleSession(r, role, principal.AssumeRole, limits, sourceIdentity)
	if err != nil {
		return nil, err
	}
	return assumeRoleResult{
		Credentials:      creds,
		AssumedRoleUser:  xmlAssumedRoleUser{AssumedRoleID: session.UserID(), Arn: session.ARN()},
		PackedPolicySize: limits.packed,
		SourceIdentity:   sourceIdentity,
	}, nil
}

// issueRoleSession issues credentials for a session of role made by r
// (through origin), for DurationSeconds (default an hour; no longer than
// the role allows, nor than an hour for a session made by a role
// session), limited by limits; the role's use is noted.
func (s *Service) issueRoleSession(r *op.Request, role store.Role, origin principal.Origin, limits sessionLimits, sourceIdentity string) (*principal.Principal, Credentials, error) {
	duration := defaultSessionDuration
	if n, ok := r.Input.Int("DurationSeconds"); ok {
		duration = time.Duration(n) * time.Second
	}
	if r.Caller.Kind == principal.AssumedRole && duration > chainedSessionLimit {
		return nil, Credentials{}, awserr.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if duration > time.Duration(role.MaxSessionDuration)*time.Second {
		return nil, Credentials{}, awserr.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	now := r.Time.UTC()
	session := &principal.Principal{Kind: principal.AssumedRole, AccountID: role.AccountID, ID: role.ID, Name: role.Name, Path: role.Path,
		SessionName: r.Input.String("RoleSessionName"),
		Session:     &principal.Session{Origin: origin, IssuedAt: now, Expiration: now.Add(duration), SourceIdentity: sourceIdentity}}
	limits.apply(session.Session)
	creds, err := s.sealSession(session)
	if err != nil {
		return nil, Credentials{}, awserr.InternalFailure(err)
	}
	s.assumed(role.ID, r)
	return session, creds, nil
}

// trusted checks that the role's trust policy and the caller's own
// policies allow the caller every one of actions (sts:TagSession,
// sts:SetSourceIdentity), by the rules the pipeline decides sts:AssumeRole
// with.
func (s *Service) trusted(role store.Role, trust *policy.Policy, roleARN string, caller *principal.Principal, callerSet *authz.Set, actions []string, ctxKeys map[string][]string) error {
	set := *callerSet
	set.Resource = &authz.Policy{ID: "trust policy of " + roleARN, Type: authz.TypeResource, Parsed: trust}
	set.CrossAccount = role.AccountID != caller.AccountID
	set.ResourceRequired = true
	for _, action := range actions {
		req := policy.Request{Action: action, Resource: roleARN, Context: ctxKeys,
			Principal: &policy.PrincipalRef{ARN: caller.ARN(), Account: caller.AccountID}}
		if authz.Decide(&set, req, false).Decision != authz.Allowed {
			return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s", caller.ARN(), action, roleARN)
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
