package sts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

const (
	defaultSessionDuration = time.Hour
	// chainedSessionLimit bounds a session made by a role session, as AWS
	// limits role chaining.
	chainedSessionLimit = time.Hour
	// maxSessionPolicySize is the inline session policy's allotted space.
	maxSessionPolicySize = 2048
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
// any account on this server, as across AWS accounts). The credentials
// are self-contained (secret.Session): nothing is stored.
func (s *Service) assumeRole(ctx context.Context, r *op.Request) (any, error) {
	roleARN := r.Input.String("RoleArn")
	caller := r.Caller
	if caller.IsRoot() {
		return nil, awserr.AccessDenied("Roles may not be assumed by root accounts.")
	}
	// Refused rather than ignored: a caller narrowing a session with
	// managed policies, or tagging it, must not get a wider one.
	for _, param := range []string{"PolicyArns", "Tags", "TransitiveTagKeys", "SourceIdentity", "SerialNumber", "TokenCode", "ProvidedContexts"} {
		if hasParam(r, param) {
			return nil, awserr.ValidationError("%s is not supported by this server's AssumeRole yet.", param)
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
	trust, err := policy.ParseResourcePolicy(role.AssumeRolePolicy)
	if err != nil {
		return nil, awserr.InternalFailure(fmt.Errorf("stored trust policy of %s no longer parses: %w", roleARN, err))
	}
	sessionName := r.Input.String("RoleSessionName")
	// The trust policy sees the same context keys the caller's own
	// policies see (principal tags, transport, region, time …), and STS's.
	callerSet, err := s.Authz.Principal(ctx, caller)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	stsKeys := map[string][]string{"sts:RoleSessionName": {sessionName}}
	if id := r.Input.String("ExternalId"); id != "" {
		stsKeys["sts:ExternalId"] = []string{id}
	}
	ctxKeys := authz.Context(caller, callerSet, authz.InfoOf(r), stsKeys)
	decision := policy.Evaluate([]*policy.Policy{trust}, policy.Request{Action: "sts:AssumeRole", Resource: roleARN, Context: ctxKeys,
		Principal: &policy.PrincipalRef{ARN: caller.ARN(), Account: caller.AccountID}})
	if decision != policy.Allow {
		return nil, assumeDenied(caller.ARN(), roleARN)
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
	sessionPolicy := r.Input.String("Policy")
	var packed *int
	if sessionPolicy != "" {
		if _, err := policy.Parse(sessionPolicy); err != nil {
			return nil, err
		}
		pct := policy.SizeWithoutWhitespace(sessionPolicy) * 100 / maxSessionPolicySize
		if pct > 100 {
			return nil, &awserr.Error{Code: "PackedPolicyTooLarge", Message: fmt.Sprintf("Packed policy consumes %d%% of allotted space, please use smaller policy.", pct), Status: http.StatusBadRequest, Sender: true}
		}
		packed = &pct
	}

	now := r.Time.UTC()
	sess := secret.Session{AccountID: account, AccessKeyID: secret.NewTemporaryAccessKeyID(), Secret: secret.NewSecretAccessKey(),
		RoleID: role.ID, RoleName: role.Name, RolePath: role.Path, SessionName: sessionName,
		IssuedAt: now.Unix(), Expiration: now.Add(duration).Unix(), Policy: sessionPolicy}
	token, err := secret.SealSession(s.Keyring.Primary(), sess)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	return assumeRoleResult{
		Credentials: xmlCredentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token,
			Expiration: time.Unix(sess.Expiration, 0).UTC().Format("2006-01-02T15:04:05Z")},
		AssumedRoleUser:  xmlAssumedRoleUser{AssumedRoleID: role.ID + ":" + sessionName, Arn: "arn:aws:sts::" + account + ":assumed-role/" + role.Name + "/" + sessionName},
		PackedPolicySize: packed,
	}, nil
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
